"""Stage 1, source, for a large PostgreSQL table whose GROUP BY would return about as many rows as it
reads: its rows brought here (ADBC, binary COPY) and aggregated in this process, a window of buckets
at a time (windowed.py), as a Parquet file's are.

Hourly rows of 3,230 counties aggregated by the hour make one group per row: the server's hash
aggregate does the work of a sort without shrinking anything. Measured here (2 cores, PostgreSQL 15,
4.1 M rows of 1,280 hours): its GROUP BY 7.2 s; a bitmap scan of the time index sending the same rows
1.5 s. So a table's rows come here when its statistics say a cell holds at most ROWS_PER_CELL rows and
the grid is large enough to stream: a time range at a time where an index leads with the time column
and the table lies in time order (the column's correlation), so that each range is a run of
neighbouring pages; else in one scan, partitioned here by window first (partition.py), as a Parquet
file in no order is. A query, or a table never analysed, keeps the server's GROUP BY (pushdown.py).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from . import scan, transfer, windowed
from .errors import UserError, first_line
from .intervals import Interval
from .logs import debug
from .source import Source
from .window import Window

ROWS_PER_CELL = 4  # at most this many rows a bucket × region: the rows themselves travel
RANGE_ROWS = 1 << 22  # rows of one query, about
CORRELATION = 0.9  # the time column's order against the table's pages, at least
_SECONDS = {"s": 1, "day": 86400, "month": 2_629_746}


def source(src: Source, interval: Interval, metrics: int, span: Window | None) -> Source | None:
    """`src` as rows read by time range, or None where the server's GROUP BY is the better way."""
    if (src.engine is None or src.engine.dialect.name != "postgresql" or src.selectable is None
            or src.time_kind not in ("seconds", "milliseconds")):
        return None
    table = next(iter(src.selectable.element.get_final_froms()), None)  # type: ignore[attr-defined]
    if not isinstance(table, sa.TableClause):
        return None  # a query: no statistics to judge by
    raw = src.selectable.c[src.time]
    per = 1000 if src.time_kind == "milliseconds" else 1
    with src.engine.connect() as conn:
        stats = _statistics(conn, table, src.region, src.time)
        if stats is None:
            return None
        rows, regions, correlation, indexed = stats
        lo, hi = conn.execute(sa.select(sa.func.min(raw), sa.func.max(raw))).one()  # the index answers
    if lo is None:
        return None
    lo, hi = lo // per, hi // per + 1  # epoch seconds
    if span is not None:  # the rows within --from … --to, as many a second as in the whole
        whole = hi - lo
        lo, hi = int(max(span.lo, lo)), int(min(span.hi, hi))
        rows *= max(hi - lo, 0) / whole
    frames = max(1, (hi - lo) // (_SECONDS[interval.unit] * interval.n) + 1)
    cells = frames * regions
    chosen = cells * metrics >= windowed.STREAM_CELLS and rows <= ROWS_PER_CELL * cells
    ordered = indexed and correlation >= CORRELATION
    how = ("its GROUP BY" if not chosen else "rows read by time range" if ordered else
           "rows read whole and partitioned by time here")
    debug(f"PostgreSQL table {table.name}: ~{rows:,.0f} rows, ~{regions:,.0f} regions, ~{frames:,} frames, "
          f"{'an' if indexed else 'no'} index on {src.time}, its correlation {correlation:.3f}: {how}")
    probe = transfer.adbc_connect(src.engine) if chosen else None
    if probe is None:
        return None
    probe.close()
    step = max(1, int((hi - lo) * RANGE_ROWS / max(rows, 1))) if ordered else hi - lo  # else: one scan

    def in_order(columns: list[str], bounds: scan.Bounds | None) -> Iterator[tuple[pa.RecordBatch, float]]:
        """The rows within bounds a range of `step` seconds at a time, each batch with the least time a later
        row can have."""
        a, b = (lo, hi) if bounds is None else (max(lo, bounds.lo), min(hi, bounds.hi))
        assert src.engine is not None
        import adbc_driver_manager

        db = transfer.adbc_connect(src.engine)
        if db is None:
            raise UserError("cannot connect to PostgreSQL over ADBC to read the rows; check the server")
        try:
            yield from _ranges(db, columns, a, b)
        except adbc_driver_manager.Error as exc:  # the server stopped, a value it cannot send…
            raise UserError(f"cannot read the rows: {first_line(exc)}; check the source") from None

    def _ranges(db: Any, columns: list[str], a: float, b: float) -> Iterator[tuple[pa.RecordBatch, float]]:
        assert src.engine is not None and src.selectable is not None
        sel = src.selectable
        exprs = [sa.cast(sel.c[c], sa.Text) if c == src.region else sel.c[c] for c in columns]
        with src.engine.connect() as conn, db, db.cursor() as cur:
            # No JIT (it compiles each range's plan again); the index's pages in table order (a bitmap scan).
            for setting in ("jit = off", *(("enable_seqscan = off", "enable_indexscan = off") if ordered else ())):
                cur.execute(f"SET {setting}")
            for start in range(int(a), int(np.ceil(b)), step):
                end = min(start + step, int(np.ceil(b)))
                stmt = sa.select(*(e.label(f"c{i}") for i, e in enumerate(exprs))).where(
                    sel.c[src.region].is_not(None), raw >= start * per, raw < end * per)
                held = None  # each batch is yielded once the next has come: only the range's last is floored at its end
                for batch in transfer.arrow_of(cur, transfer.postgres_sql(conn, stmt)):
                    if held is not None:
                        yield held, float(start)
                    held = pa.RecordBatch.from_arrays(batch.columns, names=columns)
                if held is not None:
                    yield held, float(end)

    return dataclasses.replace(src, engine=None, selectable=None, in_order=in_order if ordered else None,
                               batches=lambda c, r, b=None: [(scan.only(x, r) for x, _ in in_order(c, b))])


def _statistics(conn: sa.Connection, table: sa.TableClause, region: str, time: str
                ) -> tuple[float, float, float, bool] | None:
    """The table's rows, distinct regions and the time column's correlation, from the planner's statistics
    (None before ANALYZE), and whether an index leads with the time column."""
    schema = table.schema
    found = conn.execute(sa.text(
        "SELECT c.reltuples, r.n_distinct, t.correlation FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_stats r ON r.schemaname = n.nspname AND r.tablename = c.relname AND r.attname = :region "
        "JOIN pg_stats t ON t.schemaname = n.nspname AND t.tablename = c.relname AND t.attname = :time "
        "WHERE c.relname = :name AND n.nspname = COALESCE(:schema, current_schema())"),
        {"region": region, "time": time, "name": table.name, "schema": schema}).first()
    if found is None or found[0] is None or found[0] <= 0 or found[2] is None:
        return None
    rows, distinct, correlation = (float(x) for x in found)
    indexed = any(ix["column_names"][:1] == [time] for ix in sa.inspect(conn).get_indexes(table.name, schema=schema))
    return rows, distinct if distinct > 0 else -distinct * rows, abs(correlation), indexed
