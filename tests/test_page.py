"""The demo page in real Chromium, from file:// and from a static server: what a person sees."""
from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import ARTIFACTS, COUNTRIES, assert_classes, build_hours_site, expected_colour, open_site, serve
from PIL import Image
from playwright.sync_api import Browser, Page, expect


@pytest.mark.parametrize("mode", ["file", "http"])
def test_pixels_show_the_class_of_each_country(page: Page, mode: str, demo_site: Path, demo_server: str,
                                                 hourly: pd.DataFrame, interior_points: dict,
                                                 demo_classes: tuple) -> None:
    url = (demo_site / "index.html").as_uri() if mode == "file" else demo_server + "index.html"
    outside = open_site(page, url)
    assert_classes(page, hourly, interior_points, demo_classes)
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


def test_values_wait_for_a_frame_loading_or_loaded(page: Page, demo_server: str, hourly: pd.DataFrame) -> None:
    """choropleth.values(i) is a promise of frame i's exact values both while they load and once loaded."""
    page.goto(demo_server + "index.html")
    page.evaluate("choropleth.ready")  # nothing has asked for exact values yet
    frame = len(hourly) - 1
    ask = """async ([r, i]) => { const asked = choropleth.values(i), before = choropleth.valueOf(r, i);
                                 await asked; return [before === undefined, choropleth.valueOf(r, i)]; }"""
    france = page.evaluate("choropleth.meta.regions.names.indexOf('France')")
    want = pytest.approx(hourly.at[frame, "FRA"], rel=5e-4)  # the stored value: float32, or 4 significant digits
    assert page.evaluate(ask, [france, frame]) == [True, want]  # still loading when asked
    assert page.evaluate(ask, [france, frame]) == [False, want]  # already loaded when asked


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


# ---- the player a person expects: each control, the keyboard, tap, legend, table, zoom, screens ----

CONTROLS = [("slider", "Frame"), ("slider", "Range start"), ("slider", "Range end"), ("button", "Play"),
            ("button", "First frame"), ("button", "Previous frame"), ("button", "Next frame"),
            ("button", "Last frame"), ("combobox", "Speed"), ("checkbox", "Loop"), ("combobox", "Show"),
            ("textbox", "Go to"), ("combobox", "Metric"), ("button", "Table"), ("button", "Reset view"),
            ("button", "Download PNG of this frame"), ("button", "Keys")]


def screen_rgb(page: Page, x: float, y: float) -> tuple[int, int, int]:
    """The colour a person sees at viewport point (x, y), CSS pixels: from a screenshot, all layers composed."""
    png = page.screenshot(clip={"x": x, "y": y, "width": 1, "height": 1}, scale="css")
    return Image.open(io.BytesIO(png)).convert("RGB").getpixel((0, 0))


def on_screen(page: Page, x: float, y: float) -> tuple[float, float]:
    """Viewport CSS point at the centre of canvas pixel (x, y)."""
    box = page.locator("#map").bounding_box()
    s = box["width"] / page.evaluate("choropleth.canvas.width")
    return box["x"] + (int(x) + 0.5) * s, box["y"] + (int(y) + 0.5) * s


def country_pixels(page: Page, interior_points: dict) -> dict[str, tuple[int, int, int]]:
    """Canvas pixel and region index of each test country at the current layout: name -> (x, y, region)."""
    out = {}
    for name, pt in interior_points.items():
        x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", pt)
        out[name] = (int(x), int(y), page.evaluate("([x, y]) => choropleth.regionAt(x, y)", [x, y]))
    return out


def class_colour(page: Page, region: int, frame: int | None = None) -> tuple[int, ...]:
    """The colour of a region's class in the shown metric, from the build's metadata."""
    m = page.evaluate("choropleth.metric")
    b = page.evaluate("([r, f]) => choropleth.classOf(r, f ?? choropleth.frame)", [region, frame])
    meta = page.evaluate("choropleth.meta")["metrics"][m]
    hexa = meta["missing"] if b == 255 else meta["colors"][b]
    return tuple(int(hexa[i:i + 2], 16) for i in (1, 3, 5))


def overlay_ink(page: Page) -> int:
    """How many pixels of the hover overlay are drawn (outline, highlight)."""
    return page.evaluate("""(() => { const h = document.getElementById('hover');
        const d = h.getContext('2d').getImageData(0, 0, h.width, h.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 128) n++; return n; })()""")


def test_each_control(page: Page, demo_server: str, hourly: pd.DataFrame, interior_points: dict,
                      demo_classes: tuple) -> None:
    open_site(page, demo_server + "index.html")
    meta = page.evaluate("choropleth.meta")
    n = meta["frames"]
    def when(i):
        return time.strftime("%Y-%m-%d %H:%M", time.gmtime(meta["start"] + i * meta["step"]))
    edges, colours = demo_classes
    pixels = country_pixels(page, interior_points)

    def shows(frame: int) -> None:  # counter, time, scrubber and the map's pixels all at `frame`
        assert page.evaluate("choropleth.frame") == frame
        expect(page.locator("#counter")).to_have_text(f"{frame + 1} / {n}")
        expect(page.locator("#time")).to_have_text(when(frame))
        assert page.locator("#scrub").input_value() == str(frame)
        assert page.locator("#scrub").get_attribute("aria-valuetext") == when(frame)
        for name, (x, y, _) in pixels.items():
            sx, sy = on_screen(page, x, y)
            want = expected_colour(hourly.at[frame, COUNTRIES[name]], edges, colours, "#dddddd")
            assert screen_rgb(page, sx, sy) == want, f"{name} at frame {frame}"

    # The scrubber's ends name the first and last times.
    expect(page.locator("#time-first")).to_have_text(when(0))
    expect(page.locator("#time-last")).to_have_text(when(n - 1))
    shows(0)
    page.click("#fwd")
    page.click("#fwd")
    shows(2)
    page.click("#back")
    shows(1)
    page.click("#last")
    shows(n - 1)
    page.click("#fwd")  # no further than the last frame
    shows(n - 1)
    page.click("#first")
    shows(0)
    page.click("#back")
    shows(0)
    page.locator("#scrub").fill("123")
    shows(123)

    # Speed: 5/s plays about five frames a second, "max" far more; pause stops.
    page.select_option("#speed", "5")
    began = time.perf_counter()
    page.click("#play")
    expect(page.locator("#play")).to_have_attribute("aria-label", "Pause")
    time.sleep(1.5)
    page.click("#play")
    elapsed = time.perf_counter() - began
    expect(page.locator("#play")).to_have_attribute("aria-label", "Play")
    slow = page.evaluate("choropleth.frame") - 123
    assert 3 <= slow <= 5 * elapsed + 2, (slow, elapsed)
    stopped = page.evaluate("choropleth.frame")
    time.sleep(0.4)
    assert page.evaluate("choropleth.frame") == stopped
    shows(stopped)
    page.select_option("#speed", "0")
    page.click("#play")
    time.sleep(1.0)
    page.click("#play")
    fast = (page.evaluate("choropleth.frame") - stopped) % n
    assert fast >= 20 and fast > 2 * slow, (fast, slow)
    for value in ("1", "2", "5", "10", "12", "24", "30", "60", "0"):  # 1–60 frames/s and as fast as it draws
        assert page.locator(f"#speed option[value='{value}']").count() == 1

    # Metric: the map shows the other metric's classes in its palette; the legend follows.
    page.locator("#scrub").fill("200")
    before = {name: screen_rgb(page, *on_screen(page, x, y)) for name, (x, y, _) in pixels.items()}
    page.select_option("#metric", "1")
    page.evaluate("choropleth.ensure(200, 200, 1)")  # drawn when its data is there
    assert page.evaluate("choropleth.metric") == 1
    after = {}
    for name, (x, y, r) in pixels.items():
        after[name] = screen_rgb(page, *on_screen(page, x, y))
        assert after[name] == class_colour(page, r), name
    assert after != before


def test_keyboard_path(page: Page, demo_server: str) -> None:
    open_site(page, demo_server + "index.html")
    n = page.evaluate("choropleth.frameCount")
    # Every control has a role and a name a screen reader announces.
    for role, name in CONTROLS:
        expect(page.get_by_role(role, name=name, exact=True)).to_be_visible()
    def accent_around(selector: str) -> int:  # pixels of the focus ring's colour around a control, on screen
        box = page.locator(selector).bounding_box()
        png = page.screenshot(clip={"x": box["x"] - 6, "y": box["y"] - 6, "width": box["width"] + 12,
                                    "height": box["height"] + 12}, scale="css")
        rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
        return int((np.abs(rgb - [0x09, 0x69, 0xda]).sum(axis=1) < 40).sum())

    # Tab reaches them in order, each with a focus ring a person sees.
    page.evaluate("document.activeElement.blur()")
    reached = []
    for _ in range(len(CONTROLS)):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id"))
        ring = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); "
                             "return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
        assert ring[0] != "none" and ring[1] >= 2, (reached[-1], ring)
        if reached[-1] in ("play", "speed", "reset-view"):
            assert accent_around(f"#{reached[-1]}") > 40, reached[-1]
    assert reached == ["scrub", "range-start", "range-end", "play", "first", "back", "fwd", "last", "speed", "loop",
                       "span", "goto", "metric", "table-toggle", "reset-view", "download-png", "keys"]
    assert accent_around("#play") < 10  # (no ring without focus)

    # Space on a focused button is that button; elsewhere it plays and pauses.
    page.focus("#fwd")
    page.keyboard.press(" ")
    assert page.evaluate("[choropleth.frame, choropleth.playing]") == [1, False]
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press(" ")
    expect(page.locator("#play")).to_have_attribute("aria-label", "Pause")
    page.keyboard.press(" ")
    expect(page.locator("#play")).to_have_attribute("aria-label", "Play")
    page.keyboard.press("Home")
    assert page.evaluate("choropleth.frame") == 0
    # Shift+arrows: one unit up from the frames' (hours: a day).
    for key, frame in [("ArrowRight", 1), ("Shift+ArrowRight", 25), ("ArrowLeft", 24), ("Shift+ArrowLeft", 0),
                       ("ArrowLeft", 0), ("End", n - 1), ("Shift+ArrowRight", n - 1), ("Shift+ArrowLeft", n - 25)]:
        page.keyboard.press(key)
        assert page.evaluate("choropleth.frame") == frame, key
        expect(page.locator("#counter")).to_have_text(f"{frame + 1} / {n}")
    # On the scrubber the arrows step frames too (once, not twice); in a list they choose in the list.
    page.focus("#scrub")
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("choropleth.frame") == 25
    assert page.locator("#scrub").input_value() == "25"
    page.focus("#speed")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    assert page.evaluate("choropleth.frame") == 25


def test_tap_shows_the_tooltip(browser: Browser, demo_server: str, interior_points: dict) -> None:
    context = browser.new_context(viewport={"width": 1320, "height": 900}, has_touch=True)
    try:
        page = context.new_page()
        open_site(page, demo_server + "index.html")
        pixels = country_pixels(page, interior_points)
        x, y, brazil = pixels["Brazil"]
        page.tap("#map", position={"x": x + 0.5, "y": y + 0.5})
        expect(page.locator("#tooltip")).to_be_visible()
        expect(page.locator("#tooltip")).to_have_text(page.evaluate("r => choropleth.describe(r)", brazil))
        assert overlay_ink(page) > 200  # the region outlined on the overlay
        time.sleep(0.3)  # lifting the finger does not hide it
        expect(page.locator("#tooltip")).to_be_visible()
        # Tapping the sea hides it; tapping another country moves it; tapping outside the map hides it.
        sea = page.evaluate("""(() => { for (let x = 20; x < 1260; x += 10) if (choropleth.regionAt(x, 400) < 0
            && choropleth.legendAt(x, 400) < 0) return x; })()""")
        page.tap("#map", position={"x": sea + 0.5, "y": 400.5})
        expect(page.locator("#tooltip")).to_be_hidden()
        fx, fy, france = pixels["France"]
        page.tap("#map", position={"x": fx + 0.5, "y": fy + 0.5})
        expect(page.locator("#tooltip")).to_have_text(page.evaluate("r => choropleth.describe(r)", france))
        page.tap("#counter")
        expect(page.locator("#tooltip")).to_be_hidden()
        assert overlay_ink(page) == 0
    finally:
        context.close()


def test_legend_hover_highlights_a_class(page: Page, demo_server: str, interior_points: dict) -> None:
    open_site(page, demo_server + "index.html")
    page.evaluate("choropleth.renderFrame(100)")
    pixels = country_pixels(page, interior_points)
    brazil = pixels["Brazil"][2]
    c = page.evaluate("r => choropleth.classOf(r)", brazil)
    wash = np.array([244, 246, 248])

    def highlighted(cls: int) -> None:  # members at full colour, the others washed out
        differs = 0
        for name, (x, y, r) in pixels.items():
            seen, own = np.array(screen_rgb(page, *on_screen(page, x, y))), np.array(class_colour(page, r))
            if page.evaluate("r => choropleth.classOf(r)", r) == cls:
                assert (seen == own).all(), (name, seen, own)
            else:
                assert np.abs(seen - (0.8 * wash + 0.2 * own)).max() <= 3, (name, seen, own)
                differs += np.abs(seen - own).max() > 30
        assert differs, "no country outside the class to see washed out"

    lx, ly, lw, lh = page.evaluate("c => choropleth.legendBox(c)", c)
    page.mouse.move(*on_screen(page, lx + lw / 2, ly + lh / 2))
    expect(page.locator("#tooltip")).to_be_visible()
    members = page.evaluate("c => { let n = 0; for (let r = 0; r < choropleth.regionCount; r++) "
                            "n += choropleth.classOf(r) === c; return n; }", c)
    assert page.locator("#tooltip").text_content().endswith(f": {members} regions")
    highlighted(c)
    # Still hovering, the frame changes: the highlight follows the new frame's classes.
    other = page.evaluate("([r, c]) => { for (let f = 101; f < choropleth.frameCount; f++) "
                          "if (choropleth.classOf(r, f) !== c) return f; }", [brazil, c])
    page.evaluate("f => choropleth.renderFrame(f)", other)
    highlighted(c)
    # Leaving the legend clears it.
    page.mouse.move(5, 5)
    expect(page.locator("#tooltip")).to_be_hidden()
    for name, (x, y, r) in pixels.items():
        assert screen_rgb(page, *on_screen(page, x, y)) == class_colour(page, r), name


def test_table_view(page: Page, demo_server: str) -> None:
    open_site(page, demo_server + "index.html")
    meta = page.evaluate("choropleth.meta")
    names = meta["regions"]["names"]
    table = page.locator("#table-view")
    expect(table).to_be_hidden()
    page.click("#table-toggle")
    expect(table).to_be_visible()
    expect(page.locator("#table-toggle")).to_have_attribute("aria-expanded", "true")
    # A real table: caption, column headers, a row header per region.
    grid = page.get_by_role("table")
    expect(grid).to_have_accessible_name(f"{meta['metrics'][0]['label']} at {page.locator('#time').text_content()}")
    assert [t.strip(" ▲▼") for t in page.get_by_role("columnheader").all_inner_texts()] == ["Region", "Value", "Class"]
    expect(page.get_by_role("rowheader")).to_have_count(len(names))

    def rows() -> list[list[str]]:
        return page.evaluate("[...document.querySelectorAll('#table-view tbody tr')].map(tr => "
                             "[...tr.cells].map(c => c.textContent))")

    def check(frame: int) -> None:  # every row is what the map says for that region at that frame
        want = page.evaluate("""f => { const m = choropleth.meta.metrics[choropleth.metric];
            const fmt = (b) => { const d = Math.max(0, -m.values.exp[b]);  // the class's unit: its decimals
              return new Intl.NumberFormat('en', {minimumFractionDigits: d, maximumFractionDigits: d}); };
            return choropleth.meta.regions.names.map((name, r) => { const b = choropleth.classOf(r, f);
              return b === 255 ? [name, 'no data', 'no data']
                : [name, fmt(b).format(choropleth.valueOf(r, f)), m.labels[b] + ' – ' + m.labels[b + 1]]; }); }""",
                             frame)
        got = rows()
        assert sorted(map(tuple, got)) == sorted(map(tuple, want))
        assert ("N. Cyprus", "no data", "no data") in set(map(tuple, got))

    check(0)
    by_name = "n => n.slice().sort((a, b) => a.localeCompare(b, 'en'))"
    got = [r[0] for r in rows()]
    assert got == page.evaluate(by_name, got)  # by region at first
    # Sorting by class: ascending, no data last; again for descending.
    page.get_by_role("button", name="Class").click()
    expect(page.locator("th[data-key=class]")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("th[data-key=region]")).not_to_have_attribute("aria-sort", "ascending")
    order = [page.evaluate("n => choropleth.classOf(choropleth.meta.regions.names.indexOf(n))", r[0]) for r in rows()]
    known = [b for b in order if b != 255]
    assert known == sorted(known) and order[-2:] == [255, 255]
    page.get_by_role("button", name="Class").click()
    expect(page.locator("th[data-key=class]")).to_have_attribute("aria-sort", "descending")
    order = [page.evaluate("n => choropleth.classOf(choropleth.meta.regions.names.indexOf(n))", r[0]) for r in rows()]
    known = [b for b in order if b != 255]
    assert known == sorted(known, reverse=True) and order[-2:] == [255, 255]
    page.get_by_role("button", name="Region").click()
    expect(page.locator("th[data-key=region]")).to_have_attribute("aria-sort", "ascending")
    page.get_by_role("button", name="Region").click()
    got = [r[0] for r in rows()]
    assert got == page.evaluate(by_name, got)[::-1]
    # Sorting by value: by exact value within the classes, so the whole column is in order.
    page.get_by_role("button", name="Value").click()
    values = [float(r[1].replace(",", "")) for r in rows() if r[1] != "no data"]
    assert values == sorted(values) and len(values) == len(names) - 2
    # It follows the frame while open...
    page.evaluate("choropleth.renderFrame(250)")
    expect(grid).to_have_accessible_name(f"{meta['metrics'][0]['label']} at {page.locator('#time').text_content()}")
    check(250)
    # ... and not while closed: hidden, it does no work per frame.
    page.click("#table-toggle")
    expect(table).to_be_hidden()
    caption = page.locator("#table-caption").text_content()
    page.evaluate("choropleth.renderFrame(300)")
    time.sleep(0.4)
    assert page.locator("#table-caption").text_content() == caption


def test_zoom_and_pan(page: Page, demo_server: str, interior_points: dict) -> None:
    open_site(page, demo_server + "index.html")
    x, y, brazil = country_pixels(page, interior_points)["Brazil"]
    sx, sy = on_screen(page, x, y)
    page.mouse.move(sx, sy)
    for _ in range(3):
        page.mouse.wheel(0, -200)
    page.wait_for_function("() => choropleth.view.zoom > 2")
    # Settled at the new view: the point under the pointer is still Brazil, and pixelOf/regionAt/colorAt
    # agree with what is on screen.
    assert page.evaluate("([x, y]) => choropleth.regionAt(x, y)", [x, y]) == brazil
    for name, (px, py, r) in country_pixels(page, interior_points).items():
        if 0 <= px < 1280 and 60 <= py < 640:
            assert screen_rgb(page, *on_screen(page, px, py)) == class_colour(page, r), name
    # The map is cut off above the legend, which stays readable.
    lx, ly, _lw, _lh = page.evaluate("choropleth.legendBox(0)")
    assert page.evaluate("([x, y]) => choropleth.regionAt(x, y)", [lx + 1, ly + 1]) == -1
    # Drag pans; the map follows the pointer.
    zoom, cx = page.evaluate("[choropleth.view.zoom, choropleth.view.x]")
    bx0, by0 = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points["Brazil"])
    page.mouse.move(640, 350)
    page.mouse.down()
    page.mouse.move(840, 350, steps=8)
    page.mouse.up()
    page.wait_for_function("x => choropleth.view.x < x", arg=cx)
    assert page.evaluate("choropleth.view.zoom") == zoom
    bx, by = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points["Brazil"])
    assert abs(bx - (bx0 + 200)) <= 2 and abs(by - by0) <= 2
    # Playing while zoomed draws the zoomed map.
    page.evaluate("choropleth.renderFrame(300)")
    assert screen_rgb(page, *on_screen(page, bx, by)) == class_colour(page, brazil)
    # Double-click, the button and the 0 key go back to the whole map; + and - zoom.
    page.dblclick("#map", position={"x": 640, "y": 350})
    page.wait_for_function("() => choropleth.view.zoom === 1")
    brazil = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points["Brazil"])
    assert brazil == pytest.approx([x, y], abs=1)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("+")
    assert page.evaluate("choropleth.view.zoom") == pytest.approx(1.5)
    page.click("#reset-view")
    assert page.evaluate("choropleth.view.zoom") == 1
    page.keyboard.press("+")
    page.keyboard.press("0")
    assert page.evaluate("choropleth.view.zoom") == 1


def test_zoomed_view_is_shared_in_the_hash(page: Page, demo_server: str, interior_points: dict) -> None:
    open_site(page, demo_server + "index.html")
    page.evaluate("([x, y]) => choropleth.setView({zoom: 4, x, y})", interior_points["Brazil"])
    page.wait_for_function("() => location.hash.includes('zoom=4')")
    link = page.evaluate("location.href")
    pixel = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points["Brazil"])
    other = page.context.new_page()
    other.goto(link)
    other.evaluate("choropleth.ready")
    other.evaluate("choropleth.resize(1280, 720)")
    view = other.evaluate("choropleth.view")
    assert view["zoom"] == 4
    brazil = other.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points["Brazil"])
    assert brazil == pytest.approx(pixel, abs=1)
    assert other.evaluate("([x, y]) => choropleth.regionAt(x, y)", pixel) == \
        other.evaluate("choropleth.meta.regions.names.indexOf('Brazil')")
    other.click("#reset-view")
    other.wait_for_function("() => !location.hash.includes('zoom=')")


def test_state_restored_playing(page: Page, demo_server: str) -> None:
    page.goto(demo_server + "index.html#frame=40&metric=2&speed=5&playing=1")
    page.evaluate("choropleth.ready")
    expect(page.locator("#play")).to_have_attribute("aria-label", "Pause")
    assert page.locator("#speed").input_value() == "5"
    assert page.locator("#metric").input_value() == "2"
    page.wait_for_function("() => choropleth.frame > 41")
    page.wait_for_function("() => location.hash.includes('playing=1') && location.hash.includes('speed=5')")
    page.click("#play")
    page.wait_for_function("() => location.hash.includes('playing=0')")


@pytest.fixture(scope="module")
def long_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100,000 hourly frames (three countries with data), for the scrubber at full length."""
    return build_hours_site(tmp_path_factory.mktemp("long"))


def test_scrubber_drag_follows_at_100k_frames(page: Page, long_site: Path) -> None:
    with serve(long_site) as url:
        open_site(page, url + "index.html")
        n = page.evaluate("choropleth.frameCount")
        assert n == 100_000
        page.evaluate("choropleth.ensure(0, choropleth.frameCount - 1)")
        box = page.locator("#scrub").bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + 8, y)
        page.mouse.down()
        lags, seen = [], []
        for k in range(1, 41):
            page.mouse.move(box["x"] + 8 + (box["width"] - 16) * k / 40, y)
            t = time.perf_counter()
            # The map (and counter) reach the thumb's frame within a few screen refreshes.
            page.wait_for_function("() => choropleth.frame === Number(document.getElementById('scrub').value)",
                                   polling="raf", timeout=5000)
            lags.append(time.perf_counter() - t)
            seen.append(page.evaluate("choropleth.frame"))
        page.mouse.up()
        assert page.evaluate("choropleth.frame") == n - 1
        expect(page.locator("#counter")).to_have_text(f"{n} / {n}")
        # A new frame at (nearly) every step of the drag: the thumb's last steps may all be at the end.
        assert seen == sorted(seen) and len(set(seen)) >= 36, seen
        assert sorted(lags)[len(lags) // 2] < 0.1, lags


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
@pytest.mark.parametrize("dpr", [1, 2])
def test_screenshots(browser: Browser, demo_server: str, interior_points: dict, width: int, height: int,
                     dpr: int) -> None:
    """The page at a desktop and a phone size, at 1× and 2×: kept in test-artifacts/screenshots/ to review by eye."""
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=dpr)
    try:
        page = context.new_page()
        page.goto(demo_server + "index.html#frame=200")
        page.evaluate("choropleth.ready")
        # A crisp canvas: its backing store is its CSS size times the pixel ratio.
        css = page.locator("#map").bounding_box()
        w, h = page.evaluate("[choropleth.canvas.width, choropleth.canvas.height]")
        assert abs(w - css["width"] * dpr) <= 1 and abs(h - css["height"] * dpr) <= 1
        # Nothing sticks out sideways; every control is on screen and at least 24 CSS pixels tall.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for role, name in CONTROLS:
            b = page.get_by_role(role, name=name, exact=True).bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= width, name
            assert role in ("checkbox", "slider") or b["height"] >= 24, name
        # A country shows its class colour where it is on screen.
        x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points["Brazil"])
        r = page.evaluate("([x, y]) => choropleth.regionAt(x, y)", [x, y])
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"demo-{width}x{height}@{dpr}x.png"
        page.screenshot(path=str(path))
        shot = Image.open(path).convert("RGB")
        assert shot.size == (width * dpr, height * dpr)
        seen = shot.getpixel((round(css["x"] * dpr + x), round(css["y"] * dpr + y)))
        assert seen == class_colour(page, r)
    finally:
        context.close()
