"""The page's core in WebKit and Firefox, driven for real (tests/engines.py): each country's class colour at the
first, middle and last frames, the keys, the tooltip under a real mouse, no request outside the site, and the
map as Chromium draws it; from file:// and from a static server. Screenshots go beside Chromium's."""
from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest
from engines import ENGINES, Engine, launch, move_mouse, press, rgb, set_viewport
from helpers import COUNTRIES, expected_colour, serve
from playwright.sync_api import Playwright

from generator.video import browser

WIDTH, HEIGHT = 1280, 800
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
# Selenium's own WebKitGTK driver class still sets what it deprecates.
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning")]


@pytest.fixture(scope="module")
def site(demo_site: Path) -> Iterator[tuple[str, list[str]]]:
    """The demo site under /site/ on a server that is also the browsers' proxy: (base URL, every request seen)."""
    seen: list[str] = []
    with serve(demo_site, "/site/", seen) as url:
        yield url, seen


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, site: tuple[str, list[str]]) -> Iterator[Engine]:
    with launch(request.param, urlsplit(site[0]).netloc) as driven:
        driven.goto("about:blank")
        set_viewport(driven, WIDTH, HEIGHT)
        print(f"{request.param}: {driven.version}")
        yield driven


def page_url(mode: str, demo_site: Path, site: tuple[str, list[str]]) -> str:
    return (demo_site / "index.html").as_uri() if mode == "file" else site[0] + "index.html"


def open_page(engine: Engine, url: str, seen: list[str]) -> None:
    """Load the page afresh and wait until it is drawn and its tooltip values are loaded; requests counted anew."""
    engine.goto("about:blank")
    seen.clear()
    engine.goto(url)
    engine.js("return choropleth.ready.then(() => choropleth.values())")
    engine.js("return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def outside(seen: list[str], mode: str, base: str) -> list[str]:
    """The requests that left the site: from file:// any request at all, from the server any outside base."""
    return [url for url in seen if mode == "file" or not url.startswith(base)]


def on_screen(engine: Engine, x: float, y: float) -> tuple[float, float]:
    """Viewport CSS point at the centre of canvas pixel (x, y)."""
    left, top, scale = engine.js("const r = choropleth.canvas.getBoundingClientRect();"
                                 "return [r.left, r.top, r.width / choropleth.canvas.width]")
    return left + (int(x) + 0.5) * scale, top + (int(y) + 0.5) * scale


def wait_for(engine: Engine, condition: str, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not engine.js(f"return {condition}"):
        assert time.monotonic() < end, f"not within {timeout} s in {engine.version}: {condition}"
        time.sleep(0.05)


@pytest.mark.parametrize("mode", ["file", "http"])
def test_pixels_show_the_class_of_each_country(engine: Engine, mode: str, demo_site: Path, site: tuple,
                                                 hourly: pd.DataFrame, interior_points: dict,
                                                 demo_classes: tuple) -> None:
    base, seen = site
    open_page(engine, page_url(mode, demo_site, site), seen)
    frames = engine.js("return choropleth.frameCount")
    assert frames == len(hourly)
    edges, colours = demo_classes
    checked = set()
    for frame in (0, frames // 2, frames - 1):
        draw = "const f = arguments[0]; return choropleth.ensure(f, f).then(() => choropleth.renderFrame(f))"
        assert engine.js(draw, frame) is True
        screen = rgb(engine.png())
        for name, code in COUNTRIES.items():
            x, y = engine.js("return choropleth.pixelOf(...arguments)", *interior_points[name])
            want = expected_colour(hourly.at[frame, code], edges, colours, "#dddddd")
            got = tuple(engine.js("return choropleth.colorAt(...arguments)", x, y))
            assert got == want, f"{name} at frame {frame} in {engine.version}: {got} != {want}"
            sx, sy = on_screen(engine, x, y)  # and what a person sees there
            assert tuple(screen[int(sy), int(sx)]) == want, f"{name} at frame {frame} on {engine.version}'s screen"
            checked.add(want)
    assert len(checked) > 3  # the countries do show different classes
    assert outside(seen, mode, base) == []
    assert mode == "file" or f"{base}player.js" in seen  # (the server does see the page's requests)


@pytest.mark.parametrize("mode", ["file", "http"])
def test_keys_and_tooltip(engine: Engine, mode: str, demo_site: Path, site: tuple, interior_points: dict) -> None:
    base, seen = site
    open_page(engine, page_url(mode, demo_site, site), seen)
    n = engine.js("return choropleth.frameCount")
    state = "return [choropleth.frame, document.getElementById('counter').textContent]"
    assert engine.js(state) == [0, f"1 / {n}"]
    press(engine, "ArrowRight")
    assert engine.js(state) == [1, f"2 / {n}"]
    press(engine, "End")
    assert engine.js(state) == [n - 1, f"{n} / {n}"]
    press(engine, "Home")
    press(engine, " ")  # plays
    assert engine.js("return document.getElementById('play').getAttribute('aria-label')") == "Pause"
    wait_for(engine, "choropleth.frame > 2")
    press(engine, " ")  # pauses
    assert engine.js("return [choropleth.playing, document.getElementById('play').getAttribute('aria-label')]") == \
        [False, "Play"]
    stopped = engine.js("return choropleth.frame")
    time.sleep(0.3)
    assert engine.js("return choropleth.frame") == stopped

    # The tooltip under a real mouse: the country's name, value and class.
    x, y = engine.js("return choropleth.pixelOf(...arguments)", *interior_points["Brazil"])
    brazil = engine.js("return choropleth.regionAt(...arguments)", x, y)
    tip = "const t = document.getElementById('tooltip'); return t.hidden || !t.offsetWidth ? null : t.textContent"
    move_mouse(engine, *on_screen(engine, x, y))
    wait_for(engine, "!document.getElementById('tooltip').hidden")
    text = engine.js(tip)
    assert text == engine.js("return choropleth.describe(arguments[0])", brazil)
    assert text.startswith("Brazil: ") and "…" not in text, text
    # Over the sea it goes.
    sea = engine.js("for (let x = 20; x < choropleth.canvas.width; x += 10) if (choropleth.regionAt(x, 300) < 0"
                    " && choropleth.legendAt(x, 300) < 0) return x;")
    move_mouse(engine, *on_screen(engine, sea, 300))
    wait_for(engine, "document.getElementById('tooltip').hidden")
    assert outside(seen, mode, base) == []


@pytest.fixture(scope="module")
def chromium_screen(playwright: Playwright, demo_site: Path) -> tuple[np.ndarray, tuple[float, ...]]:
    """Chromium's screen at frame 200, and where the map is on it (from Playwright's own launch: the `page`
    fixture would bring a browser parameter that makes pytest start each engine twice)."""
    chromium = playwright.chromium.launch(**browser.launch_options())
    try:
        page = chromium.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto((demo_site / "index.html").as_uri() + "#frame=200")
        page.evaluate("choropleth.ready")
        box = page.locator("#map").bounding_box()
        assert box is not None
        return rgb(page.screenshot()), (box["x"], box["y"], box["width"], box["height"])
    finally:
        chromium.close()


def test_map_as_chromium_draws_it(engine: Engine, chromium_screen: tuple, demo_site: Path, site: tuple) -> None:
    """The same frame at the same size in Chromium and in this engine: the map's pixels agree."""
    open_page(engine, (demo_site / "index.html").as_uri() + "#frame=200", site[1])
    assert engine.js("return choropleth.frame") == 200
    png = engine.png()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{engine.name}-{WIDTH}x{HEIGHT}.png").write_bytes(png)
    shot, (chromium, (x, y, width, height)) = rgb(png), chromium_screen
    assert shot.shape == chromium.shape
    # The map itself, without the title and legend (their fonts differ between engines).
    top, bottom, left, right = int(y + height * 0.1), int(min(y + height * 0.85, HEIGHT)), int(x), int(x + width)
    same = (np.abs(shot[top:bottom, left:right] - chromium[top:bottom, left:right]).max(axis=2) <= 8).mean()
    print(f"{engine.version}: {same:.2%} of the map agrees with Chromium")
    assert same > 0.97, f"only {same:.1%} of the map's pixels agree between {engine.version} and Chromium"


def test_timeline_ticks_range_and_play_within_it(engine: Engine, demo_site: Path, site: tuple) -> None:
    """The timeline's core: ticks drawn (apart, inked), a range set by the API and by a real drag across the
    strip, and play that loops within the range."""
    _, seen = site
    open_page(engine, page_url("http", demo_site, site), seen)
    n = engine.js("return choropleth.frameCount")
    ticks = engine.js("return choroplethPlayer.shownTicks.filter((t) => t.box).map((t) => t.box)")
    assert len(ticks) >= 5 and all(a[1] + 4 <= b[0] for a, b in itertools.pairwise(ticks)), ticks
    inked = engine.js("const c = document.getElementById('ticks'), d = c.getContext('2d')"
                      ".getImageData(0, 0, c.width, c.height).data; let k = 0;"
                      "for (let i = 3; i < d.length; i += 4) if (d[i] > 100) k++; return k")
    assert inked > 200, inked
    engine.js("choropleth.setRange(100, 130)")
    assert engine.js("return [choropleth.range, choropleth.frame]") == [[100, 130], 100]
    # A real drag across the strip, from a quarter to a half of it: the range under it.
    left, top, width, height = engine.js("const r = document.getElementById('strip').getBoundingClientRect();"
                                         "return [r.left, r.top, r.width, r.height]")
    y = int(top + height / 2)
    x0, x1 = left + width * 0.25, left + width * 0.5
    moves = [{"type": "pointerMove", "x": int(x0), "y": y}, {"type": "pointerDown", "button": 0}]
    moves += [{"type": "pointerMove", "x": int(x0 + (x1 - x0) * k / 5), "y": y} for k in range(1, 6)]
    moves += [{"type": "pointerUp", "button": 0}]
    engine.actions([{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": moves}])
    lo, hi = engine.js("return choropleth.range")
    assert abs(lo - (100 + 0.25 * 30)) <= 1 and abs(hi - (100 + 0.5 * 30)) <= 1, (lo, hi, n)
    # Play at 60/s loops within it, never leaving it.
    engine.js("window.drawn = []; choroplethPlayer.on('frame', (i) => { if (choropleth.playing) drawn.push(i); });"
              "choropleth.setSpeed(60); choropleth.play()")
    time.sleep(1.2)
    engine.js("choropleth.pause()")
    drawn = engine.js("return drawn")
    assert drawn and all(lo <= f <= hi for f in drawn), (lo, hi, drawn)
    assert hi in drawn and lo in drawn[drawn.index(hi):], (lo, hi, drawn)  # looped
    engine.js("choropleth.setRange(null)")
    assert engine.js("return choropleth.range") == [0, n - 1]
