"""Stage 1b: in-process sources read as Arrow record batches, for the dense aggregation (grid.py).

SQLite files through ADBC: the user's query still runs in SQLite, only the GROUP BY moves out; ADBC
types a column from its first rows, so every column is CAST to one type and NULL metrics travel as
+inf (an all-NULL first batch would otherwise be typed as integers). CSV and Parquet through pyarrow:
only the columns needed, a batch at a time, the region column dictionary-encoded by the reader where
the file allows. Measured against DuckDB for the same job: see the README's source section.
"""
from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect

BATCH_ROWS = 1 << 18
# columns, and the regions to keep (None: all) -> batches of exactly those columns
Reader = Generator[pa.RecordBatch, None, None]
Batches = Callable[[list[str], "list[str] | None"], Reader]


def sqlite(path: Path, sel: sa.Subquery, region: str, time: sa.ColumnElement, time_name: str) -> Batches:
    """Batches from a SELECT over `sel` (a table or the user's query) in the SQLite file at `path`."""
    import adbc_driver_sqlite.dbapi  # imported here: only SQLite sources need it

    def batches(columns: list[str], regions: list[str] | None = None) -> Reader:
        where = [sel.c[region].is_not(None), time.is_not(None)]
        if regions is not None:
            where.append(sa.cast(sel.c[region], sa.Text).in_(regions))
        exprs = [sa.cast(sel.c[c], sa.Text) if c == region else time if c == time_name
                 else sa.func.coalesce(sa.cast(sel.c[c], sa.Float), sa.literal_column("9e999"))
                 for c in columns]
        stmt = sa.select(*(e.label(f"c{i}") for i, e in enumerate(exprs))).where(*where)
        sql = str(stmt.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
        with adbc_driver_sqlite.dbapi.connect(f"file:{path.resolve()}?mode=ro") as conn, conn.cursor() as cur:
            cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
            cur.execute(sql)
            for batch in cur.fetch_record_batch():
                yield pa.RecordBatch.from_arrays([_nulls_back(a) for a in batch.columns], names=columns)

    return batches


def _nulls_back(a: pa.Array) -> pa.Array:
    """+inf (how scan.sqlite sends NULL metrics) back to null."""
    if pa.types.is_floating(a.type):
        return pc.if_else(pc.equal(a, np.inf), pa.scalar(None, a.type), a)
    return a


def parquet(path: Path) -> tuple[pa.Schema, Batches]:
    schema = pq.read_schema(path)

    def batches(columns: list[str], regions: list[str] | None = None) -> Reader:
        # String regions straight from the file's dictionary pages: no hashing of every row's code.
        strings = [c for c in columns[:1] if pa.types.is_string(schema.field(c).type)]
        f = pq.ParquetFile(path, read_dictionary=strings, pre_buffer=False)
        for batch in f.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            yield _only(batch, regions)

    return schema, batches


def csv(path: Path, region: str) -> tuple[pa.Schema, pa.RecordBatch, Batches]:
    """The schema Arrow infers from the file's first block, that block, and the batches.

    The batches are read with the types fixed (region text, metrics float64, times as inferred when
    numbers, else text parsed later): a type inferred from one block could fail on a later one.
    """
    first = pcsv.open_csv(path, convert_options=pcsv.ConvertOptions(column_types={region: pa.string()}))
    schema = first.schema
    head = first.read_next_batch()
    first.close()

    def batches(columns: list[str], regions: list[str] | None = None) -> Reader:
        types = {c: pa.string() if c == region or not numeric(schema.field(c).type) else pa.float64()
                 for c in columns}
        reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=16 << 20),
                               convert_options=pcsv.ConvertOptions(include_columns=columns, column_types=types))
        for batch in reader:
            yield _only(batch, regions)

    return schema, head, batches


def arrow(table: pa.Table) -> Batches:
    def batches(columns: list[str], regions: list[str] | None = None) -> Reader:
        for batch in table.select(columns).to_batches(max_chunksize=BATCH_ROWS):
            yield _only(batch, regions)

    return batches


def _only(batch: pa.RecordBatch, regions: list[str] | None) -> pa.RecordBatch:
    """The rows of the given regions (the first column), or all."""
    if regions is None:
        return batch
    return batch.filter(pc.is_in(pc.cast(batch.column(0), pa.string()), pa.array(regions)).fill_null(False))


def numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) or pa.types.is_null(t)


def floats(a: pa.Array) -> np.ndarray:
    """A numeric column as float64, NaN for NULL."""
    return np.asarray(pc.cast(a, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


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
        return np.floor(floats(raw) / per)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        if kind != "datetime":
            return floats(pc.cast(a, pa.float64()))
        for target in (pa.timestamp("us", "UTC"), pa.timestamp("us")):
            try:
                return epoch(pc.cast(a, target), kind)
            except pa.ArrowInvalid:
                pass
        stamps = pd.to_datetime(pd.Series(a.to_numpy(zero_copy_only=False)), utc=True, format="mixed")
        return np.floor((stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)).to_numpy(dtype=np.float64)
    seconds = floats(a)
    return np.floor(seconds / 1000) if kind == "milliseconds" else seconds
