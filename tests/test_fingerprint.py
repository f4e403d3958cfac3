"""Every build knows what it read: --config keeps a map whose source did not change, database servers
included, and says why each map was rebuilt or kept (fingerprint.py)."""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from test_cli import run

from generator import fingerprint

START = 1_700_000_000 // 3600 * 3600


def fill(url: str, hours: range) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS events "
                             "(country TEXT, unixtime BIGINT, cases DOUBLE PRECISION)"))
        conn.execute(sa.text("INSERT INTO events VALUES (:c, :t, :v)"),
                     [{"c": c, "t": START + 3600 * h, "v": float(h % 7)} for h in hours for c in ("FRA", "BRA")])
    engine.dispose()


def site_toml(folder: Path, pg: str, db: Path) -> Path:
    path = folder / "site.toml"
    path.write_text(f"""out = "out"
[defaults]
table = "events"
metrics = ["cases"]
interval = "1h"
[[map]]
name = "server"
db = "{pg}"
[[map]]
name = "file"
db = "sqlite:///{db}"
""")
    return path


def test_config_keeps_unchanged_maps_servers_included(tmp_path: Path, postgres_url: str) -> None:
    pg = postgres_url
    with sa.create_engine(pg).begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS events"))
    db = tmp_path / "rows.db"
    fill(pg, range(48))
    fill(f"sqlite:///{db}", range(48))
    toml = str(site_toml(tmp_path, pg, db))
    log = run("--config", toml).stderr  # the command, in a process of its own (it draws stills in Chromium)
    assert "map server: building: no record of its last build" in log, log
    recorded = fingerprint.read(tmp_path / "out" / "server")
    assert recorded and recorded.source["rows"] == 96

    log = run("--config", toml).stderr
    assert "map server: kept: 96 rows" in log and "map file: kept: 96 rows" in log, log
    seconds = float(re.search(r"site: 2 maps \(0 built\) in .* in ([0-9.]+) s", log).group(1))
    assert seconds < 2  # nothing read, nothing drawn: well under a second on an idle machine (these share 2 cores)

    fill(pg, [48])
    with sqlite3.connect(db) as conn:  # the file touched, its rows as they were: kept, by the query
        conn.execute("UPDATE events SET country = country WHERE 0")
    db.touch()
    log = run("--config", toml).stderr
    assert "map server: building: its source changed (96 rows" in log and "→ 98 rows" in log, log
    assert "map file: kept" in log
    assert json.loads((tmp_path / "out" / "server" / "build.json").read_text())["frames"] == 49

    assert "map file: building: --clean" in run("--config", toml, "--clean").stderr
