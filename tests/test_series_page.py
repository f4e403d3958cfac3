"""The view across time in real Chromium: each region's series (seriesOf) against the build's aggregates,
the pinned regions' chart and the tooltip's sparkline showing a one-frame spike in 100,000 frames, a click
in the chart going to its frame, the scrubber's strip, downloads, pins kept in the URL hash."""
from __future__ import annotations

import base64
import csv
import io
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import COUNTRIES, opened, serve
from PIL import Image
from playwright.sync_api import Browser, FloatRect, Page, expect

from generator import build

N_LONG, SPIKE, STEP = 100_000, 54_321, 100
GAP = (20_000, 30_000)  # Australia has no rows in these frames


def series(page: Page, region: str | int) -> dict:
    return page.evaluate("""r => choropleth.seriesOf(r).then(s => {
        const plain = (a) => Array.from(a, v => Number.isNaN(v) ? null : v);
        return {start: s.start, step: s.step, frames: s.frames, min: plain(s.min), mean: plain(s.mean),
                max: plain(s.max)}; })""", region)


def as_array(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def pixels(page: Page, canvas: str) -> np.ndarray:
    """A canvas's RGBA pixels (getImageData), [height × width × 4]."""
    w, h, data = page.evaluate("""id => { const c = document.getElementById(id);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let text = ''; for (let i = 0; i < d.length; i += 8192) text += String.fromCharCode(...d.subarray(i, i + 8192));
        return [c.width, c.height, btoa(text)]; }""", canvas)
    return np.frombuffer(base64.b64decode(data), dtype=np.uint8).reshape(h, w, 4)


def box_of(page: Page, selector: str) -> FloatRect:
    box = page.locator(selector).bounding_box()
    assert box, f"{selector} is not shown"
    return box


def click_canvas(page: Page, canvas: str, x: float, y: float) -> None:
    """A mouse click at canvas pixel (x, y) of the canvas with that id."""
    page.locator(f"#{canvas}").scroll_into_view_if_needed()
    box = box_of(page, f"#{canvas}")
    s = box["width"] / page.evaluate("id => document.getElementById(id).width", canvas)
    page.mouse.click(box["x"] + (x + 0.5) * s, box["y"] + (y + 0.5) * s)


def test_series_of_is_each_frames_value_on_the_demo(page: Page, demo_server: str, hourly: pd.DataFrame) -> None:
    opened(page, demo_server + "index.html", (1280, 720))
    n = page.evaluate("choropleth.frameCount")
    assert n < 1000  # one point per frame
    for name, code in COUNTRIES.items():
        s = series(page, name)
        assert (s["start"], s["step"], s["frames"]) == (0, 1, n)
        want = hourly[code].to_numpy(dtype=np.float64).astype(np.float32)
        np.testing.assert_array_equal(as_array(s["mean"]), want)  # exact (float32), NaN where no data
        assert s["min"] == s["mean"] == s["max"]
    assert np.isnan(as_array(series(page, "N. Cyprus")["mean"])).all()  # a shape without data: all gap
    # By index as by name, and in another metric.
    assert series(page, page.evaluate("choropleth.meta.regions.names.indexOf('France')"))["mean"] == \
        series(page, "France")["mean"]
    other = page.evaluate("choropleth.seriesOf('France', 2).then(s => s.mean[7])")
    assert other != series(page, "France")["mean"][7]


@pytest.fixture(scope="module")
def spike_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, np.ndarray]]:
    """100,000 hourly frames of three countries, one metric: France with a one-frame spike, Australia with
    a stretch of no data. Returns the site and each country's value per frame (NaN: no row)."""
    folder = tmp_path_factory.mktemp("spike")
    f = np.arange(N_LONG)
    values = {"BRA": np.sin(f / 700.0) * 20 + 50, "FRA": np.cos(f / 300.0) * 10 + 30, "AUS": np.sin(f / 90.0) * 5 + 20}
    values["FRA"][SPIKE] = 1000.0
    values["AUS"][GAP[0]:GAP[1]] = np.nan
    rows = pd.concat([pd.DataFrame({"country": code, "unixtime": 1_704_067_200 + f * 3600, "metric1": v})
                      for code, v in values.items()]).dropna()
    rows.to_csv(folder / "rows.csv", index=False)
    build.build(build.Options(out=str(folder / "site"), csv=str(folder / "rows.csv")))
    return folder / "site", values


@pytest.fixture()
def long_page(page: Page, spike_site: tuple[Path, dict]) -> Iterator[Page]:
    with serve(spike_site[0]) as url:
        opened(page, url + "index.html", (1280, 720))
        yield page


def spans(v: np.ndarray) -> tuple[np.ndarray, ...]:
    block = v.reshape(-1, STEP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a span without data is NaN
        return np.nanmin(block, 1), np.nanmean(block, 1), np.nanmax(block, 1)


def test_series_of_at_100k_frames_is_min_mean_max_of_each_span(long_page: Page, spike_site: tuple[Path, dict]) -> None:
    page, values = long_page, spike_site[1]
    for name, code in (("France", "FRA"), ("Australia", "AUS"), ("Brazil", "BRA")):
        s = series(page, name)
        assert (s["start"], s["step"], s["frames"]) == (0, STEP, N_LONG)
        low, mean, high = spans(values[code])
        np.testing.assert_array_equal(as_array(s["min"]), low.astype(np.float32))
        np.testing.assert_array_equal(as_array(s["max"]), high.astype(np.float32))
        np.testing.assert_allclose(as_array(s["mean"]), mean, rtol=1e-6)
    assert series(page, "France")["max"][SPIKE // STEP] == 1000
    assert np.isnan(as_array(series(page, "Australia")["mean"])[GAP[0] // STEP:GAP[1] // STEP]).all()


def test_a_one_frame_spike_shows_in_the_chart_and_the_sparkline(long_page: Page) -> None:
    page = long_page
    page.evaluate("choropleth.ensure(5000, 5000).then(() => choropleth.renderFrame(5000))")
    page.evaluate("choropleth.pin('France')")
    expect(page.locator("#pins")).to_be_visible()
    expect(page.get_by_role("button", name="Unpin France")).to_be_visible()
    x0, y0, w, h = page.evaluate("choropleth.chartBox()")
    chart = pixels(page, "chart")
    bg = chart[int(y0 + h / 2), int(x0 + 2)].copy()  # the plot's background, where the series stays low
    top = slice(int(y0), int(y0 + h * 0.2))  # the top fifth: only the spike reaches it (1000 against 20…40)
    at = int(x0 + (SPIKE + 0.5) * w / N_LONG)
    ink = np.abs(chart[top, at, :3].astype(int) - bg[:3]).sum(axis=1)
    assert (ink > 60).sum() >= 0.15 * h, "the spike's column is not coloured up to the top"
    far = int(x0 + (80_000 + 0.5) * w / N_LONG)
    assert (chart[top, far, :3] == bg[:3]).all()
    # Australia's missing stretch is a gap: nothing drawn there below its values either.
    page.evaluate("choropleth.pin('Australia')")
    x0, y0, w, h = page.evaluate("choropleth.chartBox()")
    chart = pixels(page, "chart")
    orange = chart[int(y0):int(y0 + h), :, 0].astype(int) - chart[int(y0):int(y0 + h), :, 2] > 40  # Australia's colour
    assert orange[:, int(x0 + 10_000.5 * w / N_LONG)].any()
    assert not orange[:, int(x0 + 25_000.5 * w / N_LONG)].any()
    # The current frame is the marker, on its own canvas; a new frame moves only it.
    marker = pixels(page, "chart-marker")
    assert marker[int(y0 + h / 2), int(x0 + 5000.5 * w / N_LONG) - 2:int(x0 + 5000.5 * w / N_LONG) + 3, 3].max() > 200
    page.evaluate("choropleth.ensure(60000, 60000).then(() => choropleth.renderFrame(60000))")
    marker = pixels(page, "chart-marker")
    assert marker[:, :int(x0 + 59000 * w / N_LONG), 3].max() == 0
    assert (pixels(page, "chart") == chart).all()  # the series were not redrawn

    # The sparkline: hovering France draws its series in the tooltip, the spike reaching the top.
    page.evaluate("choropleth.unpin('Australia')")
    x, y = page.evaluate("""(() => { const r = choropleth.meta.regions.names.indexOf('France');
        for (let y = 100; y < 620; y += 2) for (let x = 0; x < 1280; x += 2) {
          if (choropleth.regionAt(x, y) === r) return [x, y]; } })()""")
    box = box_of(page, "#map")
    s = box["width"] / 1280
    page.mouse.move(box["x"] + (x + 0.5) * s, box["y"] + (y + 0.5) * s)
    expect(page.locator("#tooltip")).to_contain_text("France")
    expect(page.locator("#spark")).to_be_visible()
    spark = pixels(page, "spark")
    sh, sw = spark.shape[:2]
    upper = slice(0, int(sh * 0.25))
    assert spark[upper, int((SPIKE + 0.5) * sw / N_LONG), 3].max() > 100
    assert spark[upper, int((30_000 + 0.5) * sw / N_LONG), 3].max() == 0


def test_a_click_in_the_chart_goes_to_that_frame(long_page: Page) -> None:
    page = long_page
    page.evaluate("Promise.all([choropleth.pin('France'), choropleth.pin('Brazil')])")
    x0, y0, w, h = page.evaluate("choropleth.chartBox()")
    for k in (1_000, 37_000, 99_000):
        click_canvas(page, "chart", x0 + (k + 0.5) * w / N_LONG, y0 + h - 2)
        time.sleep(0.3)  # a click may settle on the frame nearest the value clicked, within its column
        page.wait_for_function(f"() => Math.abs(choropleth.frame - {k}) <= {STEP}")
    # Clicking the spike's top lands on the spike's own frame, found among the column's frames.
    click_canvas(page, "chart", x0 + (SPIKE + 0.5) * w / N_LONG, y0 + 2)
    page.wait_for_function(f"() => choropleth.frame === {SPIKE}")
    assert page.evaluate("choropleth.valueOf(choropleth.meta.regions.names.indexOf('France'))") == 1000
    # A drag follows the pointer.
    page.locator("#chart").scroll_into_view_if_needed()
    box = box_of(page, "#chart")
    s = box["width"] / page.evaluate("document.getElementById('chart').width")
    page.mouse.move(box["x"] + (x0 + w * 0.2) * s, box["y"] + (y0 + h / 2) * s)
    page.mouse.down()
    page.mouse.move(box["x"] + (x0 + w * 0.6) * s, box["y"] + (y0 + h / 2) * s, steps=5)
    page.wait_for_function(f"() => Math.abs(choropleth.frame - {0.6 * N_LONG}) <= {2 * N_LONG / w}")
    page.mouse.up()


def test_click_pins_enter_in_the_table_pins_and_pins_survive_a_reload(page: Page, demo_server: str,
                                                                      interior_points: dict) -> None:
    opened(page, demo_server + "index.html", (1280, 720))
    names = page.evaluate("choropleth.meta.regions.names")
    for name in ("France", "Brazil"):
        x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points[name])
        click_canvas(page, "map", x, y)
    page.wait_for_function("() => choropleth.pinned.length === 2")
    assert page.evaluate("choropleth.pinned") == [names.index("France"), names.index("Brazil")]
    # Enter on a focused row of the table pins its region; ↓ moves to the next row.
    page.click("#table-toggle")
    first = page.locator("#table-view tbody tr[tabindex='0']")
    first.focus()
    page.keyboard.press("ArrowDown")
    region = int(page.evaluate("document.activeElement.dataset.region"))
    page.keyboard.press("Enter")
    page.wait_for_function("r => choropleth.pinned.includes(r)", arg=region)
    expected = [names.index("France"), names.index("Brazil"), region]
    # The chart is reachable by keyboard and has a text alternative naming the pinned regions.
    page.focus("#chart")
    assert page.evaluate("document.activeElement.id") == "chart"
    chart = page.get_by_role("img", name="over time")
    expect(chart).to_have_accessible_name(f"metric1 (sum per 1h) over time: France, Brazil, {names[region]}")
    expect(page.locator("#chart-text")).to_contain_text("France: highest ")
    page.wait_for_function("p => location.hash.endsWith('&pins=' + p)", arg=",".join(map(str, expected)))
    page.reload()
    page.evaluate("choropleth.ready")
    assert page.evaluate("choropleth.pinned") == expected
    expect(page.get_by_role("button", name="Unpin Brazil")).to_be_visible()
    page.wait_for_function("() => choropleth.chartBox() !== null")
    # A click on a name unpins it, and the link follows.
    page.get_by_role("button", name="Unpin Brazil").click()
    assert page.evaluate("choropleth.pinned") == [expected[0], expected[2]]
    page.wait_for_function(f"() => location.hash.includes('pins={expected[0]},{expected[2]}')")
    page.get_by_role("button", name="Unpin France").click()
    page.get_by_role("button", name=f"Unpin {names[region]}").click()
    expect(page.locator("#pins")).to_be_hidden()
    page.wait_for_function("() => !location.hash.includes('pins=')")


def test_the_scrubbers_strip_shows_the_mean_class_over_time(page: Page, demo_server: str) -> None:
    opened(page, demo_server + "index.html", (1280, 720))
    meta = page.evaluate("choropleth.meta")
    strip = pixels(page, "strip")
    w, n, classes = strip.shape[1], meta["frames"], meta["metrics"][0]["strip"]  # (one point per frame here)
    colours = meta["metrics"][0]["colors"]
    seen = set()
    for x in range(w):  # each pixel: the mean of the classes of the frames under it, in the palette
        under = [c for c in classes[x * n // w:max(x * n // w + 1, -(-(x + 1) * n // w))] if c != 255]
        hexa = colours[int(np.floor(np.mean(under) + 0.5))]
        want = tuple(int(hexa[i:i + 2], 16) for i in (1, 3, 5))
        assert tuple(strip[2, x, :3]) == want, (x, want, strip[2, x, :3])
        seen.add(want)
    assert len(seen) > 1
    # Another metric: the strip follows; a click on it goes there.
    page.evaluate("choropleth.setMetric(1)")
    assert not (pixels(page, "strip") == strip).all()
    box = box_of(page, "#strip")
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    assert abs(page.evaluate("choropleth.frame") - 0.75 * meta["frames"]) <= 2


def test_downloads(page: Page, demo_server: str) -> None:
    opened(page, demo_server + "index.html", (1280, 720))
    page.evaluate("choropleth.renderFrame(321)")
    page.evaluate("choropleth.setView({zoom: 2})")
    # PNG: the canvas as shown, pixel for pixel.
    with page.expect_download() as got:
        page.click("#download-png")
    png = Image.open(got.value.path()).convert("RGBA")
    assert got.value.suggested_filename == "animated-map-frame-321.png"
    assert (np.asarray(png) == pixels(page, "map")).all()
    # CSV of the frame: a row per region with the values the table shows.
    page.evaluate("choropleth.showTable(true)")
    page.evaluate("choropleth.values()")
    with page.expect_download() as got:
        page.click("#download-frame")
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["region", "code", "value", "class_from", "class_to"]
    table = page.evaluate("""Object.fromEntries([...document.querySelectorAll('#table-view tbody tr')]
        .map(tr => [tr.cells[0].textContent, tr.cells[1].textContent]))""")
    assert len(rows) == page.evaluate("choropleth.regionCount") == len(table)
    meta = page.evaluate("choropleth.meta")
    edges = meta["metrics"][0]["edges"]
    for row in rows:
        shown = table[row["region"]]
        if shown == "no data":
            assert row["value"] == row["class_from"] == ""
            continue
        assert float(row["value"]) == pytest.approx(float(shown.replace(",", "")), rel=1e-6), row
        b = page.evaluate("n => choropleth.classOf(choropleth.meta.regions.names.indexOf(n))", row["region"])
        assert (float(row["class_from"]), float(row["class_to"])) == pytest.approx((edges[b], edges[b + 1]), rel=1e-6)
    assert {r["region"]: r["code"] for r in rows}["France"] == "FRA"  # the data's code
    # CSV of the pinned series: each pinned region's points.
    page.evaluate("Promise.all([choropleth.pin('Brazil'), choropleth.pin('Norway')])")
    with page.expect_download() as got:
        page.click("#download-series")
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["region", "code", "first_frame", "last_frame", "time", "min", "mean", "max"]
    for name, code in (("Brazil", "BRA"), ("Norway", "NOR")):
        mine = [r for r in rows if r["region"] == name]
        assert len(mine) == meta["frames"] and {r["code"] for r in mine} == {code}
        want = series(page, name)["mean"]
        got_mean = [float(r["mean"]) if r["mean"] else None for r in mine]
        assert got_mean == pytest.approx(want, rel=1e-6)
        assert [int(r["first_frame"]) for r in mine] == list(range(meta["frames"]))
    # The API returns the same files.
    assert page.evaluate("choropleth.download('series.csv').then(b => b.text())").count("\n") == len(rows) + 1


def test_one_file_map_holds_the_series(page: Page, tmp_path: Path, hourly: pd.DataFrame) -> None:
    """A one-file map (--out map.html) carries the series inside it: the chart works with nothing beside it."""
    build.build(build.Options(out=str(tmp_path / "map.html")))
    opened(page, (tmp_path / "map.html").as_uri(), (1280, 720))
    want = hourly["FRA"].to_numpy(dtype=np.float64).astype(np.float32)
    np.testing.assert_array_equal(as_array(series(page, "France")["mean"]), want)
    page.evaluate("choropleth.pin('France')")
    x0, y0, w, h = page.evaluate("choropleth.chartBox()")
    chart = pixels(page, "chart")[int(y0):int(y0 + h), int(x0):int(x0 + w), :3].astype(int)
    assert (np.abs(chart - [0x00, 0x72, 0xB2]).sum(axis=2) < 30).sum() > w  # France's line, in its colour


def test_a_second_tap_pins(browser: Browser, demo_server: str, interior_points: dict) -> None:
    """On a touch screen a tap shows the tooltip (as before); a second tap on the same region pins it."""
    context = browser.new_context(viewport={"width": 1320, "height": 900}, has_touch=True)
    try:
        page = context.new_page()
        opened(page, demo_server + "index.html", (1280, 720))
        x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points["Brazil"])
        page.tap("#map", position={"x": x + 0.5, "y": y + 0.5})
        expect(page.locator("#tooltip")).to_contain_text("Brazil")
        time.sleep(0.3)
        assert page.evaluate("choropleth.pinned") == []
        page.tap("#map", position={"x": x + 0.5, "y": y + 0.5})
        page.wait_for_function("() => choropleth.pinned.length === 1")
        assert page.evaluate("choropleth.pinned") == [page.evaluate("choropleth.meta.regions.names.indexOf('Brazil')")]
    finally:
        context.close()
