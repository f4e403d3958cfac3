"""The timeline in real Chromium (static/player/41-timeline.js, 42-goto.js, 40-controls.js): its own row, date
ticks that never overlap, a range selected by a drag across the strip, by the handles, the wheel, a pinch or
a preset, play that stays and loops within it, speeds in data time that skip frames evenly, go to a time,
the keyboard only while the focus is in the player, the range and speed in the URL hash and the API."""
from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import numpy as np
import pytest
from helpers import ARTIFACTS, build_hours_site, opened, serve
from playwright.sync_api import Browser, Page, expect

P = "window.choroplethPlayer"


def when(meta: dict, i: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(meta["start"] + i * meta["step"]))


def lane(page: Page) -> dict:
    box = page.locator("#lane").bounding_box()
    assert box is not None
    return box


def shown_ticks(page: Page) -> list[dict]:
    return page.evaluate(f"{P}.shownTicks.map((t) => ({{x: t.x, box: t.box, label: t.label, at: t.at}}))")


def assert_ticks_fit(page: Page) -> list[dict]:
    """The ticks drawn: at least two labelled, in order, labels apart and inside the lane; each tick's mark
    is ink on the ticks' canvas where its x says, and its label's box holds ink."""
    ticks = shown_ticks(page)
    labelled = [t for t in ticks if t["box"]]
    assert len(labelled) >= 2, ticks
    width = lane(page)["width"]
    for a, b in itertools.pairwise(labelled):
        assert a["box"][1] + 4 <= b["box"][0], (a, b)  # never overlapping, a gap between
    for t in labelled:
        assert 0 <= t["box"][0] and t["box"][1] <= width + 0.5, t
    ink = page.evaluate("""() => { const c = document.getElementById('ticks'), s = c.width / c.clientWidth;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return {s, w: c.width, h: c.height, a: Array.from({length: c.width * c.height}, (_, i) => d[4 * i + 3])}; }""")
    a = np.array(ink["a"]).reshape(ink["h"], ink["w"])
    s = ink["s"]
    for t in ticks:  # the mark: ink in the top rows at x
        col = min(ink["w"] - 1, round(t["x"] * s))
        assert a[: int(3 * s), max(0, col - 1):col + 2].max() > 100, t
    for t in labelled:  # the label: ink inside its box, below the mark
        x0, x1 = int(t["box"][0] * s), int(t["box"][1] * s)
        assert a[int(5 * s):, x0:x1].max() > 100, t
    return ticks


# ---- item 1: the row, its width, ticks ----

@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_the_timeline_is_its_own_row_with_ticks_that_never_overlap(browser: Browser, demo_server: str, width: int,
                                                                   height: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        meta = opened(page, demo_server + "index.html")
        scrub = page.locator("#scrub").bounding_box()
        controls = page.locator(".controls").bounding_box()
        assert scrub and controls
        # Its own row, above the controls; at 1280 at least 80 % of the page's width, at 390 the whole width.
        assert scrub["y"] + scrub["height"] <= controls["y"]
        assert scrub["width"] >= (0.8 * width if width > 1000 else width - 16 - 1), scrub
        assert lane(page)["width"] >= scrub["width"] - 16 - 1
        ticks = assert_ticks_fit(page)
        # 21 days of hours: whole days (Jan 2, Jan 3…) at 1280; fewer, still days, at 390.
        assert all(t["label"] in ("", "2024") or t["label"].startswith("Jan ") for t in ticks), ticks
        # The range's ends under it; the current time in the controls.
        expect(page.locator("#time-first")).to_have_text(when(meta, 0))
        expect(page.locator("#time-last")).to_have_text(when(meta, meta["frames"] - 1))
        # Zoomed to one day: hours.
        page.evaluate("choropleth.setRange(24, 47)")
        ticks = assert_ticks_fit(page)
        assert any(t["label"].endswith(":00") for t in ticks), ticks
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"timeline-demo-day-{width}x{height}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for sel in ("#range-start", "#range-end", "#goto", "#span", "#keys"):
            b = page.locator(sel).bounding_box()
            assert b and b["width"] >= 24 and b["height"] >= 24 and b["x"] >= 0 and b["x"] + b["width"] <= width, sel
    finally:
        context.close()


# ---- item 2: zoom to a range ----

def test_a_drag_across_the_strip_selects_the_range_under_it(page: Page, demo_server: str) -> None:
    meta = opened(page, demo_server + "index.html")
    n = meta["frames"]
    box, strip = lane(page), page.locator("#strip").bounding_box()
    assert strip
    y = strip["y"] + strip["height"] / 2
    x0, x1 = box["x"] + box["width"] * 0.25, box["x"] + box["width"] * 0.5
    page.mouse.move(x0, y)
    page.mouse.down()
    for k in range(1, 6):
        page.mouse.move(x0 + (x1 - x0) * k / 5, y)
    expect(page.locator("#selection")).to_be_visible()
    page.mouse.up()
    expect(page.locator("#selection")).to_be_hidden()
    lo, hi = page.evaluate("choropleth.range")
    assert abs(lo - 0.25 * (n - 1)) <= 1 and abs(hi - 0.5 * (n - 1)) <= 1, (lo, hi)
    # The slider, ticks, ends and the frame shown cover the range only.
    assert page.locator("#scrub").get_attribute("min") == str(lo)
    assert page.locator("#scrub").get_attribute("max") == str(hi)
    assert lo <= page.evaluate("choropleth.frame") <= hi
    expect(page.locator("#time-first")).to_have_text(when(meta, lo))
    expect(page.locator("#time-last")).to_have_text(when(meta, hi))
    ticks = assert_ticks_fit(page)
    assert all(lo <= t["at"] <= hi for t in ticks)
    expect(page.locator("#span")).to_have_value("range")
    # The strip shows the range: its columns are the mean classes of the frames under them.
    strip_px = page.evaluate("""() => { const c = document.getElementById('strip');
        return Array.from(c.getContext('2d').getImageData(0, 2, c.width, 1).data); }""")
    classes, colours = meta["metrics"][0]["strip"], meta["metrics"][0]["colors"]
    w = len(strip_px) // 4
    for x in (0, w // 2, w - 1):
        f0 = lo + x * (hi - lo + 1) // w
        f1 = max(f0, lo + -(-(x + 1) * (hi - lo + 1) // w) - 1)
        under = [c for c in classes[f0:f1 + 1] if c != 255]
        hexa = colours[int(np.floor(np.mean(under) + 0.5))]
        assert tuple(strip_px[4 * x:4 * x + 3]) == tuple(int(hexa[i:i + 2], 16) for i in (1, 3, 5)), x
    # A click (no drag) on the lane goes to the frame there, within the range.
    page.mouse.click(box["x"] + box["width"] * 0.5, y)
    assert abs(page.evaluate("choropleth.frame") - (lo + hi) / 2) <= 1

    # The wheel zooms about the pointer: the frame under it stays under it.
    at = box["x"] + box["width"] * 0.3
    under = lo + 0.3 * (hi - lo)
    page.mouse.move(at, y)
    page.mouse.wheel(0, -200)
    lo2, hi2 = page.evaluate("choropleth.range")
    assert hi2 - lo2 < hi - lo
    assert abs(lo2 + 0.3 * (hi2 - lo2) - under) <= 1.5, (lo2, hi2, under)
    page.mouse.wheel(0, 4000)  # out to the whole range
    page.mouse.wheel(0, 4000)
    page.wait_for_function("() => choropleth.range[1] - choropleth.range[0] === choropleth.frameCount - 1")
    expect(page.locator("#span")).to_have_value("all")

    # Presets fit the data's step: hours -> a day, a week (21 days of data: no month); "all" returns.
    assert page.locator("#span option:not([disabled])").all_inner_texts() == ["all", "a day", "a week"]
    page.evaluate("choropleth.renderFrame(30)")
    page.select_option("#span", "1d")
    assert page.evaluate("choropleth.range") == [24, 47]  # the day holding frame 30
    page.select_option("#span", "1w")
    lo, hi = page.evaluate("choropleth.range")
    assert hi - lo + 1 == 7 * 24 and lo <= 30 <= hi
    assert time.gmtime(meta["start"] + lo * 3600).tm_wday == 0  # from a Monday
    page.select_option("#span", "all")
    assert page.evaluate("choropleth.range") == [0, n - 1]


def test_the_handles_adjust_the_range(page: Page, demo_server: str) -> None:
    meta = opened(page, demo_server + "index.html")
    n = meta["frames"]
    bar = page.locator("#overview").bounding_box()
    start = page.locator("#range-start").bounding_box()
    assert bar and start
    y = start["y"] + start["height"] / 2
    page.mouse.move(start["x"] + start["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(bar["x"] + bar["width"] * 0.2, y, steps=4)
    page.mouse.move(bar["x"] + bar["width"] * 0.4, y, steps=4)
    page.mouse.up()
    lo, hi = page.evaluate("choropleth.range")
    # The handle sits left of the range's start and moved with the pointer: the start is its right edge.
    held = start["width"] / 2
    assert abs(lo - (n - 1) * (0.4 * bar["width"] + held) / bar["width"]) <= 1.5 and hi == n - 1, (lo, hi)
    right = page.locator("#range-start").bounding_box()
    assert right and abs(right["x"] + right["width"] - (bar["x"] + bar["width"] * lo / (n - 1))) <= 1.5
    expect(page.locator("#range-start")).to_have_attribute("aria-valuenow", str(lo))
    expect(page.locator("#range-start")).to_have_attribute("aria-valuetext", when(meta, lo))
    assert page.evaluate("choropleth.frame") >= lo
    # The window moved: it starts where the handle is.
    win = page.locator("#window").bounding_box()
    assert win and abs(win["x"] - (bar["x"] + bar["width"] * lo / (n - 1))) <= 1.5
    # From the keyboard: the end handle, a frame at a time, a day with Shift.
    page.focus("#range-end")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("choropleth.range") == [lo, n - 1 - 1 - 24]
    assert page.evaluate("choropleth.frame") <= n - 26  # (the frame moved into the range)


# ---- play within a range; speeds in data time ----

def drawn_frames(page: Page, seconds: float) -> list[int]:
    """The frames drawn while playing for `seconds`, in order."""
    record = "(i) => { if (choropleth.playing) drawn.push(i); }"
    page.evaluate(f"() => {{ window.drawn = []; {P}.on('frame', {record}); }}")
    page.evaluate("choropleth.play()")
    time.sleep(seconds)
    page.evaluate("choropleth.pause()")
    return page.evaluate("drawn")


def test_play_within_a_range_never_leaves_it_and_loops(page: Page, demo_server: str) -> None:
    opened(page, demo_server + "index.html")
    page.evaluate("choropleth.setRange(100, 130)")
    page.evaluate("choropleth.setSpeed(60)")
    page.evaluate("choropleth.renderFrame(125)")
    frames = drawn_frames(page, 1.5)
    assert frames and all(100 <= f <= 130 for f in frames), frames
    assert 130 in frames and frames.count(100) >= 1 and frames.index(100) > frames.index(130)  # looped
    # Loop off: it stops at the range's end; play again starts at its start.
    page.uncheck("#loop")
    page.evaluate("choropleth.renderFrame(120)")
    page.evaluate("choropleth.play()")
    page.wait_for_function("() => !choropleth.playing", timeout=5000)
    assert page.evaluate("choropleth.frame") == 130
    page.evaluate("choropleth.setSpeed(1)")
    page.click("#play")
    assert page.evaluate("choropleth.frame") == 100
    page.click("#play")
    # First and last go to the range's ends.
    page.click("#last")
    assert page.evaluate("choropleth.frame") == 130
    page.click("#first")
    assert page.evaluate("choropleth.frame") == 100


@pytest.fixture(scope="module")
def hours_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """100,000 hourly frames (about eleven years; three countries with data), served."""
    site = build_hours_site(tmp_path_factory.mktemp("hours"))
    with serve(site) as url:
        yield url + "index.html"


def test_a_year_a_second_skips_evenly_over_real_frames(page: Page, hours_site: str) -> None:
    meta = opened(page, hours_site)
    labels = page.locator("#speed option").all_inner_texts()
    for label in ("1 h/s", "6 h/s", "1 day/s", "1 week/s", "1 month/s", "1 year/s", "24 frames/s", "max"):
        assert label in labels, labels
    page.evaluate("choropleth.setSpeed('1y')")
    assert page.evaluate("choropleth.speed") == "1y"
    expect(page.locator("#speed")).to_have_value("1y")
    page.evaluate("choropleth.renderFrame(0)")
    began = time.perf_counter()
    frames = drawn_frames(page, 2.0)
    elapsed = time.perf_counter() - began
    stride = page.evaluate(f"{P}.playPlan(0, choropleth.frameCount - 1, {P}.parseSpeed('1y')).stride")
    assert stride > 1
    assert all(f % stride == 0 for f in frames), frames[:20]  # evenly spaced, every one a real frame
    rate = (frames[-1] - frames[0]) / elapsed
    assert 0.5 * 8766 <= rate <= 1.2 * 8766, rate  # about a year of hours a second
    assert len(set(frames)) / elapsed >= 20, len(frames)  # many distinct frames, not a few jumps
    last = page.evaluate("choropleth.frame")
    expect(page.locator("#counter")).to_have_text(f"{last + 1} / {meta['frames']}")  # the readout names it
    expect(page.locator("#time")).to_have_text(when(meta, last))


def test_the_strip_of_a_short_range_is_drawn_from_the_frames(page: Page, hours_site: str) -> None:
    meta = opened(page, hours_site)
    assert meta["series"]["step"] > 1  # 100,000 frames: the series' points are spans of frames
    assert page.evaluate("document.getElementById('strip').dataset.source") == "series"
    page.evaluate("choropleth.setRange(5000, 5299)")
    page.wait_for_function("() => document.getElementById('strip').dataset.source === 'frames'")
    px = page.evaluate("""() => { const c = document.getElementById('strip');
        return Array.from(c.getContext('2d').getImageData(0, 2, c.width, 1).data); }""")
    w = len(px) // 4
    colours = meta["metrics"][0]["colors"]
    for x in (0, w // 3, w - 1):  # the mean class of the regions with data at the column's first frame
        f = 5000 + x * 300 // w
        classes = [b for b in page.evaluate(f"Array.from({{length: choropleth.regionCount}}, (_, r) => "
                                            f"choropleth.classOf(r, {f}))") if b != 255]
        k = min(4, max(1, -(-(x + 1) * 300 // w) - x * 300 // w))
        sample = [f + s * (max(f, 5000 + -(-(x + 1) * 300 // w) - 1) - f + 1) // k for s in range(k)]
        allc = [b for i in sample for b in page.evaluate(f"Array.from({{length: choropleth.regionCount}}, (_, r) => "
                                                           f"choropleth.classOf(r, {i}))") if b != 255]
        assert classes
        hexa = colours[int(np.floor(np.mean(allc) + 0.5))]
        assert tuple(px[4 * x:4 * x + 3]) == tuple(int(hexa[i:i + 2], 16) for i in (1, 3, 5)), x


# ---- go to a time; the keyboard ----

def test_go_to_a_time(page: Page, demo_server: str) -> None:
    meta = opened(page, demo_server + "index.html")
    field, message = page.get_by_role("textbox", name="Go to"), page.locator("#goto-message")
    for text, frame in [("2024-01-03T05:00", 53), (when(meta, 24), 24), ("2024-01-05", 96), ("2024-01-02 13:30", 37)]:
        field.fill(text)
        field.press("Enter")
        assert page.evaluate("choropleth.frame") == frame, text
        expect(message).to_have_text("")
    for text, says in [("soon", "Not a time"), ("2024-02-30", "Not a time"), ("2030-01-01", "Outside the data"),
                       ("2023-12-31T23:00", "Outside the data")]:
        field.fill(text)
        field.press("Enter")
        assert page.evaluate("choropleth.frame") == 37, text  # no jump
        expect(message).to_contain_text(says)
    field.fill("2024-01-0")  # typing clears the message
    expect(message).to_have_text("")
    # A time outside the range shown: the whole range again, then there.
    page.evaluate("choropleth.setRange(0, 47)")
    field.fill("2024-01-10")
    field.press("Enter")
    assert page.evaluate("[choropleth.frame, choropleth.range]") == [216, [0, meta["frames"] - 1]]


def test_shortcuts_act_only_while_the_focus_is_in_the_player(page: Page, demo_server: str) -> None:
    meta = opened(page, demo_server + "index.html")
    n = meta["frames"]
    page.evaluate("choropleth.renderFrame(100)")
    page.evaluate("choropleth.setRange(100, 199)")
    page.focus("#scrub")
    for key, frame in [("PageDown", 110), ("PageUp", 100), ("End", 199), ("Home", 100), ("ArrowLeft", 100),
                       ("Shift+ArrowRight", 124)]:
        page.keyboard.press(key)
        assert page.evaluate("choropleth.frame") == frame, key
    page.keyboard.press("]")  # the range's end at this frame
    assert page.evaluate("choropleth.range") == [100, 124]
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("[")  # its start
    assert page.evaluate("choropleth.range") == [122, 124]
    page.keyboard.press("Escape")
    assert page.evaluate("choropleth.range") == [0, n - 1]
    # Typing in the go-to field, or moving in the table: none of the player's keys act.
    page.focus("#goto")
    for key in ("ArrowRight", "End", "Home", " ", "+", "0", "[", "?", "PageDown"):
        page.keyboard.press(key)
    assert page.evaluate("[choropleth.frame, choropleth.playing, choropleth.view.zoom, choropleth.range]") == \
        [122, False, 1, [0, n - 1]]
    expect(page.locator("#keys-help")).to_be_hidden()
    page.evaluate("choropleth.showTable(true)")
    page.locator("#table-view tbody tr").first.focus()
    for key in ("ArrowRight", "End", " ", "+", "]", "?"):
        page.keyboard.press(key)
    assert page.evaluate("[choropleth.frame, choropleth.playing, choropleth.view.zoom, choropleth.range]") == \
        [122, False, 1, [0, n - 1]]
    # In the player again (the map's controls): the keys act; ? shows the list of them, and the Keys button.
    page.focus("#fwd")
    page.keyboard.press("End")
    assert page.evaluate("choropleth.frame") == n - 1
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_be_visible()
    expect(page.locator("#keys-help")).to_contain_text("Shift+← →")
    expect(page.get_by_role("button", name="Keys")).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="Keys").click()
    expect(page.locator("#keys-help")).to_be_hidden()
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#keys-help")).to_be_hidden()


# ---- shared state and the API ----

def test_the_hash_round_trips_range_and_speed(page: Page, demo_server: str) -> None:
    meta = opened(page, demo_server + "index.html")
    page.evaluate("choropleth.setRange(48, 95)")
    page.evaluate("choropleth.setSpeed('1d')")
    page.evaluate("choropleth.renderFrame(60)")
    page.wait_for_function("() => location.hash.includes('from=48&to=95') && location.hash.includes('speed=1d')"
                           " && location.hash.includes('frame=60')")
    url = page.url
    page.goto("about:blank")
    opened(page, url)
    assert page.evaluate("[choropleth.range, choropleth.speed, choropleth.frame]") == [[48, 95], "1d", 60]
    expect(page.locator("#speed")).to_have_value("1d")
    assert page.evaluate("choropleth.setRange(null) || choropleth.range") == [0, meta["frames"] - 1]
    page.wait_for_function("() => !location.hash.includes('from=')")
    page.evaluate("choropleth.setSpeed(12)")
    assert page.evaluate("choropleth.speed") == 12
    # The API's time functions.
    assert page.evaluate("choropleth.frameAt('2024-01-02T01:30')") == 25
    assert page.evaluate("choropleth.frameAt(choropleth.timeOf(77))") == 77
    assert page.evaluate("choropleth.timeOf(1) - choropleth.timeOf(0)") == 3_600_000
    assert page.evaluate("choropleth.frameAt('2030-01-01')") == -1
    with pytest.raises(Exception, match="not a speed"):
        page.evaluate("choropleth.setSpeed('fast')")


# ---- touch at 390 × 844 ----

def touch(cdp: object, kind: str, points: list[tuple[float, float]]) -> None:
    cdp.send("Input.dispatchTouchEvent", {  # type: ignore[attr-defined]
        "type": kind, "touchPoints": [{"x": x, "y": y, "id": k} for k, (x, y) in enumerate(points)]})


def test_touch_drags_the_scrubber_and_handles_and_pinches(browser: Browser, demo_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        meta = opened(page, demo_server + "index.html")
        n = meta["frames"]
        cdp = context.new_cdp_session(page)
        # A finger drags the scrubber's thumb from its start to the middle.
        s = page.locator("#scrub").bounding_box()
        assert s
        y = s["y"] + s["height"] / 2
        touch(cdp, "touchStart", [(s["x"] + 8, y)])
        for k in range(1, 11):
            touch(cdp, "touchMove", [(s["x"] + 8 + (s["width"] / 2 - 8) * k / 10, y)])
        touch(cdp, "touchEnd", [])
        assert abs(page.evaluate("choropleth.frame") - (n - 1) / 2) <= 3
        # A finger drags the start handle to a quarter.
        h, bar = page.locator("#range-start").bounding_box(), page.locator("#overview").bounding_box()
        assert h and bar
        y = h["y"] + h["height"] / 2
        touch(cdp, "touchStart", [(h["x"] + 12, y)])
        for k in range(1, 11):
            touch(cdp, "touchMove", [(h["x"] + 12 + bar["width"] * 0.25 * k / 10, y)])
        touch(cdp, "touchEnd", [])
        lo, hi = page.evaluate("choropleth.range")
        assert abs(lo - 0.25 * (n - 1)) <= 3 and hi == n - 1, (lo, hi)
        # Two fingers pinch the lane open: the range narrows about their middle.
        box = lane(page)
        y = box["y"] + box["height"] / 2
        mid = box["x"] + box["width"] / 2
        before = page.evaluate("choropleth.range")
        touch(cdp, "touchStart", [(mid - 30, y), (mid + 30, y)])
        for k in range(1, 11):
            touch(cdp, "touchMove", [(mid - 30 - 10 * k, y), (mid + 30 + 10 * k, y)])
        touch(cdp, "touchEnd", [])
        lo, hi = page.evaluate("choropleth.range")
        assert hi - lo < (before[1] - before[0]) / 2, (before, lo, hi)
        centre = (before[0] + before[1]) / 2
        assert abs((lo + hi) / 2 - centre) <= 0.05 * (before[1] - before[0]), (before, lo, hi)
        page.screenshot(path=str(ARTIFACTS / "timeline-demo-touch-390x844.png"))
    finally:
        context.close()
