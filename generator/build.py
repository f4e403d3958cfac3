"""One map's build: wires the stages in the order they run (source -> shapes -> aggregate, the topology
beside it -> match -> encode -> site; see the code map in generator/__init__.py), and reports. A site
of many maps is multisite.py; the options are options.py."""
from __future__ import annotations

import ctypes
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from . import aggregate, builds, demo, encoding, framedata, locales, publish, regions, series, site, source, streamed
from .errors import UserError, flag
from .frametimes import default_time_format, format_time
from .geo import builtin, geometry, overlay
from .geo.topology import to_topology
from .logs import log
from .options import Metric, Options, parse_metric
from .video import preview

__all__ = ["Built", "Options", "Result", "build", "make_map"]

@dataclass
class Result:
    out: Path
    frames: int
    regions: int
    metrics: list[str]
    size: int
    seconds: float


# Rows handed over from Python (api.py): Arrow record batches, or a database's Engine with o.table or o.query.
Rows: TypeAlias = "pa.RecordBatchReader | sa.Engine"


def open_source(o: Options, metrics: list[str] | None, rows: Rows | None = None) -> source.Source:
    given = [name for name, v in ((flag("db"), o.db), (flag("csv"), o.csv), (flag("parquet"), o.parquet),
                                  ("the rows given", rows is not None)) if v]
    if len(given) > 1:
        raise UserError(f"give one source, not {' and '.join(given)}")
    if isinstance(rows, sa.Engine):
        return source.from_database(rows, table=o.table, query=o.query, region=o.region, time=o.time,
                                    metrics=metrics)
    if rows is not None:
        return source.from_arrow(rows, region=o.region, time=o.time, metrics=metrics)
    if o.csv or o.parquet:
        kind, path = ("csv", o.csv) if o.csv else ("parquet", o.parquet or "")
        return source.from_file(path, kind, region=o.region, time=o.time, metrics=metrics)
    if o.db:
        return source.from_database(o.db, table=o.table, query=o.query, region=o.region, time=o.time,
                                    metrics=metrics)
    demo_db = demo.ensure_demo_database()
    log(f"source: demo database {demo_db} (table events)")
    return source.from_database(f"sqlite:///{demo_db}", table="events", query=None, region=o.region,
                                time=o.time, metrics=metrics)


def give_back_memory() -> None:
    """Return the C heap's free pages to the system: glibc keeps the holes a batch's temporaries leave
    (over 100 MB after tens of millions of rows), which would count in the peak of the encoding that follows."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def is_demo(o: Options, rows: Rows | None = None) -> bool:
    """No source given: the embedded demo database."""
    return not (o.db or o.csv or o.parquet) and rows is None


def check_tz(tz: str | None) -> str | None:
    """The map's time zone, None for UTC (checked by validate.py)."""
    return None if not tz or tz.upper() == "UTC" else tz


def _names(items: list[str]) -> str:
    return ", ".join(items[:10]) + (f" and {len(items) - 10} more" if len(items) > 10 else "")


@dataclass
class Built:
    """One built map, ready to be written: the page's metadata, the TopoJSON, the frame chunks."""
    meta: dict
    topology: dict
    chunks: list[list[bytes]]
    values: list[list[bytes]]  # per metric: the exact values' chunks (empty with --no-values)
    series: list[list[bytes]]  # per metric: the regions' series over all frames, a blob per group of regions
    report: dict  # what the build found (report.json): codes matched or not, shapes without data…
    digests: list[list[list[str]]] = field(default_factory=list)  # each blob's SHA-256 (builds.digests)


def build(o: Options) -> Result:
    """Build a one-map site into the folder o.out, or into one self-contained file when it ends in .html."""
    began = time.perf_counter()
    out = Path(o.out)
    site.check_output(out)  # fail before the slow stages, not after them
    base = publish.base_url(o.base_url)
    if site.is_single_file(out):  # nothing beside it: no preview image
        built = make_map(o)
        head = publish.head(built.meta, built.report["from"], built.report["to"], base and base + out.name, None)
        size = site.write_single(out, site.single_page(meta=built.meta, topology=built.topology, chunks=built.chunks,
                                                       values=built.values, series=built.series, head=head))
    else:  # each metric's files written while the next ones encode, into a folder swapped in at the end
        from . import append, fingerprint

        cache = builds.cache_folder(out)
        cache_new = cache.with_name(cache.name + ".new")
        shooter = None if o.preview_frame.strip().lower() == "none" else preview.Shooter()
        try:
            with site.staged(out) as tmp, ThreadPoolExecutor(max_workers=1) as writer:
                shutil.rmtree(cache_new, ignore_errors=True)
                inputs = fingerprint.Fingerprint(fingerprint.options_digest(o), fingerprint.source_of(o)) \
                    if o.append else None
                appended = append.append_map(o, out, tmp, cache_new) if o.append and builds.current(out) else None
                if appended is not None:
                    built = appended
                else:
                    pending: list[Future] = []
                    grid: dict = {}
                    built = make_map(o, written=lambda m, *blobs: pending.append(writer.submit(site.write_data, tmp,
                                                                                                m, *blobs)),
                                     aggregated=append.recorder(cache_new, grid) if o.append else None,
                                     checked=shooter.start if shooter else None,  # the browser starts meanwhile
                                     store=None if o.append else lambda m, stem, blob: pending.append(  # streamed
                                         writer.submit(site.write_file, tmp, m, stem, blob)))
                    for job in pending:
                        job.result()
                    if o.append:
                        append.finish_cache(cache_new, o, grid, built)
                if inputs is not None:
                    (tmp / fingerprint.RECORD).write_text(inputs.as_json())
                site.write_map(tmp, meta=built.meta, topology=built.topology, chunks=[],  # the data: written above
                               report=built.report)
                site.write_assets(tmp)
                publish.finish_page(tmp, built.meta, built.report, o, shooter)
                size = site.size_of(tmp)  # this build's files, not the earlier builds' linked below
                if out.is_dir():
                    kept = builds.keep_earlier(out, tmp)
                    if kept:
                        log(f"site: the data of {len(kept)} earlier build{'s' if len(kept) > 1 else ''} kept for the "
                            f"pages still open on {'them' if len(kept) > 1 else 'it'} ({builds.GRACE / 60:.0f} "
                            "minutes after each was replaced)")
        finally:
            if shooter is not None:
                shooter.close()
        if o.append:
            builds.swap_cache(cache_new, cache)  # after the site: a cache is never newer than the site it describes
    result = Result(out=out.resolve(), frames=built.meta["frames"], regions=len(built.meta["regions"]["names"]),
                    metrics=[m["name"] for m in built.meta["metrics"]], size=size,
                    seconds=time.perf_counter() - began)
    log(f"site: {size / 1e6:.2f} MB written in {result.seconds:.1f} s total")
    return result


def make_map(o: Options, rows: Rows | None = None, geodata: gpd.GeoDataFrame | None = None,
             written: encoding.Written | None = None, checked: Callable[[], None] | None = None,
             aggregated: Callable[[aggregate.Aggregated, source.Source], object] | None = None,
             store: streamed.Put | None = None) -> Built:
    """The pipeline: source and shapes -> aggregate -> matching and topology -> classes -> chunks.
    `rows` and `geodata`, given from Python, stand for o's source and o.shapes; `written(m, chunks,
    values, series)` is handed each metric's data as soon as it is encoded; `checked()` is called once
    the options, the source and the shapes are known good, before the aggregation; `aggregated(agg,
    source)` is handed the grid before it is encoded (append.py keeps it). Given `store(m, stem,
    blob)`, a large build may stream (chosen by its size): its aggregation kept in a temporary folder
    a window at a time (removed however the build ends), each data file handed to `store` as soon as
    it is made, none kept in the Built."""
    if store is None or aggregated is not None:
        return _make_map(o, rows, geodata, written, checked, aggregated, None, None)
    with tempfile.TemporaryDirectory(prefix="build-site-") as scratch:
        return _make_map(o, rows, geodata, written, checked, aggregated, store, Path(scratch))


def _make_map(o: Options, rows: Rows | None, geodata: gpd.GeoDataFrame | None, written: encoding.Written | None,
              checked: Callable[[], None] | None,
              aggregated: Callable[[aggregate.Aggregated, source.Source], object] | None,
              store: streamed.Put | None, scratch: Path | None) -> Built:
    interval = aggregate.parse_interval(o.interval or ("1h" if is_demo(o, rows) else "auto"))
    tz = check_tz(o.tz)
    metrics = [parse_metric(m, o) for m in o.metrics] if o.metrics else None
    src = open_source(o, [m.name for m in metrics] if metrics else None, rows)
    metrics = metrics or [parse_metric(name, o) for name in src.metrics]
    # The shapes before the aggregation: a mistake in them is told in seconds, not after a long GROUP BY.
    t = time.perf_counter()
    projection = o.projection or ("albers-usa" if builtin.is_us(o.shapes) else "robinson")
    shapes = geometry.prepare(geometry.read_shapes(o.shapes if geodata is None else geodata, o.layer), projection,
                              bbox=o.bbox, only=o.only)
    if o.shape_key and o.shape_key not in shapes.keys_table:
        raise UserError(f"{flag('shape_key', o.shape_key)} is not a field of the shapes (fields: "
                        f"{', '.join(shapes.keys_table)})")
    shapes_seconds = time.perf_counter() - t
    if checked is not None:
        checked()

    def topology_timed() -> tuple[dict, float]:
        began = time.perf_counter()
        return to_topology(shapes, simplify=o.simplify), time.perf_counter() - began

    t = time.perf_counter()
    side = ThreadPoolExecutor(max_workers=1)  # the topology beside the aggregation, which leaves a core free
    topology_job = side.submit(topology_timed)
    try:
        agg = aggregate.aggregate(src, interval, {m.name: m.agg for m in metrics}, tz, o.from_, o.to,
                                  None if any(m.center is not None for m in metrics) else scratch)
    finally:
        side.shutdown(wait=False)  # an error is told now, not once the topology is done
    give_back_memory()
    if aggregated is not None:
        aggregated(agg, src)
    step = agg.interval
    filled = agg.filled or 1
    aggs = ", ".join(sorted({m.agg for m in metrics}))
    log(f"aggregate: {agg.rows:,} rows into {agg.frames:,} frames × {len(agg.regions):,} regions × "
        f"{len(metrics)} metrics ({aggs} per {step}{', the data’s own step' if interval is None else ''}; "
        f"{agg.rows / filled:.1f} rows per filled bucket) in {time.perf_counter() - t:.1f} s"
        f"{', streamed a window of frames at a time' if agg.stored else ''}")

    t = time.perf_counter()
    match = regions.match(agg.regions, shapes.keys_table, shapes.names, o.shape_key, o.region_type)
    matched = len(agg.regions) - len(match.unmatched_codes)
    if matched == 0:
        raise UserError(f"none of the data's {len(agg.regions)} region codes (e.g. {_names(agg.regions[:3])}) "
                        f"matches a shape; name the shapes' key field with {flag('shape_key')} and the codes' type "
                        f"with {flag('region_type')}")
    log(f"regions: {matched} of {len(agg.regions)} data codes ({match.data_type}) matched shapes by "
        f"{match.key_field!r}; {len(shapes.names) - int((match.region_of_shape >= 0).sum())} of "
        f"{len(shapes.names)} shapes have no data")
    if match.unmatched_codes:
        log(f"  unmatched data codes: {_names(match.unmatched_codes)}")
    if match.shapes_without_data:
        log(f"  shapes without data: {_names(match.shapes_without_data)}")
    topology, topology_seconds = topology_job.result()
    overlay.add_lines(topology, shapes.outlines or [], "insets", o.simplify)
    if o.borders:
        overlay.add_borders(topology, o.borders, shapes, match.key_field, projection, o.bbox, o.simplify)
    log(f"geometry: {len(shapes.names)} shapes, projected ({projection}) and simplified in "
        f"{shapes_seconds + topology_seconds + time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    per_chunk = framedata.chunk_frames(len(shapes.names), agg.frames)
    language = locales.page_meta(o, agg.unit, agg.step)  # the reader's: its tag, words and dates
    labelled = locales.labelled(metrics, language["words"], step)
    if agg.stored is not None and store is not None:  # streamed: the blobs stored as they are made
        enc = streamed.encode_stored(agg, labelled, match.region_of_shape, per_chunk, values=o.values, fill=o.fill,
                                     missing=o.missing_color, per=str(step), put=store)
    else:
        enc = encoding.encode_metrics(agg, labelled, match.region_of_shape, per_chunk, values=o.values, fill=o.fill,
                                      missing=o.missing_color, per=str(step), written=written)
    metas = enc.metas
    log(f"classify+encode: {len(metrics)} metrics into {', '.join(sorted({str(len(m['colors'])) for m in metas}))} "
        f"classes ({', '.join(sorted({m.scheme for m in metrics}))}) in {time.perf_counter() - t:.1f} s")
    if o.values != "none":  # base64 in the page's data files adds a third
        exact_mb = (enc.sizes[0] if enc.sizes else sum(len(b) for blobs in enc.values for b in blobs)) * 4 / 3 / 1e6
        log(f"  values for the tooltip ({o.values}): {exact_mb:.1f} MB, loaded only when asked for "
            f"({flag('values', 'none')} leaves them out)")
    series_mb = (enc.sizes[1] if enc.sizes else max(sum(len(b) for b in blobs) for blobs in enc.series)) * 4 / 3 / 1e6
    per_point = series.frames_per_point(agg.frames)
    log(f"  series for the charts: {series_mb:.1f} MB per metric at most ("
        f"{f'min, mean and max of {per_point} frames' if per_point > 1 else 'each frame'} per point), "
        f"loaded only when a chart asks")

    keys = shapes.keys_table[match.key_field]
    codes = [str(agg.regions[i]) if i >= 0 else "" for i in match.region_of_shape]
    meta = {
        "title": o.title or language["words"]["untitled"],
        **publish.words(o),  # subtitle, source, notes: only those given
        "start": agg.start,
        "step": agg.step,
        "unit": agg.unit,
        "tz": tz,
        "frames": agg.frames,
        "timeFormat": o.time_format or default_time_format(agg.unit, agg.step),
        **language,  # locale, words (and dateOptions)
        "chunkFrames": per_chunk,
        "series": {"step": series.frames_per_point(agg.frames), "group": series.GROUP},
        "bbox": topology["bbox"],
        "globe": shapes.globe,
        # codes: the data's code of each shape ("": none), for the page's downloads; left out when they are the keys
        "regions": {"names": shapes.names, "keys": keys, **({"codes": codes} if codes != keys else {})},
        "metrics": metas,
        **({"refresh": o.refresh} if o.refresh else {}),  # the page looks for newer builds (80-refresh.js)
    }
    blob_digests = enc.digests or builds.digests([enc.chunks, enc.values, enc.series])
    meta["build"] = builds.build_id(meta, topology, blob_digests)
    report = _report(o, meta, agg, match, metrics, enc.present, shapes.names)
    return Built(meta=meta, topology=topology, chunks=enc.chunks, values=enc.values, series=enc.series, report=report,
                 digests=blob_digests)


def _report(o: Options, meta: dict, agg: aggregate.Aggregated, match: regions.Match, metrics: list[Metric],
            present: np.ndarray, names: list[str]) -> dict:
    """What the build found, for report.json beside the page: codes matched or not, shapes without
    data, regions with data in fewer than o.sparse % of frames."""
    coverage = 100 * present / max(agg.frames, 1)
    sparse = [{"region": names[j], "code": agg.regions[i], "coverage": round(float(coverage[j]), 2)}
              for j, i in enumerate(match.region_of_shape) if i >= 0 and coverage[j] < o.sparse]
    if sparse:
        log(f"  {len(sparse)} regions have data in fewer than {o.sparse:g}% of frames: "
            f"{_names([s['region'] for s in sparse])}")
    return {
        "title": meta["title"],
        **{k: meta[k] for k in ("subtitle", "source", "notes") if k in meta},
        "frames": meta["frames"],
        "interval": str(agg.interval),
        "from": format_time(meta, 0),
        "to": format_time(meta, meta["frames"] - 1),
        "rows": agg.rows,
        "regions": {
            "data_codes": len(agg.regions),
            "code_type": match.data_type,
            "shape_key": match.key_field,
            "matched": len(agg.regions) - len(match.unmatched_codes),
            "unmatched_codes": match.unmatched_codes,
            "shapes": len(names),
            "shapes_without_data": match.shapes_without_data,
            "sparse_below_percent": o.sparse,
            "sparse": sparse,
        },
        "metrics": [{"name": m.name, "agg": m.agg, "scheme": m.scheme, "classes": len(mm["colors"]),
                     "edges": mm["edges"], "cmap": m.cmap, "center": m.center, "log": m.log, "round": m.round}
                    for m, mm in zip(metrics, meta["metrics"])],
    }


