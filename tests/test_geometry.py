"""Geometry: the TopoJSON decodes back to the same regions, in order, close to the projected shapes."""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from conftest import SHARED_10M
from generator import geometry
from generator.errors import UserError


def decode(topo: dict) -> list:
    """A plain TopoJSON decoder (delta-coded quantized arcs), independent of the page's."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = [np.cumsum(np.array(a, dtype=float), axis=0) * [sx, sy] + [tx, ty] for a in topo["arcs"]]

    def ring(ids: list[int]) -> np.ndarray:
        parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ids]
        return np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])

    out = []
    for g in topo["objects"]["regions"]["geometries"]:
        polys = {"Polygon": [g.get("arcs")], "MultiPolygon": g.get("arcs")}.get(g["type"], [])
        out.append(MultiPolygon([Polygon(ring(p[0]), [ring(h) for h in p[1:]]) for p in polys]))
    return out


@pytest.mark.parametrize("path", [None, SHARED_10M], ids=["110m", "10m"])
@pytest.mark.parametrize("simplify", [0.0, 0.5])
def test_topology_decodes_to_the_same_regions(path: object, simplify: float) -> None:
    shapes = geometry.prepare(geometry.read_shapes(path), "robinson")
    topo = geometry.to_topology(shapes, simplify=simplify)
    decoded = decode(topo)
    assert len(decoded) == len(shapes.frame)
    original = shapes.frame.geometry.to_numpy()
    # Compare regions much larger than the error allowed: the simplification tolerance or the quantum.
    minx, miny, maxx, maxy = shapes.frame.total_bounds
    error = max(simplify * (maxx - minx) / 1920, (maxx - minx) / geometry.QUANTIZATION)
    big = np.sqrt(shapely.area(original)) > 100 * error
    a = shapely.make_valid(original[big], method="structure", keep_collapsed=False)
    b = shapely.make_valid(np.array(decoded, dtype=object)[big], method="structure", keep_collapsed=False)
    grid = 100.0  # metres: snapping makes the overlay robust to near-coincident edges
    iou = shapely.area(shapely.intersection(a, b, grid_size=grid)) / shapely.area(shapely.union(a, b, grid_size=grid))
    assert min(iou) > 0.9
    assert np.median(iou) > 0.98


def test_unreadable_shapes_is_a_user_error(tmp_path) -> None:
    bad = tmp_path / "bad.shp"
    bad.write_bytes(b"not a shapefile")
    with pytest.raises(UserError, match="cannot be read"):
        geometry.read_shapes(bad)
    with pytest.raises(UserError, match="no such file"):
        geometry.read_shapes(tmp_path / "missing.shp")
