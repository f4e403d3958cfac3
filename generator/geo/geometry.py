"""Stage 2, shapes: shapes file -> the regions' shapes, selected and projected (one row per region, in order).

All the heavy geometry work happens here and in projections.py and topology.py, once: geopandas/pyogrio
read any format, pyproj projects (the browser never projects), topojson builds a shared-arc topology.
This module owns reading the shapes (any format, built-in shapes by name, a GeoDataFrame) and
selecting them (`--only`, `--bbox`); prepare() then has them cut and projected (projections.py) and
returns the Shapes the rest of the build uses; topology.py turns those into the page's TopoJSON.
The map's extent is the extent of what is left.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS

from ..codes import country_code, name_field
from ..errors import UserError, first_line, flag
from ..logs import log, warn
from . import builtin, projections, seams


@dataclass
class Shapes:
    frame: gpd.GeoDataFrame  # projected; one row per region
    keys_table: dict[str, list[str]]  # every attribute column as strings, for key matching
    names: list[str]
    globe: list[float] | None = None  # an orthographic map's horizon: centre x, y and radius, projected
    outlines: list | None = None  # lines drawn like borders: the insets' boxes of a composite projection


def read_shapes(path: str | os.PathLike | gpd.GeoDataFrame | None, layer: str | None = None,
                option: str = "shapes") -> gpd.GeoDataFrame:
    """A shapes file, built-in shapes by name (`us-counties`), or a GeoDataFrame given in Python (copied,
    not changed); `layer` picks one of a file's layers."""
    if isinstance(path, gpd.GeoDataFrame):
        where, gdf = "the shapes GeoDataFrame", path.copy()
    else:
        name = str(path) if path else None
        p = builtin.shapes_path(name)
        layer = builtin.builtin_layer(name, layer)
        if not p.exists():
            raise UserError(f"{flag(option, str(p))}: no such file; give a shapefile, GeoPackage, GeoJSON or TopoJSON, "
                            f"or built-in shapes: {', '.join(builtin.BUILTIN)}")
        try:
            layers = [str(n) for n in pyogrio.list_layers(p)[:, 0]]
            if layer is not None and layer not in layers:
                which = flag("layer", layer) if option == "shapes" else f"{flag(option)} …:{layer}"
                raise UserError(f"{which}: {p.name} has no such layer (its layers: {', '.join(layers)})")
            if layer is None and len(layers) > 1:
                log(f"shapes: layer {layers[0]!r} of {', '.join(layers)} in {p.name} (choose with {flag('layer')})")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gdf = builtin.with_codes(gpd.read_file(p, layer=layer), name)
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever GDAL says, the user hears one line
            raise UserError(f"{flag(option, str(p))} cannot be read ({first_line(exc)}); give a valid shapefile, "
                            "GeoPackage, GeoJSON or TopoJSON") from None
        where = flag(option, str(p))
    geoms = gdf.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.all():
        log(f"shapes: {int((~present).sum())} features without geometry left out "
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
        gdf["geometry"] = seams.unwrap_rings(gdf.geometry.to_numpy())
    invalid = int((~gdf.geometry.is_valid).sum())
    if invalid:
        log(f"shapes: {invalid} invalid geometries repaired")
    # "structure" keeps polygons polygons (the default can turn slivers into lines).
    gdf["geometry"] = shapely.make_valid(gdf.geometry.to_numpy(), method="structure", keep_collapsed=False)
    return gdf


def _parse_only(only: str, columns: list[str]) -> tuple[str, list[str]]:
    field, eq, values = only.partition("=")
    field = field.strip()
    wanted = [v.strip() for v in values.split(",") if v.strip()]
    if not eq or not field or not wanted:
        raise UserError(f"{flag('only', only)}: give FIELD=VALUE[,VALUE...], e.g. continent=Europe or iso_a3=FRA,DEU")
    if field not in columns:
        same = [c for c in columns if c.lower() == field.lower()]
        if not same:
            raise UserError(f"{flag('only', only)}: the shapes have no field {field!r} (fields: {', '.join(columns)})")
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
        raise UserError(f"{flag('only', only)}: no shape has {field} {' or '.join(wanted)} "
                        f"({field} values: {', '.join(values[:12])}{' …' if len(values) > 12 else ''})")
    if missing:
        warn(f"shapes: no shape has {field} {', '.join(missing)} ({flag('only')})")
    log(f"shapes: {int(keep.sum())} of {len(gdf)} kept by {flag('only', only)}")
    return gdf[keep].reset_index(drop=True)


def parse_bbox(bbox: list[float]) -> tuple[float, float, float, float]:
    ok = len(bbox) == 4 and all(isinstance(v, (int, float)) and np.isfinite(v) for v in bbox)
    if ok:
        lon0, lat0, lon1, lat1 = (float(v) for v in bbox)
        ok = -90 <= lat0 < lat1 <= 90 and -360 <= lon0 <= 360 and -360 <= lon1 <= 360 and lon0 != lon1
    if not ok:
        raise UserError(f"{flag('bbox', list(bbox))}: give four numbers WEST,SOUTH,EAST,NORTH in degrees, "
                        f"south < north, e.g. {flag('bbox', [-25, 34, 45, 72])} "
                        "(WEST > EAST crosses the 180th meridian)")
    return lon0, lat0, lon1, lat1


def _bbox_area(bbox: tuple[float, float, float, float]) -> object:
    """The box, repeated every 360° (the shapes may use -180…180 or 0…360)."""
    lon0, lat0, lon1, lat1 = bbox
    if lon1 < lon0:
        lon1 += 360.0
    return shapely.union_all([shapely.box(lon0 + k, lat0, lon1 + k, lat1) for k in (-720.0, -360.0, 0.0, 360.0)])


def prepare(gdf: gpd.GeoDataFrame, projection: str, bbox: list[float] | None = None,
            only: str | None = None) -> Shapes:
    """Select, cut and project the shapes; the frame holds what is left, one row per region."""
    if only:
        gdf = _select(gdf, only)
    box = parse_bbox(list(bbox)) if bbox is not None else None
    gdf = seams.to_lonlat(gdf, CRS("EPSG:4326"))
    if box is not None:
        clipped = seams.clip(gdf.geometry.to_numpy(), _bbox_area(box))
        if all(g is None for g in clipped):
            raise UserError(f"{flag('bbox', box)}: no shape lies in it; the shapes span "
                            f"{','.join(f'{v:.0f}' for v in gdf.total_bounds)} (west, south, east, north)")
        gdf = gdf.set_geometry(list(clipped), crs="EPSG:4326")
    projected, view, outlines = projections.project(gdf, projection)
    shown = projected.geometry.notna().to_numpy() & ~projected.geometry.is_empty.to_numpy()
    if not shown.any():
        raise UserError(f"{flag('projection', projection)} shows none of the shapes; choose another centre or "
                        "projection")
    if not shown.all():
        why = f"outside {flag('bbox')}" if box is not None else "outside what the projection shows"
        log(f"shapes: {int((~shown).sum())} of {len(shown)} left out ({why}: "
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
