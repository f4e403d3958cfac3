"""The build: wires the stages source -> aggregate -> classify -> geometry -> site, and reports."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import __version__, aggregate, classify, demo, framedata, geometry, regions, site, source
from .errors import UserError

if TYPE_CHECKING:
    from .config import SiteConfig


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
    bbox: list[float] | None = None
    only: str | None = None
    simplify: float = 0.5
    out: str = "site"
    title: str | None = None
    time_format: str | None = None
    log: bool = False


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


@dataclass
class Map:
    """One built map, ready to be written: the page's metadata, the TopoJSON, the frame chunks."""
    meta: dict
    topology: dict
    chunks: list[list[bytes]]
    unmatched_codes: list[str]
    shapes_without_data: list[str]


def build(o: Options) -> Result:
    """Build a one-map site into o.out."""
    began = time.perf_counter()
    out = Path(o.out)
    site.check_output(out)  # fail before the slow stages, not after them
    built = make_map(o)
    size = site.write_site(out, meta=built.meta, topology=built.topology, chunks=built.chunks)
    result = Result(out=out.resolve(), frames=built.meta["frames"], regions=len(built.meta["regions"]["names"]),
                    metrics=[m["name"] for m in built.meta["metrics"]], size=size,
                    seconds=time.perf_counter() - began, unmatched_codes=built.unmatched_codes,
                    shapes_without_data=built.shapes_without_data)
    log(f"site: {size / 1e6:.2f} MB written in {result.seconds:.1f} s total")
    return result


def make_map(o: Options) -> Map:
    """The pipeline: source -> aggregate -> geometry and matching -> classes -> chunks."""
    step = aggregate.parse_interval(o.interval)
    classify.palette(o.cmap, 2)
    src = open_source(o)

    t = time.perf_counter()
    agg = aggregate.aggregate(src, step, o.agg)
    filled = int(np.isfinite(next(iter(agg.values.values()))).sum()) or 1
    log(f"aggregate: {agg.rows:,} rows into {agg.frames:,} frames × {len(agg.regions):,} regions × "
        f"{len(src.metrics)} metrics ({o.agg} per {o.interval}; {agg.rows / filled:.1f} rows per filled bucket) "
        f"in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    shapes = geometry.prepare(geometry.read_shapes(o.shapes), o.projection, bbox=o.bbox, only=o.only)
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
                                   missing=o.missing_color, user_breaks=o.breaks, log=o.log, name=name)
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
    return Map(meta=meta, topology=topology, chunks=chunks, unmatched_codes=match.unmatched_codes,
               shapes_without_data=match.shapes_without_data)


HASH_FILE = ".inputs-sha256"


def inputs_digest(o: Options) -> str | None:
    """A hash of everything a map's output depends on; None when an input cannot be hashed (a server)."""
    h = hashlib.sha256(json.dumps(asdict(replace(o, out="")), sort_keys=True).encode())
    h.update(__version__.encode())
    for folder in (site.TEMPLATES, site.STATIC):
        for p in sorted(folder.iterdir()):
            h.update(p.name.encode() + p.read_bytes())
    files = [Path(v) for v in (o.csv, o.parquet) if v]
    shapes = Path(o.shapes) if o.shapes else geometry.default_shapes()
    files += sorted(shapes.parent.glob(shapes.stem + ".*")) if shapes.suffix == ".shp" else [shapes]
    if o.db:
        if not o.db.startswith("sqlite:///"):
            return None
        files.append(Path(o.db[len("sqlite:///"):]))
    elif not (o.csv or o.parquet):
        files.append(demo.ensure_demo_database())
    for p in files:
        if p.is_file():
            with p.open("rb") as f:
                while block := f.read(1 << 20):
                    h.update(block)
    return h.hexdigest()


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # unchanged maps are not copied: the new site shares their files
    except OSError:
        shutil.copy2(src, dst)


def build_site(cfg: SiteConfig, clean: bool = False) -> Path:
    """A site of several maps: an index page, a folder per map, shared assets; unchanged maps reused."""
    began = time.perf_counter()
    out = Path(cfg.out)
    site.check_output(out)
    with site.staged(out) as tmp:
        site.write_assets(tmp / "assets")
        entries, fresh = [], []
        for name, o in cfg.maps:
            digest = inputs_digest(o)
            old, folder = out / name, tmp / name
            if not clean and digest and (old / HASH_FILE).is_file() and (old / HASH_FILE).read_text() == digest:
                shutil.copytree(old, folder, copy_function=_link_or_copy)
                log(f"map {name}: unchanged, kept")
            else:
                log(f"map {name}: building")
                built = make_map(o)
                folder.mkdir()
                site.write_map(folder, meta=built.meta, topology=built.topology, chunks=built.chunks,
                               assets="../assets/")
                m = built.meta
                fmt = m["timeFormat"].replace("%Z", "UTC")
                summary = {"title": m["title"], "frames": m["frames"],
                           "from": time.strftime(fmt, time.gmtime(m["start"])),
                           "to": time.strftime(fmt, time.gmtime(m["start"] + (m["frames"] - 1) * m["step"]))}
                (folder / "map.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
                if digest:
                    (folder / HASH_FILE).write_text(digest)
                fresh.append(folder)
            entries.append({"name": name, **json.loads((folder / "map.json").read_text())})
        _stills(fresh)
        for e in entries:
            e["still"] = (tmp / e["name"] / "still.png").exists()
        (tmp / "index.html").write_text(site.render("site.html", title=cfg.title, maps=entries, assets="assets/"),
                                         encoding="utf-8")
    log(f"site: {len(entries)} maps ({len(fresh)} built) in {out.resolve()} in {time.perf_counter() - began:.1f} s")
    return out.resolve()


def _stills(folders: list[Path]) -> None:
    """A small still image of each new map, drawn by its own page in headless Chromium when there is one."""
    if not folders:
        return
    from . import capture

    try:
        capture.stills(folders)
    except UserError as exc:
        log(f"stills: skipped ({exc})")
