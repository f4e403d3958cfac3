"""Projections in real Chromium: what the page draws along the antimeridian, on a globe, in a fitted view."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import open_site
from playwright.sync_api import Page
from pyproj import Transformer

from generator import build
from generator.geo import projections

W, H = 1280, 720
BACKGROUND = (0xF4, 0xF6, 0xF8)  # --map-bg


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo data on other projections, built once for the module."""
    base = tmp_path_factory.mktemp("projections")
    made = {}
    for name, options in {
        "pacific": {"projection": "+proj=robin +lon_0=150"},
        "pacific-10m": {"projection": "robinson:150", "shapes": "world-10m"},
        "world-10m": {"shapes": "world-10m"},
        "globe": {"projection": "orthographic:10,50"},
        "europe": {"only": "continent=Europe", "bbox": [-25, 34, 45, 72]},
    }.items():
        made[name] = build.build(build.Options(out=str(base / name), **options)).out
    return made


def to_px(page: Page, projection: str, lon: float, lat: float) -> tuple[float, float]:
    crs = projections.resolve_crs(projection)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return tuple(page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", [x, y]))


def row_of(page: Page, region: int, y: float) -> list[int]:
    """The x of every pixel of `region` on row y."""
    return page.evaluate("""([r, y, W]) => {
        const xs = [];
        for (let x = 0; x < W; x++) if (choropleth.regionAt(x + 0.5, y) === r) xs.push(x);
        return xs;
    }""", [region, y, W])


def colour_of(page: Page, region: int) -> tuple[int, int, int]:
    """The colour the page fills `region` with in the current frame."""
    hexa = page.evaluate("""(r) => {
        const m = choropleth.meta.metrics[choropleth.metric], c = choropleth.classOf(r);
        return c === 255 ? m.missing : m.colors[c];
    }""", region)
    return tuple(int(hexa[i:i + 2], 16) for i in (1, 3, 5))


def pixels_of(page: Page, region: int) -> int:
    return page.evaluate("""([r, W, H]) => {
        let n = 0;
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (choropleth.regionAt(x + 0.5, y + 0.5) === r) n++;
        return n;
    }""", [region, W, H])


PACIFIC = "+proj=robin +lon_0=150"


@pytest.mark.parametrize("site,projection", [("pacific", PACIFIC), ("pacific-10m", "robinson:150"),
                                             ("world-10m", "robinson")])
def test_the_antimeridian_does_not_streak(page: Page, sites: dict, site: str, projection: str) -> None:
    open_site(page, (sites[site] / "index.html").as_uri())
    names = page.evaluate("choropleth.meta.regions.names")
    fiji, russia = names.index("Fiji"), names.index("Russia")
    page.evaluate("choropleth.renderFrame(0)")
    fiji_colour = colour_of(page, fiji)

    # Along the rows through Fiji, Fiji's pixels are all near Fiji (a streak would cross the map). With
    # the seam at 180° (Robinson's own), Fiji's islands east of 180° are at the map's other edge.
    fx, fy = to_px(page, projection, 178.5, -17.5)
    places = [fx] + ([to_px(page, projection, -179.9, -17.5)[0]] if projection == "robinson" else [])
    seen = []
    for dy in range(-12, 13, 2):
        seen += row_of(page, fiji, fy + dy)
    assert seen, "Fiji is not drawn"
    assert max(min(abs(x - p) for p in places) for x in seen) < 25
    # The Pacific east of Fiji on those rows, where a streak would be, is open sea in regions and in pixels.
    x0, _ = to_px(page, projection, -170, -17.5)
    x1, _ = to_px(page, projection, -100, -17.5)
    for dy in (-6, 0, 6):
        band = page.evaluate("""([x0, x1, y]) => {
            const out = [];
            for (let x = Math.ceil(x0); x < x1; x += 3) out.push([choropleth.regionAt(x, y), choropleth.colorAt(x, y)]);
            return out;
        }""", [x0, x1, fy + dy])
        assert len(band) > 50
        # Open sea but for a few small islands (Tahiti with the 10m shapes): never Fiji, never a band of land.
        land = [r for r, _ in band if r >= 0]
        assert fiji not in land and len(land) <= 0.05 * len(band), {names[r] for r in land}
        sea = [tuple(c) for r, c in band if r < 0 and tuple(c) != BACKGROUND]
        assert all(max(c) - min(c) < 16 for c in sea), sea  # at most grey blends of small islands' borders
        assert fiji_colour not in sea

    # Russia along 66.5°N lies between 27°E and Chukotka's east end, not across the whole row.
    west, y = to_px(page, projection, 25, 66.5)
    east, _ = to_px(page, projection, -165, 66.5)
    chukotka, _ = to_px(page, projection, -175, 66.5)
    assert page.evaluate("([x, y]) => choropleth.regionAt(x, y)", [chukotka, y]) == russia  # drawn, in place
    xs = row_of(page, russia, y)
    if projection == "robinson":  # Chukotka at the left edge, the rest from 27°E to the right edge
        assert all(x <= chukotka + 25 or x >= west for x in xs) and max(xs) > to_px(page, projection, 179, 66.5)[0]
    else:
        assert xs and west <= min(xs) and max(xs) <= east

    if projection != "robinson":
        # The seam is at 30°W: Greenland is cut there, its two parts at the map's two edges, nothing between.
        greenland = names.index("Greenland")
        left, y = to_px(page, projection, -11, 72)  # its east coast, right of the seam: the left edge
        right, _ = to_px(page, projection, -74, 72)  # its west coast: the right edge
        xs = row_of(page, greenland, y)
        assert any(x <= left for x in xs) and any(x >= right for x in xs)
        assert all(x <= left + 3 or x >= right - 3 for x in xs), "Greenland streaks across the map"


def test_a_globe_renders_the_visible_hemisphere(page: Page, sites: dict) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    open_site(page, (sites["globe"] / "index.html").as_uri())
    assert page.evaluate("choropleth.renderFrame(0)") in (True, False)
    page.evaluate("choropleth.ensure(0, 0).then(() => choropleth.renderFrame(0))")
    names = page.evaluate("choropleth.meta.regions.names")
    shown = page.evaluate("""([W, H]) => {
        const seen = new Set();
        for (let y = 0; y < H; y += 3) for (let x = 0; x < W; x += 3) seen.add(choropleth.regionAt(x, y));
        return [...seen];
    }""", [W, H])
    assert len(set(shown) - {-1}) > 100
    assert "Australia" not in names and "France" in names
    fx, fy = to_px(page, "orthographic:10,50", 2.5, 46.5)
    assert page.evaluate("([x, y]) => choropleth.regionAt(x, y)", [fx, fy]) == names.index("France")
    # Nothing outside the globe: the disc around the projection's origin with the Earth's radius.
    cx, cy = page.evaluate("choropleth.pixelOf(0, 0)")
    rx, _ = page.evaluate("choropleth.pixelOf(6378137, 0)")
    radius = rx - cx
    outside = page.evaluate("""([cx, cy, r, W, H]) => {
        let n = 0, drawn = 0;
        for (let y = 0; y < H; y += 2) for (let x = 0; x < W; x += 2) {
            if (Math.hypot(x - cx, y - cy) <= r * 1.01) continue;
            n++;
            if (choropleth.regionAt(x, y) >= 0) drawn++;
        }
        return [n, drawn];
    }""", [cx, cy, radius, W, H])
    assert outside[0] > 1000 and outside[1] == 0
    # The sea inside the horizon, the page's background outside it.
    sx, sy = to_px(page, "orthographic:10,50", -30, 40)  # mid-Atlantic
    assert page.evaluate("([x, y]) => choropleth.regionAt(x, y)", [sx, sy]) == -1
    assert tuple(page.evaluate("([x, y]) => choropleth.colorAt(x, y)", [sx, sy])) == (0xE3, 0xEB, 0xF5)
    assert tuple(page.evaluate("([x, y]) => choropleth.colorAt(x, y)", [cx + radius * 1.1, cy])) == (0xF4, 0xF6, 0xF8)
    assert errors == []


def test_only_and_bbox_fit_the_view(page: Page, sites: dict, demo_site: Path) -> None:
    open_site(page, (demo_site / "index.html").as_uri())
    world = pixels_of(page, page.evaluate("choropleth.meta.regions.names").index("France"))
    open_site(page, (sites["europe"] / "index.html").as_uri())
    names = page.evaluate("choropleth.meta.regions.names")
    assert "Brazil" not in names and "China" not in names
    europe = pixels_of(page, names.index("France"))
    assert world > 50 and europe > 8 * world, (world, europe)
