"""Stage 4b: shapes file -> projected, simplified, quantized TopoJSON (one geometry per region, in order).

All the heavy geometry work happens here, once: geopandas/pyogrio read any format, pyproj projects
(the browser never projects), topojson builds a shared-arc topology, simplifies it with topology
preserved and quantizes it. The page only scales the quantized coordinates to its canvas.
"""
from __future__ import annotations

import json
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
import topojson
from pyproj import CRS
from pyproj.exceptions import CRSError

from .errors import UserError, first_line
from .regions import name_field

PROJECTIONS = {
    "robinson": "ESRI:54030",
    "equal-earth": "EPSG:8857",
    "natural-earth": "+proj=natearth +lon_0=0 +datum=WGS84 +units=m +no_defs",
    "mercator": "EPSG:3857",
    "albers-usa": "ESRI:102003",
    "plate-carree": "EPSG:4326",
}
QUANTIZATION = 100_000


def default_shapes() -> Path:
    """Natural Earth 110m countries, shipped inside pyogrio (a geopandas dependency)."""
    return Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"


@dataclass
class Shapes:
    frame: gpd.GeoDataFrame  # projected; one row per region
    keys_table: dict[str, list[str]]  # every attribute column as strings, for key matching
    names: list[str]


def read_shapes(path: str | os.PathLike | None) -> gpd.GeoDataFrame:
    p = Path(path) if path else default_shapes()
    if not p.exists():
        raise UserError(f"--shapes {str(p)!r}: no such file; give a shapefile, GeoPackage or GeoJSON")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = gpd.read_file(p)
    except Exception as exc:
        raise UserError(f"--shapes {str(p)!r} cannot be read ({first_line(exc)}); give a valid shapefile, "
                        "GeoPackage or GeoJSON") from None
    present = gdf.geometry.notna() & ~gdf.geometry.is_empty
    if not present.all():
        print(f"shapes: {int((~present).sum())} features without geometry left out", file=sys.stderr)
    gdf = gdf[present].reset_index(drop=True)
    if gdf.empty:
        raise UserError(f"--shapes {str(p)!r} holds no geometries; check the file")
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180.5 <= minx and maxx <= 180.5 and -90.5 <= miny and maxy <= 90.5):
            raise UserError(f"--shapes {str(p)!r} has no CRS and is not in degrees; add a .prj file")
        gdf = gdf.set_crs("EPSG:4326")
    # "structure" keeps polygons polygons (the default can turn slivers into lines).
    invalid = int((~gdf.geometry.is_valid).sum())
    if invalid:
        print(f"shapes: {invalid} invalid geometries repaired", file=sys.stderr)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.to_numpy(), method="structure", keep_collapsed=False)
    return gdf


def resolve_crs(projection: str) -> CRS:
    try:
        return CRS.from_user_input(PROJECTIONS.get(projection.lower(), projection))
    except CRSError:
        raise UserError(f"--projection {projection!r} is not a CRS; use {', '.join(PROJECTIONS)}, "
                        "an EPSG code or a PROJ string") from None


def prepare(gdf: gpd.GeoDataFrame, projection: str) -> Shapes:
    crs = resolve_crs(projection)
    if crs.to_epsg() == 3857:  # Mercator cannot show the poles
        gdf = gdf.to_crs("EPSG:4326").clip((-180, -85, 180, 85))
    projected = gdf.to_crs(crs)
    projected = projected[projected.geometry.notna()].reset_index(drop=True)
    columns = [c for c in projected.columns if c != projected.geometry.name]
    table = {c: ["" if v is None or v != v else _text(v) for v in projected[c]] for c in columns}
    field = name_field(columns)
    names = table[field] if field else [str(i) for i in range(len(projected))]
    return Shapes(frame=projected, keys_table=table, names=names)


def _text(v: object) -> str:
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
        data = json.loads(topo.to_json())
    by_index = {g["properties"]["i"]: g for g in data["objects"]["regions"]["geometries"]}
    geometries = []
    for i in range(len(gdf)):  # topojson drops what collapsed; keep the order and an empty slot
        g = by_index.get(i, {"type": None})
        geometries.append({k: v for k, v in g.items() if k in ("type", "arcs")})
    data["objects"]["regions"]["geometries"] = geometries
    data["bbox"] = [float(minx), float(miny), float(maxx), float(maxy)]
    return data
