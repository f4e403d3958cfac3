"""Series per region (stage 5c): the frames themselves up to 1,000 points, min/mean/max of each span
beyond; files that decode back bit for bit; the scrubber's strip; the size budget."""
from __future__ import annotations

import base64
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from generator import build, series


def naive(values: np.ndarray, step: int) -> tuple[np.ndarray, ...]:
    """min, mean, max of each span, one span at a time with numpy's nan-functions."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an all-NaN span: NaN, as it should be
        for s in range(0, len(values), step):
            block = values[s:s + step]
            out.append([np.nanmin(block, axis=0), np.nanmean(block, axis=0), np.nanmax(block, axis=0)])
    return tuple(np.array([o[k] for o in out], dtype=np.float32) for k in range(3))


def test_up_to_a_thousand_frames_the_series_is_the_values() -> None:
    values = np.random.default_rng(0).random((1000, 5)) * 1e6
    values[3, 2] = np.nan
    s = series.overview(values)
    assert s.step == 1 and s.mean.shape == (1000, 5)
    np.testing.assert_array_equal(s.mean, values.astype(np.float32))
    assert s.low is s.mean and s.high is s.mean


@pytest.mark.parametrize("frames,step", [(1001, 2), (2000, 2), (2001, 3), (100_000, 100), (123_457, 124)])
def test_longer_series_keep_min_mean_max_of_each_span(frames: int, step: int) -> None:
    rng = np.random.default_rng(frames)
    values = np.sin(np.arange(frames)[:, None] / 300 + np.arange(3)) * 10 + rng.random((frames, 3))
    values[rng.random(values.shape) < 0.05] = np.nan
    values[:5 * step, 1] = np.nan  # whole spans without data: gaps
    spike = frames // 3 + 1
    values[spike, 2] = 1e9  # one frame: kept in its span's max
    s = series.overview(values)
    assert s.step == step == series.frames_per_point(frames)
    assert s.mean.shape == (-(-frames // step), 3) and len(s.mean) <= series.MAX_POINTS
    low, mean, high = naive(values, step)
    np.testing.assert_array_equal(s.low, low)
    np.testing.assert_array_equal(s.high, high)
    np.testing.assert_allclose(s.mean, mean, rtol=1e-6)
    assert np.isnan(s.mean[:5, 1]).all() and np.isnan(s.low[:5, 1]).all()
    assert s.high[spike // step, 2] == 1e9 and np.nanmax(np.delete(s.high[:, 2], spike // step)) < 100


def test_blocks_of_spans_give_the_same_series(monkeypatch: pytest.MonkeyPatch) -> None:
    values = np.random.default_rng(1).random((5000, 7))
    whole = series.overview(values)
    monkeypatch.setattr(series, "BLOCK_CELLS", 50)  # a span or two per block
    parts = series.overview(values)
    for a, b in ((whole.low, parts.low), (whole.mean, parts.mean), (whole.high, parts.high)):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 2500), st.integers(1, 9)),
              elements=st.floats(-1e30, 1e30) | st.just(np.nan)), st.integers(1, 4))
def test_files_decode_bit_for_bit(values: np.ndarray, group: int) -> None:
    s = series.overview(values)
    blobs = series.encode(s, group)
    assert len(blobs) == -(-values.shape[1] // group)
    got = series.decode(blobs, s.step, len(s.mean))
    for a, b in ((s.low, got.low), (s.mean, got.mean), (s.high, got.high)):
        np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))


def test_strip_is_the_mean_class_of_regions_with_data() -> None:
    bins = np.array([[0, 2, 255], [4, 4, 255], [255, 255, 255], [255, 255, 255], [9, 255, 255]], dtype=np.uint8)
    assert series.strip(bins, 1) == [1, 4, 255, 255, 9]
    assert series.strip(bins, 2) == [3, 255, 9]  # (0 + 2 + 4 + 4) / 4 = 2.5 -> 3


def test_size_budget_of_100k_noisy_frames_for_177_regions() -> None:
    """≤ 2 MB a metric (as base64 in the page's data files) for 177 regions: 1,000 points of min,
    mean and max each, values with seven noisy significant digits."""
    rng = np.random.default_rng(0)
    f = np.arange(100_000)[:, None]
    values = ((np.sin(f / 24 * 6.28 + rng.uniform(0, 6.28, 177)) + 1.5) * 8 + rng.random((100_000, 177)) * 2).round(3)
    size = sum(map(len, series.encode(series.overview(values)))) * 4 / 3
    assert size <= 2e6, size


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,500 frames (3 per point) of three countries, one with a one-frame spike."""
    folder = tmp_path_factory.mktemp("series")
    n = 2500
    f = np.repeat(np.arange(n), 3)
    value = np.sin(f / 200.0) * 10 + 20 + np.tile([0.0, 5.0, 10.0], n)
    value[3 * 1234 + 1] = 500.0  # France, frame 1234
    pd.DataFrame({"country": np.tile(["BRA", "FRA", "AUS"], n), "unixtime": 1_704_067_200 + f * 3600,
                  "metric1": value}).to_csv(folder / "rows.csv", index=False)
    build.build(build.Options(out=str(folder / "site"), csv=str(folder / "rows.csv")))
    return folder / "site"


def test_the_site_holds_the_series_and_the_strip(small_site: Path) -> None:
    html = (small_site / "index.html").read_text()
    found = re.search(r'<script id="choropleth-meta" type="application/json">(.*?)</script>', html)
    assert found
    meta = json.loads(found.group(1))
    assert meta["series"] == {"step": 3, "group": series.GROUP}
    metric = meta["metrics"][0]
    regions = len(meta["regions"]["names"])
    assert metric["series"] == -(-regions // series.GROUP)
    assert len(metric["strip"]) == 834 and set(metric["strip"]) - {255} <= set(range(len(metric["colors"])))
    blobs = []
    for g in range(metric["series"]):
        text = (small_site / "data" / meta["build"] / "0" / f"s{g}.js").read_text()
        loaded = re.fullmatch(r'choroplethLoad\("(.*?)","(.*)"\);\n', text)
        assert loaded
        key, payload = loaded.groups()
        assert key == f"0/s{g}"
        blobs.append(base64.b64decode(payload))
    s = series.decode(blobs, 3, 834)
    france = meta["regions"]["names"].index("France")
    assert s.high[1234 // 3, france] == 500 and s.low[1234 // 3, france] < 100
    assert np.isnan(s.mean[:, meta["regions"]["names"].index("Germany")]).all()  # no data: all gap
