"""--append (append.py): 99,976 hours built, 24 appended, the site byte for byte a clean build of 100,000
hours, on SQLite, PostgreSQL and Parquet; five countries (not 177) so that each test stays short."""
from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from test_cli import run

from generator import build, builds

START = 1_700_000_000 // 3600 * 3600
HOURS, NEW = 100_000, 24
CODES = ["FRA", "BRA", "AUS", "RUS", "NOR"]


def table(first: int, last: int, high: bool = False) -> pa.Table:
    """Hours first…last-1, a row per country at a minute that varies; values 0…999 (high: the new hours 5,000+)."""
    h = np.repeat(np.arange(first, last), len(CODES))
    c = np.tile(np.arange(len(CODES)), last - first)
    value = (h * 7919 + c * 104729) % 1000 + (5000 * (h >= HOURS - NEW) if high else 0)
    return pa.table({"country": np.array(CODES)[c], "unixtime": START + h * 3600 + (h * 37 + c) % 3600,
                     "cases": value.astype(np.float64)})


def current(site: Path) -> dict[str, bytes]:
    """The site's files but the earlier builds' data and the dot-files (beside the page, not published)."""
    build_id = json.loads((site / "build.json").read_text())["build"]
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file() and not p.name.startswith(".")
            and (not p.relative_to(site).parts[0] == "data" or p.relative_to(site).parts[1] == build_id)}


class Source:
    """A source of rows that grows: `write(t)` makes it hold table t's rows (appended where it can)."""

    def __init__(self, kind: str, folder: Path, url: str | None = None) -> None:
        self.kind, self.folder = kind, folder
        self.url = url or f"sqlite:///{folder / 'rows.db'}"
        self.path = folder / "rows.parquet"

    def options(self, out: Path) -> build.Options:
        where = {"parquet": str(self.path)} if self.kind == "parquet" else {"db": self.url, "table": "events"}
        return build.Options(**where, metrics=["cases"], interval="1h", out=str(out), append=True)

    def write(self, t: pa.Table, fresh: bool = False) -> None:
        if self.kind == "parquet":
            old = pq.read_table(self.path) if self.path.exists() and not fresh else None
            pq.write_table(pa.concat_tables([old, t]) if old is not None else t, self.path, row_group_size=50_000)
            return
        engine = sa.create_engine(self.url)
        with engine.begin() as conn:
            if fresh:
                conn.execute(sa.text("DROP TABLE IF EXISTS events"))
                conn.execute(sa.text("CREATE TABLE events (country TEXT, unixtime BIGINT, cases DOUBLE PRECISION)"))
                conn.execute(sa.text("CREATE INDEX events_time ON events (unixtime)"))
        if self.kind == "sqlite":
            with sqlite3.connect(self.url[len("sqlite:///"):]) as db:
                db.executemany("INSERT INTO events VALUES (?, ?, ?)", zip(*(t[c].to_pylist() for c in t.column_names)))
        else:
            raw = engine.raw_connection()
            with raw.cursor() as cur, cur.copy("COPY events FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in zip(*(t[c].to_pylist() for c in t.column_names)):
                    copy.write_row(row)
            raw.commit()
            raw.close()
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "parquet"])
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Source:
    if request.param == "postgresql":
        return Source("postgresql", tmp_path, request.getfixturevalue("postgres_url"))
    return Source(request.param, tmp_path)


@pytest.mark.parametrize("high", [False, True], ids=["classes-kept", "classes-changed"])
def test_append_gives_the_bytes_of_a_clean_build(source: Source, tmp_path: Path, high: bool,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="build_site")
    site, clean = tmp_path / "site", tmp_path / "clean"
    source.write(table(0, HOURS - NEW), fresh=True)
    build.build(source.options(site))
    before = current(site)
    old_id = json.loads((site / "build.json").read_text())["build"]
    assert (builds.cache_folder(site) / "cache.json").is_file() and not (site / ".append").exists()
    caplog.clear()

    source.write(table(HOURS - NEW, HOURS, high))
    build.build(source.options(site))
    log = caplog.text
    assert f"append: {(NEW + 1) * len(CODES):,} rows from 2035-" in log, log  # the old last hour's again, and 24
    assert "24 new frames (99,976 → 100,000)" in log
    assert ("encoded again whole from the cached grid" in log) == high
    appended = current(site)
    new_id = json.loads((site / "build.json").read_text())["build"]
    if not high:  # the chunks before the last were kept: the same files, linked
        kept = [k for k in before if k.startswith(f"data/{old_id}/0/") and k.endswith("/0.js")]
        assert kept and all((site / k.replace(old_id, new_id)).stat().st_ino == (site / k).stat().st_ino for k in kept)

    source.write(table(0, HOURS, high), fresh=True)  # the same rows, from scratch
    build.build(build.Options(**{**source.options(clean).__dict__, "append": False}))
    assert appended == current(clean)


def test_append_makes_a_full_build_when_old_rows_changed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="build_site")
    src = Source("sqlite", tmp_path)
    src.write(table(0, 2000), fresh=True)
    build.build(src.options(tmp_path / "site"))
    with sqlite3.connect(tmp_path / "rows.db") as db:
        db.execute("DELETE FROM events WHERE rowid = 7")
    src.write(table(2000, 2024))
    caplog.clear()
    build.build(src.options(tmp_path / "site"))
    log = caplog.text
    assert "append: a full build, as the rows before its last frame (" in log and "changed" in log
    assert json.loads((tmp_path / "site" / "build.json").read_text())["frames"] == 2024


def test_a_config_map_with_append_true(tmp_path: Path) -> None:
    src = Source("sqlite", tmp_path)
    src.write(table(0, 2000), fresh=True)
    (tmp_path / "site.toml").write_text(f"""out = "out"
[[map]]
name = "live"
db = "{src.url}"
table = "events"
metrics = ["cases"]
interval = "1h"
append = true
""")
    first = run("--config", str(tmp_path / "site.toml"))  # in a process of its own: it draws stills in Chromium
    assert first.returncode == 0, first.stderr
    assert (tmp_path / ".out.append" / "live" / "cache.json").is_file()
    src.write(table(2000, 2024))
    log = run("--config", str(tmp_path / "site.toml")).stderr
    assert "map live: building: its source changed" in log and "24 new frames (2,000 → 2,024)" in log, log
    src.write(table(0, 2024), fresh=True)
    build.build(build.Options(**{**src.options(tmp_path / "clean").__dict__, "append": False}))
    ours = {k.removeprefix("live/"): v for k, v in current(tmp_path / "out" / "live").items()}
    theirs = current(tmp_path / "clean")
    assert {k: v for k, v in ours.items() if k.startswith("data/")} == \
        {k: v for k, v in theirs.items() if k.startswith("data/")}
