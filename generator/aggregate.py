"""Stage 2: bucket the rows onto a regular time grid and aggregate per bucket × region.

A database source aggregates in its own GROUP BY (SQLAlchemy Core, so any dialect): only
frames × regions rows come back, streamed in partitions into preallocated arrays. A file source is
aggregated by a vectorised pandas groupby. Either way the result is one float32 matrix
[frames × regions] per metric, NaN where a region has no rows in a bucket.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .errors import UserError, first_line
from .source import Source, epoch_seconds

AGGREGATES = ("sum", "mean", "min", "max", "count", "median")
_SQL_AGG: dict[str, Any] = {"sum": sa.func.sum, "mean": sa.func.avg, "min": sa.func.min, "max": sa.func.max,
            "count": sa.func.count}
_PARTITION = 200_000
_CALENDAR = {"mo": 1, "mon": 1, "month": 1, "months": 1, "q": 3, "quarter": 3, "quarters": 3,
             "y": 12, "yr": 12, "year": 12, "years": 12}
_NICE = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400]


@dataclass(frozen=True)
class Interval:
    n: int
    unit: str = "s"  # "s": n seconds; "month": n calendar months (months count from January 1970)

    def __str__(self) -> str:
        if self.unit == "month":
            return f"{self.n // 12}y" if self.n % 12 == 0 else f"{self.n}mo"
        for size, suffix in ((86400, "d"), (3600, "h"), (60, "min")):
            if self.n % size == 0:
                return f"{self.n // size}{suffix}"
        return f"{self.n}s"


@dataclass
class Aggregated:
    start: int  # the first bucket, in the interval's unit: epoch seconds, or months since 1970-01
    step: int  # units per bucket
    frames: int
    regions: list[str]  # the data's region codes, one per column
    values: dict[str, np.ndarray]  # metric -> float32 [frames × regions], NaN = no data
    rows: int = 0  # raw rows aggregated
    unit: str = "s"


def parse_interval(text: str | int | None) -> Interval | None:
    """An interval such as 15min, 1h, 1d, 7d, seconds, 1mo, 1q, 5y; None for auto (the data's own step)."""
    s = str(text if text is not None else "auto").strip().lower()
    if s == "auto":
        return None
    calendar = re.fullmatch(r"(\d*)\s*([a-z]+)", s)
    if calendar and calendar[2] in _CALENDAR and int(calendar[1] or 1) > 0:
        return Interval(int(calendar[1] or 1) * _CALENDAR[calendar[2]], "month")
    try:
        seconds = int(s) if s.isdigit() else pd.Timedelta(re.sub(r"d$", "D", s)).total_seconds()
    except ValueError:
        raise UserError(f"--interval {s!r} is not an interval; use auto, 15min, 1h, 1d, 7d, seconds, 1mo, 1q or "
                        "5y") from None
    if seconds < 1 or seconds != int(seconds):
        raise UserError(f"--interval {s!r} must be a whole number of seconds, at least 1")
    return Interval(int(seconds))


def _months(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds as calendar months since January 1970 (UTC)."""
    stamps = pd.to_datetime(seconds, unit="s")
    return np.asarray((stamps.year - 1970) * 12 + stamps.month - 1, dtype=np.int64)


def detect_interval(times: list[np.ndarray], kind: str) -> Interval:
    """The data's own step, from the distinct times of a few regions (epoch seconds, or years for
    kind "year").

    A region reporting regularly has one step: the greatest common divisor of the gaps between its
    times, which most gaps equal. Times that are irregular (events at any second) get the round
    interval nearest their median gap instead.
    """
    runs = [np.unique(t.astype(np.int64)) for t in times]
    gaps = np.concatenate([np.diff(t) for t in runs] + [np.zeros(0, dtype=np.int64)])
    if len(gaps) == 0:
        return Interval(12, "month") if kind == "year" else Interval(86400)
    if kind == "year":
        return Interval(int(np.gcd.reduce(gaps)) * 12, "month")
    every = np.concatenate(runs)
    if (pd.to_datetime(every, unit="s").day == 1).all() and (every % 86400 == 0).all():  # month starts
        return Interval(int(np.gcd.reduce(np.concatenate([np.diff(_months(t)) for t in runs]))), "month")
    step = int(np.gcd.reduce(gaps))
    if (gaps == step).mean() < 0.5:  # irregular: one frame per a few raw times, not per second
        median = float(np.median(gaps))
        step = (min(_NICE, key=lambda n: abs(np.log(n / median))) if median < 7 * 86400
                else round(median / 86400) * 86400)
    return Interval(step)


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


def aggregate(source: Source, step: Interval | int | None, agg: str | dict[str, str],
              tz: str | None = None) -> Aggregated:
    """Every metric per bucket × region; `agg` is one aggregation for all or one per metric.

    Buckets of seconds start at a whole multiple of the interval in the time zone `tz` (days start at
    its midnight); calendar buckets start on the first of a month (in UTC, or as naive times read).
    """
    aggs = dict.fromkeys(source.metrics, agg) if isinstance(agg, str) else dict(agg)
    for name in aggs.values():
        if name not in AGGREGATES:
            raise UserError(f"--agg {name!r} is unknown; choose one of {', '.join(AGGREGATES)}")
    interval = Interval(step) if isinstance(step, int) else step
    try:
        if interval is None:
            interval = detect_interval(_distinct_times(source), source.time_kind)
        if source.time_kind == "year" and interval.unit != "month":
            raise UserError(f"the time column {source.time!r} holds years; use --interval auto, 1y or 5y")
        if source.engine is None:
            return _in_pandas(source, interval, aggs, tz)
        if interval.unit == "month" and source.time_kind != "year":
            return _months_from_days(source, interval, aggs)
        return _in_database(source, interval, aggs, tz)
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(f"the database refused the aggregation: {first_line(exc)}") from None


def _origin(interval: Interval, tz: str | None, lo: int) -> int:
    """Where bucket boundaries fall, in the interval's unit, given the first time `lo`.

    Seconds: the zone's UTC offset, so that days start at local midnight (buckets shorter than an
    hour follow the clock anyway). Months: buckets of several years start in January of the first
    year (1952, 1957…, not 1950).
    """
    step = interval.n
    if interval.unit == "month":
        return lo - lo % 12 if step > 12 and step % 12 == 0 else 0
    if not tz or (step % 3600 and step < 86400):
        return 0
    return -int(pd.Timestamp(lo, unit="s", tz="UTC").tz_convert(tz).utcoffset().total_seconds())


def _span(lo: Any, hi: Any, step: int, origin: int = 0) -> tuple[int, int]:
    if lo is None:
        raise UserError("the source returned no rows with a time and a region; check the query or table")
    try:
        start = (int(lo) - origin) // step * step + origin
        return start, (int(hi) - start) // step + 1
    except (TypeError, ValueError):
        raise UserError(f"the time column holds {type(lo).__name__} values; it must hold epoch seconds") from None


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


def _distinct_times(source: Source, regions: int = 3, limit: int = 20_000) -> list[np.ndarray]:
    """Up to `limit` distinct times of each of a few regions, in epoch seconds (years for year columns)."""
    if source.engine is None:
        assert source.frame is not None
        df = source.frame[[source.region, source.time]].dropna()
        some = df[source.region].drop_duplicates().head(regions)
        return [np.unique(_file_times(df[source.time][df[source.region] == r], source))[:limit] for r in some]
    src = source.selectable
    assert src is not None
    expr, unit = _time_expr(source)
    if source.time_kind == "year":
        expr = sa.cast(src.c[source.time], sa.BigInteger)
    region = src.c[source.region]
    with source.engine.connect() as conn:
        some = [r for (r,) in conn.execute(sa.select(region).where(region.is_not(None)).limit(1000))]
        some = list(dict.fromkeys(some))[:regions]
        # One scan for the few regions together (a large table without an index is read once, not thrice).
        rows = conn.execute(sa.select(region, expr).where(region.in_(some), expr.is_not(None)).distinct()
                            .order_by(region, expr).limit(limit * len(some)))
        times: dict[object, list[int]] = {r: [] for r in some}
        for r, x in rows:
            times[r].append(x)
        return [np.array(t[:limit], dtype=np.int64) // unit for t in times.values()]


def _in_database(source: Source, interval: Interval, aggs: dict[str, str], tz: str | None,
                 parts: dict[str, tuple[str, str]] | None = None) -> Aggregated:
    """GROUP BY bucket, region in the database. `parts` (output -> (metric, aggregation)) replaces
    `aggs` when the caller needs partial aggregates (sums and counts) to combine later."""
    src = source.selectable
    assert src is not None and source.engine is not None
    region, raw_time = src.c[source.region], src.c[source.time]
    time, unit = _time_expr(source)
    outputs = parts or {m: (m, a) for m, a in aggs.items()}
    valid = sa.and_(region.is_not(None), raw_time.is_not(None))
    step = interval.n
    with source.engine.connect() as conn:
        # min/max of a raw number: an index on the column answers without a scan.
        bound = raw_time if source.time_kind in ("seconds", "milliseconds") else time
        lo, hi = conn.execute(sa.select(sa.func.min(bound), sa.func.max(bound)).where(valid)).one()
        origin = _origin(interval, tz, int(lo) // unit) * unit if lo is not None else 0
        start, frames = _span(lo, hi, step * unit, origin)
        raw_regions = sorted(r for (r,) in conn.execute(sa.select(region).where(valid).distinct()))
        _check_size(frames, len(raw_regions), len(outputs))
        column_of = {r: i for i, r in enumerate(raw_regions)}
        values = {o: np.full((frames, len(raw_regions)), np.nan, dtype=np.float32) for o in outputs}

        offset = time - sa.literal(start, sa.BigInteger)
        size = sa.literal(step * unit, sa.BigInteger)
        # (offset - offset % step) / step is exact in every dialect, whether "/" is integer division or not.
        bucket = sa.cast((offset - offset % size) / size, sa.BigInteger).label("bucket")
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
        raw_rows = 0
        for k, (names, stmt) in enumerate(stmts):
            frames_of_parts = []
            for part in _partitions(conn, stmt):
                rows = np.array(part, dtype=object)  # one C-level pass; columns are sliced from it
                b = rows[:, 0].astype(np.int64)
                r = np.fromiter(map(column_of.__getitem__, rows[:, 1]), dtype=np.int64, count=len(rows))
                cells = np.where(rows[:, 2:-1] == None, np.nan, rows[:, 2:-1]).astype(np.float64)  # noqa: E711
                if k == 0:  # each statement sees every row: count them once
                    raw_rows += int(rows[:, -1].astype(np.int64).sum())
                if names is median:
                    frames_of_parts.append(pd.DataFrame(cells, columns=names).assign(b=b, r=r))
                    continue
                for i, o in enumerate(names):
                    values[o][b, r] = cells[:, i]
            if frames_of_parts:
                med = pd.concat(frames_of_parts).groupby(["b", "r"]).median()
                b, r = med.index.get_level_values(0), med.index.get_level_values(1)
                for o in names:
                    values[o][b, r] = med[o].to_numpy()
    return Aggregated(start=start // unit, step=step, frames=frames, regions=[str(x) for x in raw_regions],
                      values=values, rows=raw_rows, unit=interval.unit)


def _months_from_days(source: Source, interval: Interval, aggs: dict[str, str]) -> Aggregated:
    """Calendar buckets from a database: days from its GROUP BY (portable SQL), then days into months.

    A mean is a sum over a count, so the days carry both; a median needs the rows themselves.
    """
    if "median" in aggs.values():
        raise UserError("--agg median with a calendar --interval (months, years) from a database is not "
                        "supported; use a file source, mean, or an interval in days")
    parts = {f"{m}\0{piece}": (m, piece) for m, a in aggs.items()
             for piece in (("sum", "count") if a == "mean" else (a,))}
    days = _in_database(source, Interval(86400), aggs, None, parts)
    month = _months(days.start + np.arange(days.frames, dtype=np.int64) * 86400)
    start, frames = _span(month[0], month[-1], interval.n, _origin(interval, None, int(month[0])))
    bucket = (month - start) // interval.n
    _check_size(frames, len(days.regions), len(aggs))
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
                      rows=days.rows, unit="month")


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
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    cursor.execute(str(compiled), [params[k] for k in compiled.positiontup or ()] if compiled.positional else params)
    while part := cursor.fetchmany(_PARTITION):
        yield part


def _file_times(col: pd.Series, source: Source, unit: str = "s") -> np.ndarray:
    """A file's time column as int64 epoch seconds, or months since 1970-01 (years for "year" data
    when unit is "year")."""
    if source.time_kind == "year":
        years = pd.to_numeric(col).to_numpy(dtype=np.int64)
        return (years - 1970) * 12 if unit == "month" else years
    seconds = epoch_seconds(col, source.time_kind).to_numpy(dtype=np.int64)
    return _months(seconds) if unit == "month" else seconds


def _in_pandas(source: Source, interval: Interval, aggs: dict[str, str], tz: str | None) -> Aggregated:
    """Vectorised: each row's cell index (bucket × region), then bincount / ufunc.at per metric."""
    df = source.frame
    assert df is not None
    step = interval.n
    valid = (df[source.region].notna() & df[source.time].notna()).to_numpy()
    every = bool(valid.all())  # the usual case: no row to drop, so no filtered copies

    def rows(col: pd.Series) -> pd.Series:
        return col if every else col[valid]

    t = _file_times(rows(df[source.time]), source, interval.unit)
    origin = _origin(interval, tz, int(t.min())) if len(t) else 0
    start, frames = _span(t.min() if len(t) else None, t.max() if len(t) else None, step, origin)
    codes, uniques = pd.factorize(rows(df[source.region]), sort=True)  # keeps categoricals compact
    regions = [str(u) for u in uniques]
    _check_size(frames, len(regions), len(aggs))
    cells = frames * len(regions)
    # In place: 30 M rows make each temporary 240 MB.
    cell = np.subtract(t, start, out=t if t.dtype == np.int64 and t.flags.writeable else None)
    del t
    cell //= step
    cell *= len(regions)
    cell += codes
    del codes
    rows_per_cell = np.bincount(cell, minlength=cells)
    present = rows_per_cell > 0  # a bucket with rows but only NULLs counts 0, like SQL
    values = {}
    for m, agg in aggs.items():
        v = rows(df[m]).to_numpy(dtype=np.float64)
        ok = ~np.isnan(v)
        if ok.all():  # no NULLs: every row counts, as already counted
            c, n = cell, rows_per_cell
        else:
            c, v = cell[ok], v[ok]
            n = np.bincount(c, minlength=cells)
        del ok
        if agg == "count":
            out = np.where(present, n, np.nan)
        elif agg in ("sum", "mean"):
            out = np.bincount(c, weights=v, minlength=cells).astype(np.float64, copy=False)  # (int when empty)
            if agg == "mean":
                np.divide(out, n, out=out, where=n > 0)
            out[n == 0] = np.nan
        elif agg in ("min", "max"):
            out = np.full(cells, np.inf if agg == "min" else -np.inf)
            (np.minimum if agg == "min" else np.maximum).at(out, c, v)
            out[n == 0] = np.nan
        else:  # median: no bincount form
            out = np.full(cells, np.nan)
            med = pd.Series(v).groupby(c).median()
            out[med.index.to_numpy()] = med.to_numpy()
        del c, v, n
        values[m] = out.reshape(frames, len(regions)).astype(np.float32)
        del out
    return Aggregated(start=start, step=step, frames=frames, regions=regions, values=values, rows=len(cell),
                      unit=interval.unit)


def fill_forward(values: np.ndarray) -> np.ndarray:
    """Each region's last value carried into the frames after it that have none (in place)."""
    frames = np.arange(values.shape[0])[:, None]
    last = np.maximum.accumulate(np.where(np.isfinite(values), frames, 0), axis=0)
    values[:] = values[last, np.arange(values.shape[1])]
    return values
