"""Helpers shared by several test files (fixtures live in conftest.py): the test countries and the colour
of their class, a static server that can also act as a browser's proxy, the command line in a process of its
own, opening a built page in Chromium, a site built from rows, screenshots' folder."""
from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from playwright.sync_api import Frame, Page

from generator import build, classify
from generator.geo import geometry

COUNTRIES = {"Brazil": "BRA", "Russia": "RUS", "Australia": "AUS", "France": "FRA", "Norway": "NOR"}
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"  # left for review by eye


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


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`build-site ARGS` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "generator", *args], check=False, capture_output=True, text=True,
                          cwd=cwd,
                          timeout=300)


def assert_one_line_error(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("build-site: error:")]
    assert len(errors) == 1, proc.stderr
    for word in words:
        assert word in errors[0], errors[0]


def opened(page: Page, url: str, size: tuple[int, int] | None = None) -> dict:
    """Open the page (at `size`, if given) and let it draw twice, with no error on the way; its metadata."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.evaluate("choropleth.ready")
    if size:
        page.evaluate(f"choropleth.resize({size[0]}, {size[1]})")
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert not errors
    return page.evaluate("choropleth.meta")


def open_site(page: Page, url: str) -> list[str]:
    """Open the page at 1280×720; return the list that collects requests leaving the site folder."""
    base = url.rsplit("/", 1)[0] + "/"
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) or r.url.startswith("data:") else outside.append(r.url))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.evaluate("window.choropleth.ready")
    page.evaluate("choropleth.resize(1280, 720)")
    page.evaluate("choropleth.values()")  # the tooltip's exact values, so its text is final at once
    assert not errors
    return outside


def rgb(hexa: str) -> tuple[int, int, int]:
    return tuple(int(hexa[i:i + 2], 16) for i in (1, 3, 5))


def make(tmp_path: Path, rows: pd.DataFrame, **options: object) -> Path:
    """A site built from `rows` (written as a CSV) with these options."""
    rows.to_csv(tmp_path / "rows.csv", index=False)
    out = tmp_path / "site"
    build.build(build.Options(csv=str(tmp_path / "rows.csv"), out=str(out), **options))
    return out


def build_hours_site(folder: Path, hours: int = 100_000) -> Path:
    """A site of `hours` hourly frames (about eleven years at 100,000; three countries with data, smooth
    values), built into folder/site from a CSV: the long scrubber's and the timeline's test site."""
    f = np.repeat(np.arange(hours), 3)
    value = (np.sin(f / 500.0) + 1) * 50 + np.tile([0, 30, 60], hours)
    pd.DataFrame({"country": np.tile(["BRA", "FRA", "AUS"], hours), "unixtime": 1_704_067_200 + f * 3600,
                  "metric1": value}).to_csv(folder / "rows.csv", index=False)
    build.build(build.Options(out=str(folder / "site"), csv=str(folder / "rows.csv")))
    return folder / "site"


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its path from there: two sites compared byte for byte."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
