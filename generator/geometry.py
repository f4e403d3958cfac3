"""Stage 4b: shapes file -> projected, simplified, quantized TopoJSON (one geometry per region, in order).

All the heavy geometry work happens here, once: geopandas/pyogrio read any format, pyproj projects
(the browser never projects), topojson builds a shared-arc topology, simplifies it with topology
preserved and quantizes it. The page only scales the quantized coordinates to its canvas.

Before projecting, in longitude/latitude (the projection's own geographic CRS): keep the shapes
`--only` names, clip them to `--bbox`, cut every shape at the projection's seam (the meridian
opposite its central meridian) so no polygon spans the map from edge to edge, and clip to what the
projection can show (Mercator: ±85°; orthographic: the visible hemisphere). The map's extent is
then the extent of what is left.
"""
from __future__ import annotations

import json
import os
import sys
import warnings
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
import topojson
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.affinity import translate
from shapely.geometry import MultiPolygon

from . import albers_usa, builtin
from .errors import UserError, first_line
from .regions import country_code, name_field

PROJECTIONS = {
    "robinson": "ESRI:54030",
    "equal-earth": "EPSG:8857",
    "natural-earth": "+proj=natearth +lon_0=0 +datum=WGS84 +units=m +no_defs",
    "mercator": "EPSG:3857",
    "albers-usa": "ESRI:102003",  # the lower 48's plain Albers; prepare() draws the composite (albers_usa.py)
    "albers": "ESRI:102003",
    "albers-europe": "ESRI:102013",
    "plate-carree": "EPSG:4326",
    "orthographic": "+proj=ortho +lon_0={lon} +lat_0={lat} +datum=WGS84 +units=m +no_defs",
}
# `NAME:LON` moves the central meridian of these (`orthographic:LON,LAT` its centre).
CENTRED = {
    "robinson": "+proj=robin +lon_0={lon} +datum=WGS84 +units=m +no_defs",
    "equal-earth": "+proj=eqearth +lon_0={lon} +datum=WGS84 +units=m +no_defs",
    "natural-earth": "+proj=natearth +lon_0={lon} +datum=WGS84 +units=m +no_defs",
    "mercator": "+proj=merc +lon_0={lon} +datum=WGS84 +units=m +no_defs",
    "plate-carree": "+proj=eqc +lon_0={lon} +datum=WGS84 +units=m +no_defs",
    "orthographic": PROJECTIONS["orthographic"],
}
QUANTIZATION = 100_000
SEAM_GAP = 1e-6  # degrees left out either side of the seam: PROJ then puts each side on its own edge
DENSIFY = 1.0  # degrees: longer edges get vertices, so they bend with the projection
MERCATOR_LAT = 85.0
HORIZON_MARGIN = 0.5  # degrees inside the orthographic horizon (≈ 0.2 km from the globe's rim)


@dataclass
class Shapes:
    frame: gpd.GeoDataFrame  # projected; one row per region
    keys_table: dict[str, list[str]]  # every attribute column as strings, for key matching
    names: list[str]
    globe: list[float] | None = None  # an orthographic map's horizon: centre x, y and radius, projected
    outlines: list | None = None  # lines drawn like borders: the insets' boxes of a composite projection


def read_shapes(path: str | os.PathLike | gpd.GeoDataFrame | None, layer: str | None = None,
                flag: str = "--shapes") -> gpd.GeoDataFrame:
    """A shapes file, built-in shapes by name (`us-counties`), or a GeoDataFrame given in Python (copied,
    not changed); `layer` picks one of a file's layers."""
    if isinstance(path, gpd.GeoDataFrame):
        where, gdf = "the shapes GeoDataFrame", path.copy()
    else:
        name = str(path) if path else None
        p = builtin.shapes_path(name)
        layer = builtin.builtin_layer(name, layer)
        if not p.exists():
            raise UserError(f"{flag} {str(p)!r}: no such file; give a shapefile, GeoPackage, GeoJSON or TopoJSON, "
                            f"or built-in shapes: {', '.join(builtin.BUILTIN)}")
        try:
            layers = [str(n) for n in pyogrio.list_layers(p)[:, 0]]
            if layer is not None and layer not in layers:
                which = "--layer" if flag == "--shapes" else f"{flag} …:"
                raise UserError(f"{which} {layer!r}: {p.name} has no such layer (its layers: {', '.join(layers)})")
            if layer is None and len(layers) > 1:
                _say(f"shapes: layer {layers[0]!r} of {', '.join(layers)} in {p.name} (choose with --layer)")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gdf = builtin.with_codes(gpd.read_file(p, layer=layer), name)
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever GDAL says, the user hears one line
            raise UserError(f"{flag} {str(p)!r} cannot be read ({first_line(exc)}); give a valid shapefile, "
                            "GeoPackage, GeoJSON or TopoJSON") from None
        where = f"{flag} {str(p)!r}"
    geoms = gdf.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.all():
        _say(f"shapes: {int((~present).sum())} features without geometry left out "
             f"({', '.join(map(str, _names_of(gdf[~present])))[:200]})")
    gdf = gdf[present].reset_index(drop=True)
    if gdf.empty:
        raise UserError(f"{where} holds no geometries; check the file")
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180.5 <= minx and maxx <= 180.5 and -90.5 <= miny and maxy <= 90.5):
            raise UserError(f"{where} has no CRS and is not in degrees; add a .prj file or set_crs()")
        gdf = gdf.set_crs("EPSG:4326")
    if gdf.crs.is_geographic:
        gdf["geometry"] = _unwrap_rings(gdf.geometry.to_numpy())
    invalid = int((~gdf.geometry.is_valid).sum())
    if invalid:
        _say(f"shapes: {invalid} invalid geometries repaired")
    # "structure" keeps polygons polygons (the default can turn slivers into lines).
    gdf["geometry"] = shapely.make_valid(gdf.geometry.to_numpy(), method="structure", keep_collapsed=False)
    return gdf


def _unwrap_rings(geoms: np.ndarray) -> np.ndarray:
    """Rings that cross the 180th meridian the short way, as in world-atlas/d3 files (an edge from
    179.9° to -180°), given continuous longitudes (to 180.1°); a ring that so goes once around a pole
    is closed over that pole. Files split at ±180° (Natural Earth's own) have no such edge but along
    the map's border (-180° to 180° at one latitude) and are left as they are."""
    out = np.array(geoms, dtype=object)
    parts, part_of = shapely.get_parts(out, return_index=True)  # a missing geometry has none
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    xy, r = shapely.get_coordinates(rings, return_index=True)
    if len(xy) < 2:
        return out
    jump = (r[1:] == r[:-1]) & (np.abs(np.diff(xy[:, 0])) > 180)
    border = np.abs(np.abs(xy[:, 0]) - 180) < 1e-9
    if not (jump & ~(border[1:] & border[:-1])).any():
        return out
    for i in np.unique(part_of[ring_of[r[:-1][jump]]]):
        polys = [_unwrap_polygon(p) if p.geom_type == "Polygon" else p for p in shapely.get_parts(out[i])]
        out[i] = polys[0] if len(polys) == 1 else MultiPolygon(polys) if all(
            p.geom_type == "Polygon" for p in polys) else shapely.GeometryCollection(polys)
    return out


def _unwrap_polygon(poly: shapely.Polygon) -> shapely.Polygon:
    """The polygon with continuous longitudes, its holes moved to the turn of its shell."""
    shell = _unwrap_ring(np.asarray(poly.exterior.coords))
    holes = [_unwrap_ring(np.asarray(h.coords)) for h in poly.interiors]
    middle = (shell[:, 0].min() + shell[:, 0].max()) / 2
    return shapely.Polygon(shell, [h + [360.0 * np.round((middle - h[:, 0].mean()) / 360.0), 0] for h in holes])  # noqa: RUF005 - numpy +


def _unwrap_ring(c: np.ndarray) -> np.ndarray:
    c = c[:, :2].copy()
    c[:, 0] = np.unwrap(c[:, 0], period=360.0)
    around = c[-1, 0] - c[0, 0]
    if abs(around) > 180:  # once around a pole: along the pole back to the start
        pole = 90.0 if c[:, 1].mean() > 0 else -90.0
        c = np.vstack([c[:-1], [c[-1, 0], c[-1, 1]], [c[-1, 0], pole], [c[0, 0], pole], c[:1]])
    return c


def resolve_crs(projection: str, shapes: gpd.GeoDataFrame | None = None) -> CRS:
    """The CRS of a projection alias (`robinson`, `robinson:150`, `orthographic:10,50`…) or CRS text.

    A bare `orthographic` is centred on `shapes` (on 0,0 without them).
    """
    name, colon, args = projection.partition(":")
    key = name.strip().lower()
    text = projection
    if key in PROJECTIONS and not colon:
        text = PROJECTIONS[key]
        if key == "orthographic":
            lon, lat = _centre_of(shapes) if shapes is not None else (0.0, 0.0)
            text = text.format(lon=lon, lat=lat)
    elif key in PROJECTIONS:
        try:
            centre = [float(v) for v in args.split(",")]
        except ValueError:
            centre = []
        wanted = 2 if key == "orthographic" else 1
        if key not in CENTRED:
            raise UserError(f"--projection {projection!r}: {key} has a fixed centre; NAME:LON works with "
                            f"{', '.join(CENTRED)}, or give a CRS")
        if not (1 <= len(centre) <= wanted) or not all(np.isfinite(centre)) \
                or not -360 <= centre[0] <= 360 or (len(centre) == 2 and not -90 <= centre[1] <= 90):
            raise UserError(f"--projection {projection!r}: give a centre as NAME:LON (robinson:150) or "
                            "orthographic:LON,LAT in degrees (-360…360, -90…90)")
        text = CENTRED[key].format(lon=centre[0], lat=centre[1] if len(centre) == 2 else 0.0)
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise UserError(f"--projection {projection!r} is not a CRS; use {', '.join(PROJECTIONS)}, "
                        "an EPSG code or a PROJ string") from None


@dataclass
class _View:
    """What the projection can show, in its geographic CRS: a central meridian, a centre, limits."""
    lonlat: CRS  # the geographic CRS the shapes are cut in (the projection's own, in degrees)
    lon0: float  # central meridian: the seam is lon0 ± 180
    lat0: float
    origin: tuple[float, float]  # false easting and northing: where the centre lands once projected
    mercator: bool
    orthographic: bool
    radius: float  # the ellipsoid's semi-major axis: an orthographic globe's radius


def _view(crs: CRS) -> _View:
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    geodetic = base.geodetic_crs if base.geodetic_crs is not None else CRS("EPSG:4326")
    axes = geodetic.axis_info
    meridian = geodetic.prime_meridian
    if meridian is None or meridian.longitude != 0 or not axes or not axes[0].unit_name.lower().startswith("degree") \
            or not geodetic.is_geographic:
        geodetic = CRS("EPSG:4326")
    op = base.coordinate_operation if base.is_projected else None
    with warnings.catch_warnings():  # "you will likely lose information": only a few parameters are read
        warnings.simplefilter("ignore")
        proj = base.to_dict() if op is not None else {}

    def angle(prefix: str, key: str) -> float:
        for p in op.params if op is not None else ():
            name = p.name.lower()
            if name.startswith(prefix) and "point" not in name and "parallel" not in name:
                return float(np.degrees(float(p.value) * p.unit_conversion_factor))
        return float(proj.get(key, 0.0))

    method = op.method_name.lower() if op is not None else ""
    return _View(lonlat=geodetic, lon0=angle("longitude of", "lon_0"), lat0=angle("latitude of", "lat_0"),
                 origin=(float(proj.get("x_0", 0)), float(proj.get("y_0", 0))),
                 mercator="mercator" in method and "transverse" not in method and "oblique" not in method,
                 orthographic=method == "orthographic" or proj.get("proj") == "ortho",
                 radius=float(base.ellipsoid.semi_major_metre) if base.ellipsoid else 6_378_137.0)


def _centre_of(shapes: gpd.GeoDataFrame) -> tuple[float, float]:
    """The centre of the shapes on the sphere (mean of their parts' unit vectors, by area), rounded to 0.1°."""
    parts = shapely.get_parts(shapes.to_crs("EPSG:4326").geometry.to_numpy())
    c = shapely.get_coordinates(shapely.centroid(parts))
    if not len(c):
        return 0.0, 0.0
    lon, lat = np.radians(c[:, 0]), np.radians(c[:, 1])
    w = shapely.area(parts) * np.cos(lat) + 1e-12
    v = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]) @ w
    if np.linalg.norm(v) < 1e-9 * w.sum():
        return 0.0, 0.0
    return (round(float(np.degrees(np.arctan2(v[1], v[0]))), 1),
            round(float(np.degrees(np.arctan2(v[2], np.hypot(v[0], v[1])))), 1))


def _polygonal(g: Any) -> Any:
    """The polygons of a geometry (an overlay can leave lines and points where edges touch); None if none."""
    if g is None or g.is_empty:
        return None
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = shapely.get_parts(g)
    polys = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    polys += [q for p in parts if p.geom_type == "MultiPolygon" for q in p.geoms]
    return MultiPolygon(polys) if polys else None


def _clip(geoms: np.ndarray, area: object) -> np.ndarray:
    """Each geometry intersected with `area` (None where nothing is left); untouched where inside it."""
    shapely.prepare(area)
    out = np.array(geoms, dtype=object)
    inside = shapely.contains(area, out)
    cut = ~inside & shapely.intersects(area, out)
    out[~inside & ~cut] = None
    if cut.any():
        out[cut] = [_polygonal(g) for g in shapely.intersection(out[cut], area)]
    return out


def _wrap(geoms: np.ndarray, lon0: float, gap: float = SEAM_GAP) -> np.ndarray:
    """Cut every geometry at the seam (lon0 ± 180) and move its pieces into [lon0 - 180, lon0 + 180].

    Pieces that meet once moved (Russia's Chukotka and the rest, both halves of Fiji when the seam is
    elsewhere) are merged, so no border is drawn along the 180th meridian in the middle of the map.
    PROJ wraps each longitude around lon0 on its own: a polygon with vertices either side of the
    seam would be drawn across the whole map; a gap of SEAM_GAP either side keeps the sides apart.
    (Where the seam is no edge of the map, as on a globe, `gap` is 0 and the pieces are rejoined once
    projected: see _rejoin.)
    """
    w0, w1 = lon0 - 180.0, lon0 + 180.0
    meet = [x for x in 180.0 + 360.0 * np.arange(-3, 4) if w0 < x < w1]  # where ±180° lies once moved
    out = np.array(geoms, dtype=object)
    bounds = shapely.bounds(out)  # NaN where there is no geometry: nothing to cut
    inside = (bounds[:, 0] >= w0 + gap) & (bounds[:, 2] <= w1 - gap)
    for i in np.flatnonzero(~inside & ~np.isnan(bounds[:, 0])):
        k0, k1 = (int(np.floor((bounds[i, j] - w0) / 360)) for j in (0, 2))
        turns = list(range(k0, k1 + 1))
        if k0 == k1 and bounds[i, 0] >= w0 + 360 * k0 + gap and bounds[i, 2] <= w1 + 360 * k0 - gap:
            pieces = [out[i]]  # wholly within one turn: moved, not cut
        else:
            pieces = [_polygonal(shapely.intersection(out[i], shapely.box(w0 + 360 * k + gap, -90,
                                                                          w1 + 360 * k - gap, 90))) for k in turns]
        parts = [p for piece, k in zip(pieces, turns) if piece is not None
                 for p in shapely.get_parts(translate(piece, xoff=-360.0 * k))]
        out[i] = _join(parts, meet)
    return out


def _join(parts: list, meet: list[float]) -> object:
    """The parts as one geometry, those that touch a meridian in `meet` merged (on a 1e-9° grid: the
    two sides of 180° may differ by rounding, as world-atlas' Siberia and Chukotka do)."""
    if not parts:
        return None
    b = shapely.bounds(np.array(parts, dtype=object))
    touch = np.zeros(len(parts), dtype=bool)
    for x in meet:
        touch |= (np.abs(b[:, 0] - x) < 1e-7) | (np.abs(b[:, 2] - x) < 1e-7)
    if touch.sum() >= 2:
        merged = _polygonal(shapely.union_all([p for p, t in zip(parts, touch) if t], grid_size=1e-9))
        parts = [p for p, t in zip(parts, touch) if not t] + ([] if merged is None else list(shapely.get_parts(merged)))
    polys = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    return None if not polys else polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _visible_cap(lon0: float, lat0: float, margin: float = HORIZON_MARGIN) -> object:
    """The hemisphere an orthographic projection centred on (lon0, lat0) shows, less `margin` degrees,
    as a polygon in [lon0 - 180, lon0 + 180] × [-90, 90] (spherical; the margin covers the ellipsoid)."""
    d = np.radians(90.0 - margin)
    phi0 = np.radians(lat0)
    az = np.radians(np.arange(0.0, 360.0, 0.25))
    lat = np.arcsin(np.sin(phi0) * np.cos(d) + np.cos(phi0) * np.sin(d) * np.cos(az))
    dlon = np.arctan2(np.sin(az) * np.sin(d) * np.cos(phi0), np.cos(d) - np.sin(phi0) * np.sin(lat))
    lon, lat = np.degrees(dlon), np.degrees(lat)
    if abs(lat0) <= margin:  # the cap holds no pole: its rim is a closed curve within lon0 ± 90
        return shapely.Polygon(np.column_stack([lon0 + lon, lat]))
    # The cap holds a pole: its rim runs once around, from the seam to the seam; close it over the pole.
    pole = 90.0 if lat0 > 0 else -90.0
    far = lat[0] if lat0 > 0 else lat[len(az) // 2]  # where the rim crosses the seam, beyond the pole
    keep = np.abs(lon) < 180.0 - 1e-9
    order = np.argsort(lon[keep])
    rim = np.column_stack([lon0 + lon[keep][order], lat[keep][order]])
    ring = np.vstack([[lon0 - 180.0, far], rim, [lon0 + 180.0, far], [lon0 + 180.0, pole], [lon0 - 180.0, pole]])
    return shapely.make_valid(shapely.Polygon(ring))


def _parse_only(only: str, columns: list[str]) -> tuple[str, list[str]]:
    field, eq, values = only.partition("=")
    field = field.strip()
    wanted = [v.strip() for v in values.split(",") if v.strip()]
    if not eq or not field or not wanted:
        raise UserError(f"--only {only!r}: give FIELD=VALUE[,VALUE...], e.g. continent=Europe or iso_a3=FRA,DEU")
    if field not in columns:
        same = [c for c in columns if c.lower() == field.lower()]
        if not same:
            raise UserError(f"--only {only!r}: the shapes have no field {field!r} (fields: {', '.join(columns)})")
        field = same[0]
    return field, wanted


def _select(gdf: gpd.GeoDataFrame, only: str) -> gpd.GeoDataFrame:
    """The shapes whose field has one of the values: equal (case-insensitive) or, for a value that
    equals none, the same ISO country by the field or the shape's name, as region codes match
    (Natural Earth's France has iso_a3 -99: --only iso_a3=FRA still finds it)."""
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    field, wanted = _parse_only(only, columns)
    text = [_text(v) for v in gdf[field]]
    folded = np.array([t.casefold() for t in text], dtype=object)
    isos = None  # each shape's country, by the field or its name: found once, when a value needs it
    keep = np.zeros(len(gdf), dtype=bool)
    missing = []
    for w in wanted:
        hit = folded == w.casefold()
        iso = country_code(w) if not hit.any() else None
        if iso:
            if isos is None:
                field_names = name_field(columns)
                names = [str(v) for v in gdf[field_names]] if field_names else [""] * len(gdf)
                isos = np.array([country_code(t) or country_code(n) for t, n in zip(text, names)], dtype=object)
            hit = isos == iso
        if not hit.any():
            missing.append(w)
        keep |= hit
    if not keep.any():
        values = sorted(set(text) - {""})
        raise UserError(f"--only {only!r}: no shape has {field} {' or '.join(wanted)} "
                        f"({field} values: {', '.join(values[:12])}{' …' if len(values) > 12 else ''})")
    if missing:
        _say(f"shapes: no shape has {field} {', '.join(missing)} (--only)")
    _say(f"shapes: {int(keep.sum())} of {len(gdf)} kept by --only {only}")
    return gdf[keep].reset_index(drop=True)


def _parse_bbox(bbox: list[float]) -> tuple[float, float, float, float]:
    ok = len(bbox) == 4 and all(isinstance(v, (int, float)) and np.isfinite(v) for v in bbox)
    if ok:
        lon0, lat0, lon1, lat1 = (float(v) for v in bbox)
        ok = -90 <= lat0 < lat1 <= 90 and -360 <= lon0 <= 360 and -360 <= lon1 <= 360 and lon0 != lon1
    if not ok:
        text = ",".join(f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in bbox)
        raise UserError(f"--bbox {text!r}: give four numbers WEST,SOUTH,EAST,NORTH in degrees, south < north, "
                        "e.g. --bbox=-25,34,45,72 (WEST > EAST crosses the 180th meridian)")
    return lon0, lat0, lon1, lat1


def _bbox_area(bbox: tuple[float, float, float, float]) -> object:
    """The box, repeated every 360° (the shapes may use -180…180 or 0…360)."""
    lon0, lat0, lon1, lat1 = bbox
    if lon1 < lon0:
        lon1 += 360.0
    return shapely.union_all([shapely.box(lon0 + k, lat0, lon1 + k, lat1) for k in (-720.0, -360.0, 0.0, 360.0)])


def _to_lonlat(gdf: gpd.GeoDataFrame, lonlat: CRS) -> gpd.GeoDataFrame:
    """The shapes in the geographic CRS `lonlat`, their rings made continuous again (PROJ may bring
    longitudes back into ±180)."""
    if gdf.crs.equals(lonlat):
        return gdf
    gdf = gdf.to_crs(lonlat)
    gdf[gdf.geometry.name] = _unwrap_rings(gdf.geometry.to_numpy())
    return gdf


def _rejoin(geoms: np.ndarray) -> np.ndarray:
    """Projected pieces that meet along a seam (a line, on a globe), merged: no border drawn there.
    The two sides of the seam project to the same points but for rounding: a 1 m grid joins them."""
    out = np.array(geoms, dtype=object)
    out[:] = [g if g is None else _polygonal(shapely.union_all(shapely.get_parts(g), grid_size=1.0)) for g in out]
    return out


def _finite(geoms: np.ndarray) -> np.ndarray:
    """Leave out the polygons with a coordinate the projection could not compute (inf/NaN)."""
    out = np.array(geoms, dtype=object)
    coords, index = shapely.get_coordinates(out, return_index=True)
    for i in np.unique(index[~np.isfinite(coords).all(axis=1)]):
        polys = [p for p in shapely.get_parts(out[i]) if np.isfinite(shapely.get_coordinates(p)).all()]
        out[i] = MultiPolygon(polys) if polys else None
    return out


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def prepare(gdf: gpd.GeoDataFrame, projection: str, bbox: list[float] | None = None,
            only: str | None = None) -> Shapes:
    """Select, cut and project the shapes; the frame holds what is left, one row per region."""
    if only:
        gdf = _select(gdf, only)
    box = _parse_bbox(list(bbox)) if bbox is not None else None
    gdf = _to_lonlat(gdf, CRS("EPSG:4326"))
    if box is not None:
        clipped = _clip(gdf.geometry.to_numpy(), _bbox_area(box))
        if all(g is None for g in clipped):
            raise UserError(f"--bbox {','.join(f'{v:g}' for v in box)}: no shape lies in it; the shapes span "
                            f"{','.join(f'{v:.0f}' for v in gdf.total_bounds)} (west, south, east, north)")
        gdf = gdf.set_geometry(list(clipped), crs="EPSG:4326")
    outlines: list | None = None
    view: _View | None = None
    if is_composite(projection):
        geoms, used = albers_usa.project(shapely.segmentize(gdf.geometry.to_numpy(), DENSIFY))
        projected = gpd.GeoDataFrame(gdf.drop(columns=gdf.geometry.name), geometry=list(geoms))
        outlines = albers_usa.outlines(used)
    else:
        crs = resolve_crs(projection, gdf)
        view = _view(crs)
        projected = _project(gdf, crs, view)
    shown = projected.geometry.notna().to_numpy() & ~projected.geometry.is_empty.to_numpy()
    if not shown.any():
        raise UserError(f"--projection {projection!r} shows none of the shapes; choose another centre or projection")
    if not shown.all():
        why = "outside --bbox" if box is not None else "outside what the projection shows"
        _say(f"shapes: {int((~shown).sum())} of {len(shown)} left out ({why}: "
             f"{', '.join(map(str, _names_of(projected[~shown])))[:200]})")
    projected = projected[shown].reset_index(drop=True)
    columns = [c for c in projected.columns if c != projected.geometry.name]
    table = {c: [_text(v) for v in projected[c]] for c in columns}
    field = name_field(columns)
    names = table[field] if field else [str(i) for i in range(len(projected))]
    # A whole globe is shown as one, its sea drawn to the horizon; a selection (--only, --bbox) fits its shapes.
    globe = None
    if view is not None and view.orthographic and not (only or box):
        globe = [*view.origin, float(view.radius)]
    return Shapes(frame=projected, keys_table=table, names=names, globe=globe, outlines=outlines)


def is_composite(projection: str) -> bool:
    """`albers-usa`: the US composite projection (albers_usa.py), not one CRS."""
    return projection.strip().lower() == "albers-usa"


def _project(gdf: gpd.GeoDataFrame, crs: CRS, view: _View) -> gpd.GeoDataFrame:
    """Cut at the projection's seam, clip to what it shows, project."""
    lonlat = _to_lonlat(gdf, view.lonlat)
    geoms = _wrap(shapely.segmentize(lonlat.geometry.to_numpy(), DENSIFY), view.lon0,
                  gap=0.0 if view.orthographic else SEAM_GAP)
    if view.mercator:
        geoms = _clip(geoms, shapely.box(view.lon0 - 180, -MERCATOR_LAT, view.lon0 + 180, MERCATOR_LAT))
    if view.orthographic:
        geoms = _clip(geoms, _visible_cap(view.lon0, view.lat0))
        bounds = shapely.bounds(geoms)  # NaN where nothing is left: not on the seam
        on_seam = (bounds[:, 0] <= view.lon0 - 180 + 1e-9) | (bounds[:, 2] >= view.lon0 + 180 - 1e-9)
    frame = gpd.GeoDataFrame(lonlat.drop(columns=lonlat.geometry.name), geometry=list(geoms), crs=view.lonlat)
    projected = frame.to_crs(crs)
    out = _finite(projected.geometry.to_numpy())
    if view.orthographic:
        out[on_seam] = _rejoin(out[on_seam])
    projected[projected.geometry.name] = out
    return projected


def _names_of(gdf: gpd.GeoDataFrame) -> list[str]:
    field = name_field([c for c in gdf.columns if c != gdf.geometry.name])
    return [str(v) for v in gdf[field]] if field else [str(i) for i in gdf.index]


def _text(v: object) -> str:
    """An attribute value as text for key matching: "" when missing (None, NaN), 3.0 as "3"."""
    if v is None or v != v:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def to_topology(shapes: Shapes, simplify: float = 0.5, width_px: int = 1920) -> dict:
    """TopoJSON with one geometry per region, in region order, under objects.regions.

    `simplify` is the tolerance in pixels of a map drawn `width_px` wide.
    """
    gdf = shapes.frame[[shapes.frame.geometry.name]].copy()
    gdf["i"] = np.arange(len(gdf))
    minx, miny, maxx, maxy = gdf.total_bounds
    tolerance = simplify * max(maxx - minx, maxy - miny) / width_px
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topo = topojson.Topology(gdf, prequantize=QUANTIZATION, toposimplify=tolerance,
                                 simplify_with="shapely", object_name="regions")
        data = json.loads(topo.to_json() or "{}")
    by_index = {g["properties"]["i"]: g for g in data["objects"]["regions"]["geometries"]}
    geometries = []
    for i in range(len(gdf)):  # topojson drops what collapsed; keep the order and an empty slot
        g = by_index.get(i, {"type": None})
        geometries.append({k: v for k, v in g.items() if k in ("type", "arcs")})
    data["objects"]["regions"]["geometries"] = geometries
    for line in shapes.outlines or []:  # an inset's box is drawn whole
        x0, y0, x1, y1 = line.bounds
        minx, miny, maxx, maxy = min(minx, x0), min(miny, y0), max(maxx, x1), max(maxy, y1)
    if shapes.globe:
        gx, gy, r = shapes.globe
        minx, miny, maxx, maxy = min(minx, gx - r), min(miny, gy - r), max(maxx, gx + r), max(maxy, gy + r)
    data["bbox"] = [float(minx), float(miny), float(maxx), float(maxy)]
    return data
