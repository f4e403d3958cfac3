"""--append: a map built on the one already in --out, reading only the rows from its last frame on.

A build with --append keeps, beside the site (never published), a cache of its aggregated grid (one
float32 matrix per metric, as stage 3 made it), its metadata and what it read before its last frame
(count and time range: fingerprint.before). The next --append checks that those rows are unchanged,
aggregates the rows from the last frame's start on (a bound in the database's WHERE, past Parquet row
groups whose statistics are older), and lays the new frames over the old grid's last frame. The whole
grid then gives the classes a clean build would choose: where they are the old ones, the chunks before
the old last one are kept (linked, not rewritten) and only the rest is encoded; where they are not, the
map is encoded again from the grid (without reading the source again). Either way the files are those
a clean build of the same rows writes, byte for byte. The page's series and report are made anew.
"""
from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import aggregate, builds, fingerprint, framedata, series, site, source
from .build import Built, log
from .errors import UserError
from .frametimes import format_time, frame_time
from .intervals import Aggregated
from .options import Metric, Options, parse_metric

CACHE_FILE = "cache.json"


@dataclass
class Cache:
    info: dict  # build, meta, report, regions, region_of_shape, rows, last_rows, before, digests
    values: dict[str, np.ndarray]


def load(folder: Path) -> Cache | None:
    try:
        info = json.loads((folder / CACHE_FILE).read_text())
        values = {(folder / f"{k}.name").read_text(): np.load(folder / f"{k}.npy", mmap_mode="r")
                  for k in range(len(info["meta"]["metrics"]))}
    except (OSError, ValueError, KeyError):
        return None
    return Cache(info, values)


def last_start(meta: dict) -> float:
    """Epoch seconds at which the map's last frame starts."""
    when = frame_time(meta, meta["frames"] - 1)
    return (when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)).timestamp()


def recorder(pending: Path, kept: dict) -> Callable[[Aggregated, source.Source], None]:
    """make_map's `aggregated` hook: the grid's matrices saved before the encoding consumes them."""
    def record(agg: Aggregated, src: source.Source) -> None:
        pending.mkdir(parents=True)
        for k, (name, matrix) in enumerate(agg.values.items()):
            np.save(pending / f"{k}.npy", matrix)
            (pending / f"{k}.name").write_text(name)
        kept.update(agg=Aggregated(agg.start, agg.step, agg.frames, list(agg.regions), {}, agg.rows, agg.filled,
                                   agg.unit), src=src)
    return record


def finish_cache(pending: Path, o: Options, kept: dict, built: Built) -> None:
    """The cache's facts, once the build is made: what it read before its last frame and in it."""
    agg, src = kept["agg"], kept["src"]
    at = last_start(built.meta)
    codes = built.meta["regions"].get("codes", built.meta["regions"]["keys"])
    where = {c: i for i, c in enumerate(agg.regions)}
    info = {"build": built.meta["build"], "meta": built.meta, "report": built.report,
            "regions": [str(r) for r in agg.regions],
            "region_of_shape": [where.get(str(c), -1) if c != "" else -1 for c in codes], "rows": agg.rows,
            "last_rows": fingerprint.rows_from(o, src, at), "before": fingerprint.before(o, src, at),
            "digests": built.digests, "time_kind": src.time_kind}
    (pending / CACHE_FILE).write_text(json.dumps(info, default=float))


def metrics_of(o: Options, meta: dict) -> list[Metric]:
    names = [m["name"] for m in meta["metrics"]]
    return [parse_metric(m, o) for m in o.metrics] if o.metrics else [parse_metric(n, o) for n in names]


def why_not(o: Options, folder: Path, cache: Cache | None) -> str | None:
    """Why this build cannot append to the map in `folder` (None: it can)."""
    if cache is None:
        return "there is no cache of its aggregated grid beside the site"
    if cache.info["build"] != builds.current(folder):
        return "the cache beside the site is of another build"
    recorded = fingerprint.read(folder)
    if recorded is None or recorded.options != fingerprint.options_digest(o):
        return "its options, its shapes or the tool changed"
    if o.to:
        return "--to fixes its last frame"
    if cache.info.get("time_kind") not in ("seconds", "milliseconds"):
        return "appending needs times as epoch seconds or milliseconds"
    return None


def append_map(o: Options, old: Path, new: Path, cache_pending: Path) -> Built | None:
    """The map in `old` with the rows from its last frame on, written into the folder `new` (its data
    files; the caller writes the page with site.write_map), its cache into `cache_pending`. None when
    it cannot append (the reason is logged: the caller makes a full build)."""
    from . import extend

    cache = load(cache_folder_of(old))
    reason = why_not(o, old, cache)
    if reason is None and cache is not None:
        meta0, info = cache.info["meta"], cache.info
        metrics = metrics_of(o, meta0)
        src = build_source(o, metrics)
        at = last_start(meta0)
        if fingerprint.before(o, src, at) != info["before"]:
            reason = f"the rows before its last frame ({_when(meta0)}) changed"
    if reason is not None or cache is None:
        log(f"append: a full build, as {reason}")
        return None
    interval = Aggregated(meta0["start"], meta0["step"], 1, [], {}, unit=meta0["unit"]).interval
    since = datetime.datetime.fromtimestamp(at, datetime.timezone.utc).isoformat()
    try:
        fresh = aggregate.aggregate(src, interval, {m.name: m.agg for m in metrics}, meta0["tz"], since, None)
    except UserError as exc:
        log(f"append: a full build, as the rows from its last frame on cannot be read alone ({exc})")
        return None
    regions = info["regions"]
    column = {r: i for i, r in enumerate(regions)}
    first = meta0["start"] + (meta0["frames"] - 1) * meta0["step"]
    if fresh.start != first or any(str(r) not in column for r in fresh.regions):
        log("append: a full build, as the new rows " + ("bring new regions" if fresh.start == first else
                                                       "do not continue its frames"))
        return None
    old_frames = meta0["frames"]
    frames = old_frames - 1 + fresh.frames
    cols = np.array([column[str(r)] for r in fresh.regions], dtype=np.int64)
    grid: dict[str, np.ndarray] = {}
    for name, old_matrix in cache.values.items():
        full = np.full((frames, len(regions)), np.nan, np.float32)
        full[:old_frames - 1] = old_matrix[:old_frames - 1]
        full[old_frames - 1:, cols] = fresh.values[name]
        grid[name] = full
    rows = info["rows"] - info["last_rows"] + fresh.rows
    agg = Aggregated(meta0["start"], meta0["step"], frames, regions, grid, rows, 0, meta0["unit"])
    log(f"append: {fresh.rows:,} rows from {_when(meta0)} on: {frames - old_frames:,} new frames "
        f"({old_frames:,} → {frames:,})")

    shapes = len(meta0["regions"]["names"])
    per_chunk = framedata.chunk_frames(shapes, frames)
    ext = extend.encode(agg, metrics, np.array(info["region_of_shape"]), per_chunk, values=o.values, fill=o.fill,
                        missing=o.missing_color, old_meta=meta0, old_digests=info["digests"])
    changed = [m.name for m, same in zip(metrics, ext.kept) if not same]
    if changed:
        log(f"append: {', '.join(changed)}: the new values change the classes (or the chunks' size): "
            "encoded again whole from the cached grid")
    meta = dict(meta0, frames=frames, chunkFrames=per_chunk, series={"step": series.frames_per_point(frames),
                                                                      "group": series.GROUP}, metrics=ext.metas)
    topology = _topology(old)
    meta["build"] = builds.build_id(meta, topology, ext.digests)
    data = builds.data_folder(new)
    old_data = builds.data_folder(old, meta0["build"])
    for k, files in enumerate(ext.files):
        (data / str(k)).mkdir(parents=True)
        for stem, blob in files:
            target = data / str(k) / f"{stem}.js"
            if blob is None:
                os.link(old_data / str(k) / f"{stem}.js", target)
            else:
                site.write_blob(f"{k}/{stem}", target, blob)
    report = _report(o, meta, cache.info["report"], agg, ext.present, info["region_of_shape"])
    built = Built(meta=meta, topology=topology, chunks=[], values=[], series=[], report=report, digests=ext.digests)
    _save(cache_pending, grid, info, built, o, src)
    return built


def cache_folder_of(map_folder: Path) -> Path:
    """The cache of a map folder: beside a one-map site, or under the config site's cache by the map's name."""
    if (map_folder / "assets").is_dir() or (map_folder / "player.js").exists():
        return builds.cache_folder(map_folder)
    return builds.cache_folder(map_folder.parent) / map_folder.name


def build_source(o: Options, metrics: list[Metric]) -> source.Source:
    from .build import open_source

    return open_source(o, [m.name for m in metrics])


def _when(meta: dict) -> str:
    return format_time(meta, meta["frames"] - 1)


def _topology(folder: Path) -> dict:
    text = (folder / "topology.js").read_text(encoding="utf-8")
    return json.loads(text[text.index(",") + 1:text.rindex(")")])


def _report(o: Options, meta: dict, old: dict, agg: Aggregated, present: np.ndarray, region_of_shape: list) -> dict:
    """The old build's report.json with the frames, rows, sparse regions and classes of the new one."""
    coverage = 100 * present / max(agg.frames, 1)
    names = meta["regions"]["names"]
    sparse = [{"region": names[j], "code": agg.regions[i], "coverage": round(float(coverage[j]), 2)}
              for j, i in enumerate(region_of_shape) if i >= 0 and coverage[j] < o.sparse]
    metrics = [dict(r, edges=m["edges"], classes=len(m["colors"])) for r, m in zip(old["metrics"], meta["metrics"])]
    return dict(old, frames=agg.frames, to=format_time(meta, agg.frames - 1), rows=agg.rows,
                regions=dict(old["regions"], sparse=sparse), metrics=metrics)


def _save(pending: Path, grid: dict[str, np.ndarray], info: dict, built: Built, o: Options, src: source.Source) -> None:
    pending.mkdir(parents=True)
    for k, (name, matrix) in enumerate(grid.items()):
        np.save(pending / f"{k}.npy", matrix)
        (pending / f"{k}.name").write_text(name)
    at = last_start(built.meta)
    new_info = dict(info, build=built.meta["build"], meta=built.meta, report=built.report,
                    rows=built.report["rows"], digests=built.digests,
                    last_rows=fingerprint.rows_from(o, src, at), before=fingerprint.before(o, src, at))
    (pending / CACHE_FILE).write_text(json.dumps(new_info, default=float))
