"""US maps without a shapefile, in Chromium: the built-in states and counties matched by USPS codes,
names and FIPS, drawn on the composite projection (Alaska, Hawaii, Puerto Rico in their insets),
state lines over counties, a chosen layer of a TopoJSON, round legend values."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import ARTIFACTS, make, open_site, rgb
from playwright.sync_api import Page

from generator import classify
from generator.cli import main
from generator.errors import UserError
from generator.geo import albers_usa, builtin, geometry

BORDER = (48, 48, 48)  # the player's colour of --borders lines (#303030)
PLACES = {"Anchorage": ("02020", (-149.9, 61.2), "Alaska"), "Honolulu": ("15003", (-157.86, 21.31), "Hawaii"),
          "San Juan": ("72127", (-66.06, 18.42), "Puerto Rico")}


def inside(lonlat: shapely.Geometry) -> tuple[float, float]:
    """A point deep inside the largest part of a shape (longitude, latitude)."""
    part = max(shapely.get_parts(lonlat), key=lambda p: p.area)
    x, y = shapely.get_coordinates(shapely.maximum_inscribed_circle(part))[0]
    return float(x), float(y)


def pixel_of(page: Page, lon: float, lat: float) -> tuple[float, float]:
    x, y = albers_usa.project_points([lon], [lat])[0]
    return tuple(page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", [x, y]))


def colour_at(page: Page, xy: tuple[float, float]) -> tuple[int, int, int]:
    return tuple(page.evaluate("([x, y]) => choropleth.colorAt(Math.floor(x), Math.floor(y))", list(xy)))


def class_colour(meta: dict, value: float) -> tuple[int, int, int]:
    m = meta["metrics"][0]
    return rgb(m["colors"][int(classify.classify(np.array([value]), np.array(m["edges"]))[0])])


@pytest.fixture(scope="module")
def states() -> pd.DataFrame:
    """The built-in states in longitude/latitude, with their USPS codes."""
    return geometry.read_shapes("us-states")


@pytest.fixture(scope="module")
def counties() -> pd.DataFrame:
    return geometry.read_shapes("us-counties")


@pytest.mark.parametrize("column", ["postal", "name"])
def test_states_by_usps_code_or_name(tmp_path: Path, page: Page, states: pd.DataFrame, column: str) -> None:
    values = np.arange(len(states), dtype=float)
    rows = pd.DataFrame({"state": states[column], "year": 2020, "v": values})
    site = make(tmp_path, rows, region="state", time="year", shapes="us-states", classes=8, cmap="viridis")
    report = json.loads((site / "report.json").read_text())["regions"]
    assert report["matched"] == len(states) == 56 and report["unmatched_codes"] == []
    open_site(page, (site / "index.html").as_uri())
    meta = page.evaluate("choropleth.meta")
    by_name = states.set_index("name")
    for name in ("California", "Texas", "Alaska", "Hawaii"):
        value = values[states.index[states.name == name][0]]
        assert colour_at(page, pixel_of(page, *inside(by_name.geometry[name]))) == class_colour(meta, value), name


@pytest.fixture(scope="module")
def county_site(tmp_path_factory: pytest.TempPathFactory, counties: pd.DataFrame) -> tuple[Path, pd.DataFrame]:
    """Every county of the built-in shapes by its 5-digit FIPS, with state lines, as the README's command."""
    rng = np.random.default_rng(16)
    rows = pd.DataFrame({"fips": counties["id"], "year": 2020, "rate": rng.gamma(2.0, 400.0, len(counties)).round(1)})
    folder = tmp_path_factory.mktemp("counties")
    rows.to_csv(folder / "counties.csv", index=False)
    assert main(["--csv", str(folder / "counties.csv"), "--region", "fips", "--time", "year", "--shapes",
                 "us-counties", "--borders", "state", "--cmap", "YlGnBu", "--out", str(folder / "site")]) == 0
    return folder / "site", rows


def test_counties_by_fips_with_insets_and_state_lines(page: Page, county_site: tuple, counties: pd.DataFrame) -> None:
    site, rows = county_site
    report = json.loads((site / "report.json").read_text())["regions"]
    assert report["matched"] == len(rows) and report["unmatched_codes"] == [] and report["shape_key"] == "id"
    open_site(page, (site / "index.html").as_uri())
    meta = page.evaluate("choropleth.meta")
    value = dict(zip(rows.fips, rows.rate))
    shape = counties.set_index("id").geometry
    for fips in ("06037", "08031", "02020", "15003"):  # Los Angeles, Denver, Anchorage, Honolulu
        assert colour_at(page, pixel_of(page, *inside(shape[fips]))) == class_colour(meta, value[fips]), fips
    # San Juan is a few pixels wide in its inset: looked at closer, as a person would.
    x, y = albers_usa.project_points(*(np.array([v]) for v in inside(shape["72127"])))[0]
    page.evaluate("([x, y]) => choropleth.setView({zoom: 8, x, y})", [x, y])
    assert colour_at(page, pixel_of(page, *inside(shape["72127"]))) == class_colour(meta, value["72127"])
    page.evaluate("choropleth.resetView()")

    # Anchorage, Honolulu and San Juan on the canvas, each inside its inset's outlined box.
    width, height = page.evaluate("[choropleth.canvas.width, choropleth.canvas.height]")
    for place, (_, lonlat, part) in PLACES.items():
        x, y = pixel_of(page, *lonlat)
        x0, y1, x1, y0 = (v for corner in np.reshape(albers_usa.box(next(p for p in albers_usa.PARTS
                                                                              if p.name == part)), (2, 2))
                          for v in page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", corner.tolist()))
        assert 0 <= x < width and 0 <= y < height, place
        assert x0 < x < x1 and y0 < y < y1, place

    # State lines: on the California–Nevada line the overlay's colour; inside Los Angeles County not.
    lower48 = geometry.prepare(geometry.read_shapes("us-states"), "albers-usa").frame.set_index("name").geometry
    line = shapely.intersection(lower48["California"].boundary, lower48["Nevada"].boundary)
    for t in (0.3, 0.5, 0.7):
        point = shapely.line_interpolate_point(shapely.line_merge(line), t, normalized=True)
        x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", [point.x, point.y])
        near = {colour_at(page, (x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
        assert BORDER in near, (t, near)
    assert colour_at(page, pixel_of(page, *inside(shape["06037"]))) != BORDER

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "us-counties-1280x720.png"))


def test_a_layer_of_a_topojson(tmp_path: Path) -> None:
    path = builtin.SHAPES / "counties-10m.json"
    assert len(geometry.read_shapes(path, "states")) == 56
    assert len(geometry.read_shapes(path, "nation")) == 1
    with pytest.raises(UserError) as info:
        geometry.read_shapes(path, "provinces")
    assert str(info.value) == ("--layer 'provinces': counties-10m.json has no such layer "
                               "(its layers: counties, states, nation)")

    rows = pd.DataFrame({"state": ["06", "48"], "year": 2020, "v": [1.0, 2.0]})
    site = make(tmp_path, rows, region="state", time="year", shapes=str(path), layer="states")
    report = json.loads((site / "report.json").read_text())["regions"]
    assert report["shapes"] == 56 and report["matched"] == 2


def test_an_unknown_layer_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pd.DataFrame({"fips": ["06037"], "unixtime": 0, "v": [1.0]}).to_csv(tmp_path / "rows.csv", index=False)
    code = main(["--csv", str(tmp_path / "rows.csv"), "--region", "fips", "--shapes",
                 str(builtin.SHAPES / "counties-10m.json"), "--layer", "county", "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1] == ("build-site: error: --layer 'county': counties-10m.json has no such layer "
                                     "(its layers: counties, states, nation)")


def test_borders_of_another_file_and_by_a_field(tmp_path: Path) -> None:
    rows = pd.DataFrame({"fips": ["06037", "32003"], "year": 2020, "v": [1.0, 2.0]})
    for spec in ("us-states", str(builtin.SHAPES / "counties-10m.json") + ":states", "state"):
        (tmp_path / spec[-6:].strip("/:")).mkdir(exist_ok=True)
        site = make(tmp_path / spec[-6:].strip("/:"), rows, region="fips", time="year", shapes="us-counties",
                    borders=spec)
        topo = json.loads(re.sub(r"^choroplethLoad\(\"topology\",|\);\s*$", "", (site / "topology.js").read_text()))
        assert len(topo["objects"]["borders"]["arcs"]) > 50, spec  # state lines
        assert len(topo["objects"]["insets"]["arcs"]) == 5  # Alaska, Hawaii, Puerto Rico, Samoa, Guam
    with pytest.raises(UserError, match="neither a field of the shapes"):
        make(tmp_path, rows, region="fips", time="year", shapes="us-counties", borders="continent")


def test_round_legend_values(tmp_path: Path, page: Page) -> None:
    rng = np.random.default_rng(7)
    names = geometry.read_shapes(None)["name"].tolist()
    rows = pd.DataFrame({"country": names, "unixtime": 0, "v": rng.uniform(3, 3998, len(names)).round(2)})
    rows.loc[:4, "v"] = [200.0, 400.0, 3.0, 3998.0, 1000.0]  # values on edges, and the extremes
    site = make(tmp_path, rows, classes=20, round=True)
    open_site(page, (site / "index.html").as_uri())
    m = page.evaluate("choropleth.meta.metrics[0]")
    edges = np.array(m["edges"])
    assert m["labels"][:3] == ["0", "200", "400"] and m["labels"][-1] == "4,000"
    step = edges[1] - edges[0]
    mantissa = step / 10 ** np.floor(np.log10(step))
    assert min(abs(mantissa - s) for s in (1, 2, 2.5, 5)) < 1e-9
    assert np.allclose(edges / step, np.round(edges / step)) and np.allclose(np.diff(edges), step)
    # Each value lies in the class its tooltip names: "France: 1,234.5 (1,200 – 1,400)".
    for r in range(page.evaluate("choropleth.regionCount")):
        text = page.evaluate("r => choropleth.describe(r)", r)
        found = re.fullmatch(r".*: ([-\d,.]+) \(([-\d,.]+) – ([-\d,.]+)\)", text)
        if found:
            v, lo, hi = (float(g.replace(",", "")) for g in found.groups())
            assert (lo <= v if lo == edges[0] else lo < v) and v <= hi, text


def test_built_in_names_and_border_files_in_a_config(tmp_path: Path) -> None:
    from generator import config

    (tmp_path / "states.json").write_bytes((builtin.SHAPES / "states-10m.json").read_bytes())
    (tmp_path / "site.toml").write_text('[[map]]\nname = "a"\nshapes = "us-counties"\nborders = "state"\n'
                                        '[[map]]\nname = "b"\nshapes = "us-counties"\nborders = "states.json:states"\n')
    (_, a), (_, b) = config.load(str(tmp_path / "site.toml")).maps
    assert (a.shapes, a.borders) == ("us-counties", "state")  # names, not paths beside the file
    assert b.borders == str(tmp_path / "states.json:states")
