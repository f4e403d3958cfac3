"""The build: wires the stages source -> aggregate -> classify -> geometry -> site, and reports."""
from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import aggregate, classify, demo, framedata, geometry, regions, site, source
from .errors import UserError


@dataclass
class Options:
    db: str | None = None
    table: str | None = None
    query: str | None = None
    csv: str | None = None
    parquet: str | None = None
    region: str = "country"
    time: str = "unixtime"
    metrics: list[str] | None = None
    interval: str = "1h"
    agg: str = "sum"
    classes: int = 20
    scheme: str = "equal_interval"
    breaks: list[float] | None = None
    cmap: str = "afmhot_r"
    missing_color: str = "#dddddd"
    shapes: str | None = None
    shape_key: str | None = None
    projection: str = "robinson"
    simplify: float = 0.5
    out: str = "site"
    title: str | None = None
    time_format: str | None = None


@dataclass
class Result:
    out: Path
    frames: int
    regions: int
    metrics: list[str]
    size: int
    seconds: float
    unmatched_codes: list[str] = field(default_factory=list)
    shapes_without_data: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def open_source(o: Options) -> source.Source:
    given = [flag for flag, v in (("--db", o.db), ("--csv", o.csv), ("--parquet", o.parquet)) if v]
    if len(given) > 1:
        raise UserError(f"give one source, not {' and '.join(given)}")
    if o.csv or o.parquet:
        kind, path = ("csv", o.csv) if o.csv else ("parquet", o.parquet)
        return source.from_file(path, kind, region=o.region, time=o.time, metrics=o.metrics)
    if o.db:
        return source.from_database(o.db, table=o.table, query=o.query, region=o.region, time=o.time,
                                    metrics=o.metrics)
    path = demo.ensure_demo_database()
    log(f"source: demo database {path} (table events)")
    return source.from_database(f"sqlite:///{path}", table="events", query=None, region=o.region,
                                time=o.time, metrics=o.metrics)


def default_time_format(start: int, step: int) -> str:
    if step % 86400 == 0 and start % 86400 == 0:
        return "%Y" if step >= 365 * 86400 else "%Y-%m-%d"
    return "%Y-%m-%d %H:%M" if step % 60 == 0 else "%Y-%m-%d %H:%M:%S"


def _names(items: list[str]) -> str:
    return ", ".join(items[:10]) + (f" and {len(items) - 10} more" if len(items) > 10 else "")


def build(o: Options) -> Result:
    began = time.perf_counter()
    out = Path(o.out)
    site.check_output(out)  # fail before the slow stages, not after them
    step = aggregate.parse_interval(o.interval)
    classify.palette(o.cmap, 2)
    src = open_source(o)

    t = time.perf_counter()
    agg = aggregate.aggregate(src, step, o.agg)
    log(f"aggregate: {agg.frames:,} frames × {len(agg.regions):,} regions × {len(src.metrics)} metrics "
        f"({o.agg} per {o.interval}) in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    shapes = geometry.prepare(geometry.read_shapes(o.shapes), o.projection)
    columns = list(shapes.keys_table)
    if o.shape_key and o.shape_key not in columns:
        raise UserError(f"--shape-key {o.shape_key!r} is not a field of the shapes (fields: {', '.join(columns)})")
    key = o.shape_key or regions.pick_key_field(columns, shapes.keys_table, agg.regions)
    match = regions.match(agg.regions, shapes.keys_table[key], shapes.names, key)
    matched = len(agg.regions) - len(match.unmatched_codes)
    if matched == 0:
        raise UserError(f"none of the data's {len(agg.regions)} region codes (e.g. {_names(agg.regions[:3])}) "
                        f"matches a shape; name the shapes' key field with --shape-key")
    log(f"regions: {matched} of {len(agg.regions)} data codes matched shapes by {key!r}; "
        f"{len(shapes.names) - int((match.region_of_shape >= 0).sum())} of {len(shapes.names)} shapes have no data")
    if match.unmatched_codes:
        log(f"  unmatched data codes: {_names(match.unmatched_codes)}")
    if match.shapes_without_data:
        log(f"  shapes without data: {_names(match.shapes_without_data)}")
    topology = geometry.to_topology(shapes, simplify=o.simplify)
    log(f"geometry: {len(shapes.names)} shapes, projected ({o.projection}) and simplified in "
        f"{time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    take = np.maximum(match.region_of_shape, 0)
    nodata = match.region_of_shape < 0
    per_chunk = framedata.chunk_frames(len(shapes.names), agg.frames)

    def layer(name: str) -> tuple[dict, list[bytes]]:
        values = agg.values.pop(name)[:, take]  # columns in shape order
        values[:, nodata] = np.nan
        cls = classify.classes_for(values, k=o.classes, scheme=o.scheme, cmap=o.cmap,
                                   missing=o.missing_color, user_breaks=o.breaks)
        del values
        encoded = framedata.encode(cls.bins, per_chunk)
        return ({"name": name, "label": f"{name} ({o.agg} per {o.interval})", "edges": cls.edges,
                 "colors": cls.colors, "missing": cls.missing, "chunks": len(encoded)}, encoded)

    # Metrics in parallel threads: numpy's searchsorted and zlib release the GIL.
    with ThreadPoolExecutor(max_workers=min(len(src.metrics), os.cpu_count() or 1)) as pool:
        metas, chunks = map(list, zip(*pool.map(layer, src.metrics)))
    log(f"classify+encode: {len(src.metrics)} metrics into {o.classes} classes ({o.scheme}) in "
        f"{time.perf_counter() - t:.1f} s")

    meta = {
        "title": o.title or "Animated map",
        "start": agg.start,
        "step": agg.step,
        "frames": agg.frames,
        "timeFormat": o.time_format or default_time_format(agg.start, agg.step),
        "chunkFrames": per_chunk,
        "bbox": topology["bbox"],
        "regions": {"names": shapes.names, "keys": shapes.keys_table[key]},
        "metrics": metas,
    }
    size = site.write_site(out, meta=meta, topology=topology, chunks=chunks)
    result = Result(out=out.resolve(), frames=agg.frames, regions=len(shapes.names), metrics=src.metrics,
                    size=size, seconds=time.perf_counter() - began, unmatched_codes=match.unmatched_codes,
                    shapes_without_data=match.shapes_without_data)
    log(f"site: {size / 1e6:.2f} MB written in {result.seconds:.1f} s total")
    return result

