"""Beside stage 1, source: what a map's inputs are now, cheaply, so that a rebuild can tell whether
anything changed (multisite.py keeps unchanged maps) without reading the rows.

A fingerprint has two parts: `options`, a SHA-256 of the map's options, the tool (its version,
templates and player) and its shapes files; and `source`: a CSV or Parquet file's SHA-256 (as before),
a SQLite file's size and modification time and, when those moved, a query (its row count and time
range), a database server's query alone. The query is SELECT count(*), min(time), max(time) over the
table or query: an index on the time column answers the range at once. Rows changed in place without
changing the count or the range are not seen in a database: `--clean` rebuilds.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from . import __version__, demo, scan, site, source
from .errors import UserError, first_line
from .geo import builtin
from .options import Options

RECORD = ".inputs.json"  # in each map folder: the fingerprint of the inputs it was built from


@dataclass
class Fingerprint:
    options: str
    source: dict

    def as_json(self) -> str:
        return json.dumps({"options": self.options, "source": self.source}, sort_keys=True, default=str) + "\n"


def _hash_files(h: hashlib._Hash, files: list[Path]) -> None:
    for p in files:
        if p.is_file():
            with p.open("rb") as f:
                while block := f.read(1 << 20):
                    h.update(block)


def options_digest(o: Options) -> str:
    """A hash of the options (all but the source's rows and --out), the tool and the shapes files."""
    h = hashlib.sha256(json.dumps(asdict(replace(o, out="", append=False)), sort_keys=True).encode())
    h.update(__version__.encode())
    for folder in (site.TEMPLATES, site.STATIC):
        for p in sorted(q for q in folder.rglob("*") if q.is_file()):  # static/player/ holds the player's parts
            h.update(p.relative_to(folder).as_posix().encode() + p.read_bytes())
    files: list[Path] = []
    if o.borders:
        from .geo import overlay  # geopandas and shapely: only for a map with --borders

    other = overlay.border_file(o.borders) if o.borders else None
    for shapes in [builtin.shapes_path(o.shapes)] + ([builtin.shapes_path(other[0])] if other else []):
        files += sorted(shapes.parent.glob(shapes.stem + ".*")) if shapes.suffix == ".shp" else [shapes]
    _hash_files(h, files)
    return h.hexdigest()


def database_url(o: Options) -> str | None:
    """The map's database (the demo's SQLite file when no source is given); None for files."""
    if o.csv or o.parquet:
        return None
    return o.db or f"sqlite:///{demo.ensure_demo_database()}"


def rows_query(o: Options, engine: sa.Engine) -> dict:
    """The source's row count and time range."""
    table = o.table if (o.db or o.query) else "events"
    base: sa.TableClause | sa.Subquery
    if table and not o.query:
        schema, _, name = table.rpartition(".")
        base = sa.table(name, sa.column(o.time), schema=schema or None)
    else:
        base = sa.text(o.query or "").columns(sa.column(o.time)).subquery("q")
    time = base.c[o.time]
    with engine.connect() as conn:  # three queries: SQLite counts a table, and finds an end of an index, alone
        count = conn.execute(sa.select(sa.func.count()).select_from(base)).scalar_one()
        lo = conn.execute(sa.select(sa.func.min(time)).select_from(base)).scalar_one()
        hi = conn.execute(sa.select(sa.func.max(time)).select_from(base)).scalar_one()
    return {"rows": int(count), "from": None if lo is None else str(lo), "to": None if hi is None else str(hi)}


def _stat(path: Path) -> list[int]:
    """A SQLite file's size and modification time, and its write-ahead log's if there is one."""
    out: list[int] = []
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            s = p.stat()
            out += [s.st_size, s.st_mtime_ns]
    return out


def source_of(o: Options, recorded: dict | None = None) -> dict:
    """The source's fingerprint; a SQLite file whose size and time are as `recorded` is not queried."""
    if o.csv or o.parquet:
        h = hashlib.sha256()
        _hash_files(h, [Path(o.csv or o.parquet or "")])
        return {"sha256": h.hexdigest()}
    url = database_url(o) or ""
    path = source.sqlite_file(url)
    stat = _stat(path) if path is not None else None
    if recorded and stat is not None and recorded.get("stat") == stat:
        return recorded
    engine = source.open_engine(url)
    try:
        found = rows_query(o, engine)
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(f"--db {url!r}: {first_line(exc)}; check the URL, the server and the SQL") from None
    finally:
        engine.dispose()
    return {**found, **({"stat": stat} if stat is not None else {})}


def read(folder: Path) -> Fingerprint | None:
    try:
        found = json.loads((folder / RECORD).read_text())
        return Fingerprint(options=str(found["options"]), source=dict(found["source"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def compare(o: Options, old: Fingerprint | None) -> tuple[Fingerprint, str | None]:
    """The inputs' fingerprint now, and why the map must be rebuilt (None: it need not)."""
    options = options_digest(o)
    now = Fingerprint(options, source_of(o, old.source if old and old.options == options else None))
    if old is None:
        return now, "no record of its last build"
    if old.options != options:
        return now, "its options, its shapes or the tool changed"
    same = {k: v for k, v in old.source.items() if k != "stat"} == {k: v for k, v in now.source.items() if k != "stat"}
    if not same:
        return now, f"its source changed ({describe(old.source)} → {describe(now.source)})"
    return now, None


def describe(s: dict) -> str:
    if "sha256" in s:
        return f"content {s['sha256'][:12]}"
    return f"{s.get('rows', 0):,} rows, {s.get('from')} to {s.get('to')}"


def _database_source(o: Options) -> tuple[sa.Engine, sa.ColumnElement, sa.ColumnElement, sa.FromClause]:
    url = database_url(o) or ""
    table = o.table if (o.db or o.query) else "events"
    base: sa.TableClause | sa.Subquery
    if table and not o.query:
        schema, _, name = table.rpartition(".")
        base = sa.table(name, sa.column(o.time), sa.column(o.region), schema=schema or None)
    else:
        base = sa.text(o.query or "").columns(sa.column(o.time), sa.column(o.region)).subquery("q")
    return source.open_engine(url), base.c[o.time], base.c[o.region], base


def before(o: Options, src: source.Source, at: float) -> dict:
    """The rows before epoch second `at`: their count and time range. A database answers from its
    index on the time column: count(*) of the table less the rows from `at` on, min, and max below `at`."""
    per = 1000 if src.time_kind == "milliseconds" else 1
    if not (o.csv or o.parquet):  # a server or a SQLite file
        engine, time, _, base = _database_source(o)
        try:
            with engine.connect() as conn:
                total = conn.execute(sa.select(sa.func.count()).select_from(base)).scalar_one()
                bound = int(at) * per
                after = conn.execute(sa.select(sa.func.count()).select_from(base).where(time >= bound)).scalar_one()
                lo = conn.execute(sa.select(sa.func.min(time)).select_from(base)).scalar_one()
                hi = conn.execute(sa.select(sa.func.max(time)).select_from(base).where(time < bound)).scalar_one()
        finally:
            engine.dispose()
        return {"rows": int(total) - int(after), "from": None if lo is None else str(lo),
                "to": None if hi is None else str(hi)}
    return _scan(src, -np.inf, at)


def rows_from(o: Options, src: source.Source, at: float) -> int:
    """How many rows with a region and a time lie at or after epoch second `at` (as the aggregation counts them)."""
    per = 1000 if src.time_kind == "milliseconds" else 1
    if not (o.csv or o.parquet):
        engine, time, region, base = _database_source(o)
        try:
            with engine.connect() as conn:
                return int(conn.execute(sa.select(sa.func.count()).select_from(base).where(
                    region.is_not(None), time.is_not(None), time >= int(at) * per)).scalar_one())
        finally:
            engine.dispose()
    return int(_scan(src, at, np.inf)["rows"])


def _scan(src: source.Source, lo: float, hi: float) -> dict:
    """Count, first and last time of a file's rows with a region and lo <= time < hi (row groups outside skipped)."""
    assert src.batches is not None
    count, first, last = 0, np.inf, -np.inf
    for reader in src.batches([src.region, src.time], None, scan.Bounds(lo, hi, src.time_kind)):
        for batch in reader:
            t = scan.epoch(batch.column(1), src.time_kind)
            ok = np.isfinite(t) & batch.column(0).is_valid().to_numpy(zero_copy_only=False) & (t >= lo) & (t < hi)
            if ok.any():
                count += int(ok.sum())
                first, last = min(first, float(t[ok].min())), max(last, float(t[ok].max()))
    return {"rows": count, "from": None if not count else str(int(first)), "to": None if not count else str(int(last))}
