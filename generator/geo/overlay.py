"""Stage 4, match (once the regions are known): lines drawn over the regions, added to the TopoJSON once, at build time.

- `--borders FIELD`: a mesh of the regions' own arcs, those between neighbours whose FIELD differs
  (`continent`; `state` for US counties: their state code, or the first two digits of their FIPS),
  under objects.borders: the page draws them heavier, on its borders layer (no per-frame cost).
- `--borders PATH[:LAYER]`: another file's outlines (states over counties), projected as the map is.
- The insets' boxes of a composite projection, under objects.insets, drawn like any border.
Lines that are not the regions' arcs are simplified like them and quantized on the same grid.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely

from ..errors import UserError, flag
from ..logs import warn
from . import builtin, geometry

_STATE_FIELDS = ("state", "STATE", "STATEFP", "statefp", "STATE_FIPS", "STUSPS")


def _arc_ids(arcs: object) -> list[int]:
    """Every arc index in a geometry's nested arc lists (negative ones are reversed arcs: ~i)."""
    if isinstance(arcs, int):
        return [arcs if arcs >= 0 else ~arcs]
    return [i for a in arcs or [] for i in _arc_ids(a)] if isinstance(arcs, list) else []


def mesh(topology: dict, groups: list[str]) -> list[int]:
    """The arcs shared by regions of different groups (the coasts, one region's, are not among them)."""
    seen: dict[int, set[str]] = {}
    for g, group in zip(topology["objects"]["regions"]["geometries"], groups):
        for i in _arc_ids(g.get("arcs")):
            seen.setdefault(i, set()).add(group)
    return sorted(i for i, found in seen.items() if len(found) > 1)


def groups_of(field: str, shapes: geometry.Shapes, key_field: str) -> list[str] | None:
    """Each region's value of `field` (any case); `state`: a state field, or the first two digits of
    a county FIPS key (`6037` is `06037`). None when the shapes have no such field."""
    table = shapes.keys_table
    same = [c for c in table if c.casefold() == field.casefold()]
    if same:
        return table[same[0]]
    if field.casefold() != "state":
        return None
    found = next((c for c in _STATE_FIELDS if c in table), None)
    if found:
        return table[found]
    keys = table[key_field]
    if not all(k.isdigit() and 4 <= len(k) <= 5 for k in keys):
        raise UserError(f"{flag('borders', 'state')}: the shapes' key field {key_field!r} holds no county FIPS "
                        f"codes and no state field was found (fields: {', '.join(table)}); name the field: "
                        f"{flag('borders', 'FIELD')}")
    return [k.zfill(5)[:2] for k in keys]


def border_file(spec: str) -> tuple[str, str | None] | None:
    """PATH or PATH:LAYER when the path names a file or built-in shapes, else None."""
    if spec in builtin.BUILTIN or Path(spec).is_file():
        return spec, None
    path, colon, layer = spec.rpartition(":")
    if colon and (path in builtin.BUILTIN or Path(path).is_file()):
        return path, layer
    return None


def file_lines(path: str, layer: str | None, projection: str, bbox: list[float] | None) -> list:
    """Another file's outlines on this map: projected as the regions are, each shared edge once."""
    other = geometry.prepare(geometry.read_shapes(path, layer, option="borders"), projection, bbox=bbox)
    edges = shapely.union_all(shapely.boundary(other.frame.geometry.to_numpy()))
    return [g for g in shapely.get_parts(shapely.line_merge(edges)) if not g.is_empty]


def _quantize(lines: list, topology: dict, tolerance: float) -> list[list[list[int]]]:
    """Lines simplified by `tolerance` as delta-coded arcs on the topology's quantization grid."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for line in shapely.simplify(np.array(lines, dtype=object), tolerance):
        q = np.round((shapely.get_coordinates(line) - [tx, ty]) / [sx, sy]).astype(np.int64)
        q = q[np.r_[True, (np.diff(q, axis=0) != 0).any(axis=1)]]  # points the grid merged
        if len(q) >= 2:
            arcs.append(np.vstack([q[:1], np.diff(q, axis=0)]).tolist())
    return arcs


def _tolerance(topology: dict, simplify: float, width_px: int = 1920) -> float:
    minx, miny, maxx, maxy = topology["bbox"]
    return simplify * max(maxx - minx, maxy - miny) / width_px


def add_lines(topology: dict, lines: list, name: str, simplify: float) -> None:
    """Lines as arcs of their own, under objects[name] (a MultiLineString); nothing when there are none."""
    arcs = _quantize(lines, topology, _tolerance(topology, simplify)) if lines else []
    if not arcs:
        return
    first = len(topology["arcs"])
    topology["arcs"] += arcs
    topology["objects"][name] = {"type": "MultiLineString", "arcs": [[first + i] for i in range(len(arcs))]}


def add_borders(topology: dict, spec: str, shapes: geometry.Shapes, key_field: str, projection: str,
                bbox: list[float] | None, simplify: float) -> None:
    """`--borders FIELD` or `--borders PATH[:LAYER]`: heavier lines under objects.borders."""
    groups = groups_of(spec, shapes, key_field)
    if groups is not None:
        chosen = mesh(topology, groups)
        if not chosen:
            warn(f"borders: no two neighbouring shapes differ in {spec!r}; no border drawn")
            return
        topology["objects"]["borders"] = {"type": "MultiLineString", "arcs": [[i] for i in chosen]}
        return
    found = border_file(spec)
    if found is None:
        raise UserError(f"{flag('borders', spec)} is neither a field of the shapes (fields: "
                        f"{', '.join(shapes.keys_table)}) "
                        f"nor a file or built-in shapes ({', '.join(builtin.BUILTIN)}); give FIELD, state or "
                        "PATH[:LAYER]")
    before = len(topology["objects"])
    add_lines(topology, file_lines(*found, projection, bbox), "borders", simplify)
    if len(topology["objects"]) == before:
        warn(f"borders: {found[0]} has no outline on this map; no border drawn")
