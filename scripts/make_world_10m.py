"""Derive generator/geo/shapes/countries-10m.json, the built-in `world-10m` shapes, once.

Source: world-atlas 2.0.2's countries-10m.json (Natural Earth 1:10m Admin 0 countries, public
domain; the package under the ISC licence): `npm pack world-atlas@2`, or the same data as a
shapefile. The full file is 3.7 MB of TopoJSON. This one keeps 250 of its 255 countries and
territories (the Vatican and four uninhabited reefs are smaller than the grid) and their shared borders,
simplified with topology preserved to 0.02° (about 2 km, what 1:10,000,000 can show) and
quantized to 36,000 steps, so it ships as text under 1 MB.

The 180th meridian: world-atlas cuts rings there but signs some of their vertices on it the other
way (Russia's ends at 179.96°, then -180°, then runs along -180°). In the plane such a ring crosses
the whole world and intersects itself, and repairing it there broke it: make_valid joined Russia's
ring from 180° to 30°E along 66°N and lost Chukotka east of 175.8°W. So the rings are first unwrapped
as the reader unwraps them (generator.geo.seams.unwrap_rings), each polygon moved by whole turns so
its middle is within ±180° (Russia from 27°E), the pieces east of 180° moved a turn east and merged
with those they meet (Chukotka, to 190°E; Wrangel Island; Vanua Levu's and Taveuni's east ends), and
repaired and simplified there, each such ring whole. Then the longitudes past 180° are brought back
less a turn and quantized: the file crosses 180° the short way, as world-atlas does, and the reader
unwraps it again.

    npm pack world-atlas@2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_world_10m.py package/countries-10m.json
"""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import topojson
from shapely.affinity import translate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from generator.geo.seams import unwrap_rings  # the repository's own, as the reader has it

TOLERANCE = 0.02  # degrees
QUANTIZATION = 36_000
OUT = Path(__file__).resolve().parents[1] / "generator" / "geo" / "shapes" / "countries-10m.json"


def main(source: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = gpd.read_file(source, layer="countries") if source.endswith(".json") else gpd.read_file(source)
        gdf = gdf.set_crs("EPSG:4326", allow_override=True)[["id", "name", "geometry"]]
        gdf = gdf[gdf.geometry.notna()].reset_index(drop=True)  # (a shapefile copy may have lost the Vatican)
        geoms = np.array([_centred(g) for g in unwrap_rings(gdf.geometry.to_numpy())], dtype=object)
        gdf["geometry"] = [_across_180(g) for g in shapely.make_valid(geoms, method="structure", keep_collapsed=False)]
        topo = topojson.Topology(gdf, prequantize=False, toposimplify=TOLERANCE, simplify_with="shapely",
                                 object_name="countries")
        data = _quantized(json.loads(topo.to_json()))
    # Shapes smaller than the grid collapse (Coral Sea Is., Bajo Nuevo Bank, Serranilla Bank, Scarborough
    # Reef): left out, as is the topojson package's own index ("id" beside the properties).
    kept = [{k: v for k, v in g.items() if k != "id"} for g in data["objects"]["countries"]["geometries"]
            if g.get("type")]
    for g in kept:  # properties as world-atlas has them: id (ISO 3166 numeric, absent for a few) and name
        g["properties"] = {k: v for k, v in g["properties"].items() if isinstance(v, str)}
    data["objects"]["countries"]["geometries"] = kept
    OUT.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False), encoding="utf-8")
    with warnings.catch_warnings():  # and those the grid left without area (the Vatican): as GDAL reads them
        warnings.simplefilter("ignore")
        empty = set(gpd.read_file(OUT).loc[lambda g: g.geometry.is_empty | g.geometry.isna(), "name"])
    kept = [g for g in kept if g["properties"].get("name") not in empty]
    data["objects"]["countries"]["geometries"] = kept
    OUT.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False), encoding="utf-8")
    print(f"{OUT}: {OUT.stat().st_size / 1e6:.2f} MB, {len(kept)} countries, "
          f"{sum(len(a) for a in data['arcs']):,} points")


def _centred(geom: object) -> object:
    """Each polygon moved by whole turns so the middle of its longitudes is within [-180, 180)."""
    polys = []
    for p in shapely.get_parts(geom):
        x0, _, x1, _ = p.bounds
        polys.append(translate(p, xoff=-360.0 * np.floor(((x0 + x1) / 2 + 180.0) / 360.0)))
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _across_180(geom: object) -> object:
    """The geometry with its pieces east of 180° (those from -180° to west of 0°) moved a turn east and
    merged with those west of it that they meet: Chukotka with the rest of Russia, the tip of Vanua Levu
    with the rest, each ring simplified whole (apart, each side of 180° was simplified on its own and
    they could come to touch at a point only)."""
    polys = list(shapely.get_parts(geom))
    east = [p for p in polys if p.bounds[0] <= -180.0 + 1e-9 and p.bounds[2] < 0]
    if not east or len(east) == len(polys):
        return geom
    moved = [translate(p, xoff=360.0) if any(p is q for q in east) else p for p in polys]
    joined = shapely.union_all(moved, grid_size=1e-9)
    return shapely.MultiPolygon([p for p in shapely.get_parts(joined) if p.geom_type == "Polygon"])


def _quantized(data: dict) -> dict:
    """The topology's arcs with every longitude brought within ±180° (those past 180° less a turn) and
    quantized, to QUANTIZATION steps from -180° to 180° and from the southernmost latitude to the
    northernmost, delta-coded: the arcs cross 180° the short way, as world-atlas', and the reader
    unwraps them. (Quantized once, here: topojson's own grid would span the unwrapped longitudes.)
    Each point is mapped on its own, so shared arcs stay shared."""
    arcs = [np.array(a, dtype=float) for a in data["arcs"]]
    lats = np.concatenate([a[:, 1] for a in arcs])
    y0, y1 = float(lats.min()), float(lats.max())
    kx, ky = 360.0 / (QUANTIZATION - 1), (y1 - y0) / (QUANTIZATION - 1)
    out = []
    for a in arcs:
        lon = np.where(a[:, 0] > 180.0, a[:, 0] - 360.0, np.where(a[:, 0] < -180.0, a[:, 0] + 360.0, a[:, 0]))
        q = np.column_stack([np.round((lon + 180.0) / kx), np.round((a[:, 1] - y0) / ky)]).astype(np.int64)
        keep = np.ones(len(q), dtype=bool)
        keep[1:-1] = (q[1:-1] != q[:-2]).any(axis=1)  # a point the grid puts on the one before: left out
        q = q[keep]
        out.append(np.vstack([q[:1], np.diff(q, axis=0)]).tolist())
    data["arcs"] = out
    data["transform"] = {"scale": [kx, ky], "translate": [-180.0, y0]}
    data["bbox"] = [-180.0, y0, 180.0, y1]
    return data


if __name__ == "__main__":
    main(sys.argv[1])
