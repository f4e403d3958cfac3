"""Stage 3, aggregate, for databases (called by pushdown.py and ordered.py): a statement's rows brought
back as columns, a part at a time.

Every statement pushdown.py runs returns bucket, region, values…, a row count. PostgreSQL's rows come
through ADBC (its COPY in binary, as Arrow batches), some 20 times faster than rows made Python tuples
by the SQLAlchemy driver: that transfer is what a server's build of a large grid waits for. Every other
dialect's, and PostgreSQL's where ADBC cannot connect with the engine's URL, come through the driver.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from .logs import debug

PART_ROWS = 200_000
BATCH_BYTES = 16 << 20  # of an ADBC batch, about


@dataclass
class Part:
    """Some of a statement's rows, as columns."""
    buckets: np.ndarray  # int64
    columns: np.ndarray  # int64: each row's region as its column (column_of)
    cells: np.ndarray  # float64 [rows × values], NaN where NULL
    rows: np.ndarray  # int64: the source rows each row stands for


def parts(conn: sa.Connection, stmt: sa.Select, column_of: dict) -> Iterator[Part]:
    """The statement's rows, PART_ROWS or so at a time, their regions looked up in column_of."""
    batches = _arrow(conn, stmt) if conn.dialect.name == "postgresql" else None
    if batches is None:
        for rows in _tuples(conn, stmt):
            yield _of_tuples(rows, column_of)
        return
    known = list(column_of)
    for batch in batches:
        if batch.num_rows:
            yield _of_batch(batch, column_of, known)


def _of_tuples(part: list[tuple], column_of: dict) -> Part:
    rows = np.array(part, dtype=object)  # one C-level pass; columns are sliced from it
    return Part(rows[:, 0].astype(np.int64),
                np.fromiter(map(column_of.__getitem__, rows[:, 1]), dtype=np.int64, count=len(rows)),
                np.where(rows[:, 2:-1] == None, np.nan, rows[:, 2:-1]).astype(np.float64),  # noqa: E711
                rows[:, -1].astype(np.int64))


def _of_batch(batch: pa.RecordBatch, column_of: dict, known: list) -> Part:
    region = batch.column(1)
    try:  # the regions as the driver read them (psycopg) and as Arrow did compare equal when typed alike
        at = pc.index_in(region, value_set=pa.array(known, type=region.type))
        if at.null_count:
            raise ValueError("a region not among the distinct ones")
        columns = at.to_numpy().astype(np.int64)
    except (pa.ArrowException, ValueError, TypeError):
        columns = np.fromiter(map(column_of.__getitem__, region.to_pylist()), dtype=np.int64, count=len(region))

    def floats(a: pa.Array) -> np.ndarray:  # numeric comes as text or decimals; NULL as NaN
        return pc.fill_null(pc.cast(a, pa.float64()), np.nan).to_numpy(zero_copy_only=False)

    cells = np.column_stack([floats(batch.column(i)) for i in range(2, batch.num_columns - 1)])
    return Part(pc.cast(batch.column(0), pa.int64()).to_numpy(zero_copy_only=False), columns, cells,
                pc.cast(batch.column(batch.num_columns - 1), pa.int64()).to_numpy(zero_copy_only=False))


def _arrow(conn: sa.Connection, stmt: sa.Select) -> Iterator[pa.RecordBatch] | None:
    """The statement's result as Arrow batches over ADBC, or None where ADBC cannot run it."""
    try:
        sql = postgres_sql(conn, stmt)
    except Exception as e:  # noqa: BLE001 — a value literal_binds cannot write: the driver's path
        debug(f"PostgreSQL's rows through its driver, not ADBC: {e}")
        return None
    db = adbc_connect(conn.engine)
    if db is None:
        return None

    def batches() -> Iterator[pa.RecordBatch]:
        with db, db.cursor() as cur:
            yield from arrow_of(cur, sql)
    return batches()


def adbc_connect(engine: sa.Engine) -> Any:
    """An ADBC connection to the engine's PostgreSQL database (its URL as libpq reads it), or None."""
    try:
        import adbc_driver_postgresql.dbapi as adbc

        return adbc.connect(engine.url.set(drivername="postgresql").render_as_string(hide_password=False))
    except Exception as e:  # noqa: BLE001 — any failure here leaves the driver's own path
        debug(f"PostgreSQL's rows through its driver, not ADBC: {e}")
        return None


def postgres_sql(conn: sa.Connection, stmt: sa.Select) -> str:
    """The statement as PostgreSQL text with its values written in, "%" single as libpq reads it (the
    driver's "pyformat" would double it)."""
    from sqlalchemy.dialects.postgresql.base import PGDialect

    dialect = PGDialect(paramstyle="named")
    dialect.server_version_info = conn.dialect.server_version_info
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def arrow_of(cur: Any, sql: str) -> Iterator[pa.RecordBatch]:
    """The rows of `sql` run by an ADBC cursor, in batches of about BATCH_BYTES."""
    from adbc_driver_postgresql import StatementOptions

    cur.adbc_statement.set_options(**{StatementOptions.BATCH_SIZE_HINT_BYTES.value: str(BATCH_BYTES)})
    cur.execute(sql)
    yield from cur.fetch_record_batch()


def _tuples(conn: sa.Connection, stmt: sa.Select) -> Iterator[list[tuple]]:
    """The statement's rows as lists of tuples, PART_ROWS at a time.

    Where the dialect has server-side cursors (PostgreSQL…), SQLAlchemy streams the rows. Where it
    has none (SQLite, DuckDB), SQLAlchemy would read the same driver cursor but build a Row object per
    row: there the driver's cursor is read directly, which makes the transfer about twice as fast.
    """
    if conn.dialect.supports_server_side_cursors:
        result = conn.execution_options(stream_results=True, yield_per=PART_ROWS).execute(stmt)
        for part in result.partitions(PART_ROWS):
            yield [tuple(row) for row in part]
        return
    compiled = stmt.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    cursor.execute(str(compiled), [params[k] for k in compiled.positiontup or ()] if compiled.positional else params)
    while part := cursor.fetchmany(PART_ROWS):
        yield part
