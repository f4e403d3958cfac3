"""Stage 2, shapes, last step (run beside stage 3): the projected Shapes -> TopoJSON, one geometry
per region, in region order.

topojson builds a shared-arc topology, simplifies it with topology preserved and quantizes it; the
page only scales the quantized coordinates to its canvas. The shapes come from geometry.prepare().
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import topojson

from .geometry import Shapes

QUANTIZATION = 100_000


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
