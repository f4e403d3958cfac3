"""Shared fixtures: a real Chromium for pytest-playwright, a built demo site, a static server, PostgreSQL,
MariaDB, a Spark SQL Thrift server, ClickHouse (chdb); the markers that the fixtures a test uses give it.
Helpers that test files import live in helpers.py."""
from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import COUNTRIES, assert_classes, expected_colour, interior, serve  # noqa: F401 - two kept for old imports

from generator import build, classify, demo
from generator.video import browser

# pytest-playwright's fixtures (browser_name is in the closure of every test that uses one of them), and the
# fixtures that start a database server. Markers: see pyproject.toml.
BROWSER_FIXTURES = {"page", "context", "browser", "browser_name", "playwright"}
SERVER_FIXTURES = {"postgres_url", "mariadb_url", "spark_url"}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`browser` and `db` from the fixtures a test uses, directly or through others; a video is recorded
    from the page in Chromium, so `video` implies `browser`."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES or item.get_closest_marker("video"):
            item.add_marker(pytest.mark.browser)
        if used & SERVER_FIXTURES:
            item.add_marker(pytest.mark.db)


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
def spark_url() -> Iterator[str]:
    """A real Spark SQL Thrift server on 127.0.0.1, started for the test session: Spark's own jars as PyPI's
    pyspark ships them, on Java 17; read through PyHive's `hive://` dialect, as a warehouse would be."""
    java = shutil.which("java") or (f"{os.environ['JAVA_HOME']}/bin/java" if os.environ.get("JAVA_HOME") else None)
    if not java or not Path(java).exists():
        pytest.skip("no Java for the Spark Thrift server: install Java 17 (Debian: openjdk-17-jre-headless), "
                    "as the README's test command does")
    spec = importlib.util.find_spec("pyspark")  # its folder only: Spark's jars and scripts, no Python of it
    if spec is None or spec.origin is None:
        pytest.fail("pyspark not installed: pip install -e '.[test]'")
    home = Path(spec.origin).parent
    base = Path(tempfile.mkdtemp(prefix="build-site-spark-"))
    port = _free_port()
    log = open(base / "log", "wb")
    # Everything on 127.0.0.1 and nothing else listening (no web UI); the metastore (Derby) and the
    # warehouse in the temporary folder; few shuffle partitions: a GROUP BY of test data in 200 tasks
    # would take seconds each. The JVM compiles with C1 only: on a busy 2-core machine the server
    # answered the three builds of tests/test_spark.py in 34 s instead of 115 s.
    jvm = f"-Dderby.system.home={base / 'derby'} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    proc = subprocess.Popen(
        [str(home / "bin" / "spark-submit"), "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
         "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.bindAddress=127.0.0.1",
         "--conf", "spark.driver.host=127.0.0.1", "--conf", f"spark.sql.warehouse.dir={base / 'warehouse'}",
         "--conf", "spark.sql.shuffle.partitions=2", "--driver-java-options", jvm,
         "--hiveconf", f"hive.server2.thrift.port={port}", "--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1",
         "spark-internal"],
        cwd=base, stdout=log, stderr=log,
        env={**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOG_DIR": str(base)})
    try:
        deadline = time.monotonic() + 180
        while True:  # the Thrift port opens once the server answers queries
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Spark Thrift server did not start: {(base / 'log').read_text()[-1500:]}")
                time.sleep(0.5)
        yield f"hive://127.0.0.1:{port}/default"
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
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
