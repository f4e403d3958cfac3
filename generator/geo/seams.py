"""Stage 2, shapes, cutting in degrees: shapes made continuous across the 180th meridian, cut at a seam, clipped.

PROJ wraps each longitude around the central meridian on its own, so a polygon with vertices either
side of the projection's seam (the meridian opposite the central one) would be drawn across the
whole map. Here, in longitude/latitude, rings are unwrapped where a file crosses 180° (read by
geometry.py), shapes are cut at the seam and clipped to an area (--bbox, Mercator's latitudes, an
orthographic globe's visible cap), and the pieces of a globe rejoined once projected. projections.py
decides what to cut and projects.
"""
from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely.affinity import translate
from shapely.geometry import MultiPolygon

SEAM_GAP = 1e-6  # degrees left out either side of the seam: PROJ then puts each side on its own edge
HORIZON_MARGIN = 0.5  # degrees inside the orthographic horizon (≈ 0.2 km from the globe's rim)


def unwrap_rings(geoms: np.ndarray) -> np.ndarray:
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


def clip(geoms: np.ndarray, area: object) -> np.ndarray:
    """Each geometry intersected with `area` (None where nothing is left); untouched where inside it."""
    shapely.prepare(area)
    out = np.array(geoms, dtype=object)
    inside = shapely.contains(area, out)
    cut = ~inside & shapely.intersects(area, out)
    out[~inside & ~cut] = None
    if cut.any():
        out[cut] = [_polygonal(g) for g in shapely.intersection(out[cut], area)]
    return out


def wrap(geoms: np.ndarray, lon0: float, gap: float = SEAM_GAP) -> np.ndarray:
    """Cut every geometry at the seam (lon0 ± 180) and move its pieces into [lon0 - 180, lon0 + 180].

    Pieces that meet once moved (Russia's Chukotka and the rest, both halves of Fiji when the seam is
    elsewhere) are merged, so no border is drawn along the 180th meridian in the middle of the map.
    PROJ wraps each longitude around lon0 on its own: a polygon with vertices either side of the
    seam would be drawn across the whole map; a gap of SEAM_GAP either side keeps the sides apart.
    (Where the seam is no edge of the map, as on a globe, `gap` is 0 and the pieces are rejoined once
    projected: see rejoin.)
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


def visible_cap(lon0: float, lat0: float, margin: float = HORIZON_MARGIN) -> object:
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


def to_lonlat(gdf: gpd.GeoDataFrame, lonlat: CRS) -> gpd.GeoDataFrame:
    """The shapes in the geographic CRS `lonlat`, their rings made continuous again (PROJ may bring
    longitudes back into ±180)."""
    if gdf.crs.equals(lonlat):
        return gdf
    gdf = gdf.to_crs(lonlat)
    gdf[gdf.geometry.name] = unwrap_rings(gdf.geometry.to_numpy())
    return gdf


def rejoin(geoms: np.ndarray) -> np.ndarray:
    """Projected pieces that meet along a seam (a line, on a globe), merged: no border drawn there.
    The two sides of the seam project to the same points but for rounding: a 1 m grid joins them."""
    out = np.array(geoms, dtype=object)
    out[:] = [g if g is None else _polygonal(shapely.union_all(shapely.get_parts(g), grid_size=1.0)) for g in out]
    return out


def finite(geoms: np.ndarray) -> np.ndarray:
    """Leave out the polygons with a coordinate the projection could not compute (inf/NaN)."""
    out = np.array(geoms, dtype=object)
    coords, index = shapely.get_coordinates(out, return_index=True)
    for i in np.unique(index[~np.isfinite(coords).all(axis=1)]):
        polys = [p for p in shapely.get_parts(out[i]) if np.isfinite(shapely.get_coordinates(p)).all()]
        out[i] = MultiPolygon(polys) if polys else None
    return out
