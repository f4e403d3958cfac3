"""Shared fixtures: a real Chromium for pytest-playwright, a built demo site, a static server, PostgreSQL,
MariaDB, ClickHouse (chdb)."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Frame, Page

from generator import build, classify, demo
from generator.geo import geometry
from generator.video import browser

COUNTRIES = {"Brazil": "BRA", "Russia": "RUS", "Australia": "AUS", "France": "FRA", "Norway": "NOR"}
SHARED_10M = Path(__file__).resolve().parents[2] / "shared" / "data" / "ne_10m_countries" / "ne_10m_countries.shp"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, **browser.launch_options()}


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    build.build(build.Options(out=str(out)))
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    prefix = "/"
    seen: list[str] | None = None  # when a list: every request is written in it, and other hosts are refused
    host = ""  # this server's host:port

    def log_message(self, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        return super().translate_path("/" + path[len(self.prefix):])

    # As a browser's HTTP proxy, the server sees the requests a page makes to any host, even one with no DNS.
    def parse_request(self) -> bool:
        ok = super().parse_request()
        if self.seen is None:
            return ok
        if not ok:  # not HTTP but TLS: WebKit speaks TLS to its https proxy, and nothing of ours is https
            self.seen.append("an https request")
        elif self.command == "CONNECT":
            self.seen.append(f"https://{self.path}")
        else:
            url = self.path if "://" in self.path else f"http://{self.host}{self.path}"
            self.seen.append(url if self.command == "GET" else f"{self.command} {url}")
        return ok

    def do_CONNECT(self) -> None:  # an https request through the proxy: refused
        self.send_error(403)

    def send_head(self) -> BytesIO | BinaryIO | None:
        url = urlsplit(self.path)
        if url.netloc:  # a proxy request: only this server's own files are served
            if url.netloc != self.host:
                self.send_error(403)
                return None
            self.path = url.path + (f"?{url.query}" if url.query else "")
        if not self.path.startswith(self.prefix):  # outside the sub-path: nothing there
            self.send_error(404)
            return None
        return super().send_head()


@contextmanager
def serve(directory: Path, prefix: str = "/", seen: list[str] | None = None) -> Iterator[str]:
    """A static HTTP server on 127.0.0.1 serving `directory` under `prefix`; yields the base URL. Given a list
    `seen`, it records every request it receives in it, and may be a browser's proxy for every other host."""
    handler: type[_Quiet] = type("Handler", (_Quiet,), {"prefix": prefix, "seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    handler.host = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


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


@functools.cache
def _robinson_world() -> object:
    return geometry.read_shapes(None).to_crs("ESRI:54030").set_index("name")


def interior(name: str) -> tuple[float, float]:
    """A point well inside a country of the default shapes, in the default projection (Robinson):
    in its largest part, away from borders (~2 px at 1280 wide) where the country is big enough."""
    shape = _robinson_world().geometry[name]
    part = max(getattr(shape, "geoms", [shape]), key=lambda p: p.area)
    inner = next(g for g in (part.buffer(-d) for d in (60_000, 40_000, 10_000, 3_000, 0)) if not g.is_empty)
    p = inner.representative_point()
    return p.x, p.y


@pytest.fixture(scope="session")
def interior_points() -> dict[str, tuple[float, float]]:
    """A point well inside each test country."""
    return {name: interior(name) for name in COUNTRIES}


def expected_colour(value: float, edges: np.ndarray, colours: list[str], missing: str) -> tuple[int, ...]:
    if not np.isfinite(value):
        hexa = missing
    else:
        hexa = colours[int(classify.classify(np.array([value]), edges)[0])]
    return tuple(int(hexa[i:i + 2], 16) for i in (1, 3, 5))


def assert_classes(target: Page | Frame, hourly: pd.DataFrame, points: dict, classes: tuple) -> None:
    """Each test country's pixel has the colour of its class of metric1 at the first, middle and last frames."""
    target.evaluate("choropleth.ready")
    target.evaluate("choropleth.resize(1280, 720)")
    frames = target.evaluate("choropleth.frameCount")
    assert frames == len(hourly)
    edges, colours = classes
    seen = set()
    for frame in (0, frames // 2, frames - 1):
        target.evaluate("f => choropleth.ensure(f, f)", frame)
        assert target.evaluate("f => choropleth.renderFrame(f)", frame) is True
        for name, code in COUNTRIES.items():
            x, y = target.evaluate("([x, y]) => choropleth.pixelOf(x, y)", points[name])
            got = tuple(target.evaluate("([x, y]) => choropleth.colorAt(x, y)", [x, y]))
            want = expected_colour(hourly.at[frame, code], edges, colours, "#dddddd")
            assert got == want, f"{name} at frame {frame}: {got} != {want}"
            seen.add(want)
    assert len(seen) > 3  # the countries do show different classes


@pytest.fixture(scope="session")
def demo_classes(hourly: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The demo's metric1 class edges and colours (20 equal intervals, afmhot_r), from the pandas sums."""
    return classify.breaks(hourly.to_numpy(dtype=np.float64), 20, "equal_interval"), classify.palette("afmhot_r", 20)
