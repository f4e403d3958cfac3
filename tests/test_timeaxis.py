"""The time axis in real Chromium (static/player/25-time.js, 26-ticks.js): frames and times, text read
back, calendar ticks that fit, speeds in data time, calendar steps and which frames a fast speed draws,
on small built sites (hours and minutes across a clock change, days, months, years)."""
from __future__ import annotations

import bisect
import datetime
import itertools
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Browser, Page

from generator import build, frametimes

HOURS = pd.date_range("2024-03-25", "2024-04-05", freq="h")  # over Paris's spring clock change (Mar 31)
SITES = {  # name: (times, build options); the times as the source holds them
    "hourly": (HOURS.strftime("%Y-%m-%dT%H:%M:%SZ"), {"tz": "Europe/Paris", "interval": "1h"}),
    "daily": (pd.date_range("2024-01-01", "2024-12-31", freq="D").strftime("%Y-%m-%d"),
              {"tz": "Europe/Paris", "interval": "1d"}),
    "monthly": (pd.date_range("2000-01-01", "2024-12-01", freq="MS").strftime("%Y-%m-%d"), {}),
    "yearly": (list(range(1900, 2021)), {}),
    "minutes": (pd.date_range("2024-03-09T12:00Z", periods=3000, freq="min").strftime("%Y-%m-%dT%H:%M:%SZ"),
                {"tz": "America/New_York", "interval": "1min"}),  # over New York's clock change (Mar 10)
}
FORMATS = {"hourly": "%Y-%m-%d %H:%M", "daily": "%Y-%m-%d", "monthly": "%b %Y", "yearly": "%Y",
           "minutes": "%Y-%m-%d %H:%M"}


def make_site(folder: Path, name: str) -> Path:
    times, options = SITES[name]
    n = len(times)
    pd.DataFrame({"country": np.tile(["BRA", "FRA", "AUS"], n), "t": np.repeat(times, 3),
                  "v": np.arange(3 * n) % 97}).to_csv(folder / f"{name}.csv", index=False)
    build.build(build.Options(out=str(folder / f"{name}.html"), csv=str(folder / f"{name}.csv"), time="t",
                              **options))
    return folder / f"{name}.html"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("timeaxis")
    return {name: make_site(folder, name) for name in SITES}


@pytest.fixture(scope="module")
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1320, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors


def opened(tab: Page, site: Path) -> Page:
    if tab.url.split("#")[0] == site.as_uri():  # open already: these functions change nothing in it
        return tab
    tab.goto(site.as_uri())
    tab.evaluate("choropleth.ready")
    tab.evaluate("window.P = window.choroplethPlayer")
    return tab


def starts(meta: dict) -> list[int]:
    """Epoch ms of every frame's start and of the end of the last, from the meta as the build reads it."""
    when = [frametimes.frame_time(meta, i) for i in range(meta["frames"] + 1)]
    return [int((t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)).timestamp() * 1000) for t in when]


def utc_ms(text: str) -> int:
    return int(datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


@pytest.mark.parametrize("name", list(SITES))
def test_frames_and_times_round_trip(tab: Page, sites: dict, name: str) -> None:
    page = opened(tab, sites[name])
    meta = page.evaluate("choropleth.meta")
    n, when = meta["frames"], starts(meta)
    got = page.evaluate("""(n) => [...Array(n + 1).keys()].map((i) => [P.timeOf(i), P.frameAt(P.timeOf(i)),
        P.frameAt(P.timeOf(i) - 1), i < n ? P.frameAt(P.timeText(i)) : null, i < n ? P.timeText(i) : null])""", n)
    assert [g[0] for g in got] == when  # the same starts as the page shows and Python computes
    assert [g[1] for g in got] == [*range(n), -1]  # a frame's start is in it; the end of the last is outside
    assert [g[2] for g in got] == [-1, *range(n)]  # a millisecond before is in the frame before
    zone = zoneinfo.ZoneInfo(meta["tz"]) if meta["tz"] and meta["unit"] != "month" else datetime.timezone.utc
    for i, (_, _, _, at, text) in enumerate(got[:n]):
        assert text == frametimes.format_time(meta, i)
        # The text as shown: the wall-clock time it names, in the map's zone; the frame holding it.
        wall = datetime.datetime.strptime(text, FORMATS[name]).replace(tzinfo=zone)
        assert at == bisect.bisect_right(when, wall.timestamp() * 1000) - 1, (i, text)
        if name != "daily" or meta["unit"] == "day":  # days of 86,400 s start at one offset's midnight
            assert at == i


def test_text_read_back(tab: Page, sites: dict) -> None:
    def parsed(site: str, texts: list[str]) -> list[float | str]:
        return opened(tab, sites[site]).evaluate("(ts) => ts.map((t) => { const v = P.parseTime(t); "
                                                 "return Number.isNaN(v) ? 'NaN' : v; })", texts)

    nan = "NaN"
    paris = ["2024-03-28 14:00", "2024-03-28T14:00", "2024-03-28T14:00Z", "2024-03-28T14:00:30+00:00",
             "2024-03-28 14:00 -0130", "2024-03-28", "2024-03", "2024", " 2024-03-31 02:30 ", "2024-10-27 02:30",
             "2024-13-01", "2024-02-30", "2024-03-28 24:00", "yesterday", "", "14:00", "2024-03-28T14:00+1"]
    assert parsed("hourly", paris) == [
        utc_ms("2024-03-28T13:00"), utc_ms("2024-03-28T13:00"), utc_ms("2024-03-28T14:00"),
        utc_ms("2024-03-28T14:00:30"),
        utc_ms("2024-03-28T15:30"), utc_ms("2024-03-27T23:00"), utc_ms("2024-02-29T23:00"), utc_ms("2023-12-31T23:00"),
        utc_ms("2024-03-31T01:30"),  # a time the clocks skip: as long after the one before (03:30 summer time)
        utc_ms("2024-10-27T00:30"),  # a time they repeat: the first
        nan, nan, nan, nan, nan, nan, nan]
    assert parsed("monthly", ["Mar 2005", "March 2005", "mar 2005", "2005-03", "Mrz 2005", "Mar 05"]) == [
        utc_ms("2005-03-01")] * 4 + [nan, nan]
    assert parsed("minutes", ["2024-03-10 01:59", "2024-03-10 02:30", "2024-03-10 03:00"]) == [
        utc_ms("2024-03-10T06:59"), utc_ms("2024-03-10T07:30"), utc_ms("2024-03-10T07:00")]
    page = opened(tab, sites["yearly"])
    assert page.evaluate("['2007', '2007-06-15', '1899', '2021', 'x', 1.5e12, NaN].map((t) => P.frameAt(t))") == [
        107, 107, -1, -1, -1, 117, -1]  # 1.5e12 ms: July 2017
    assert page.evaluate("[choropleth.frameAt('1950'), new Date(choropleth.timeOf(50)).toISOString()]") == [
        50, "1950-01-01T00:00:00.000Z"]  # the public API too


MEASURE = "(s) => { const c = document.createElement('canvas').getContext('2d'); c.font = '12px sans-serif'; " \
          "return c.measureText(s).width; }"


def ticks(page: Page, start: float, end: float, width: int) -> list[dict]:
    got = page.evaluate(f"([a, b, w]) => {{ const m = {MEASURE}; return P.ticks(a, b, w, m).map((t) => "
                        "({...t, width: m(t.label), holder: P.frameAt(t.ms)})); }", [start, end, width])
    for t in got:  # each where its time is, and its label where it says
        assert t["frame"] == t["holder"] == int(t["at"])
        assert t["x"] == pytest.approx((t["at"] - start) / (end - start) * width)
        assert t["box"] is None or t["box"] == pytest.approx([t["x"] + 4, t["x"] + 4 + t["width"]])
    boxes = [t["box"] for t in got if t["box"]]
    assert len(boxes) >= 2
    assert all(0 <= box[0] and box[1] <= width for box in boxes)
    assert all(a[1] + 8 <= b[0] for a, b in itertools.pairwise(boxes)), boxes  # never overlapping
    assert [t["ms"] for t in got] == sorted({t["ms"] for t in got})
    return got


def labels(got: list[dict]) -> list[str]:
    """The labels shown ("*": a major tick); a tick whose label would pass the end has none."""
    return [t["label"] + ("*" if t["major"] else "") for t in got if t["label"]]


@pytest.mark.parametrize("name", list(SITES))
@pytest.mark.parametrize("width", [1280, 390])
def test_ticks_fit_at_any_zoom(tab: Page, sites: dict, name: str, width: int) -> None:
    page = opened(tab, sites[name])
    n = page.evaluate("P.N")
    for start, end in [(0, n - 1), (n * 0.3, n * 0.35), (n // 2, n // 2 + 3)]:
        ticks(page, start, end, width)


def test_tick_labels(tab: Page, sites: dict) -> None:
    page = opened(tab, sites["daily"])
    year = ticks(page, 0, 365, 1280)
    assert labels(year) == ["2024*", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    zone = zoneinfo.ZoneInfo("Europe/Paris")  # each month's start at midnight in Paris, summer time or not
    assert [t["ms"] for t in year] == [datetime.datetime(2024, m, 1, tzinfo=zone).timestamp() * 1000
                                       for m in range(1, 13)]
    assert labels(ticks(page, 0, 365, 390)) == ["2024*", "Mar", "May", "Jul", "Sep", "Nov"]
    assert labels(ticks(page, 20, 50, 1280))[:4] == ["Jan 21", "Jan 23", "Jan 25", "Jan 27"]
    assert "Feb*" in labels(ticks(page, 20, 50, 1280))

    page = opened(tab, sites["hourly"])  # Mar 30 11:00 to Apr 1 03:00, Paris: 02:00 does not exist on Mar 31
    assert labels(ticks(page, 130, 170, 1280)) == [
        "12:00", "14:00", "16:00", "18:00", "20:00", "22:00", "Mar 31*", "04:00", "06:00", "08:00", "10:00", "12:00",
        "14:00", "16:00", "18:00", "20:00", "22:00", "Apr*", "02:00"]
    page = opened(tab, sites["monthly"])
    assert labels(ticks(page, 0, 299, 390)) == ["2000*", "2005", "2010*", "2015", "2020*"]
    assert labels(ticks(page, 10, 40, 1280))[:4] == ["Nov", "Dec", "2001*", "Feb"]
    page = opened(tab, sites["yearly"])
    assert labels(ticks(page, 0, 120, 390)) == ["1900*", "1920", "1940", "1960", "1980", "2000*"]
    page = opened(tab, sites["minutes"])
    assert "Mar 10*" in labels(ticks(page, 0, 2999, 1280))
    assert labels(ticks(page, 130, 170, 1280))[:3] == ["09:10", "09:12", "09:14"]


def test_speeds(tab: Page, sites: dict) -> None:
    def choices(site: str) -> list[tuple[str, str, float]]:
        got = opened(tab, sites[site]).evaluate("P.speedChoices()")
        return [(c["key"], c["label"], round(c["framesPerSecond"], 3)) for c in got]

    plain = [(str(f), f"{f} frames/s", f) for f in (1, 2, 5, 10, 12, 24, 30, 60)]
    assert choices("hourly") == [("1h", "1 h/s", 1), ("6h", "6 h/s", 6), ("1d", "1 day/s", 24),
                                 ("1w", "1 week/s", 168), ("1mo", "1 month/s", 730.485), *plain]
    assert [c[0] for c in choices("daily")] == ["1d", "1w", "1mo", "1y", "2y", *[p[0] for p in plain]]
    assert choices("yearly")[:3] == [("1y", "1 year/s", 1), ("2y", "2 years/s", 2), ("5y", "5 years/s", 5)]
    assert [c[0] for c in choices("minutes")][:7] == ["1min", "5min", "15min", "1h", "6h", "1d", "1w"]
    page = opened(tab, sites["hourly"])
    assert page.evaluate("['1d', '6h/s', '2 weeks', '1 day/s', '24', 24, '12/s', '30 fps', 'fast', '0', -2, '1x']"
                         ".map((s) => String(P.parseSpeed(s)))") == [
        "24", "6", "336", "24", "24", "24", "12", "30", "NaN", "NaN", "NaN", "NaN"]
    assert opened(tab, sites["monthly"]).evaluate("['1y', '1q', '1mo'].map((s) => P.parseSpeed(s))") == [12, 3, 1]


def test_calendar_steps(tab: Page, sites: dict) -> None:
    def step(site: str, text: str, dir: int, unit: str | None = None) -> str:
        return opened(tab, sites[site]).evaluate("([t, u, d]) => P.timeText(P.stepFrames(P.frameAt(t), u, d))",
                                                 [text, unit, dir])

    assert step("hourly", "2024-03-30 12:00", 1) == "2024-03-31 12:00"  # a day, of 23 hours
    assert step("hourly", "2024-03-31 12:00", -1) == "2024-03-30 12:00"
    assert step("hourly", "2024-04-04 12:00", 1) == "2024-04-05 02:00"  # no day left: the last frame
    assert step("hourly", "2024-03-25 05:00", -1) == "2024-03-25 01:00"  # the first
    assert step("daily", "2024-01-10", 1) == "2024-01-17"  # a week
    assert step("daily", "2024-01-31", 1, "1mo") == "2024-02-29"
    assert step("monthly", "Mar 2005", 1) == "Mar 2006"
    assert step("yearly", "1950", -1) == "1940"
    assert step("minutes", "2024-03-10 01:30", 1) == "2024-03-10 03:30"  # an hour, over the skipped one


def test_every_frames_and_play_plan(tab: Page, sites: dict) -> None:
    page = opened(tab, sites["hourly"])
    days = page.evaluate("P.everyFrames(P.frameAt('2024-03-30'), P.frameAt('2024-04-02'), '1d')"
                         ".map((i) => P.timeText(i))")
    assert days == ["2024-03-30 00:00", "2024-03-31 00:00", "2024-04-01 00:00", "2024-04-02 00:00"]
    assert page.evaluate("P.everyFrames(10, 30, '6h')") == [10, 16, 22, 28]
    assert page.evaluate("P.everyFrames(10, 30, 7)") == [10, 17, 24]
    assert page.evaluate("[P.everyFrames(0, 9, '30min'), P.everyFrames(0, 9, 'soon')]") == [[], []]
    page = opened(tab, sites["daily"])
    months = page.evaluate("P.everyFrames(P.frameAt('2024-01-31'), P.frameAt('2024-03-31'), '1mo')"
                           ".map((i) => P.timeText(i))")
    assert months == ["2024-01-31", "2024-02-29", "2024-03-31"]  # from the 31st, each month's last day at most

    plan = page.evaluate("""() => { const p = P.playPlan(3, 3000, 1000, 60);
        return {stride: p.stride, last: p.last, duration: p.duration,
                shown: [...Array(61).keys()].map((k) => p.frame(k * 1000 / 60)), late: p.frame(1e9)}; }""")
    assert plan["stride"] == 17 and plan["last"] == 3 + 17 * 176 and plan["late"] == plan["last"]
    shown = plan["shown"]
    assert all((f - 3) % 17 == 0 for f in shown) and shown == sorted(shown)  # real frames, evenly skipped
    assert len(set(shown)) >= 55  # a new frame at nearly every screen refresh
    assert shown[-1] == pytest.approx(3 + 1000, abs=17)  # and a second of data time per second
    assert plan["duration"] == pytest.approx(2992)
    slow = page.evaluate("(() => { const p = P.playPlan(0, 100, 24, 60); return [p.stride, p.frame(1000)]; })()")
    assert slow == [1, 24]
    # A video at 30 frames/s of one frame a day shows the frames a 30 Hz screen shows at 30 days/s (days
    # of 24 hours: before the clock change).
    page = opened(tab, sites["hourly"])
    daily = page.evaluate("P.everyFrames(5, 120, '1d')")
    assert daily == [5, 29, 53, 77, 101]
    assert page.evaluate("""(n) => { const p = P.playPlan(5, 120, P.parseSpeed('1d') * 30, 30);
        return [...Array(n).keys()].map((k) => p.frame(k * 1000 / 30)); }""", len(daily)) == daily


def test_local_days(tab: Page, sites: dict, tmp_path: Path) -> None:
    """Frames of local days (meta unit "day": days since 1970-01-01, each from the zone's midnight), as a
    build whose days follow the clock writes them: 23 and 25 hours long at the changes."""
    page_text = sites["daily"].read_text(encoding="utf-8")
    seconds = '"start":1704063600,"step":86400,"unit":"s"'  # Jan 1 2024 at Paris midnight, days of 86,400 s
    days = sites["daily"]  # as built, once the build writes local days
    if seconds in page_text:
        days = tmp_path / "days.html"
        first = (datetime.date(2024, 1, 1) - datetime.date(1970, 1, 1)).days
        days.write_text(page_text.replace(seconds, f'"start":{first},"step":1,"unit":"day"'), encoding="utf-8")
    page = opened(tab, days)
    assert page.evaluate("[P.meta.unit, P.meta.step]") == ["day", 1]
    zone = zoneinfo.ZoneInfo("Europe/Paris")
    dates = [datetime.date(2024, 1, 1) + datetime.timedelta(days=i) for i in range(367)]
    midnights = [datetime.datetime(d.year, d.month, d.day, tzinfo=zone).timestamp() * 1000 for d in dates]
    assert page.evaluate("[...Array(367).keys()].map((i) => P.timeOf(i))") == midnights
    assert page.evaluate("(ds) => ds.map((d) => P.frameAt(d))", [d.isoformat() for d in dates]) == [*range(366), -1]
    assert page.evaluate("P.stepFrames(P.frameAt('2024-03-28'), null, 1)") == 87 + 7  # a week, over the change
    assert page.evaluate("P.everyFrames(80, 100, '1d')") == list(range(80, 101))
    assert page.evaluate("P.speedChoices()[0]") == {"key": "1d", "label": "1 day/s", "framesPerSecond": 1}
    year = ticks(page, 0, 365, 1280)
    assert labels(year)[:4] == ["2024*", "Feb", "Mar", "Apr"]
    assert [t["at"] for t in year] == [(datetime.date(2024, m, 1) - dates[0]).days for m in range(1, 13)]
