"""Stage 2: bucket the rows onto a regular time grid and aggregate per bucket × region.

A database source aggregates in its own GROUP BY (SQLAlchemy Core, so any dialect): only
frames × regions rows come back, streamed in partitions into preallocated arrays. A file source is
aggregated by a vectorised pandas groupby. Either way the result is one float32 matrix
[frames × regions] per metric, NaN where a region has no rows in a bucket.
"""
from __future__ import annotations

import os
from typing import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .errors import UserError, first_line
from .source import Source, epoch_seconds

AGGREGATES = ("sum", "mean", "min", "max", "count", "median")
_SQL_AGG = {"sum": sa.func.sum, "mean": sa.func.avg, "min": sa.func.min, "max": sa.func.max,
            "count": sa.func.count}
_PARTITION = 200_000


@dataclass
class Aggregated:
    start: int  # epoch seconds of the first bucket
    step: int  # seconds per bucket
    frames: int
    regions: list[str]  # the data's region codes, one per column
    values: dict[str, np.ndarray]  # metric -> float32 [frames × regions], NaN = no data
    rows: int = 0  # raw rows aggregated


def parse_interval(text: str | int) -> int:
    """Seconds in an interval such as 15min, 1h, 1d, 7d or a plain number of seconds."""
    s = str(text).strip()
    try:
        seconds = int(s) if s.isdigit() else pd.Timedelta(s).total_seconds()
    except ValueError:
        raise UserError(f"--interval {s!r} is not an interval; use e.g. 15min, 1h, 1d, 7d or seconds") from None
    if seconds < 1 or seconds != int(seconds):
        raise UserError(f"--interval {s!r} must be a whole number of seconds, at least 1")
    return int(seconds)


MAX_FRAMES = 5_000_000


def _check_size(frames: int, regions: int, metrics: int) -> None:
    """Refuse, with the estimate, a build whose matrices would not fit in memory."""
    if frames > MAX_FRAMES:
        raise UserError(f"{frames:,} frames is more than {MAX_FRAMES:,}; use a longer --interval or a shorter "
                        "time range")
    need = frames * regions * metrics * 4 * 2  # float32 values plus working copies
    avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    if need > avail * 0.8:
        raise UserError(f"{frames:,} frames × {regions:,} regions × {metrics} metrics needs about "
                        f"{need / 2**30:.1f} GiB of memory, {avail / 2**30:.1f} GiB is free; use a "
                        "longer --interval, fewer --metric or a smaller time range")


def aggregate(source: Source, step: int, agg: str) -> Aggregated:
    if agg not in AGGREGATES:
        raise UserError(f"--agg {agg!r} is unknown; choose one of {', '.join(AGGREGATES)}")
    if source.engine is not None:
        try:
            return _in_database(source, step, agg)
        except sa.exc.SQLAlchemyError as exc:
            raise UserError(f"the database refused the aggregation: {first_line(exc)}") from None
    return _in_pandas(source, step, agg)


def _span(lo: object, hi: object, step: int) -> tuple[int, int]:
    if lo is None:
        raise UserError("the source returned no rows with a time and a region; check the query or table")
    try:
        start = int(lo) // step * step
        return start, (int(hi) - start) // step + 1
    except (TypeError, ValueError):
        raise UserError(f"the time column holds {type(lo).__name__} values; it must hold epoch seconds") from None


def _in_database(source: Source, step: int, agg: str) -> Aggregated:
    src = source.selectable
    assert src is not None and source.engine is not None
    region, raw_time = src.c[source.region], src.c[source.time]
    # Time in the column's own unit: epoch seconds or milliseconds as they are, dates and timestamps
    # as epoch seconds (EXTRACT(epoch …) where SQL has it, strftime('%s') in SQLite).
    if source.time_kind == "datetime":
        time, unit = sa.cast(sa.extract("epoch", raw_time), sa.BigInteger), 1
    else:
        time, unit = sa.cast(raw_time, sa.BigInteger), 1000 if source.time_kind == "milliseconds" else 1
    valid = sa.and_(region.is_not(None), raw_time.is_not(None))
    metrics = source.metrics
    with source.engine.connect() as conn:
        # min/max of a raw number: an index on the column answers without a scan.
        bound = time if source.time_kind == "datetime" else raw_time
        lo, hi = conn.execute(sa.select(sa.func.min(bound), sa.func.max(bound)).where(valid)).one()
        start, frames = _span(lo, hi, step * unit)
        raw_regions = sorted(r for (r,) in conn.execute(sa.select(region).where(valid).distinct()))
        _check_size(frames, len(raw_regions), len(metrics))
        column_of = {r: i for i, r in enumerate(raw_regions)}
        values = {m: np.full((frames, len(raw_regions)), np.nan, dtype=np.float32) for m in metrics}

        offset = time - sa.literal(start, sa.BigInteger)
        size = sa.literal(step * unit, sa.BigInteger)
        # (offset - offset % step) / step is exact in every dialect, whether "/" is integer division or not.
        bucket = sa.cast((offset - offset % size) / size, sa.BigInteger).label("bucket")
        if agg == "median":  # no portable SQL median: stream the bucketed rows, reduce in pandas
            stmt = sa.select(bucket, region, *(src.c[m] for m in metrics), sa.literal(1)).where(valid)
        else:
            fn = _SQL_AGG[agg]
            stmt = (sa.select(bucket, region, *(fn(src.c[m]).label(f"m{i}") for i, m in enumerate(metrics)),
                              sa.func.count().label("n"))
                    .where(valid).group_by(bucket, region))
        parts, raw_rows = [], 0
        for part in _partitions(conn, stmt):
            rows = np.array(part, dtype=object)  # one C-level pass; columns are sliced from it
            b = rows[:, 0].astype(np.int64)
            r = np.fromiter(map(column_of.__getitem__, rows[:, 1]), dtype=np.int64, count=len(rows))
            cells = np.where(rows[:, 2:-1] == None, np.nan, rows[:, 2:-1]).astype(np.float64)  # noqa: E711
            raw_rows += int(rows[:, -1].astype(np.int64).sum())
            if agg == "median":
                parts.append(pd.DataFrame(cells, columns=metrics).assign(b=b, r=r))
                continue
            for i, m in enumerate(metrics):
                values[m][b, r] = cells[:, i]
        if parts:
            med = pd.concat(parts).groupby(["b", "r"]).median()
            b, r = med.index.get_level_values(0), med.index.get_level_values(1)
            for m in metrics:
                values[m][b, r] = med[m].to_numpy()
    return Aggregated(start=start // unit, step=step, frames=frames, regions=[str(x) for x in raw_regions],
                      values=values, rows=raw_rows)


def _partitions(conn: sa.Connection, stmt: sa.Select) -> Iterator[list[tuple]]:
    """The statement's rows as lists of tuples, _PARTITION at a time.

    Where the dialect has server-side cursors (PostgreSQL…), SQLAlchemy streams the rows. Where it
    has none (SQLite, DuckDB), SQLAlchemy would read the same driver cursor but build a Row object per
    row: there the driver's cursor is read directly, which makes the transfer about twice as fast.
    """
    if conn.dialect.supports_server_side_cursors:
        result = conn.execution_options(stream_results=True, yield_per=_PARTITION).execute(stmt)
        for part in result.partitions(_PARTITION):
            yield [tuple(row) for row in part]
        return
    compiled = stmt.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    cursor = conn.connection.driver_connection.cursor()
    cursor.execute(str(compiled), [params[k] for k in compiled.positiontup] if compiled.positional else params)
    while part := cursor.fetchmany(_PARTITION):
        yield part


def _in_pandas(source: Source, step: int, agg: str) -> Aggregated:
    """Vectorised: each row's cell index (bucket × region), then bincount / ufunc.at per metric."""
    df = source.frame
    assert df is not None
    valid = (df[source.region].notna() & df[source.time].notna()).to_numpy()
    t = epoch_seconds(df[source.time][valid], source.time).to_numpy()
    start, frames = _span(t.min() if len(t) else None, t.max() if len(t) else None, step)
    codes, uniques = pd.factorize(df[source.region][valid], sort=True)  # keeps categoricals compact
    regions = [str(u) for u in uniques]
    _check_size(frames, len(regions), len(source.metrics))
    cells = frames * len(regions)
    cell = (t - start) // step * len(regions) + codes
    del t, codes
    present = np.bincount(cell, minlength=cells) > 0  # a bucket with rows but only NULLs counts 0, like SQL
    values = {}
    for m in source.metrics:
        v = df[m].to_numpy(dtype=np.float64)[valid]
        ok = ~np.isnan(v)
        c, v = cell[ok], v[ok]
        n = np.bincount(c, minlength=cells)
        if agg == "count":
            out = np.where(present, n, np.nan)
        elif agg in ("sum", "mean"):
            out = np.bincount(c, weights=v, minlength=cells).astype(np.float64)
            if agg == "mean":
                out = np.divide(out, n, out=np.full(cells, np.nan), where=n > 0)
            out[n == 0] = np.nan
        elif agg in ("min", "max"):
            out = np.full(cells, np.inf if agg == "min" else -np.inf)
            (np.minimum if agg == "min" else np.maximum).at(out, c, v)
            out[n == 0] = np.nan
        else:  # median: no bincount form
            out = np.full(cells, np.nan)
            med = pd.Series(v).groupby(c).median()
            out[med.index.to_numpy()] = med.to_numpy()
        values[m] = out.reshape(frames, len(regions)).astype(np.float32)
    return Aggregated(start=start, step=step, frames=frames, regions=regions, values=values, rows=len(cell))
