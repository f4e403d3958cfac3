"""The demo page in real Chromium, from file:// and from a static server: what a person sees."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page

from conftest import COUNTRIES, expected_colour


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


@pytest.mark.parametrize("mode", ["file", "http"])
def test_pixels_show_the_class_of_each_country(page: Page, mode: str, demo_site: Path, demo_server: str,
                                                 hourly: pd.DataFrame, interior_points: dict, demo_classes: tuple) -> None:
    url = (demo_site / "index.html").as_uri() if mode == "file" else demo_server + "index.html"
    outside = open_site(page, url)
    frames = page.evaluate("choropleth.frameCount")
    assert frames == len(hourly)
    edges, colours = demo_classes
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
    assert page.evaluate("choropleth.title(choropleth.frame)") == f"Animated map — {shown}"  # drawn above the map
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


def test_state_in_the_url_hash_and_loop_off(page: Page, demo_server: str) -> None:
    page.goto(demo_server + "index.html#frame=300&metric=1&speed=60&playing=0")
    page.evaluate("choropleth.ready")
    assert page.evaluate("[choropleth.frame, choropleth.metric]") == [300, 1]
    assert page.locator("#speed").input_value() == "60"
    assert page.locator("#counter").text_content().startswith("301 / ")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.hash.includes('frame=301')")
    assert "metric=1" in page.evaluate("location.hash")

    page.click("#last")
    assert page.evaluate("choropleth.frame") == page.evaluate("choropleth.frameCount") - 1
    page.click("#first")
    assert page.evaluate("choropleth.frame") == 0
    page.uncheck("#loop")
    page.evaluate("choropleth.renderFrame(choropleth.frameCount - 20)")
    page.click("#play")
    page.wait_for_function("() => choropleth.frame === choropleth.frameCount - 1")
    time.sleep(0.3)
    assert page.evaluate("choropleth.frame") == page.evaluate("choropleth.frameCount") - 1  # stopped, no wrap
    assert page.locator("#play").get_attribute("aria-label") == "Play"
