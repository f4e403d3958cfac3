"""Stage 3, aggregate: bucket the rows onto a regular time grid and aggregate per bucket × region.

A database aggregates in its own GROUP BY (pushdown.py): only frames × regions rows travel. Rows read
in this process (SQLite files, CSV, Parquet, Arrow) are scattered batch by batch into the dense grid
(grid.py). Either way the result is one float32 matrix [frames × regions] per metric, NaN where a
region has no rows in a bucket.
"""
from __future__ import annotations

import queue
import threading
import typing
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from . import pushdown, ranged, scan, windowed
from .errors import UserError, first_line, flag
from .grid import Codes, Grid, TooBig
from .intervals import (
    Aggregated,
    Interval,
    detect_interval,
    months,
    origin,
    parse_interval,
    seconds_interval,
)
from .logs import log, progress
from .options import Agg
from .source import Source
from .window import Window, parse_when, window
from .zones import Clock

__all__ = ["AGGREGATES", "Aggregated", "Interval", "aggregate", "detect_interval", "parse_interval",
           "parse_when"]

AGGREGATES = typing.get_args(Agg)


def aggregate(source: Source, step: Interval | int | None, agg: str | dict[str, str],
              tz: str | None = None, since: str | None = None, until: str | None = None,
              scratch: Path | None = None) -> Aggregated:
    """Every metric per bucket × region; `agg` is one aggregation for all or one per metric; only the rows
    of the buckets holding `since` and `until` (ISO 8601, in `tz`), those buckets the first and last.
    Given a `scratch` folder, a large aggregation may be kept there a window at a time (Aggregated.stored).

    Buckets of seconds start at a whole multiple of the interval in the time zone `tz`; days, weeks
    (from Monday unless the interval says) and calendar months start at its local midnight, on both
    sides of every change of its offset. Dates (no time of day) are days as read, in any zone.
    """
    aggs = dict.fromkeys(source.metrics, agg) if isinstance(agg, str) else dict(agg)
    for name in aggs.values():
        if name not in AGGREGATES:
            raise UserError(f"{flag('agg', name)} is unknown; choose one of {', '.join(AGGREGATES)}", "agg")
    interval = seconds_interval(step) if isinstance(step, int) else step
    zone = None if source.dates else tz  # dates are calendar days already
    ends = [parse_when(w, zone, flag(field)) if w else None for w, field in ((since, "from_"), (until, "to"))]
    try:
        if interval is None:
            times = pushdown.distinct_times(source) if source.batches is None else _distinct_times(source)
            interval = detect_interval(times, source.time_kind)
        if source.time_kind == "year" and interval.unit != "month":
            raise UserError(f"the time column {source.time!r} holds years; use {flag('interval', 'auto')}, "
                            "'1y' or '5y'")
        span = window(interval, zone, source.time_kind, *ends) if any(e is not None for e in ends) else None
        if source.batches is not None:
            if scratch is not None and windowed.streams(source, len(aggs)):
                return windowed.in_windows(source, interval, aggs, zone, span, scratch)
            try:
                return _in_process(source, interval, aggs, zone, span)
            except TooBig as exc:  # a CSV, SQLite or Python source larger than it looked: read again, streamed
                if scratch is None:
                    raise
                log(f"aggregate: the grid outgrew the memory available (it needs about {exc.need / 2**30:.1f} GiB): "
                    "read again, a window of frames at a time")
                return windowed.in_windows(source, interval, aggs, zone, span, scratch)
        if scratch is not None and (rows := ranged.source(source, interval, len(aggs), span)) is not None:
            return windowed.in_windows(rows, interval, aggs, zone, span, scratch)  # a large table's rows, here
        if interval.unit == "month" and source.time_kind != "year":
            return pushdown.months_from_days(source, interval, aggs, zone, span)
        return pushdown.in_database(source, interval, aggs, zone, span, scratch=scratch)
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(f"the database refused the aggregation: {first_line(exc)}") from None
    except (pa.ArrowException, OSError) as exc:  # a bad value deep in a file, a driver's error
        raise UserError(f"cannot read the rows: {first_line(exc)}; check the source") from None


def rows_of(batch: pa.RecordBatch, source: Source, codes: Codes, span: Window | None, metrics: list[str],
            interval: Interval, tz: str | None) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """A batch's rows that count (a time, a known region, within --from/--to): their times in the
    interval's unit, their region numbers and their metrics' values (columns: region, time, metrics)."""
    t = scan.epoch(batch.column(1), source.time_kind)
    region = codes.of(batch.column(0))
    ok = np.isfinite(t) & (region >= 0)
    if span:
        ok &= (t >= span.lo) & (t < span.hi)
    values = {m: scan.floats(batch.column(2 + i)) for i, m in enumerate(metrics)}
    if not ok.all():
        t, region, values = t[ok], region[ok], {m: v[ok] for m, v in values.items()}
    t = t.astype(np.int64)
    return (_units(t, source, interval.unit, tz) if len(t) else t), region, values


def _units(t: np.ndarray, source: Source, unit: str, tz: str | None) -> np.ndarray:
    """Times (epoch seconds, or years) in the interval's unit: seconds, local days or months since 1970-01."""
    if source.time_kind == "year":
        return (t - 1970) * 12 if unit == "month" else t
    if unit == "s" or not len(t):
        return t
    days = Clock.of(tz, int(t.min()), int(t.max())).days(t)
    return months(days) if unit == "month" else days


def _ahead(parts: list[scan.Reader], depth: int = 4) -> Iterator[pa.RecordBatch]:
    """The batches of every part, each part read by its own thread while this one aggregates (the
    readers release the GIL). At most `depth` batches wait; a consumer that stops early stops the
    readers too."""
    box: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def read(batches: scan.Reader) -> None:
        with closing(batches):
            try:
                for b in batches:
                    if not put(b):
                        return
                put(None)
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                put(exc)

    readers = [threading.Thread(target=read, args=(p,), daemon=True) for p in parts]
    for r in readers:
        r.start()
    try:
        done = 0
        while done < len(readers):
            item = box.get()
            if item is None:
                done += 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item
    finally:
        stop.set()
        for r in readers:
            r.join()


def _counted(batches: Iterator[pa.RecordBatch], total: int | None) -> Iterator[pa.RecordBatch]:
    """The batches, their rows counted on the command's progress display."""
    with progress("rows read", total) as advance:
        for batch in batches:
            advance(batch.num_rows)
            yield batch


def _in_process(source: Source, interval: Interval, aggs: dict[str, str], tz: str | None,
                span: Window | None) -> Aggregated:
    """Batches scattered into the grid. Bucket boundaries depend on the first time (time zone offset,
    the first year of several-year buckets): taken from the window, or from the first batch, checked at
    the end, and on the rare mismatch (unsorted rows across a DST change) read again."""
    assert source.batches is not None
    first: int | None = span.base if span else None
    bounds = scan.Bounds(span.lo, span.hi, source.time_kind) if span else None
    while True:
        grid = Grid(aggs)
        lo = None
        for batch in _counted(_ahead(source.batches([source.region, source.time, *aggs], None, bounds)),
                              source.total):
            t, region, values = rows_of(batch, source, grid.codes, span, list(aggs), interval, tz)
            if not len(t):
                continue
            lo = int(t.min()) if lo is None else min(lo, int(t.min()))
            if first is None:
                first = origin(interval, tz, lo)
            grid.add((t - first) // interval.n, region, values)
        if lo is None:
            raise UserError("the source returned no rows with a time and a region"
                            f"{' from --from to --to' if span else ''}; check the query or table")
        if span or origin(interval, tz, lo) == first:
            break
        first = origin(interval, tz, lo)
    assert grid.lo is not None and first is not None
    if span:  # the frames run from the bucket holding --from to the one holding --to
        grid.widen(*((b - first) // interval.n if b is not None else None for b in (span.first, span.last)))
    return Aggregated(start=first + grid.lo * interval.n, step=interval.n, frames=grid.hi - grid.lo + 1,
                      regions=grid.regions(), values=grid.result(), rows=grid.rows, unit=interval.unit,
                      filled=grid.filled())


def _distinct_times(source: Source, regions: int = 3, limit: int = 20_000) -> list[np.ndarray]:
    """Up to `limit` distinct times of each of the first few regions, in epoch seconds (years for
    year columns): the region and time columns only, the regions chosen from the first batch."""
    assert source.batches is not None
    some: list[str] = []
    with closing(source.batches([source.region, source.time], None)[0]) as batches:
        for batch in batches:
            names = batch.column(0).cast(pa.string()).to_numpy(zero_copy_only=False)
            some = list(dict.fromkeys(n for n in names if n is not None))[:regions]
            if some:
                break
    kept = {r: np.zeros(0, np.int64) for r in some}
    for batch in _ahead(source.batches([source.region, source.time], some)):
        names = batch.column(0).cast(pa.string()).to_numpy(zero_copy_only=False)
        t = scan.epoch(batch.column(1), source.time_kind)
        for r in kept:
            mine = t[(names == r) & np.isfinite(t)].astype(np.int64)
            if len(mine):
                kept[r] = np.unique(np.concatenate([kept[r], mine]))[:limit]
    return list(kept.values())
