"""Derive generator/geo/shapes/countries-110m.json, the built-in `world` shapes (the default), once.

Source: Natural Earth 1:110m Admin 0 countries (public domain) as the `naturalearth_lowres` shapefile
that geopandas once shipped and pyogrio keeps among its test fixtures: 177 countries with the fields
pop_est, continent, name, iso_a3, gdp_md_est. Written as GeoJSON with every coordinate as it is (Python's
shortest exact float text), so the shapes read back bit for bit and the file stays under 1 MB.

    python scripts/make_world_110m.py [path/to/naturalearth_lowres.shp]    # default: pyogrio's copy
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio

FIELDS = ["pop_est", "continent", "name", "iso_a3", "gdp_md_est"]
OUT = Path(__file__).resolve().parents[1] / "generator" / "geo" / "shapes" / "countries-110m.json"
PYOGRIO_COPY = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"


def main(source: Path) -> None:
    gdf = gpd.read_file(source)
    assert len(gdf) == 177 and list(gdf.columns[:-1]) == FIELDS, (len(gdf), list(gdf.columns))
    features = [{"type": "Feature",
                 "properties": {"pop_est": int(row.pop_est), "continent": row.continent, "name": row.name,
                                "iso_a3": row.iso_a3, "gdp_md_est": float(row.gdp_md_est)},
                 "geometry": row.geometry.__geo_interface__}
                for row in gdf.itertuples(index=False)]
    data = {"type": "FeatureCollection", "features": features}
    OUT.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n",
                   encoding="utf-8")
    print(f"{OUT}: {OUT.stat().st_size / 1e6:.2f} MB, {len(features)} countries")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PYOGRIO_COPY)
