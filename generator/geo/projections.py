"""Stage 2, shapes, projecting: `--projection` names -> CRS, what a projection shows, the projected shapes.

pyproj projects (the browser never projects). Before projecting, in longitude/latitude (the
projection's own geographic CRS), every shape is cut at the projection's seam (the meridian opposite
its central meridian) so no polygon spans the map from edge to edge, and clipped to what the
projection can show (Mercator: ±85°; orthographic: the visible hemisphere); seams.py does the
cutting. `albers-usa` is no one CRS: albers_usa.py draws that composite. geometry.py reads and
selects the shapes and calls project().
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from ..errors import UserError, flag
from . import albers_usa, seams

PROJECTIONS = {
    "robinson": "ESRI:54030",
    "equal-earth": "EPSG:8857",
    "natural-earth": "+proj=natearth +lon_0=0 +datum=WGS84 +units=m +no_defs",
    "mercator": "EPSG:3857",
    "albers-usa": "ESRI:102003",  # the lower 48's plain Albers; project() draws the composite (albers_usa.py)
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
DENSIFY = 1.0  # degrees: longer edges get vertices, so they bend with the projection
MERCATOR_LAT = 85.0


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
            raise UserError(f"{flag('projection', projection)}: {key} has a fixed centre; NAME:LON works with "
                            f"{', '.join(CENTRED)}, or give a CRS")
        if not (1 <= len(centre) <= wanted) or not all(np.isfinite(centre)) \
                or not -360 <= centre[0] <= 360 or (len(centre) == 2 and not -90 <= centre[1] <= 90):
            raise UserError(f"{flag('projection', projection)}: give a centre as NAME:LON (robinson:150) or "
                            "orthographic:LON,LAT in degrees (-360…360, -90…90)")
        text = CENTRED[key].format(lon=centre[0], lat=centre[1] if len(centre) == 2 else 0.0)
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise UserError(f"{flag('projection', projection)} is not a CRS; use {', '.join(PROJECTIONS)}, "
                        "an EPSG code or a PROJ string") from None


@dataclass
class View:
    """What the projection can show, in its geographic CRS: a central meridian, a centre, limits."""
    lonlat: CRS  # the geographic CRS the shapes are cut in (the projection's own, in degrees)
    lon0: float  # central meridian: the seam is lon0 ± 180
    lat0: float
    origin: tuple[float, float]  # false easting and northing: where the centre lands once projected
    mercator: bool
    orthographic: bool
    radius: float  # the ellipsoid's semi-major axis: an orthographic globe's radius


def _view(crs: CRS) -> View:
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
    return View(lonlat=geodetic, lon0=angle("longitude of", "lon_0"), lat0=angle("latitude of", "lat_0"),
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



def is_composite(projection: str) -> bool:
    """`albers-usa`: the US composite projection (albers_usa.py), not one CRS."""
    return projection.strip().lower() == "albers-usa"


def _project(gdf: gpd.GeoDataFrame, crs: CRS, view: View) -> gpd.GeoDataFrame:
    """Cut at the projection's seam, clip to what it shows, project."""
    lonlat = seams.to_lonlat(gdf, view.lonlat)
    geoms = seams.wrap(shapely.segmentize(lonlat.geometry.to_numpy(), DENSIFY), view.lon0,
                        gap=0.0 if view.orthographic else seams.SEAM_GAP)
    if view.mercator:
        geoms = seams.clip(geoms, shapely.box(view.lon0 - 180, -MERCATOR_LAT, view.lon0 + 180, MERCATOR_LAT))
    if view.orthographic:
        geoms = seams.clip(geoms, seams.visible_cap(view.lon0, view.lat0))
        bounds = shapely.bounds(geoms)  # NaN where nothing is left: not on the seam
        on_seam = (bounds[:, 0] <= view.lon0 - 180 + 1e-9) | (bounds[:, 2] >= view.lon0 + 180 - 1e-9)
    frame = gpd.GeoDataFrame(lonlat.drop(columns=lonlat.geometry.name), geometry=list(geoms), crs=view.lonlat)
    projected = frame.to_crs(crs)
    out = seams.finite(projected.geometry.to_numpy())
    if view.orthographic:
        out[on_seam] = seams.rejoin(out[on_seam])
    projected[projected.geometry.name] = out
    return projected


def project(gdf: gpd.GeoDataFrame, projection: str) -> tuple[gpd.GeoDataFrame, View | None, list | None]:
    """The shapes projected, with the projection's view (None for the composite) and the lines drawn
    like borders (the composite's inset boxes; None for one CRS)."""
    if is_composite(projection):
        geoms, used = albers_usa.project(shapely.segmentize(gdf.geometry.to_numpy(), DENSIFY))
        projected = gpd.GeoDataFrame(gdf.drop(columns=gdf.geometry.name), geometry=list(geoms))
        return projected, None, albers_usa.outlines(used)
    crs = resolve_crs(projection, gdf)
    view = _view(crs)
    return _project(gdf, crs, view), view, None

