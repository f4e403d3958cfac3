"""Classification: every value lands in the class whose range holds it; no-data is reserved."""
from __future__ import annotations

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from generator import classify
from generator.errors import UserError
from generator.options import Options
from generator.validate import validate


def assert_in_range(values: np.ndarray, bins: np.ndarray, edges: list[float]) -> None:
    for v, b in zip(values.ravel(), bins.ravel()):
        if not np.isfinite(v):
            assert b == classify.NO_DATA
            continue
        lo, hi = edges[b], edges[b + 1]
        assert (lo <= v if b == 0 else lo < v) and v <= hi, (v, b, lo, hi)


def test_equal_interval_20_classes_afmhot() -> None:
    values = np.array([[0.0, 10.0, np.nan], [5.0, 100.0, 99.9]], dtype=np.float32)
    cls = classify.classes_for(values, k=20, scheme="equal_interval", cmap="afmhot_r", missing="#dddddd")
    assert len(cls.colors) == 20 and len(cls.edges) == 21
    assert cls.edges[0] == 0 and cls.edges[-1] == pytest.approx(100)
    assert cls.indices.dtype == np.uint8
    assert cls.indices[0, 2] == classify.NO_DATA
    assert cls.indices[0, 0] == 0 and cls.indices[1, 1] == 19 and cls.indices[0, 1] == 1  # 10 is the top of class 1
    assert cls.colors[0] == "#ffffff" and cls.missing == "#dddddd"
    assert_in_range(values, cls.indices, cls.edges)


@pytest.mark.parametrize("scheme", ["equal_interval", "quantiles", pytest.param("fisher_jenks", marks=pytest.mark.slow),
                                    "natural_breaks", "std_mean"])  # Fisher-Jenks: 25 s in pure Python without numba
def test_schemes_hold_their_values(scheme: str) -> None:
    values = np.random.default_rng(1).lognormal(2, 1, (300, 40)).astype(np.float32)
    values[::7, ::3] = np.nan
    cls = classify.classes_for(values, k=7, scheme=scheme, cmap="viridis", missing="#ccc")
    assert_in_range(values, cls.indices, cls.edges)
    assert set(np.unique(cls.indices)) <= set(range(len(cls.colors))) | {classify.NO_DATA}


def test_user_defined_breaks() -> None:
    values = np.array([1, 10, 11, 100, 1000], dtype=np.float32)
    cls = classify.classes_for(values, k=5, scheme="user_defined", cmap="viridis", missing="#ccc",
                               user_breaks=[10, 100, 1000])
    assert cls.edges == [1, 10, 100, 1000]
    assert cls.indices.tolist() == [0, 0, 1, 1, 2]


@pytest.mark.parametrize("kwargs,message", [({"cmap": "nope"}, "colormap"), ({"missing": "grey-ish"}, "not a colour")])
def test_bad_options_are_user_errors(kwargs: dict, message: str) -> None:
    options = {"k": 5, "scheme": "equal_interval", "cmap": "viridis", "missing": "#ccc", **kwargs}
    with pytest.raises(UserError, match=message):
        classify.classes_for(np.arange(10, dtype=np.float32), **options)


@pytest.mark.parametrize("options,message", [
    ({"classes": 255}, "--classes 255 is out of range; use 1 to 254"),
    ({"scheme": "magic"}, "--scheme 'magic' is unknown; choose one of equal_interval, nice, quantiles"),
    ({"cmap": "nope"}, "--cmap 'nope' is not a matplotlib colormap"),
    ({"metrics": ["m:log,center=1.5"]}, "--metric 'm:log,center=1.5': --log and --center do not go"),
    ({"scheme": "quantiles", "round": True}, "--round makes equal intervals round, and --scheme 'quantiles'"),
    ({"scheme": "nice", "log": True}, "--round (or --scheme 'nice') makes equal intervals round and --log"),
    ({"scheme": "user_defined"}, "--scheme 'user_defined' needs --breaks, e.g. --breaks=10,100,1000"),
])
def test_classification_options_are_checked_before_the_build(options: dict, message: str) -> None:
    with pytest.raises(UserError) as caught:
        validate(Options(**options))
    assert str(caught.value).startswith(message), caught.value


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 30), st.integers(1, 8)),
              elements=st.one_of(st.floats(-1e6, 1e6, width=32), st.just(np.nan))),
       st.integers(1, 30))
def test_property_every_value_in_its_class(values: np.ndarray, k: int) -> None:
    if not np.isfinite(values).any():
        return
    cls = classify.classes_for(values, k=k, scheme="equal_interval", cmap="viridis", missing="#ccc")
    assert_in_range(values, cls.indices, cls.edges)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e9, 1e9), st.floats(1e-9, 1e9), st.integers(1, 40))
def test_equal_intervals_are_mapclassify_s(lo: float, span: float, k: int) -> None:
    """Equal intervals are computed without importing mapclassify (1.3 s), exactly as its EqualInterval."""
    import mapclassify

    assume(lo + span > lo)  # breaks() takes lo == hi apart
    values = np.array([lo, lo + span / 3, lo + span])
    np.testing.assert_array_equal(classify.equal_interval(lo, lo + span, k),
                                  mapclassify.EqualInterval(values, k=k).bins)


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.lists(st.floats(-1e7, 1e7), min_size=2, max_size=40, unique=True),
                 st.lists(st.floats(1e6, 1e6 + 2), min_size=2, max_size=40, unique=True)),  # near float32's grain
       st.integers(0, 2**32 - 1))
def test_classes_of_large_float32_arrays_equal_a_float64_binary_search(edges: list[float], seed: int) -> None:
    """The stepped table and float32 edges of Classifier give each value the class a binary search
    over the float64 edges gives, on every edge, a float32 step either side of it, NaN and ±inf."""
    e = np.sort(np.asarray(edges))
    rng = np.random.default_rng(seed)
    e32 = e.astype(np.float32)
    near = np.concatenate([e32, np.nextafter(e32, np.float32(np.inf)), np.nextafter(e32, np.float32(-np.inf))])
    spread = (rng.normal(size=3000) * (e[-1] - e[0] + 1) + e.mean()).astype(np.float32)
    values = np.concatenate([near, spread, np.float32([np.nan, np.inf, -np.inf])])
    expected = np.minimum(np.searchsorted(e[1:], values.astype(np.float64), side="left"), len(e) - 2)
    expected = np.where(np.isfinite(values), expected, classify.NO_DATA)
    assert values.size >= 256 and values.dtype == np.float32  # the stepped table's path
    np.testing.assert_array_equal(classify.classify(values, e), expected)
    np.testing.assert_array_equal(classify.classify(values.astype(np.float64), e), expected)


@pytest.mark.parametrize("edges,text", [
    ([0, 250, 500, 1000], ["0", "250", "500", "1,000"]),
    ([0, 2500, 5000, 7500], ["0", "2,500", "5,000", "7,500"]),  # thousands separators below 10,000
    ([0, 12_500, 25_000], ["0", "12,500", "25,000"]),  # "12.5k" is hardly shorter
    ([0, 50_000, 100_000, 250_000], ["0", "50k", "100k", "250k"]),  # one suffix per legend, where it shortens
    # gapminder's GDP per capita in quantiles: the numbers as written, not "0.241k · 0.797k · 1.450k"
    ([241.17, 797.0, 1450.36, 3531.85, 9284.4, 19145.0, 113523.13],
     ["241", "797", "1,450", "3,532", "9,284", "19,145", "113,523"]),
    ([1234.5, 25617.1, 49999.75, 74382.4, 98765.0], ["1k", "26k", "50k", "74k", "99k"]),
    ([1.2e6, 2.5e6, 3.75e6], ["1.20M", "2.50M", "3.75M"]),
    ([0.001, 0.0015, 0.002], ["0.0010", "0.0015", "0.0020"]),
    ([-5, 0, 5], ["-5", "0", "5"]),
    ([3e9, 6e9], ["3B", "6B"]),
    ([10, 20, 1e9], ["10", "20", "1,000,000,000"]),  # a suffix would need eight decimals for the small ones
    ([1, 10, 100, 1000, 1e4, 1e5, 1e6], ["1", "10", "100", "1,000", "10,000", "100,000", "1,000,000"]),  # --log
])
def test_legend_labels_are_for_people(edges: list[float], text: list[str]) -> None:
    assert classify.labels(np.array(edges, dtype=float)) == text


def test_centre_is_an_edge_and_the_colormap_middle() -> None:
    values = np.array([[-10, -5, -1, 1, 3, 20, np.nan]], dtype=np.float32)
    c = classify.classes_for(values, k=6, scheme="equal_interval", cmap="RdBu", missing="#dddddd", center=0)
    assert 0.0 in c.edges and len(c.colors) == 6
    below = [i for i in range(6) if c.edges[i + 1] <= 0]
    assert below == [0, 1, 2]  # half the classes each side
    assert c.indices.tolist() == [[0, 1, 2, 3, 3, 5, classify.NO_DATA]]
    reds = [mcolors.to_rgb(x) for x in c.colors]
    assert all(r > b for r, _, b in reds[:3]) and all(b > r for r, _, b in reds[3:])
    # -10 is half as far from the centre as 20: its colour is lighter than the colormap's red end.
    assert sum(reds[0]) > sum(mcolors.to_rgb(matplotlib.colormaps["RdBu"](0.0)))


def test_a_range_too_narrow_for_mapclassify_still_classifies() -> None:
    values = np.array([[1e-45, 0.0]], dtype=np.float32)  # found by hypothesis: a subnormal range
    cls = classify.classes_for(values, k=2, scheme="equal_interval", cmap="viridis", missing="#ccc")
    assert_in_range(values, cls.indices, cls.edges)


@pytest.mark.parametrize("lo,hi,k,edges", [
    (0, 3998, 20, list(range(0, 4001, 200))),  # not 0 · 400 · 800 · 1,199 …
    (0, 3998, 10, list(range(0, 4001, 500))),  # 400 is no round step: 500, 8 classes
    (0.13, 0.87, 5, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (-7, 13, 8, [-10, -5, 0, 5, 10, 15]),
    (1234, 98765, 4, [0, 25_000, 50_000, 75_000, 100_000]),  # a step of 2.5 × 10ⁿ
    (0.3, 0.9, 6, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),  # exactly 0.3, not 3 × 0.1
])
def test_round_edges(lo: float, hi: float, k: int, edges: list[float]) -> None:
    assert classify.nice_edges(lo, hi, k).tolist() == edges
    values = np.linspace(lo, hi, 1001)
    cls = classify.classes_for(values, k=k, scheme="nice", cmap="viridis", missing="#ddd")
    assert cls.edges == edges and cls.labels == classify.labels(np.array(edges))
    assert_in_range(values, cls.indices, cls.edges)


def test_round_edges_around_a_centre() -> None:
    values = np.array([-20.0, -5.0, 0.5, 10.0])
    edges = classify.classes_for(values, k=6, scheme="equal_interval", cmap="RdBu", missing="#ddd", center=0.0,
                                 round_edges=True).edges
    assert 0.0 in edges and edges == [-20, -10, 0, 5, 10]
