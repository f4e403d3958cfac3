"""Stage 3, aggregate, for databases: the GROUP BY runs in the database (SQLAlchemy Core, so any dialect).

PostgreSQL, MariaDB/MySQL, ClickHouse, DuckDB, warehouses: only frames × regions rows come back,
streamed in parts (transfer.py) into preallocated arrays. Data too big for one machine stays where it is.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from . import ordered, transfer, windowed
from .errors import UserError, flag
from .grid import check_frames, check_memory
from .intervals import Aggregated, Interval, bucket_range, months, origin
from .source import Source
from .window import Window
from .zones import DAY, Clock

_SQL_AGG: dict[str, Any] = {"sum": sa.func.sum, "mean": sa.func.avg, "min": sa.func.min, "max": sa.func.max,
            "count": sa.func.count}


def check_size(frames: int, regions: int, metrics: int) -> None:
    """Refuse, with the estimate, a build whose matrices would not fit in memory."""
    check_frames(frames)
    check_memory(frames * regions * metrics * 4 * 2,  # float32 values plus working copies
                 f"{frames:,} frames × {regions:,} regions × {metrics} metrics")


def _time_expr(source: Source) -> tuple[sa.ColumnElement, int]:
    """The time column in SQL as a number, and how many of it make a unit (1000 for milliseconds).

    Years as (year - 1970) * 12 months; dates and timestamps as epoch seconds (EXTRACT(epoch …)
    where SQL has it, strftime('%s') in SQLite).
    """
    assert source.selectable is not None
    raw = source.selectable.c[source.time]
    if source.time_kind == "datetime":
        return sa.cast(sa.extract("epoch", raw), sa.BigInteger), 1
    if source.time_kind == "year":
        return (sa.cast(raw, sa.BigInteger) - 1970) * 12, 1
    return sa.cast(raw, sa.BigInteger), 1000 if source.time_kind == "milliseconds" else 1


def distinct_times(source: Source, regions: int = 3, limit: int = 20_000) -> list[np.ndarray]:
    """Up to `limit` distinct times of each of a few regions, in epoch seconds (years for year columns).

    GROUP BY rather than DISTINCT, ordered by the output columns' names: MariaDB 10.11 answers
    `SELECT DISTINCT r, CAST(t …) … ORDER BY r, CAST(t …)` over a derived table with one row per
    region. Ordered by time first, so that the limit leaves each region its share.
    """
    src = source.selectable
    assert src is not None and source.engine is not None
    expr, unit = _time_expr(source)
    if source.time_kind == "year":
        expr = sa.cast(src.c[source.time], sa.BigInteger)
    region = src.c[source.region]
    with source.engine.connect() as conn:
        some = [r for (r,) in conn.execute(sa.select(region).where(region.is_not(None)).limit(1000))]
        some = list(dict.fromkeys(some))[:regions]
        # One scan for the few regions together (a large table without an index is read once, not thrice).
        rows = conn.execute(sa.select(region.label("r"), expr.label("t")).where(region.in_(some), expr.is_not(None))
                            .group_by(region, expr).order_by(sa.literal_column("t"), sa.literal_column("r"))
                            .limit(limit * len(some)))
        times: dict[object, list[int]] = {r: [] for r in some}
        for r, x in rows:
            times[r].append(x)
        return [np.array(t[:limit], dtype=np.int64) // unit for t in times.values()]


def _within(source: Source, time: sa.ColumnElement, window: Window | None) -> list[sa.ColumnElement[bool]]:
    """--from … --to in the WHERE, on the column's own numbers where they are numbers (an index serves)."""
    if window is None:
        return []
    assert source.selectable is not None
    raw = source.selectable.c[source.time]
    column, per = ((time, 1) if source.time_kind == "datetime" else
                   (raw, 1000 if source.time_kind == "milliseconds" else 1))
    return ([column >= int(window.lo) * per] if np.isfinite(window.lo) else []) + \
           ([column < int(window.hi) * per] if np.isfinite(window.hi) else [])


def _local(time: sa.ColumnElement, clock: Clock, per: int) -> sa.ColumnElement:
    """The time on the zone's clock (`per` units a second): the offset of each stretch between changes."""
    if not len(clock.cuts):
        return time + sa.literal(int(clock.offsets[0]) * per, sa.BigInteger) if clock.offsets[0] else time
    return sa.case(*((time < sa.literal(int(c) * per, sa.BigInteger), time + sa.literal(int(o) * per, sa.BigInteger))
                     for c, o in zip(clock.cuts, clock.offsets)),
                   else_=time + sa.literal(int(clock.offsets[-1]) * per, sa.BigInteger))


def in_database(source: Source, interval: Interval, aggs: dict[str, str], tz: str | None,
                window: Window | None = None, parts: dict[str, tuple[str, str]] | None = None,
                scratch: Path | None = None) -> Aggregated:
    """GROUP BY bucket, region in the database. Days are local days of zone `tz`, the offset of each
    stretch of its clock a CASE in the GROUP BY. `parts` (output -> (metric, aggregation)) replaces
    `aggs` when the caller needs partial aggregates (sums and counts) to combine later. Given a
    `scratch` folder, a grid of at least windowed.STREAM_CELLS cells comes ordered by bucket and is kept
    there a window at a time (ordered.py)."""
    src = source.selectable
    assert src is not None and source.engine is not None
    region, raw_time = src.c[source.region], src.c[source.time]
    time, unit = _time_expr(source)
    outputs = parts or {m: (m, a) for m, a in aggs.items()}
    valid = sa.and_(region.is_not(None), raw_time.is_not(None), *_within(source, time, window))
    step = interval.n
    with source.engine.connect() as conn:
        # min/max of a raw number: an index on the column answers without a scan.
        bound = raw_time if source.time_kind in ("seconds", "milliseconds") else time
        lo, hi = conn.execute(sa.select(sa.func.min(bound), sa.func.max(bound)).where(valid)).one()
        if lo is None:
            raise UserError("the source returned no rows with a time and a region"
                            f"{' from --from to --to' if window else ''}; check the query or table")
        if interval.unit == "day":  # local days: bucket numbers of the clock's time, in days
            clock = Clock.of(tz, int(lo) // unit, int(hi) // unit).within(int(lo) // unit, int(hi) // unit)
            time = _local(time, clock, unit)
            lo, hi = clock.day_range(int(lo) // unit, int(hi) // unit)
            size, per = step, DAY * unit
        else:
            size, per = step * unit, 1
        scale = unit if interval.unit == "s" else 1  # the window and origin in seconds; raw numbers in ms
        base = window.base if window else origin(interval, tz, int(lo) // unit)
        start, frames = bucket_range(lo, hi, size, base * scale)
        if window:  # the frames run from the bucket holding --from to the one holding --to
            last = window.last * scale if window.last is not None else start + (frames - 1) * size
            start = window.first * scale if window.first is not None else start
            frames = (last - start) // size + 1
        raw_regions = sorted(r for (r,) in conn.execute(sa.select(region).where(valid).distinct()))
        streamed = scratch is not None and frames * len(raw_regions) * len(outputs) >= windowed.STREAM_CELLS
        if streamed:
            check_frames(frames)
        else:
            check_size(frames, len(raw_regions), len(outputs))
        column_of = {r: i for i, r in enumerate(raw_regions)}
        values = {o: np.full((frames, len(raw_regions)), np.nan, dtype=np.float32) for o in outputs if not streamed}

        offset = time - sa.literal(start * per, sa.BigInteger)
        length = sa.literal(size * per, sa.BigInteger)
        # (offset - offset % length) // length is exact in every dialect: an integer "/" where "/" divides
        # integers (PostgreSQL, SQLite: no NUMERIC division of every row; 30 % of a 13 M-row GROUP BY),
        # FLOOR(… / …) of an exact multiple elsewhere.
        bucket = sa.cast((offset - offset % length) // length, sa.BigInteger).label("bucket")
        median = [o for o, (_, a) in outputs.items() if a == "median"]
        grouped = [o for o in outputs if o not in median]
        stmts = []
        if grouped:
            stmts.append((grouped, sa.select(bucket, region, *(_SQL_AGG[outputs[o][1]](src.c[outputs[o][0]])
                                                               for o in grouped), sa.func.count())
                          .where(valid).group_by(bucket, region)))
        if median:  # no portable SQL median: stream the bucketed rows, reduce in pandas
            stmts.append((median, sa.select(bucket, region, *(src.c[outputs[o][0]] for o in median),
                                            sa.literal(1)).where(valid)))
        if streamed:
            assert scratch is not None
            stored, raw_rows, filled = ordered.spill_rows(conn, stmts, list(outputs), column_of, set(median), scratch)
            return Aggregated(start=start // unit if interval.unit == "s" else start, step=step, frames=frames,
                              regions=[str(x) for x in raw_regions], values={}, rows=raw_rows, unit=interval.unit,
                              filled=filled, stored=stored)
        raw_rows = 0
        for k, (names, stmt) in enumerate(stmts):
            frames_of_parts = []
            for part in transfer.parts(conn, stmt, column_of):
                if k == 0:  # each statement sees every row: count them once
                    raw_rows += int(part.rows.sum())
                if names is median:
                    frames_of_parts.append(pd.DataFrame(part.cells, columns=names)
                                           .assign(**{"\0b": part.buckets, "\0r": part.columns}))
                    continue
                for i, o in enumerate(names):
                    values[o][part.buckets, part.columns] = part.cells[:, i]
            if frames_of_parts:
                med = pd.concat(frames_of_parts).groupby(["\0b", "\0r"]).median()
                b, r = med.index.get_level_values(0), med.index.get_level_values(1)
                for o in names:
                    values[o][b, r] = med[o].to_numpy()
    return Aggregated(start=start // unit if interval.unit == "s" else start, step=step, frames=frames,
                      regions=[str(x) for x in raw_regions],
                      values=values, rows=raw_rows, unit=interval.unit, filled=_filled(values))


def months_from_days(source: Source, interval: Interval, aggs: dict[str, str], tz: str | None,
                     window: Window | None = None) -> Aggregated:
    """Calendar buckets from a database: local days from its GROUP BY (portable SQL), then days into months.

    A mean is a sum over a count, so the days carry both; a median needs the rows themselves.
    """
    if "median" in aggs.values():
        raise UserError(f"{flag('agg', 'median')} with a calendar {flag('interval')} (months, years) from a "
                        "database is not supported; use a file source, mean, or an interval in days")
    parts = {f"{m}\0{piece}": (m, piece) for m, a in aggs.items()
             for piece in (("sum", "count") if a == "mean" else (a,))}
    rows = Window(None, None, window.lo, window.hi, 0) if window else None
    days = in_database(source, Interval(1, "day"), aggs, tz, rows, parts)
    month = months(days.start + np.arange(days.frames, dtype=np.int64))
    base = window.base if window else origin(interval, None, int(month[0]))
    start, frames = bucket_range(month[0], month[-1], interval.n, base)
    if window:
        last = window.last if window.last is not None else start + (frames - 1) * interval.n
        start = window.first if window.first is not None else start
        frames = (last - start) // interval.n + 1
    bucket = (month - start) // interval.n
    check_size(frames, len(days.regions), len(aggs))
    first = np.flatnonzero(np.r_[True, np.diff(bucket) > 0])  # each bucket's first day

    def reduce(name: str, how: str) -> np.ndarray:
        v = days.values[name].astype(np.float64)
        seen = np.add.reduceat(np.isfinite(v), first, axis=0) > 0
        fill = {"min": np.inf, "max": -np.inf}.get(how, 0.0)
        ufunc = {"min": np.minimum, "max": np.maximum}.get(how, np.add)
        out = ufunc.reduceat(np.where(np.isfinite(v), v, fill), first, axis=0)
        out[~seen] = np.nan
        full = np.full((frames, v.shape[1]), np.nan)
        full[bucket[first]] = out
        return full

    values = {}
    for m, a in aggs.items():
        if a == "mean":
            out = reduce(f"{m}\0sum", "sum") / reduce(f"{m}\0count", "sum")
        else:
            out = reduce(f"{m}\0{a}", "sum" if a == "count" else a)
        values[m] = out.astype(np.float32)
    return Aggregated(start=start, step=interval.n, frames=frames, regions=days.regions, values=values,
                      rows=days.rows, unit="month", filled=_filled(values))


def _filled(values: dict[str, np.ndarray]) -> int:
    """Cells with a value of the first metric (the grid counts cells with rows; a GROUP BY's result has
    a row for each)."""
    return int(np.isfinite(next(iter(values.values()))).sum())
