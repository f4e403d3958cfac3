"""Every bad input is answered with one line (what is wrong, what to do), exit code ≠ 0, no traceback."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from helpers import assert_one_line_error, run

from generator import demo


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    d = tmp_path_factory.mktemp("bad")
    rows = pd.DataFrame({"country": ["FRA", "NOR", "BRA"], "unixtime": [0, 3600, 7200], "m": [1.0, 2.0, 3.0]})
    rows.assign(m=[1.0, float("inf"), 3.0]).to_csv(d / "inf.csv", index=False)
    rows.assign(m=[1.0, -2.0, 3.0]).to_csv(d / "negative.csv", index=False)
    rows.assign(country=["XX1", "ZZ9", "QQ7"]).to_csv(d / "unknown.csv", index=False)
    rows.assign(unixtime=[0, 5_000_000, 10_000_000]).to_csv(d / "long.csv", index=False)
    rows.to_csv(d / "good.csv", index=False)
    rows.assign(unixtime=[1990, 1995, 2000]).to_csv(d / "years.csv", index=False)
    (d / "corrupt.shp").write_bytes(b"\x00\x01garbage" * 50)
    gpd.GeoDataFrame({"name": []}, geometry=[], crs="EPSG:4326").to_file(d / "empty.gpkg")
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.box(5e5, 5e5, 6e5, 6e5)]).to_file(d / "nocrs.shp")
    (d / "nocrs.prj").unlink(missing_ok=True)
    (d / "a-file").write_text("x")
    duck = sa.create_engine(f"duckdb:///{d / 'rows.duckdb'}")
    rows.to_sql("events", duck, index=False)
    duck.dispose()
    (d / "typo.toml").write_text('title = "x"\n[[map]]\nname = "a"\ncmapp = "viridis"\n')
    urls = {"dir": d, "db": f"sqlite:///{demo.ensure_demo_database()}", "duckdb": f"duckdb:///{d / 'rows.duckdb'}"}
    return {k: str(v) for k, v in urls.items()} | \
        {p.name: str(p) for p in d.iterdir()}


CASES = [
    ("unreachable database", ["--db", "postgresql+psycopg://nobody@127.0.0.1:1/x", "--table", "t"], ["check the URL"]),
    ("not a database URL", ["--db", "not a url", "--table", "t"], ["not a database URL"]),
    ("missing SQLite file", ["--db", "sqlite:////nonexistent/x.db", "--table", "t"], ["no SQLite file"]),
    ("no table or query", ["--db", "{db}"], ["--table", "--query"]),
    ("bad SQL", ["--db", "{db}", "--query", "SELECT FROM WHERE"], ["syntax error", "the SQL"]),
    ("missing table", ["--db", "{db}", "--table", "nope"], ["no such table"]),
    ("empty result", ["--db", "{db}", "--query", "SELECT * FROM events WHERE 1 = 0"], ["no rows"]),
    ("missing metric column", ["--metric", "nope"], ["no column 'nope'", "--metric"]),
    ("missing region column", ["--region", "nation"], ["no column 'nation'", "--region"]),
    ("non-numeric metric", ["--db", "{db}", "--query", "SELECT country, unixtime, 'x' AS label FROM events",
                            "--metric", "label"], ["not numeric"]),
    ("all-NaN metric", ["--db", "{db}", "--query", "SELECT country, unixtime, NULL AS m FROM events", "--metric", "m"],
     ["no values"]),
    ("infinite values", ["--csv", "{inf.csv}"], ["infinite values"]),
    ("negative values with --log", ["--csv", "{negative.csv}", "--log"], ["--log needs positive values"]),
    ("unknown region codes only", ["--csv", "{unknown.csv}"], ["none of the data's 3 region codes", "--shape-key"]),
    ("missing shapes file", ["--shapes", "/nonexistent.shp"], ["no such file"]),
    ("corrupt shapes file", ["--shapes", "{corrupt.shp}"], ["cannot be read"]),
    ("empty shapes file", ["--shapes", "{empty.gpkg}"], ["no geometries"]),
    ("shapes without CRS", ["--csv", "{good.csv}", "--shapes", "{nocrs.shp}"], ["no CRS"]),
    ("10 million frames", ["--csv", "{long.csv}", "--interval", "1"], ["more than 5,000,000"]),
    ("too many classes", ["--classes", "300"], ["1 to 254"]),
    ("unknown colormap", ["--cmap", "rainbowish"], ["--cmap", "not a matplotlib colormap"]),
    ("bad interval", ["--interval", "soon"], ["--interval"]),
    ("unknown aggregate", ["--agg", "avg"], ["--agg"]),
    ("unknown time zone", ["--tz", "Mars/Olympus_Mons"], ["--tz", "IANA name"]),
    ("a window's end not ISO 8601", ["--from", "yesterday"], ["--from 'yesterday'", "ISO 8601"]),
    ("a window backwards", ["--from", "2024-02-01", "--to", "2024-01-01"],
     ["--from '2024-02-01' is after --to '2024-01-01'"]),
    ("weeks from no weekday", ["--interval", "1w-someday"], ["--interval", "1w-sun"]),
    ("malformed metric settings", ["--metric", "metric1:agg"], ["--metric 'metric1:agg'", "cannot use 'agg'"]),
    ("unknown region code type", ["--region-type", "iso4"], ["--region-type", "iso2, iso3"]),
    ("years with an interval in seconds", ["--csv", "{years.csv}", "--interval", "1d"], ["holds years", "5y"]),
    ("median by month in a database", ["--db", "{duckdb}", "--table", "events", "--interval", "1mo", "--agg", "median"],
     ["median", "calendar"]),
    ("centre and log together", ["--metric", "metric1:log,center=1"], ["--log and --center"]),
    ("unknown projection", ["--projection", "flat-earth"], ["--projection"]),
    ("projection centre on a fixed projection", ["--projection", "albers-usa:10"], ["--projection", "fixed centre"]),
    ("orthographic centre off the globe", ["--projection", "orthographic:10,95"], ["--projection", "LON,LAT"]),
    ("malformed bbox", ["--bbox", "1,2,3"], ["--bbox", "four numbers"]),
    ("bbox south above north", ["--bbox", "-10,60,30,35"], ["--bbox", "south < north"]),
    ("bbox holding no shape", ["--bbox", "-170,-60,-160,-50"], ["--bbox", "no shape lies in it"]),
    ("only without a value", ["--only", "continent"], ["--only", "FIELD=VALUE"]),
    ("only on an unknown field", ["--only", "contnent=Europe"], ["--only", "no field 'contnent'", "continent"]),
    ("only matching nothing", ["--only", "continent=Atlantis"],
     ["--only", "no shape has continent Atlantis", "Europe"]),
    ("unknown shape key", ["--shape-key", "nope"], ["--shape-key"]),
    ("unwritable output", ["--out", "/proc/build-site-out/site"], ["not writable"]),
    ("output is a file", ["--out", "{a-file}"], ["is a file"]),
    ("config with a typo", ["--config", "{typo.toml}"], ["typo.toml:4", "unknown key 'cmapp'"]),
    ("unknown video extension", ["--video", "x.avi"], ["unknown extension"]),
    ("record: not a site", ["record", "{dir}", "x.mp4"], ["not a site"]),
    ("record: no browser", ["record", "SITE", "x.mp4", "--browser", "/nonexistent/chrome"], ["is not an executable"]),
]


@pytest.mark.parametrize("name,args,words", CASES, ids=[c[0] for c in CASES])
def test_bad_input(name: str, args: list[str], words: list[str], inputs: dict[str, str], demo_site: Path,
                   tmp_path: Path) -> None:
    argv = []
    for a in args:
        for key, value in inputs.items():
            a = a.replace("{" + key + "}", value)
        argv.append(a.replace("SITE", str(demo_site)))
    if argv[0] != "record" and "--out" not in argv and "--config" not in argv:
        argv += ["--out", str(tmp_path / "site")]
    assert_one_line_error(run(*argv, cwd=tmp_path), *words)


def test_at_least_25_bad_inputs() -> None:
    assert len(CASES) >= 25


def test_duplicates_and_one_frame_are_not_errors(tmp_path: Path, inputs: dict[str, str]) -> None:
    rows = pd.DataFrame({"country": ["FRA", "FRA", "NOR"], "unixtime": [10, 20, 30], "m": [1.0, 2.0, 3.0]})
    rows.to_csv(tmp_path / "dup.csv", index=False)
    proc = run("--csv", str(tmp_path / "dup.csv"), "--interval", "1h", "--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    assert "3 rows into 1 frames" in proc.stderr and "1.5 rows per filled bucket" in proc.stderr


def test_identifiers_are_quoted_and_sqlite_is_read_only(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "odd.db"
    with sqlite3.connect(db) as conn:
        conn.execute('CREATE TABLE "my ""events""; --" ("the country" TEXT, "t-ime" INTEGER, "m; DROP" REAL)')
        conn.executemany('INSERT INTO "my ""events""; --" VALUES (?, ?, ?)', [("FRA", 0, 1.0), ("NOR", 60, 2.0)])
    proc = run("--db", f"sqlite:///{db}", "--table", 'my "events"; --', "--region", "the country",
               "--time", "t-ime", "--metric", "m; DROP", "--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    hostile = run("--db", f"sqlite:///{db}", "--table", "x; DROP TABLE \"my \"\"events\"\"; --\"", "--out",
                  str(tmp_path / "s2"))
    assert_one_line_error(hostile, "no such table")
    writes = run("--db", f"sqlite:///{db}", "--query", "DELETE FROM \"my \"\"events\"\"; --\" RETURNING *",
                 "--region", "the country", "--time", "t-ime", "--out", str(tmp_path / "s3"))
    assert writes.returncode != 0 and "Traceback" not in writes.stderr
    from sqlalchemy.exc import OperationalError

    from generator import source

    with source.open_engine(f"sqlite:///{db}").connect() as conn, pytest.raises(OperationalError, match="readonly"):
        conn.exec_driver_sql('DELETE FROM "my ""events""; --"')
    with sqlite3.connect(db) as conn:
        assert conn.execute('SELECT count(*) FROM "my ""events""; --"').fetchone() == (2,)


@pytest.mark.video
def test_ffmpeg_killed_mid_recording(tmp_path: Path, demo_site: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "generator", "record", str(demo_site), str(tmp_path / "v.webm"),
                             "--segment-frames", "400"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = False
    deadline = time.time() + 60
    while not killed and time.time() < deadline and proc.poll() is None:
        for pid in os.listdir("/proc"):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except (OSError, ValueError):
                continue
            if pid.isdigit() and "(ffmpeg" in stat and int(stat.rsplit(")", 1)[1].split()[1]) == proc.pid:
                try:  # the segment encoder, not the short `ffmpeg -version` probe of imageio-ffmpeg
                    if b"image2pipe" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                        continue
                    time.sleep(0.5)  # let it take some frames
                    os.kill(int(pid), signal.SIGKILL)
                except (OSError, ProcessLookupError):
                    continue
                killed = True
                break
        time.sleep(0.05)
    _, err = proc.communicate(timeout=120)
    assert killed
    assert proc.returncode != 0 and "Traceback" not in err
    line = [x for x in err.splitlines() if x.startswith("build-site: error:")]
    assert len(line) == 1 and "ffmpeg" in line[0], err


def test_null_and_invalid_geometries_are_repaired_and_said(tmp_path: Path) -> None:
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])  # self-intersecting
    gpd.GeoDataFrame({"iso": ["FR", "NO", "BR"]}, geometry=[shapely.box(0, 20, 10, 30), bowtie, None],
                     crs="EPSG:4326").to_file(tmp_path / "shapes.gpkg")
    pd.DataFrame({"iso": ["FR", "NO"], "t": [0, 0], "m": [1.0, 2.0]}).to_csv(tmp_path / "rows.csv", index=False)
    proc = run("--csv", str(tmp_path / "rows.csv"), "--region", "iso", "--time", "t", "--shapes",
               str(tmp_path / "shapes.gpkg"), "--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    assert "1 features without geometry left out" in proc.stderr
    assert "1 invalid geometries repaired" in proc.stderr
    assert "2 of 2 data codes (iso2) matched" in proc.stderr


def test_shape_mistakes_are_told_before_the_aggregation(tmp_path: Path) -> None:
    for args in (["--only", "continent=Atlantis"], ["--shape-key", "nope"], ["--projection", "flat-earth"]):
        proc = run(*args, "--out", str(tmp_path / "site"))
        assert proc.returncode != 0 and "aggregate:" not in proc.stderr, proc.stderr
