"""Geometry: the TopoJSON decodes back to the same regions, in order, close to the projected shapes."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from generator.errors import UserError
from generator.geo import geometry, projections, topology


def decode(topo: dict) -> list:
    """A plain TopoJSON decoder (delta-coded quantized arcs), independent of the page's."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = [np.cumsum(np.array(a, dtype=float), axis=0) * [sx, sy] + [tx, ty] for a in topo["arcs"]]

    def ring(ids: list[int]) -> np.ndarray:
        parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ids]
        return np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])

    out = []
    for g in topo["objects"]["regions"]["geometries"]:
        polys = {"Polygon": [g.get("arcs")], "MultiPolygon": g.get("arcs")}.get(g["type"], [])
        out.append(MultiPolygon([Polygon(ring(p[0]), [ring(h) for h in p[1:]]) for p in polys]))
    return out


@pytest.mark.parametrize("path", [None, "world-10m"], ids=["110m", "10m"])
@pytest.mark.parametrize("simplify", [0.0, 0.5])
def test_topology_decodes_to_the_same_regions(path: object, simplify: float) -> None:
    shapes = geometry.prepare(geometry.read_shapes(path), "robinson")
    topo = topology.to_topology(shapes, simplify=simplify)
    decoded = decode(topo)
    assert len(decoded) == len(shapes.frame)
    original = shapes.frame.geometry.to_numpy()
    # Compare regions much larger than the error allowed: the simplification tolerance or the quantum.
    minx, _miny, maxx, _maxy = shapes.frame.total_bounds
    error = max(simplify * (maxx - minx) / 1920, (maxx - minx) / topology.QUANTIZATION)
    big = np.sqrt(shapely.area(original)) > 100 * error
    a = shapely.make_valid(original[big], method="structure", keep_collapsed=False)
    b = shapely.make_valid(np.array(decoded, dtype=object)[big], method="structure", keep_collapsed=False)
    grid = 100.0  # metres: snapping makes the overlay robust to near-coincident edges
    iou = shapely.area(shapely.intersection(a, b, grid_size=grid)) / shapely.area(shapely.union(a, b, grid_size=grid))
    assert min(iou) > 0.9
    assert np.median(iou) > 0.98


def test_unreadable_shapes_is_a_user_error(tmp_path) -> None:
    bad = tmp_path / "bad.shp"
    bad.write_bytes(b"not a shapefile")
    with pytest.raises(UserError, match="cannot be read"):
        geometry.read_shapes(bad)
    with pytest.raises(UserError, match="no such file"):
        geometry.read_shapes(tmp_path / "missing.shp")


# ---- projections: the seam, the globe, what is shown ----

PROJECTIONS = ["robinson", "robinson:150", "+proj=robin +lon_0=150", "EPSG:8859", "equal-earth:-160", "natural-earth",
               "mercator", "EPSG:3832", "plate-carree:180", "albers-usa", "albers-europe", "EPSG:3035",
               "orthographic", "orthographic:10,50", "orthographic:-170,-50", "orthographic:0,90", "orthographic:20,0"]


@pytest.fixture(scope="module")
def world() -> gpd.GeoDataFrame:
    return geometry.read_shapes(None)


def parts_of(shapes: geometry.Shapes) -> tuple[np.ndarray, np.ndarray]:
    """Every polygon of the projected frame, and the index of its region."""
    return shapely.get_parts(shapes.frame.geometry.to_numpy(), return_index=True)


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_no_coordinate_is_infinite_and_no_polygon_crosses_the_map(world, projection: str) -> None:
    shapes = geometry.prepare(world, projection)
    coords = shapely.get_coordinates(shapes.frame.geometry.to_numpy())
    assert len(coords) and np.isfinite(coords).all()
    topo = topology.to_topology(shapes)
    assert np.isfinite(topo["bbox"]).all() and all(np.isfinite(np.array(a, dtype=float)).all() for a in topo["arcs"])
    if projection == "albers-usa":  # a composite: no seam; its lower 48 are the width of the map
        return
    # A polygon with vertices either side of the seam would span the map from edge to edge. Only
    # Antarctica, which rings the pole, may be that wide.
    minx, _, maxx, _ = shapes.frame.total_bounds
    parts, region = parts_of(shapes)
    widths = shapely.bounds(parts)[:, 2] - shapely.bounds(parts)[:, 0]
    wide = {shapes.names[r] for r in region[widths > (maxx - minx) / 2]}
    assert wide <= {"Antarctica"}, wide


@pytest.mark.parametrize("projection", ["robinson:150", "+proj=robin +lon_0=150", "orthographic:180,60"])
def test_pieces_split_at_180_are_one_shape_again(world, projection: str) -> None:
    """Natural Earth splits Fiji and Russia at ±180°; in a Pacific-centred map that line is no border."""
    shapes = geometry.prepare(world, projection)
    frame = shapes.frame.set_index(pd.Index(shapes.names))
    for name in ("Fiji", "Russia"):
        parts = shapely.get_parts(frame.geometry[name])
        merged = shapely.get_parts(shapely.union_all(parts, grid_size=1.0))
        assert len(merged) == len(parts), f"{name}: pieces touch each other"
    fiji = frame.geometry["Fiji"].bounds
    assert fiji[2] - fiji[0] < 800_000  # metres: Fiji in one place, not at both edges of the map


def test_lon_0_zero_keeps_the_split_at_the_edges(world) -> None:
    shapes = geometry.prepare(world, "robinson")
    frame = shapes.frame.set_index(pd.Index(shapes.names))
    minx, _, maxx, _ = shapes.frame.total_bounds
    fiji = frame.geometry["Fiji"].bounds
    assert fiji[0] < minx + 0.01 * (maxx - minx) and fiji[2] > maxx - 0.01 * (maxx - minx)  # both edges


def test_mercator_stops_at_85_degrees(world) -> None:
    from pyproj import Transformer

    for projection, crs in (("mercator", "EPSG:3857"), ("EPSG:3832", "EPSG:3832")):
        _, ymax = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(0, 85.0)
        _, miny, _, maxy = geometry.prepare(world, projection).frame.total_bounds
        assert -ymax * 1.001 <= miny and maxy <= ymax * 1.001


def test_orthographic_shows_the_visible_hemisphere(world) -> None:
    from pyproj import Transformer

    shapes = geometry.prepare(world, "orthographic:10,50")
    crs = projections.resolve_crs("orthographic:10,50")
    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def near_side(xy: np.ndarray) -> np.ndarray:
        """cos of the angle between each point and the centre: > 0 on the visible hemisphere."""
        lon, lat = np.radians(to_lonlat.transform(xy[:, 0], xy[:, 1]))
        return (np.sin(lat) * np.sin(np.radians(50))
                + np.cos(lat) * np.cos(np.radians(50)) * np.cos(lon - np.radians(10)))

    xy = shapely.get_coordinates(shapes.frame.geometry.to_numpy())
    assert np.isfinite(xy).all() and (near_side(xy) > 0).all()  # nothing beyond the horizon
    # Angular distance of each country's vertices from the centre: all near -> all of it; all far -> none.
    lon, lat = np.radians(10), np.radians(50)
    shown = dict(zip(shapes.names, shapes.frame.geometry))
    direct = world.to_crs(crs).set_index("name").geometry
    partly = []
    for name, g in world.set_index("name").geometry.items():
        c = np.radians(shapely.get_coordinates(g))
        cos = np.sin(c[:, 1]) * np.sin(lat) + np.cos(c[:, 1]) * np.cos(lat) * np.cos(c[:, 0] - lon)
        if cos.min() > np.cos(np.radians(85)):  # wholly on the near side
            assert abs(shown[name].area / direct[name].area - 1) < 0.01, name
        elif cos.max() < np.cos(np.radians(90.5)):  # wholly beyond the horizon
            assert name not in shown, name
        elif cos.max() > np.cos(np.radians(85)):  # across the horizon: its near part
            partly.append(name)
            assert name in shown and shown[name].area > 0, name
    assert {"France", "Germany", "Brazil", "India", "China"} <= set(shown)
    assert not {"Australia", "New Zealand"} & set(shown)
    assert {"United States of America", "Antarctica"} & set(partly)
    decoded = decode(topology.to_topology(shapes))  # the page gets the same: nothing past the rim
    xy = np.vstack([shapely.get_coordinates(g) for g in decoded if not g.is_empty])
    assert (near_side(xy) > -1e-3).all()


def test_bare_orthographic_is_centred_on_the_shapes(world) -> None:
    europe = world[world.continent == "Europe"]
    crs = projections.resolve_crs("orthographic", europe)
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    lat, lon = params["Latitude of natural origin"], params["Longitude of natural origin"]
    assert 40 < lat < 70 and 10 < lon < 80  # Europe with Russia


def test_only_and_bbox_fit_the_view_to_what_is_shown(world) -> None:
    whole = topology.to_topology(geometry.prepare(world, "robinson"))["bbox"]
    two = geometry.prepare(world, "robinson", only="iso_a3=DEU,fra")
    assert two.names == ["France", "Germany"]  # in the shapes' order, values case-insensitive
    two_box = topology.to_topology(two)["bbox"]
    assert np.allclose(two_box, two.frame.total_bounds)
    box = [-25, 34, 45, 72]
    europe = geometry.prepare(world, "robinson", bbox=box, only="continent=Europe")
    assert set(europe.keys_table["continent"]) == {"Europe"} and "France" in europe.names and "Spain" in europe.names
    fitted = topology.to_topology(europe)["bbox"]
    corners = geometry.prepare(
        gpd.GeoDataFrame({"name": ["box"]}, geometry=[shapely.box(*box)], crs="EPSG:4326"), "robinson").frame
    width = corners.total_bounds[2] - corners.total_bounds[0]
    assert np.allclose(fitted, corners.total_bounds, rtol=0, atol=0.05 * width) \
        or (fitted[0] >= corners.total_bounds[0] - 1 and fitted[2] <= corners.total_bounds[2] + 1)
    assert (fitted[2] - fitted[0]) < 0.25 * (whole[2] - whole[0])
    # French Guiana is out of the box: France is only its European part
    france = europe.frame.geometry[europe.names.index("France")]
    assert shapely.get_num_geometries(france) < shapely.get_num_geometries(two.frame.geometry[0])


def test_bbox_across_the_antimeridian(world) -> None:
    shapes = geometry.prepare(world, "robinson:180", bbox=[170, -25, -170, -10])  # WEST > EAST: across 180°
    assert "Fiji" in shapes.names
    minx, _, maxx, _ = shapes.frame.total_bounds
    assert maxx - minx < 3_000_000  # about 20° of longitude, not the whole world


def test_10m_pacific_centred_does_not_streak() -> None:
    shapes = geometry.prepare(geometry.read_shapes("world-10m"), "robinson:150")
    coords = shapely.get_coordinates(shapes.frame.geometry.to_numpy())
    assert np.isfinite(coords).all()
    minx, _, maxx, _ = shapes.frame.total_bounds
    parts, region = parts_of(shapes)
    widths = shapely.bounds(parts)[:, 2] - shapely.bounds(parts)[:, 0]
    assert {shapes.names[r] for r in region[widths > (maxx - minx) / 2]} <= {"Antarctica"}
    frame = shapes.frame.set_index(pd.Index(shapes.names))
    fiji = frame.geometry["Fiji"].bounds
    assert fiji[2] - fiji[0] < 800_000
    fiji = shapely.get_parts(frame.geometry["Fiji"])
    # Rejoined at 180°: no two parts meet along a line (there, or anywhere; a point is no border).
    met = [(i, j) for i in range(len(fiji)) for j in range(i + 1, len(fiji))
           if shapely.intersection(fiji[i].boundary, fiji[j].boundary, grid_size=1.0).length > 0]
    assert not met


@pytest.mark.parametrize("projection", ["robinson", "robinson:150"])
def test_10m_keeps_what_lies_either_side_of_180(projection: str) -> None:
    """The built-in world-10m holds Chukotka east of 180° (its file once lost it east of 175.8°W, joining
    Russia's ring from 180° to 30°E along 66°N), Wrangel Island either side of 180°, Fiji's Taveuni
    across it, the Aleutians either side of it and Kiribati's Gilbert, Phoenix and Line Islands."""
    from pyproj import Transformer

    shapes = geometry.prepare(geometry.read_shapes("world-10m"), projection)
    to_map = Transformer.from_crs("EPSG:4326", shapes.frame.crs, always_xy=True)
    frame = shapes.frame.set_index(pd.Index(shapes.names))
    for name, places in {  # points at least 0.03° inside world-atlas' own shapes
        "Russia": [(-175, 66.5), (-177.43, 66.61), (173.17, 65.02), (179.43, 71.18), (-178.78, 71.26)],
        "Fiji": [(177.99, -17.79), (179.2, -16.6), (-179.93, -16.8)],
        "United States of America": [(173.0, 52.88), (178.81, 51.6), (-176.65, 51.81), (-174.16, 52.32)],
        "Kiribati": [(-157.38, 1.82)],
    }.items():
        for lon, lat in places:
            assert frame.geometry[name].contains(shapely.Point(*to_map.transform(lon, lat))), (name, lon, lat)
    for name, lon, lat in (("Kiribati", 172.98, 1.35), ("Kiribati", -171.7, -2.8)):  # Tarawa and Kanton: atolls
        assert frame.geometry[name].distance(shapely.Point(*to_map.transform(lon, lat))) < 5_000, (name, lon, lat)
    assert not frame.geometry["Russia"].intersects(shapely.Point(*to_map.transform(-100, 66.5)))


@pytest.mark.parametrize("lon", [(170, 190), (-190, -170)], ids=["past 180", "past -180"])
def test_a_ring_across_180_is_one_polygon_either_side_of_it(lon: tuple[int, int]) -> None:
    """Natural Earth's 10m shapefile takes Chukotka's rings past 180° (to 190° or from -190°): centred on
    the Pacific, such a ring is one polygon either side of 180°, not two at the map's edges."""
    from pyproj import Transformer

    (w, e), s, n = lon, 60, 70
    gdf = gpd.GeoDataFrame({"name": ["Chukotka", "France"]}, crs="EPSG:4326",
                           geometry=[shapely.box(w, s, e, n), shapely.box(0, 45, 5, 50)])
    for projection, parts in (("robinson:150", 1), ("robinson", 2)):  # Robinson's own seam is at 180°: cut there
        shapes = geometry.prepare(geometry.read_shapes(gdf), projection)
        chukotka = shapely.get_parts(shapes.frame.geometry[shapes.names.index("Chukotka")])
        assert len(chukotka) == parts, projection
    shapes = geometry.prepare(geometry.read_shapes(gdf), "robinson:150")
    to_map = Transformer.from_crs("EPSG:4326", shapes.frame.crs, always_xy=True)
    west, east = (shapely.Point(*to_map.transform(x, 66.5)) for x in (179.0, -175.0))
    chukotka = shapes.frame.geometry[shapes.names.index("Chukotka")]
    assert chukotka.contains(west) and chukotka.contains(east)


@pytest.mark.parametrize("bad,words", [
    ({"projection": "albers-usa:10"}, ["fixed centre"]),
    ({"projection": "robinson:east"}, ["NAME:LON"]),
    ({"projection": "orthographic:0,91"}, ["LON,LAT"]),
    ({"bbox": [1, 2, 3]}, ["four numbers"]),
    ({"bbox": [10, 50, 20, 40]}, ["south < north"]),
    ({"bbox": [-170, -60, -160, -50]}, ["no shape lies in it"]),
    ({"only": "continent"}, ["FIELD=VALUE"]),
    ({"only": "contnent=Europe"}, ["no field 'contnent'"]),
    ({"only": "continent=Atlantis"}, ["no shape has continent Atlantis"]),
])
def test_bad_projection_bbox_only(world, bad: dict, words: list[str]) -> None:
    with pytest.raises(UserError) as info:
        geometry.prepare(world, **{"projection": "robinson", **bad})
    for word in words:
        assert word in str(info.value)
    assert "\n" not in str(info.value)


def test_albers_usa_puts_each_part_in_its_box(world) -> None:
    """The United States of a world file: the lower 48, Alaska and Hawaii, each inside its own box,
    where d3's geoAlbersUsa puts them (d3 units: the lower 48's scale is 1)."""
    from generator.geo import albers_usa

    shapes = geometry.prepare(world, "albers-usa")
    usa = shapes.frame.geometry[shapes.names.index("United States of America")]
    boxes = {p.name: shapely.box(*albers_usa.box(p)) for p in albers_usa.PARTS}
    parts = shapely.get_parts(usa)
    for name in ("lower 48", "Alaska", "Hawaii"):
        inside = [p for p in parts if boxes[name].buffer(1.0).contains(p)]
        assert inside, name
    assert all(any(b.buffer(1.0).contains(p) for b in boxes.values()) for p in parts)
    assert len(shapes.outlines) == 3  # Alaska, Hawaii, Puerto Rico (a country of its own in the file)
    # Points where d3-geo's geoAlbersUsa().scale(1).translate([0, 0]) puts them (y down there).
    for lonlat, d3 in (((-118.24, 34.05), (-0.3082, 0.0448)), ((-149.9, 61.22), (-0.2886, 0.1840)),
                       ((-157.86, 21.31), (-0.1697, 0.1878)), ((-104.99, 39.74), (-0.1113, -0.0239))):
        x, y = albers_usa.project_points(*lonlat)[0] / albers_usa.RADIUS
        assert abs(x - d3[0]) < 2e-4 and abs(-y - d3[1]) < 2e-4, lonlat
