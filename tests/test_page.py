"""The demo page in real Chromium, from file:// and from a static server: what a person sees."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page

from generator import classify, demo, geometry

COUNTRIES = {"Brazil": "BRA", "Russia": "RUS", "Australia": "AUS", "France": "FRA", "Norway": "NOR"}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1320, "height": 900}}


@pytest.fixture(scope="module")
def hourly(demo_site: Path) -> pd.DataFrame:
    """metric1 summed per hour and country straight from the demo database, with pandas."""
    with sqlite3.connect(demo.demo_path()) as conn:
        df = pd.read_sql("SELECT country, unixtime, metric1 FROM events", conn)
    start = df.unixtime.min() // 3600 * 3600
    df["frame"] = (df.unixtime - start) // 3600
    table = df.groupby(["frame", "country"]).metric1.sum().unstack()
    return table.reindex(range(int(df.frame.max()) + 1))


@pytest.fixture(scope="module")
def interior_points() -> dict[str, tuple[float, float]]:
    """A point well inside each test country, in the map's projection (Robinson)."""
    shapes = geometry.read_shapes(None).to_crs("ESRI:54030").set_index("name")
    points = {}
    for name in COUNTRIES:
        parts = getattr(shapes.geometry[name], "geoms", [shapes.geometry[name]])
        largest = max(parts, key=lambda p: p.area)
        p = largest.buffer(-60_000).representative_point()  # away from borders (~2 px at 1280 wide)
        points[name] = (p.x, p.y)
    return points


def open_site(page: Page, url: str) -> list[str]:
    """Open the page at 1280×720; return the list that collects requests leaving the site folder."""
    base = url.rsplit("/", 1)[0] + "/"
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) or r.url.startswith("data:") else outside.append(r.url))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.evaluate("window.choropleth.ready")
    page.evaluate("choropleth.resize(1280, 720)")
    assert not errors
    return outside


def expected_colour(value: float, edges: np.ndarray, colours: list[str], missing: str) -> tuple[int, ...]:
    if not np.isfinite(value):
        hexa = missing
    else:
        hexa = colours[int(classify.classify(np.array([value]), edges)[0])]
    return tuple(int(hexa[i:i + 2], 16) for i in (1, 3, 5))


@pytest.mark.parametrize("mode", ["file", "http"])
def test_pixels_show_the_class_of_each_country(page: Page, mode: str, demo_site: Path, demo_server: str,
                                                 hourly: pd.DataFrame, interior_points: dict) -> None:
    url = (demo_site / "index.html").as_uri() if mode == "file" else demo_server + "index.html"
    outside = open_site(page, url)
    frames = page.evaluate("choropleth.frameCount")
    assert frames == len(hourly)
    edges = classify.breaks(hourly.to_numpy(dtype=np.float64), 20, "equal_interval")
    colours = classify.palette("afmhot_r", 20)
    checked = set()
    for frame in (0, frames // 2, frames - 1):
        page.evaluate("f => choropleth.ensure(f, f)", frame)
        assert page.evaluate("f => choropleth.renderFrame(f)", frame) is True
        for name, code in COUNTRIES.items():
            x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points[name])
            got = tuple(page.evaluate("([x, y]) => choropleth.colorAt(x, y)", [x, y]))
            want = expected_colour(hourly.at[frame, code], edges, colours, "#dddddd")
            assert got == want, f"{name} at frame {frame}: {got} != {want}"
            checked.add(want)
    assert len(checked) > 3  # the countries do show different classes
    assert outside == []


def test_play_scrub_title_and_tooltip(page: Page, demo_server: str, interior_points: dict) -> None:
    outside = open_site(page, demo_server + "index.html")
    meta = page.evaluate("choropleth.meta")
    page.click("#play")
    time.sleep(0.6)
    page.click("#play")
    assert page.evaluate("choropleth.frame") > 3

    page.locator("#scrub").fill("300")
    assert page.evaluate("choropleth.frame") == 300
    shown = time.strftime("%Y-%m-%d %H:%M", time.gmtime(meta["start"] + 300 * meta["step"]))
    assert page.locator("#time").text_content() == shown
    assert page.locator("#counter").text_content() == f"301 / {meta['frames']}"

    page.keyboard.press("ArrowRight")
    assert page.evaluate("choropleth.frame") == 301
    page.keyboard.press("End")
    assert page.evaluate("choropleth.frame") == meta["frames"] - 1

    x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points["Brazil"])
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    assert page.locator("#tooltip").text_content().startswith("Brazil: ")
    assert outside == []
