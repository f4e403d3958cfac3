"""Stage 1, source: open the rows (SQLAlchemy database, SQLite file, CSV, Parquet or an Arrow
table) and name the columns.

Nothing is read in bulk here. A database server (and DuckDB, ClickHouse…) stays a SQL selectable, so
that aggregation runs in its GROUP BY and only frames × regions rows travel. Everything read in this
process (SQLite files, CSV, Parquet, Arrow tables) becomes a reader of Arrow record batches
(scan.py), aggregated batch by batch into the dense grid (grid.py).
"""
from __future__ import annotations

import datetime
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from . import scan
from .errors import UserError, first_line, flag


@dataclass
class Source:
    region: str
    time: str
    metrics: list[str]
    time_kind: str = "seconds"  # seconds, milliseconds (epoch numbers), year, or datetime (SQL types, ISO text)
    engine: sa.Engine | None = None  # a database aggregating in its own GROUP BY…
    selectable: sa.Subquery | None = None  # …over this
    batches: scan.Batches | None = None  # or the rows as Arrow batches, aggregated in this process
    dates: bool = False  # the times are dates (no time of day): calendar days as read, in any time zone
    total: int | None = None  # how many rows the batches hold, when known (for the progress display)
    parquet: Path | None = None  # a Parquet file's path: its row groups' statistics tell whether it streams
    # or the batches in time order, each with the least time (epoch seconds) a later row can have (ranged.py)
    in_order: Callable[[list[str], scan.Bounds | None], Iterator[tuple[pa.RecordBatch, float]]] | None = None


def sqlite_file(url: str) -> Path | None:
    """The path of a SQLite file URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database)
    return None


def open_engine(url: str) -> sa.Engine:
    """An engine for `url`; SQLite files are opened read-only and must exist."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy's URL parser raises several kinds
        raise UserError(f"{flag('db', url)} is not a database URL; give one like sqlite:///path/to/file.db "
                        "or postgresql://user@host/dbname") from None
    try:
        path = sqlite_file(url)
        if path is not None:
            if not path.is_file():
                raise UserError(f"{flag('db', url)}: no SQLite file at {path}; check the path")
            # Read-only: a source database is never written by this tool.
            uri = f"file:{path.resolve()}?mode=ro"
            return sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
        return sa.create_engine(parsed)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - unknown dialect, missing driver: any error of a plugin
        raise UserError(f"{flag('db', url)}: cannot open ({first_line(exc)}); check the URL and that its "
                        "driver is installed") from None


def _pick_columns(columns: list[str], numeric: list[str], region: str, time: str,
                  metrics: list[str] | None, where: str) -> list[str]:
    for name, option in ((region, "region"), (time, "time")):
        if name not in columns:
            raise UserError(f"{where} has no column {name!r} (columns: {', '.join(columns)}); "
                            f"name the right one with {flag(option)}", option)
    if metrics:
        for m in metrics:
            if m not in columns:
                raise UserError(f"{where} has no column {m!r} (columns: {', '.join(columns)}); "
                                f"fix {flag('metrics')}")
            if m not in numeric:
                raise UserError(f"metric column {m!r} in {where} is not numeric; choose numeric "
                                f"columns with {flag('metrics')}")
        return list(metrics)
    chosen = [c for c in columns if c in numeric and c not in (region, time)]
    if not chosen:
        raise UserError(f"{where} has no numeric column besides {region!r} and {time!r}; "
                        f"name metric columns with {flag('metrics')}")
    return chosen


def from_database(url: str | sa.Engine, *, table: str | None, query: str | None, region: str, time: str,
                  metrics: list[str] | None) -> Source:
    """A table or query of a database: a URL (opened as --db opens it) or an Engine made by the caller
    (aggregated in its GROUP BY, whatever its dialect; an Engine on a SQLite file is read as --db reads
    the file)."""
    if bool(table) == bool(query):
        raise UserError(f"with {flag('db')} give exactly one of {flag('table')} or {flag('query')}")
    theirs = isinstance(url, sa.Engine)  # the caller's Engine: used, never disposed of here
    engine = url if isinstance(url, sa.Engine) else open_engine(url)
    path = sqlite_file(engine.url.render_as_string(hide_password=False) if theirs else str(url))
    if isinstance(url, sa.Engine):
        url = url.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            # LIMIT 0 learns the column names without reading rows (and without reflection, which
            # not every dialect supports).
            base: sa.TableClause | sa.Subquery
            if table:
                schema, _, name = table.rpartition(".")
                base = sa.table(name, schema=schema or None)
                where = f"table {table!r}"
            else:
                base = sa.text(query or "").columns().subquery("q")
                where = "the query"
            keys = list(conn.execute(sa.select(sa.literal_column("*")).select_from(base).limit(0)).keys())
            sel = sa.select(*(sa.column(k) for k in keys)).select_from(base).subquery("src")
            sample = pd.DataFrame(conn.execute(sa.select(sel).limit(200)).fetchall(),
                                  columns=list(sel.c.keys()))
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(f"{flag('db', url)}: {first_line(exc)}; check the URL, the server and the SQL") from None
    columns = list(sel.c.keys())
    numeric = [c for c in columns if _is_numeric(sample[c])]
    chosen = _pick_columns(columns, numeric, region, time, metrics, where)
    kind = time_kind(sample[time], time)
    dates = holds_dates(sample[time])
    if path is None:
        return Source(region=region, time=time, metrics=chosen, engine=engine, selectable=sel, time_kind=kind,
                      dates=dates)
    # A SQLite file: SQLite runs the query, the rows come out columnar; its GROUP BY sorts, which is slow.
    if not theirs:
        engine.dispose()
    return Source(region=region, time=time, metrics=chosen, time_kind=kind, dates=dates,
                  batches=scan.sqlite(path, base, keys, region, time, kind, table=bool(table)))


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


def holds_dates(sample: pd.Series) -> bool:
    """Whether a time column holds dates without a time of day (DATE, 2016-01-08 as text)."""
    values = sample.dropna()
    if values.empty or pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return False
    return all((isinstance(v, datetime.date) and not isinstance(v, datetime.datetime))
               or (isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()) is not None) for v in values)


def _is_numeric(col: pd.Series) -> bool:
    values = col.dropna()
    if values.empty:  # nothing to judge by (an empty result fails later with its own message)
        return True
    return bool(pd.to_numeric(values, errors="coerce").notna().all()) and not pd.api.types.is_bool_dtype(values)


def from_file(path: str, kind: str, *, region: str, time: str, metrics: list[str] | None) -> Source:
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{flag(kind, path)}: no such file", kind)
    try:
        if kind == "parquet":
            schema, batches = scan.parquet(p)
            head = next(batches([time], None)[0], None)
        else:
            schema, first, batches = scan.csv(p, region)
            head = first.select([time]) if time in schema.names else None
    except Exception as exc:  # noqa: BLE001 - Arrow raises many kinds for a bad file
        raise UserError(f"{flag(kind, path)} cannot be read ({first_line(exc)}); check the file", kind) from None
    source = from_arrow_schema(schema, head, batches, region=region, time=time, metrics=metrics, where=p.name)
    if kind == "parquet":  # its footer says how many rows; a CSV file's are known only once read
        source.total = pq.read_metadata(p).num_rows
    source.parquet = p if kind == "parquet" else None
    return source


def from_arrow(rows: pa.Table | pa.RecordBatchReader, *, region: str, time: str, metrics: list[str] | None,
               where: str = "the data") -> Source:
    """Rows handed over in Python (api.py: DataFrames, Arrow tables and DuckDB relations as Arrow), aggregated
    in process. A stream is read once into a table of the columns needed: the aggregation reads twice
    when it finds the interval itself."""
    if isinstance(rows, pa.RecordBatchReader):
        columns = list(rows.schema.names)
        chosen = _pick_columns(columns, [f.name for f in rows.schema if scan.numeric(f.type)], region, time,
                               metrics, where)
        keep = list(dict.fromkeys([region, time, *chosen]))
        try:
            schema = pa.schema([rows.schema.field(c) for c in keep])
            rows = pa.Table.from_batches((batch.select(keep) for batch in rows), schema=schema)
        except Exception as exc:  # noqa: BLE001 - whatever the producer of the batches raises
            raise UserError(f"{where} cannot be read ({first_line(exc)}); check it") from None
    head = rows.select([time]).slice(0, 1000).combine_chunks().to_batches() if time in rows.column_names else []
    source = from_arrow_schema(rows.schema, scan.plain(head[0]) if head else None, scan.arrow(rows), region=region,
                               time=time, metrics=metrics, where=where)
    source.total = rows.num_rows
    return source


def from_arrow_schema(schema: pa.Schema, head: pa.RecordBatch | None, batches: scan.Batches, *, region: str,
                      time: str, metrics: list[str] | None, where: str) -> Source:
    columns = list(schema.names)
    numeric = [f.name for f in schema if scan.numeric(f.type)]
    chosen = _pick_columns(columns, numeric, region, time, metrics, where)
    sample = head.column(0).slice(0, 1000).to_pandas() if head is not None else pd.Series([], dtype=float)
    return Source(region=region, time=time, metrics=chosen, batches=batches, time_kind=time_kind(sample, time),
                  dates=holds_dates(sample))
