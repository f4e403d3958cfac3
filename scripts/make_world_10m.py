"""Derive generator/geo/shapes/countries-10m.json, the built-in `world-10m` shapes, once.

Source: world-atlas 2.0.2's countries-10m.json (Natural Earth 1:10m Admin 0 countries, public
domain; the package under the ISC licence): `npm pack world-atlas@2`, or the same data as a
shapefile. The full file is 3.7 MB of TopoJSON. This one keeps 250 of its 255 countries and
territories (the Vatican and four uninhabited reefs are smaller than the grid) and their shared borders,
simplified with topology preserved to 0.02° (about 2 km, what 1:10,000,000 can show) and
quantized to 36,000 steps, so it ships as text under 1 MB.

    npm pack world-atlas@2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_world_10m.py package/countries-10m.json
"""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import shapely
import topojson

TOLERANCE = 0.02  # degrees
QUANTIZATION = 36_000
OUT = Path(__file__).resolve().parents[1] / "generator" / "geo" / "shapes" / "countries-10m.json"


def main(source: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = gpd.read_file(source, layer="countries") if source.endswith(".json") else gpd.read_file(source)
        gdf = gdf.set_crs("EPSG:4326", allow_override=True)[["id", "name", "geometry"]]
        gdf = gdf[gdf.geometry.notna()].reset_index(drop=True)  # (a shapefile copy may have lost the Vatican)
        gdf["geometry"] = shapely.make_valid(gdf.geometry.to_numpy(), method="structure", keep_collapsed=False)
        topo = topojson.Topology(gdf, prequantize=QUANTIZATION, toposimplify=TOLERANCE, simplify_with="shapely",
                                 object_name="countries")
        data = json.loads(topo.to_json())
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


if __name__ == "__main__":
    main(sys.argv[1])
