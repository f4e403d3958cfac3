"""Stage 1 of the pipeline: open the rows (SQLAlchemy database, CSV, Parquet, or Arrow record batches
from Python) and name the columns.

Nothing is read in bulk here: a database source stays a SQL selectable so that aggregation can run
in the database's GROUP BY; a file source is read column-wise by pandas/pyarrow; rows handed over in
Python (api.py turns DataFrames, Arrow tables and DuckDB relations into record batches) keep only
the columns needed.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from .errors import UserError, first_line


@dataclass
class Source:
    region: str
    time: str
    metrics: list[str]
    time_kind: str = "seconds"  # seconds, milliseconds (epoch numbers), year, or datetime (SQL types, ISO text)
    engine: sa.Engine | None = None
    selectable: sa.Subquery | None = None  # database source
    frame: pd.DataFrame | None = None  # file source


def open_engine(url: str) -> sa.Engine:
    """An engine for `url`; SQLite files are opened read-only and must exist."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy's URL parser raises several kinds
        raise UserError(f"--db {url!r} is not a database URL; give one like sqlite:///path/to/file.db "
                        "or postgresql://user@host/dbname") from None
    try:
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            path = Path(parsed.database)
            if not path.is_file():
                raise UserError(f"--db {url!r}: no SQLite file at {path}; check the path")
            # Read-only: a source database is never written by this tool.
            uri = f"file:{path.resolve()}?mode=ro"
            return sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
        return sa.create_engine(parsed)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - unknown dialect, missing driver: any error of a plugin
        raise UserError(f"--db {url!r}: cannot open ({first_line(exc)}); check the URL and that its "
                        "driver is installed") from None


def _pick_columns(columns: list[str], numeric: list[str], region: str, time: str,
                  metrics: list[str] | None, where: str) -> list[str]:
    for name, flag in ((region, "--region"), (time, "--time")):
        if name not in columns:
            raise UserError(f"{where} has no column {name!r} (columns: {', '.join(columns)}); "
                            f"name the right one with {flag}")
    if metrics:
        for m in metrics:
            if m not in columns:
                raise UserError(f"{where} has no column {m!r} (columns: {', '.join(columns)}); "
                                "fix --metric")
            if m not in numeric:
                raise UserError(f"metric column {m!r} in {where} is not numeric; choose numeric "
                                "columns with --metric")
        return list(metrics)
    chosen = [c for c in columns if c in numeric and c not in (region, time)]
    if not chosen:
        raise UserError(f"{where} has no numeric column besides {region!r} and {time!r}; "
                        "name metric columns with --metric")
    return chosen


def from_database(url: str | sa.Engine, *, table: str | None, query: str | None, region: str, time: str,
                  metrics: list[str] | None) -> Source:
    """A table or query of a database: a URL (opened as --db opens it) or an Engine made by the caller."""
    if bool(table) == bool(query):
        raise UserError("with --db give exactly one of --table NAME or --query SQL")
    engine = url if isinstance(url, sa.Engine) else open_engine(url)
    if isinstance(url, sa.Engine):
        url = url.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            # LIMIT 0 learns the column names without reading rows (and without reflection, which
            # not every dialect supports).
            if table:
                schema, _, name = table.rpartition(".")
                base: sa.TableClause | sa.Subquery = sa.table(name, schema=schema or None)
                where = f"table {table!r}"
            else:
                base = sa.text(query or "").columns().subquery("q")
                where = "the query"
            keys = list(conn.execute(sa.select(sa.literal_column("*")).select_from(base).limit(0)).keys())
            sel = sa.select(*(sa.column(k) for k in keys)).select_from(base).subquery("src")
            sample = pd.DataFrame(conn.execute(sa.select(sel).limit(200)).fetchall(),
                                  columns=list(sel.c.keys()))
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(f"--db {url!r}: {first_line(exc)}; check the URL, the server and the SQL") from None
    columns = list(sel.c.keys())
    numeric = [c for c in columns if _is_numeric(sample[c])]
    chosen = _pick_columns(columns, numeric, region, time, metrics, where)
    return Source(region=region, time=time, metrics=chosen, engine=engine, selectable=sel,
                  time_kind=time_kind(sample[time], time))


def time_kind(sample: pd.Series, column: str) -> str:
    """How a time column counts time, judged from a sample of its values."""
    values = sample.dropna()
    if values.empty:
        return "seconds"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_numeric_dtype(values) or _is_numeric(values):
        numbers = pd.to_numeric(values)
        if ((numbers % 1 == 0) & numbers.between(1000, 2999)).all():  # 1952, 1957…: years, not 1970's first hour
            return "year"
        # Epoch milliseconds pass 1e11 in 1973; epoch seconds will not until the year 5138.
        return "milliseconds" if numbers.abs().max() > 1e11 else "seconds"
    try:
        pd.to_datetime(values, utc=True, format="mixed")
    except (TypeError, ValueError):
        raise UserError(f"time column {column!r} holds values like {str(values.iloc[0])!r}: use epoch "
                        "seconds or milliseconds, dates or timestamps (SQL types or ISO 8601 text)") from None
    return "datetime"


def epoch_seconds(col: pd.Series, kind: str) -> pd.Series:
    """A file's time column of the given time_kind as integer epoch seconds (naive times are UTC)."""
    if kind == "datetime":
        stamps = pd.to_datetime(col, utc=True, format="mixed")
        return (stamps - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    seconds = pd.to_numeric(col)
    return (seconds // 1000 if kind == "milliseconds" else seconds).astype(np.int64)


def _is_numeric(col: pd.Series) -> bool:
    values = col.dropna()
    if values.empty:  # nothing to judge by (an empty result fails later with its own message)
        return True
    return bool(pd.to_numeric(values, errors="coerce").notna().all()) and not pd.api.types.is_bool_dtype(values)


def from_file(path: str, kind: str, *, region: str, time: str, metrics: list[str] | None) -> Source:
    p = Path(path)
    if not p.is_file():
        raise UserError(f"--{kind} {path!r}: no such file")
    try:
        if kind == "parquet":  # the schema first, then only the columns needed (a 30 M-row file has many)
            schema = pq.read_schema(p)
            columns = list(schema.names)
            numeric = _numeric_fields(schema)
            chosen = _pick_columns(columns, numeric, region, time, metrics, f"{p.name}")
            # Arrow's buffers in the system allocator, whole row groups read one by one, and each
            # column freed once converted: 30 M rows peak at about twice the frame, not three times.
            pa.set_memory_pool(pa.system_memory_pool())
            table = pq.read_table(p, columns=list(dict.fromkeys([region, time, *chosen])), pre_buffer=False)
            frame = table.to_pandas(split_blocks=True, self_destruct=True)
            del table
        else:
            frame = pd.read_csv(p, dtype={region: str})
            columns = [str(c) for c in frame.columns]
            numeric = [c for c in columns if pd.api.types.is_numeric_dtype(frame[c]) and not
                       pd.api.types.is_bool_dtype(frame[c])]
            chosen = _pick_columns(columns, numeric, region, time, metrics, f"{p.name}")
            frame = frame[[region, time, *chosen]]
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas and Arrow raise many kinds for a bad file
        raise UserError(f"--{kind} {path!r} cannot be read ({first_line(exc)}); check the file") from None
    return Source(region=region, time=time, metrics=chosen, frame=frame,
                  time_kind=time_kind(frame[time].head(1000), time))


def _numeric_fields(schema: pa.Schema) -> list[str]:
    return [f.name for f in schema if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)
            or pa.types.is_decimal(f.type)]


def from_arrow(rows: pa.RecordBatchReader, *, region: str, time: str, metrics: list[str] | None,
               where: str = "the data") -> Source:
    """Rows handed over in Python as Arrow record batches: the columns are picked from the schema, and
    only those are kept from each batch as it is read."""
    columns = list(rows.schema.names)
    chosen = _pick_columns(columns, _numeric_fields(rows.schema), region, time, metrics, where)
    keep = list(dict.fromkeys([region, time, *chosen]))
    try:
        schema = pa.schema([rows.schema.field(c) for c in keep])
        table = pa.Table.from_batches((batch.select(keep) for batch in rows), schema=schema)
        # The aggregation reads a pandas frame today, as a Parquet file gives it (issue 12 makes it read
        # these batches directly).
        frame = table.to_pandas(split_blocks=True, self_destruct=True, date_as_object=False)
        del table
    except Exception as exc:  # noqa: BLE001 - whatever the producer of the batches raises
        raise UserError(f"{where} cannot be read ({first_line(exc)}); check it") from None
    return Source(region=region, time=time, metrics=chosen, frame=frame,
                  time_kind=time_kind(frame[time].head(1000), time))
