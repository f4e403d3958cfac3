"""Stage 2, shapes: the US composite projection `albers-usa`: the lower 48 states in Albers conic
equal-area, Alaska, Hawaii, Puerto Rico (with the Virgin Islands), American Samoa and Guam (with the
Northern Mariana Islands) as scaled insets, each clipped to its box, placed as d3-geo's geoAlbersUsa
places Alaska and Hawaii and d3-composite-projections' geoAlbersUsaTerritories the territories.

A shape goes to a part by where it is (a window in longitude and latitude), so any US shapes file
works, and a region with parts in several places (the United States of a world file) keeps them all.
Coordinates are d3's, on a sphere of the Earth's mean radius in metres, with y pointing north.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon

RADIUS = 6_371_008.8  # metres: d3 projects on the unit sphere; its offsets are in these units


@dataclass(frozen=True)
class Part:
    name: str
    proj: str  # the part's own projection, on the sphere: a PROJ string, or "rotated-eqc" (see _rotated_eqc)
    centre: tuple[float, float]  # lon, lat that lands on `at`
    scale: float  # relative to the lower 48
    at: tuple[float, float]  # where the centre lands, in d3 units (× the lower 48's scale), y north
    box: tuple[float, float, float, float]  # the inset's clip box, d3 units, y north
    windows: tuple[tuple[float, float, float, float], ...]  # lon/lat boxes of the shapes it takes


def _aea(lon0: float, lat1: float, lat2: float) -> str:
    return f"+proj=aea +lat_1={lat1} +lat_2={lat2} +lat_0=0 +lon_0={lon0} +R={RADIUS} +units=m +no_defs"


ROTATED_EQC = "rotated-eqc"  # d3's geoEquirectangular().rotate([-lon, -lat]) of the part's centre


def _rotated_eqc(lon: npt.ArrayLike, lat: npt.ArrayLike, centre: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """d3's equirectangular on a sphere rotated to put `centre` at (0, 0), as d3-composite-projections
    draws American Samoa and Guam: its d3-geo rotation (longitude first, wrapped to ±180°, then
    latitude about the new x axis), in metres. PROJ's eqc with lat_ts scales x instead, up to 2 px off."""
    dlam, dphi = np.radians(-centre[0]), np.radians(-centre[1])
    lam = np.radians(np.asarray(lon, dtype=float)) + dlam
    lam = np.where(lam > np.pi, lam - 2 * np.pi, np.where(lam < -np.pi, lam + 2 * np.pi, lam))
    phi = np.radians(np.asarray(lat, dtype=float))
    x, y, z = np.cos(lam) * np.cos(phi), np.sin(lam) * np.cos(phi), np.sin(phi)
    k = z * np.cos(dphi) + x * np.sin(dphi)
    return (np.arctan2(y, x * np.cos(dphi) - z * np.sin(dphi)) * RADIUS,
            np.arcsin(np.clip(k, -1.0, 1.0)) * RADIUS)


# d3's boxes have y down; here y points north, so each y range is negated.
PARTS = (
    Part("lower 48", _aea(-96, 29.5, 45.5), (-96.6, 38.7), 1.0, (0.0, 0.0), (-0.455, -0.238, 0.455, 0.238),
         ((-128.0, 23.0, -64.0, 50.0),)),
    Part("Alaska", _aea(-154, 55, 65), (-156.0, 58.5), 0.35, (-0.307, -0.201), (-0.425, -0.234, -0.214, -0.120),
         ((-180.0, 50.0, -129.0, 72.0), (170.0, 50.0, 180.0, 72.0))),
    Part("Hawaii", _aea(-157, 8, 18), (-160.0, 19.9), 1.0, (-0.205, -0.212), (-0.214, -0.234, -0.115, -0.166),
         ((-179.0, 18.0, -154.0, 29.0),)),
    Part("Puerto Rico", _aea(-66, 8, 18), (-66.0, 18.0), 1.0, (0.350, -0.224), (0.312, -0.233, 0.385, -0.2064),
         ((-68.0, 17.0, -64.0, 19.0),)),
    Part("American Samoa", ROTATED_EQC, (-173.0, -14.0), 2.0, (-0.492, -0.090),
         (-0.4243, -0.1197, -0.3233, -0.0903), ((-172.0, -15.0, -168.0, -10.9),)),
    Part("Guam", ROTATED_EQC, (145.0, 16.8), 1.0, (-0.408, -0.018), (-0.4244, -0.0895, -0.3824, 0.0519),
         ((144.0, 13.0, 146.5, 21.0),)),
)


def _place(part: Part) -> Callable[[np.ndarray], np.ndarray]:
    """The function taking lon/lat coordinates [[lon, lat], …] to the composite map's coordinates."""
    forward: Callable[..., tuple[Any, Any]] = (
        partial(_rotated_eqc, centre=part.centre) if part.proj == ROTATED_EQC
        else Transformer.from_crs("EPSG:4326", part.proj, always_xy=True).transform)
    cx, cy = forward(*part.centre)
    k = part.scale
    ax, ay = part.at[0] * RADIUS, part.at[1] * RADIUS

    def place(xy: np.ndarray) -> np.ndarray:
        x, y = forward(xy[:, 0], xy[:, 1])
        return np.column_stack([(np.asarray(x) - cx) * k + ax, (np.asarray(y) - cy) * k + ay])
    return place


def box(part: Part) -> tuple[float, float, float, float]:
    """The part's clip box in map coordinates (metres)."""
    x0, y0, x1, y1 = part.box
    return x0 * RADIUS, y0 * RADIUS, x1 * RADIUS, y1 * RADIUS


def _polygons(g: object) -> list:
    return [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and not p.is_empty] if g is not None else []


def _clip(geoms: np.ndarray, rect: tuple[float, float, float, float]) -> np.ndarray:
    """Each geometry cut to the rectangle: as it is when inside, None when outside."""
    out = np.full(len(geoms), None, dtype=object)
    b = shapely.bounds(geoms)
    x0, y0, x1, y1 = rect
    near = ~np.isnan(b[:, 0]) & (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)
    inside = near & (b[:, 0] >= x0) & (b[:, 2] <= x1) & (b[:, 1] >= y0) & (b[:, 3] <= y1)
    out[inside] = geoms[inside]
    cut = near & ~inside
    if cut.any():
        out[cut] = [MultiPolygon(ps) if ps else None
                    for ps in map(_polygons, shapely.intersection(geoms[cut], shapely.box(*rect)))]
    return out


def project(geoms: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Shapes in longitude/latitude (EPSG:4326) -> the composite map: each region's pieces from every
    part, None where no part holds any; and the parts that hold something (their insets are outlined)."""
    pieces: list[list] = [[] for _ in geoms]
    used = set()
    for i, part in enumerate(PARTS):
        place = _place(part)
        for window in part.windows:
            taken = _clip(geoms, window)
            has = np.array([g is not None for g in taken], dtype=bool)
            if not has.any():
                continue
            placed = _clip(shapely.transform(taken[has], place), box(part))
            for j, g in zip(np.flatnonzero(has), placed):
                if g is not None:
                    pieces[j] += _polygons(g)
                    used.add(i)
    out = np.array([MultiPolygon(p) if p else None for p in pieces], dtype=object)
    return out, sorted(used)


def outlines(used: list[int]) -> list[shapely.LineString]:
    """The insets' boxes (not the lower 48's) as closed lines, drawn like borders."""
    return [shapely.box(*box(PARTS[i])).exterior for i in used if i > 0]


def project_points(lon: npt.ArrayLike, lat: npt.ArrayLike) -> np.ndarray:
    """Points to the composite map (NaN where no part takes them): for tests and placing labels."""
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    out = np.full((len(lon), 2), np.nan)
    for part in PARTS:
        for w0, s0, e0, n0 in part.windows:
            hit = (lon >= w0) & (lon <= e0) & (lat >= s0) & (lat <= n0)
            if hit.any():
                out[hit] = _place(part)(np.column_stack([lon[hit], lat[hit]]))
    return out
