"""Sites rebuilt under open pages, in real Chromium: a page never mixes files of two builds (builds.py)."""
from __future__ import annotations

import base64
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import COUNTRIES, interior, serve
from playwright.sync_api import Page

from generator import build, builds, framedata

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


def sqlite_rows(path: Path, first: int, last: int, seed: int = 2) -> None:
    """Hours first…last-1 of five countries into table events of the SQLite file at `path`."""
    rng = np.random.default_rng(seed + first)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS events (country TEXT, unixtime INTEGER, cases REAL)")
        db.executemany("INSERT INTO events VALUES (?, ?, ?)",
                       [(c, 1_700_000_000 // 3600 * 3600 + 3600 * h, float(rng.integers(0, 1000)))
                        for h in range(first, last) for c in COUNTRIES.values()])


def until(done: Callable[[], bool], seconds: float = 10) -> None:
    """Wait for a page to do something (wait_for_function evaluates text, which the pages' policy refuses)."""
    end = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < end, "the page did not follow"
        time.sleep(0.1)


def test_a_served_page_follows_an_append_and_a_rebuild(page: Page, tmp_path: Path) -> None:
    db, out = tmp_path / "rows.db", tmp_path / "site"
    sqlite_rows(db, 0, 2000)
    o = build.Options(db=f"sqlite:///{db}", table="events", metrics=["cases"], interval="1h", out=str(out),
                      refresh=1, append=True)
    build.build(o)
    with serve(out) as url:
        other = page.context.new_page()
        for p, frame in ((page, 1999), (other, 100)):
            p.goto(url)
            p.evaluate("choropleth.ready")
            p.evaluate("f => { window.keep = 42; choropleth.renderFrame(f); }", frame)
            p.evaluate("choropleth.resize(1280, 720)")
        sqlite_rows(db, 2000, 2024)
        build.build(o)
        for p in (page, other):
            until(lambda p=p: p.evaluate("window.choropleth.frameCount") == 2024)
            p.evaluate("choropleth.ready")
            assert p.evaluate("window.keep") == 42  # not reloaded
        assert page.evaluate("choropleth.frame") == 2023  # on the last frame: moved on to the new last
        assert other.evaluate("choropleth.frame") == 100  # elsewhere: kept, and told
        assert other.locator(".refresh-note").inner_text() == "data to 2024-02-07 05:00"  # the new last frame
        assert page.locator(".refresh-note").count() == 0

        build.build(build.Options(**{**o.__dict__, "cmap": "viridis", "append": False}))  # other colours
        new_meta, new_bins = site_classes(out)
        until(lambda: other.evaluate("window.choropleth.meta.build") == new_meta["build"])
        other.evaluate("choropleth.ready")
        assert other.evaluate("choropleth.frame") == 100 and other.evaluate("window.keep") == 42
        other.evaluate("choropleth.resize(1280, 720)")
        france = new_meta["regions"]["names"].index("France")
        x, y = other.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior("France"))
        assert other.evaluate("([x, y]) => choropleth.regionAt(x, y)", [x, y]) == france
        other.evaluate("choropleth.ensure(100, 100)")
        other.evaluate("choropleth.renderFrame(100)")
        shown = other.evaluate("([x, y]) => choropleth.colorAt(x, y)", [x, y])
        assert shown == rgb(new_meta["metrics"][0]["colors"][new_bins[100, france]])


def test_earlier_builds_stay_for_the_grace_period_then_go(tmp_path: Path) -> None:
    csv = rows(tmp_path / "rows.csv", hours=50)
    out = tmp_path / "site"
    ids = []
    for cmap in ("afmhot_r", "viridis", "magma"):
        build.build(build.Options(csv=str(csv), metrics=["cases"], interval="1h", out=str(out), cmap=cmap))
        ids.append(json.loads((out / "build.json").read_text())["build"])
    assert len(set(ids)) == 3
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(ids)  # both earlier builds, within the hour
    retired = json.loads((out / builds.RETIRED).read_text())
    assert set(retired) == set(ids[:2])
    # The next build: the first was replaced more than GRACE seconds ago, the second less.
    now = time.time()
    (out / builds.RETIRED).write_text(json.dumps({ids[0]: now - builds.GRACE - 10, ids[1]: now - 10}))
    later = tmp_path / "later"
    (later / "data").mkdir(parents=True)
    (later / "build.json").write_text(json.dumps({"build": "next", "frames": 50}))
    kept = builds.keep_earlier(out, later, now=now)
    assert kept == sorted([ids[1], ids[2]])  # the one replaced now, and the one still in its hour
    assert sorted(p.name for p in (later / "data").iterdir()) == sorted([ids[1], ids[2]])
