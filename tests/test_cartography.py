"""Data meaning on the map, in Chromium: FIPS and name codes, years and time zones in the title,
several metrics with their own classes and colours, diverging colours, exact values, the report."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from helpers import interior, make, open_site, rgb
from playwright.sync_api import Page

from generator.geo import albers_usa


def colour_of(page: Page, name: str) -> tuple[int, int, int]:
    x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior(name))
    return tuple(page.evaluate("([x, y]) => choropleth.colorAt(x, y)", [x, y]))


def meta_of(site: Path) -> dict:
    return json.loads((site / "index.html").read_text().split('type="application/json">')[1].split("</script>")[0])


def test_fips_codes_colour_their_countries(tmp_path: Path, page: Page) -> None:
    # In FIPS 10-4, AS is Australia (ISO: American Samoa), GM Germany (ISO: Gambia), CH China
    # (ISO: Switzerland), SZ Switzerland (ISO: Eswatini); UK is no ISO code at all.
    codes = {"AS": "Australia", "GM": "Germany", "CH": "China", "UK": "United Kingdom", "BR": "Brazil"}
    rows = pd.DataFrame({"country": list(codes), "unixtime": 0, "v": [1.0, 2.0, 3.0, 4.0, 5.0]})
    site = make(tmp_path, rows, region="country", classes=5, cmap="viridis")
    report = json.loads((site / "report.json").read_text())
    assert report["regions"]["code_type"] == "fips" and report["regions"]["matched"] == 5
    open_site(page, (site / "index.html").as_uri())
    meta = page.evaluate("choropleth.meta")
    colours = meta["metrics"][0]["colors"]
    for i, name in enumerate(codes.values()):
        assert colour_of(page, name) == rgb(colours[i]), name
    assert colour_of(page, "United States of America") == rgb(meta["metrics"][0]["missing"])
    for name in ("Gambia", "eSwatini"):  # what ISO readings would have coloured (too small to hit a pixel)
        assert page.evaluate("n => choropleth.classOf(choropleth.meta.regions.names.indexOf(n))", name) == 255


def test_country_names_with_their_variants(tmp_path: Path, page: Page) -> None:
    names = {"Dem. Rep. Congo": "Dem. Rep. Congo", "Czech Republic": "Czechia", "Russian Federation": "Russia",
             "Ivory Coast": "Côte d'Ivoire", "USA": "United States of America"}
    rows = pd.DataFrame({"country": list(names), "unixtime": 0, "v": [1.0, 2.0, 3.0, 4.0, 5.0]})
    site = make(tmp_path, rows, classes=5, cmap="viridis")
    open_site(page, (site / "index.html").as_uri())
    colours = page.evaluate("choropleth.meta.metrics[0].colors")
    for i, shape in enumerate(names.values()):
        assert colour_of(page, shape) == rgb(colours[i]), shape


def test_integer_years_are_the_titles(tmp_path: Path, page: Page) -> None:
    years = list(range(1952, 2008, 5))
    rows = pd.DataFrame([(c, y, float(y - 1950) * k) for y in years for c, k in (("FRA", 1), ("BRA", 3))],
                        columns=["country", "year", "pop"])
    site = make(tmp_path, rows, time="year", title="Population")
    assert meta_of(site)["frames"] == len(years)
    open_site(page, (site / "index.html").as_uri())
    for i, year in ((0, 1952), (1, 1957), (len(years) - 1, 2007)):
        page.evaluate("i => choropleth.renderFrame(i)", i)
        assert page.evaluate("i => choropleth.title(i)", i) == f"Population — {year}"
        assert page.locator("#time").text_content() == str(year)


def test_months_and_time_zones_in_the_title(tmp_path: Path, page: Page) -> None:
    days = pd.date_range("2024-01-01", "2024-03-31", freq="D")
    rows = pd.DataFrame({"country": "FRA", "day": days.strftime("%Y-%m-%d"), "n": 1.0})
    site = make(tmp_path, rows, time="day", interval="1mo", tz="America/New_York", title="Days")
    open_site(page, (site / "index.html").as_uri())
    assert [page.evaluate("i => choropleth.title(i)", i) for i in range(3)] == \
        ["Days — Jan 2024", "Days — Feb 2024", "Days — Mar 2024"]  # calendar months, whatever the zone

    t0 = 1_704_067_200  # 2024-01-01 00:00 UTC = 09:00 in Tokyo
    rows = pd.DataFrame({"country": "JPN", "unixtime": [t0 + h * 3600 for h in range(48)], "n": 1.0})
    (tmp_path / "h").mkdir()
    site = make(tmp_path / "h", rows, interval="1d", tz="Asia/Tokyo", time_format="%Y-%m-%d %H:%M %Z")
    open_site(page, (site / "index.html").as_uri())
    # Days start at Tokyo's midnight: the first bucket is 2024-01-01 00:00 JST (15:00 UTC the day before).
    assert page.evaluate("choropleth.title(0)") == "Animated map — 2024-01-01 00:00 GMT+9"
    assert page.evaluate("choropleth.frameCount") == 3


def test_several_metrics_each_with_its_own_classes_and_colours(tmp_path: Path, page: Page) -> None:
    rows = pd.DataFrame([(c, t, a, b) for t in (0, 600, 3600) for c, a, b in
                         (("FRA", 1.0, -5.0), ("BRA", 5.0, 10.0), ("AUS", 9.0, -20.0), ("RUS", 3.0, 0.5))],
                        columns=["country", "unixtime", "a", "b"])
    site = make(tmp_path, rows, interval="1h",
                metrics=["a:agg=max,cmap=Blues,classes=4", "b:agg=mean,cmap=RdBu,center=0,classes=6,label=Balance"])
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url.split("/site/")[-1]))
    open_site(page, (site / "index.html").as_uri())
    meta = page.evaluate("choropleth.meta")
    a, b = meta["metrics"]
    assert len(a["colors"]) == 4 and a["label"] == "a (max per 1h)"
    assert b["label"] == "Balance" and 0.0 in b["edges"]  # the centre is an edge
    build = meta["build"]  # data files live under the build that wrote them
    assert any(u.startswith(f"data/{build}/0/") for u in requested)
    assert not any(u.startswith(f"data/{build}/1/") for u in requested)  # only the shown metric's data is loaded
    assert colour_of(page, "Australia") == rgb(a["colors"][3])

    page.evaluate("choropleth.setMetric(1)")
    assert any(u.startswith(f"data/{build}/1/0.js") for u in requested)
    for name, value in (("France", -5.0), ("Brazil", 10.0), ("Australia", -20.0), ("Russia", 0.5)):
        r, _g, bl = colour_of(page, name)
        assert (r > bl) if value < 0 else (bl > r), (name, value)  # RdBu: red below the centre, blue above
    assert colour_of(page, "Australia") == rgb(b["colors"][0])
    # Equal distances from the centre get equally strong colours: -20 is the strongest red; +10 is
    # half as far, so Brazil's blue is lighter than the strongest blue would be.
    assert sum(colour_of(page, "Brazil")) > sum(rgb("#053061"))


def test_tooltip_shows_the_exact_value_and_its_class(tmp_path: Path, page: Page) -> None:
    rows = pd.DataFrame({"country": ["FRA", "FRA", "BRA"], "unixtime": [0, 60, 0], "v": [1234.5, 0.25, 98765.0]})
    site = make(tmp_path, rows, interval="1h", classes=4)
    open_site(page, (site / "index.html").as_uri())
    x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior("France"))
    box = page.locator("#map").bounding_box()
    scale = page.evaluate("choropleth.canvas.width") / box["width"]
    page.mouse.move(box["x"] + x / scale, box["y"] + y / scale)
    tooltip = page.locator("#tooltip")
    page.wait_for_function("() => !document.getElementById('tooltip').textContent.includes('…')")
    assert tooltip.text_content() == "France: 1,234.75 (1k – 26k)"  # exact sum; class edges as the legend
    brazil = page.evaluate("choropleth.meta.regions.names.indexOf('Brazil')")
    assert page.evaluate("r => choropleth.valueOf(r)", brazil) == 98765.0
    assert page.evaluate("choropleth.meta.metrics[0].labels") == ["1k", "26k", "50k", "74k", "99k"]


def test_report_lists_unmatched_codes_shapes_without_data_and_sparse_regions(tmp_path: Path) -> None:
    rows = pd.DataFrame([("FRA", t, 1.0) for t in range(0, 36000, 3600)] + [("BRA", 0, 2.0), ("XXX", 0, 3.0)],
                        columns=["country", "unixtime", "v"])
    site = make(tmp_path, rows, sparse=20)
    report = json.loads((site / "report.json").read_text())
    regions = report["regions"]
    assert regions["unmatched_codes"] == ["XXX"] and regions["matched"] == 2
    assert len(regions["shapes_without_data"]) == regions["shapes"] - 2 and "Norway" in regions["shapes_without_data"]
    assert regions["sparse"] == [{"region": "Brazil", "code": "BRA", "coverage": 10.0}]
    assert report["frames"] == 10 and report["interval"] == "1h" and report["from"] == "1970-01-01 00:00"


def test_county_keys_match_without_their_leading_zeros(tmp_path: Path, page: Page) -> None:
    import geopandas as gpd
    import shapely

    boxes = {"01001": (-87, 32), "01003": (-84, 32), "06037": (-118, 34), "56045": (-104, 44)}
    shapes = gpd.GeoDataFrame({"GEOID": list(boxes), "NAME": ["Autauga", "Baldwin", "Los Angeles", "Weston"]},
                              geometry=[shapely.box(x, y, x + 2, y + 2) for x, y in boxes.values()], crs="EPSG:4326")
    shapes.to_file(tmp_path / "counties.gpkg")
    rows = pd.DataFrame({"fips": [1001, 1003, 6037], "unixtime": 0, "v": [1.0, 2.0, 3.0]})  # numbers: zeros lost
    site = make(tmp_path, rows, region="fips", shapes=str(tmp_path / "counties.gpkg"), projection="albers-usa",
                classes=3, cmap="viridis")
    report = json.loads((site / "report.json").read_text())["regions"]
    assert (report["code_type"], report["shape_key"], report["matched"]) == ("key", "GEOID", 3)
    assert report["shapes_without_data"] == ["Weston"]
    open_site(page, (site / "index.html").as_uri())
    meta = page.evaluate("choropleth.meta")
    centres = albers_usa.project_points(shapes.geometry.centroid.x, shapes.geometry.centroid.y)  # the composite's
    for i, colour in enumerate(meta["metrics"][0]["colors"] + [meta["metrics"][0]["missing"]]):
        x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", centres[i].tolist())
        assert tuple(page.evaluate("([x, y]) => choropleth.colorAt(x, y)", [x, y])) == rgb(colour), shapes.NAME[i]


def test_without_values_the_tooltip_shows_the_class(tmp_path: Path, page: Page) -> None:
    rows = pd.DataFrame({"country": ["FRA", "BRA"], "unixtime": 0, "v": [10.0, 30.0]})
    site = make(tmp_path, rows, classes=2, values="none")
    assert not list((site / "data").rglob("v*.js"))
    open_site(page, (site / "index.html").as_uri())
    france = page.evaluate("choropleth.meta.regions.names.indexOf('France')")
    assert page.evaluate("r => choropleth.describe(r)", france) == "France: (10 – 20)"
