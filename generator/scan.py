"""Stage 1, source, read here: in-process sources as Arrow record batches, for the dense
aggregation (grid.py).

SQLite files through ADBC: the user's query still runs in SQLite, only the GROUP BY moves out; ADBC
types a column from its first rows, so every column is CAST to one type and NULL metrics travel as
+inf (an all-NULL first batch would otherwise be typed as integers). CSV and Parquet through pyarrow:
only the columns needed, a batch at a time, the region column dictionary-encoded by the reader where
the file allows. Every batch leaves here with its text as plain `string`, whatever Arrow type it came
in (polars' and DuckDB's string_view, large strings, binary, dictionaries of any). Measured against
DuckDB for the same job: see the README's source section.
"""
from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Generator
from contextlib import closing
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect

from .errors import UserError

BATCH_ROWS = 1 << 18
Reader = Generator[pa.RecordBatch, None, None]


class Bounds(NamedTuple):
    """Rows kept: lo <= time < hi, in epoch seconds (years for a column of years), times of this kind."""
    lo: float
    hi: float
    kind: str


class Batches(Protocol):
    """Columns, the regions to keep (None: all) and the times (None: all; a reader may skip what it
    can, such as Parquet row groups, but need not drop every row outside) -> readers of batches of
    exactly those columns, to be read side by side (one, or several parts of a SQLite table)."""

    def __call__(self, columns: list[str], regions: list[str] | None, bounds: Bounds | None = None
                 ) -> list[Reader]: ...


def sqlite(path: Path, base: sa.FromClause, keys: list[str], region: str, time: str, kind: str,
           table: bool) -> Batches:
    """Batches of a SELECT over `base` (a table or the user's query) in the SQLite file at `path`.

    A table is read in as many rowid ranges as there are cores, each by its own connection: reading
    SQLite is what costs, and ADBC reads without the GIL.
    """
    import adbc_driver_sqlite.dbapi  # imported here: only SQLite sources need it

    rowid: sa.ColumnClause = sa.literal_column("rowid")
    sel = sa.select(*(sa.column(k) for k in keys), *([rowid.label("rowid_")] if table else [])) \
        .select_from(base).subquery("src")
    raw = sel.c[time]
    when = sa.cast(sa.extract("epoch", raw) if kind == "datetime" else raw, sa.BigInteger)
    uri = f"file:{path.resolve()}?mode=ro"

    def ranges() -> list[tuple[int, int] | None]:
        parts = min(4, os.cpu_count() or 1)
        if not table or parts < 2:
            return [None]
        with closing(sqlite3.connect(uri, uri=True)) as conn:  # min and max apart: each an end of the b-tree
            lo, hi = (conn.execute(str(sa.select(f(rowid)).select_from(base).compile(dialect=sqlite_dialect.dialect())))
                      .fetchone()[0] for f in (sa.func.min, sa.func.max))
        if lo is None or hi - lo < parts * BATCH_ROWS:
            return [None]
        cuts = [lo + (hi - lo + 1) * k // parts for k in range(parts + 1)]
        return list(itertools.pairwise(cuts))

    def read(columns: list[str], regions: list[str] | None, rows: tuple[int, int] | None,
             bounds: Bounds | None) -> Reader:
        where: list[sa.ColumnElement[bool]] = [sel.c[region].is_not(None), when.is_not(None)]
        if bounds is not None:  # in the column's own numbers (an index on it serves)
            per = 1000 if kind == "milliseconds" else 1
            column = when if kind == "datetime" else sel.c[time]
            where += [column >= int(bounds.lo) * per] if np.isfinite(bounds.lo) else []
            where += [column < int(bounds.hi) * per] if np.isfinite(bounds.hi) else []
        if regions is not None:
            where.append(sa.cast(sel.c[region], sa.Text).in_(regions))
        if rows is not None:
            where += [sel.c.rowid_ >= rows[0], sel.c.rowid_ < rows[1]]
        exprs = [sa.cast(sel.c[c], sa.Text) if c == region else when if c == time
                 else sa.func.coalesce(sa.cast(sel.c[c], sa.Float), sa.literal_column("9e999"))
                 for c in columns]
        stmt = sa.select(*(e.label(f"c{i}") for i, e in enumerate(exprs))).where(*where)
        sql = str(stmt.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
        with adbc_driver_sqlite.dbapi.connect(uri) as conn, conn.cursor() as cur:
            cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
            cur.execute(sql)
            for batch in cur.fetch_record_batch():
                yield pa.RecordBatch.from_arrays([_nulls_back(a) for a in batch.columns], names=columns)

    def batches(columns: list[str], regions: list[str] | None = None, bounds: Bounds | None = None) -> list[Reader]:
        # Rows within bounds (--from, --to, --append) in one read: the index on the time column finds them.
        return [read(columns, regions, r, bounds) for r in (ranges() if bounds is None else [None])]

    return batches


def _nulls_back(a: pa.Array) -> pa.Array:
    """+inf (how scan.sqlite sends NULL metrics) back to null."""
    if pa.types.is_floating(a.type):
        return pc.if_else(pc.equal(a, np.inf), pa.scalar(None, a.type), a)
    return a


def parquet(path: Path) -> tuple[pa.Schema, Batches]:
    schema = pq.read_schema(path)
    # Arrow's buffers in the system allocator, which gives freed batches back (jemalloc keeps them).
    pa.set_memory_pool(pa.system_memory_pool())

    def read(columns: list[str], regions: list[str] | None, bounds: Bounds | None = None) -> Reader:
        # String regions straight from the file's dictionary pages: no hashing of every row's code.
        strings = [c for c in columns[:1] if pa.types.is_string(schema.field(c).type)]
        f = pq.ParquetFile(path, read_dictionary=strings, pre_buffer=False)
        groups = _row_groups(f, columns[1], bounds) if bounds is not None and len(columns) > 1 else None
        for batch in f.iter_batches(batch_size=BATCH_ROWS, columns=columns, row_groups=groups):
            yield only(batch, regions)

    return schema, lambda columns, regions, bounds=None: [read(columns, regions, bounds)]


def _row_groups(f: pq.ParquetFile, column: str, bounds: Bounds) -> list[int]:
    """The row groups whose statistics say they may hold times within the bounds (every group without
    statistics; text times too, whose order as text need not be their order in time)."""
    field = f.schema_arrow.field(column)
    leaf = [f.schema.column(i).path for i in range(len(f.schema))].index(column)
    keep = []
    for g in range(f.metadata.num_row_groups):
        stats = f.metadata.row_group(g).column(leaf).statistics
        if stats is None or not stats.has_min_max or pa.types.is_string(field.type) \
                or pa.types.is_large_string(field.type):
            keep.append(g)
            continue
        lo, hi = epoch(pa.array([stats.min, stats.max], type=field.type), bounds.kind)
        if not (hi < bounds.lo or lo >= bounds.hi):
            keep.append(g)
    return keep


def csv(path: Path, region: str) -> tuple[pa.Schema, pa.RecordBatch, Batches]:
    """The schema Arrow infers from the file's first block, that block, and the batches.

    The batches are read with the types fixed (region text, metrics float64, times as inferred when
    numbers, else text parsed later): a type inferred from one block could fail on a later one.
    """
    first = pcsv.open_csv(path, convert_options=pcsv.ConvertOptions(column_types={region: pa.string()}))
    schema = first.schema
    head = first.read_next_batch()
    first.close()

    def read(columns: list[str], regions: list[str] | None) -> Reader:
        types = {c: pa.string() if c == region or not numeric(schema.field(c).type) else pa.float64()
                 for c in columns}
        reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=16 << 20),
                               convert_options=pcsv.ConvertOptions(include_columns=columns, column_types=types))
        for batch in reader:
            yield only(batch, regions)

    return schema, head, lambda columns, regions, bounds=None: [read(columns, regions)]


def arrow(table: pa.Table) -> Batches:
    def read(columns: list[str], regions: list[str] | None) -> Reader:
        for batch in table.select(columns).to_batches(max_chunksize=BATCH_ROWS):
            yield only(batch, regions)

    return lambda columns, regions, bounds=None: [read(columns, regions)]


def only(batch: pa.RecordBatch, regions: list[str] | None) -> pa.RecordBatch:
    """The rows of the given regions (the first column), or all, every text column as plain text."""
    batch = plain(batch)
    if regions is None:
        return batch
    return batch.filter(pc.is_in(pc.cast(batch.column(0), pa.string()), pa.array(regions)).fill_null(False))


def plain(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Every text column as plain `string` (the first, the region codes, kept dictionary-encoded if it is)."""
    return pa.RecordBatch.from_arrays([_plain(a, name, keep_dictionary=i == 0)
                                       for i, (a, name) in enumerate(zip(batch.columns, batch.schema.names))],
                                      names=batch.schema.names)


def _texty(t: pa.DataType) -> bool:
    return (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)
            or pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t))


def _plain(a: pa.Array, name: str, keep_dictionary: bool) -> pa.Array:
    """Any Arrow string or binary type (view, large, a dictionary of any) as plain `string`: polars and
    DuckDB export text as string_view, which most of Arrow's kernels (take, filter) do not take. A
    dictionary of text is kept for the region column (the grid reads its codes once per distinct code)."""
    t = a.type
    if pa.types.is_dictionary(t):
        if not _texty(t.value_type):
            return a
        if not pa.types.is_string(t.value_type):  # values first: a view's dictionary cannot be decoded as it is
            a = _cast(a, pa.dictionary(t.index_type, pa.string()), name)
        return a if keep_dictionary else _cast(a, pa.string(), name)
    return a if pa.types.is_string(t) or not _texty(t) else _cast(a, pa.string(), name)


def _cast(a: pa.Array, to: pa.DataType, name: str) -> pa.Array:
    try:
        return pc.cast(a, to)
    except pa.ArrowInvalid:
        raise UserError(f"column {name!r} holds bytes that are not UTF-8 text; give its codes or times as "
                        "text") from None


def numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) or pa.types.is_null(t)


def floats(a: pa.Array) -> np.ndarray:
    """A numeric column as float64 (float32 kept as it is), NaN for NULL."""
    return a.to_numpy(zero_copy_only=False) if pa.types.is_float32(a.type) else _f64(a)


def _f64(a: pa.Array) -> np.ndarray:
    return pc.cast(a, pa.float64()).to_numpy(zero_copy_only=False)


def epoch(a: pa.Array, kind: str) -> np.ndarray:
    """A time column as float64 epoch seconds (years for kind "year"), NaN where NULL or unreadable.

    Numbers count as the kind says; Arrow timestamps (zoned or naive, naive as UTC), dates, and text
    in ISO 8601 (any other format through pandas) are read as instants.
    """
    t = a.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        unit = "D" if pa.types.is_date32(t) else "ms" if pa.types.is_date64(t) else t.unit
        per = {"D": 1 / 86400, "s": 1, "ms": 1000, "us": 10**6, "ns": 10**9}[unit]
        raw = pc.cast(a, pa.int32() if unit == "D" else pa.int64())
        return np.floor(_f64(raw) / per)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        if kind != "datetime":
            return _f64(a)
        for target in (pa.timestamp("us", "UTC"), pa.timestamp("us")):
            try:
                return epoch(pc.cast(a, target), kind)
            except pa.ArrowInvalid:
                pass
        stamps = pd.to_datetime(pd.Series(a.to_numpy(zero_copy_only=False)), utc=True, format="mixed")
        return np.floor((stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)).to_numpy(dtype=np.float64)
    seconds = _f64(a)
    return np.floor(seconds / 1000) if kind == "milliseconds" else seconds
