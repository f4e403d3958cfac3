"""Shared fixtures: a real Chromium for pytest-playwright, a built demo site, a static server, PostgreSQL,
MariaDB, ClickHouse (chdb). Helpers that test files import live in helpers.py."""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import COUNTRIES, assert_classes, expected_colour, interior, serve  # noqa: F401 - two kept for old imports

from generator import build, classify, demo
from generator.video import browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, **browser.launch_options()}


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    build.build(build.Options(out=str(out)))
    return out


@pytest.fixture(scope="session")
def demo_server(demo_site: Path) -> Iterator[str]:
    with serve(demo_site) as url:
        yield url


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server on 127.0.0.1, started for the test session (Debian's postgresql)."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.fail("PostgreSQL server binaries not found: run the README's test command, which installs them")
    # Not under pytest's tmp folder: that one is private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="build-site-pg-"))
    data = base / "data"
    port = _free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(data.parent, "postgres")
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "postgres", "-A", "trust"], check=True,
                   capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-w", "-l", str(data.parent / "log"), "-o",
                    f"-p {port} -h 127.0.0.1 -k {data.parent}", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], check=False,
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def mariadb_url() -> Iterator[str]:
    """A real MariaDB server on 127.0.0.1, started for the test session (Debian's mariadb-server)."""
    import pymysql

    found = [shutil.which(n) or next((f"{d}/{n}" for d in ("/usr/sbin", "/usr/bin") if Path(f"{d}/{n}").exists()), None)
             for n in ("mariadb-install-db", "mariadbd")]
    install, server = found
    if not install or not server:
        pytest.fail("MariaDB server binaries not found: run the README's test command, which installs them")
    base = Path(tempfile.mkdtemp(prefix="build-site-mariadb-"))
    port = _free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # mariadbd refuses to run as root
        as_user = ["runuser", "-u", "mysql", "--"]
        shutil.chown(base, "mysql")
    subprocess.run([*as_user, install, "--no-defaults", f"--datadir={base / 'data'}", "--skip-test-db",
                    "--auth-root-authentication-method=normal"], check=True, capture_output=True)
    log = open(base / "log", "wb")
    proc = subprocess.Popen([*as_user, server, "--no-defaults", f"--datadir={base / 'data'}", f"--port={port}",
                             "--bind-address=127.0.0.1", f"--socket={base / 'sock'}", f"--pid-file={base / 'pid'}",
                             "--skip-grant-tables", "--skip-log-bin"], stdout=log, stderr=log)
    try:
        for _ in range(300):
            try:
                pymysql.connect(host="127.0.0.1", port=port, user="root").cursor().execute("CREATE DATABASE test")
                break
            except pymysql.err.OperationalError:
                if proc.poll() is not None:
                    pytest.fail(f"mariadbd stopped: {(base / 'log').read_text()[-500:]}")
                threading.Event().wait(0.1)
        yield f"mysql+pymysql://root@127.0.0.1:{port}/test"
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def chdb_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """ClickHouse in this process (chdb): one database folder per process, as chdb allows."""
    return f"chdb:///{tmp_path_factory.mktemp('chdb')}"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1320, "height": 900}}


@pytest.fixture(scope="session")
def hourly(demo_site: Path) -> pd.DataFrame:
    """metric1 summed per hour and country straight from the demo database, with pandas."""
    with sqlite3.connect(demo.demo_path()) as conn:
        df = pd.read_sql("SELECT country, unixtime, metric1 FROM events", conn)
    start = df.unixtime.min() // 3600 * 3600
    df["frame"] = (df.unixtime - start) // 3600
    table = df.groupby(["frame", "country"]).metric1.sum().unstack()
    return table.reindex(range(int(df.frame.max()) + 1))


@pytest.fixture(scope="session")
def interior_points() -> dict[str, tuple[float, float]]:
    """A point well inside each test country."""
    return {name: interior(name) for name in COUNTRIES}


@pytest.fixture(scope="session")
def demo_classes(hourly: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The demo's metric1 class edges and colours (20 equal intervals, afmhot_r), from the pandas sums."""
    return classify.breaks(hourly.to_numpy(dtype=np.float64), 20, "equal_interval"), classify.palette("afmhot_r", 20)
