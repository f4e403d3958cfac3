"""Sites rebuilt under open pages, in real Chromium: a page never mixes files of two builds (builds.py)."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import COUNTRIES, serve
from playwright.sync_api import Page

from generator import build, framedata

HOURS = 18_000  # 4 chunks of the world's 177 shapes


def rows(path: Path, hours: int = HOURS, seed: int = 1) -> Path:
    """Five countries, a random value each hour."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"country": np.tile(list(COUNTRIES.values()), hours),
                          "unixtime": np.repeat(1_700_000_000 // 3600 * 3600 + 3600 * np.arange(hours), 5),
                          "cases": rng.integers(0, 1000, hours * 5)})
    frame.to_csv(path, index=False)
    return path


def site_classes(site: Path) -> tuple[dict, np.ndarray]:
    """A built site's metadata and its frame × region classes, decoded from its current build's files."""
    html = (site / "index.html").read_text()
    meta = json.loads(html.split('id="choropleth-meta" type="application/json">')[1].split("</script>")[0])
    data = site / "data" / meta["build"] / "0"
    blobs = [base64.b64decode((data / f"{c}.js").read_text().split(',"')[1].split('"')[0])
             for c in range(meta["metrics"][0]["chunks"])]
    return meta, framedata.decode(blobs, len(meta["regions"]["names"]))


def rgb(hexa: str) -> list[int]:
    return [int(hexa[i:i + 2], 16) for i in (1, 3, 5)]


@pytest.fixture(scope="module")
def csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rows(tmp_path_factory.mktemp("live") / "rows.csv")


def test_a_rebuild_with_other_classes_under_an_open_page_is_never_mixed(page: Page, csv: Path, tmp_path: Path,
                                                                         interior_points: dict) -> None:
    out = tmp_path / "site"
    common = build.Options(csv=str(csv), metrics=["cases"], interval="1h", out=str(out))
    build.build(common)
    old_meta, old_bins = site_classes(out)
    assert old_meta["metrics"][0]["chunks"] >= 3
    with serve(out) as url:
        page.goto(url)
        page.evaluate("choropleth.ready")
        page.evaluate("choropleth.resize(1280, 720)")
        x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points["France"])
        r = page.evaluate("([x, y]) => choropleth.regionAt(x, y)", [x, y])
        build.build(build.Options(**{**common.__dict__, "classes": 5, "cmap": "viridis"}))  # underneath the page
        new_meta, new_bins = site_classes(out)
        assert new_meta["build"] != old_meta["build"]
        # A frame in a chunk the page has not loaded, where the two builds' classes differ.
        first = 2 * old_meta["chunkFrames"]
        frame = next(f for f in range(first, HOURS) if old_bins[f, r] != new_bins[f, r])
        page.evaluate("f => choropleth.ensure(f, f)", frame)
        assert page.evaluate("f => choropleth.renderFrame(f)", frame) is True
        shown = page.evaluate("([x, y]) => choropleth.colorAt(x, y)", [x, y])
        old_colours = old_meta["metrics"][0]["colors"]
        assert shown == rgb(old_colours[old_bins[frame, r]])  # the old build's, whole
        assert shown != rgb(old_colours[new_bins[frame, r]])  # not its colours over the new classes
