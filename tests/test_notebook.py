"""A real Jupyter kernel runs a notebook that maps a pandas and a polars DataFrame; the saved notebook's
HTML outputs, opened in Chromium with every request beyond them refused, show each country's class."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from helpers import assert_classes
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_notebook
from playwright.sync_api import Browser, Page

from generator import demo

ROOT = Path(__file__).resolve().parents[1]


def test_notebook_outputs_play_offline(tmp_path: Path, page: Page, monkeypatch: pytest.MonkeyPatch,
                                       hourly: pd.DataFrame, interior_points: dict, demo_classes: tuple) -> None:
    nb = new_notebook(cells=[
        new_code_cell("import sqlite3\nimport pandas as pd\nimport polars as pl\nimport build_site\n"
                      f"rows = pd.read_sql('SELECT country, unixtime, metric1 FROM events', "
                      f"sqlite3.connect({str(demo.ensure_demo_database())!r}))"),
        new_code_cell("build_site.choropleth(rows, metric='metric1', interval='1h', title='From pandas')"),
        new_code_cell("m = build_site.choropleth(pl.from_pandas(rows), metric=['metric1'], interval='1h',\n"
                      "                          title='From polars')\nm"),
    ])
    # The kernel imports this checkout's build_site, whatever is installed.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    nbformat.write(nb, tmp_path / "maps.ipynb")

    saved = nbformat.read(tmp_path / "maps.ipynb", as_version=4)
    shown = [out["data"]["text/html"] for cell in saved.cells for out in cell.get("outputs", [])
             if "text/html" in out.get("data", {})]
    assert len(shown) == 2
    (tmp_path / "outputs.html").write_text("<!doctype html><meta charset=utf-8><body>" + "".join(shown) + "</body>")
    url = (tmp_path / "outputs.html").as_uri()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
    page.goto(url)
    maps = page.main_frame.child_frames
    assert [f.evaluate("choropleth.meta.title") for f in maps] == ["From pandas", "From polars"]
    for frame in maps:
        assert frame.url == "about:srcdoc"
        assert_classes(frame, hourly, interior_points, demo_classes)
    # The iframes load nothing either: their requests would have been listed (and refused).
    assert requests == [url] and errors == []


ROWS = ("import pandas as pd\nimport build_site\n"  # three countries, three hours
        "rows = pd.DataFrame({'country': ['FRA', 'BRA', 'IND'] * 3, 'unixtime': sorted([0, 3600, 7200] * 3), "
        "'cases': range(9)})")


def run(cells: list[str], folder: Path, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    """The notebook of those cells as a real kernel runs it (errors kept as outputs) and saves it."""
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    nbformat.write(nb, folder / "run.ipynb")
    return nbformat.read(folder / "run.ipynb", as_version=4)


def test_bad_call_shows_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = run([ROWS, "build_site.choropleth(rows, metric='x')"], tmp_path, monkeypatch)
    [error] = [out for out in nb.cells[1].outputs if out["output_type"] == "error"]
    # What Jupyter shows is the traceback as IPython renders it: here the message alone, one line.
    assert error["ename"] == "UserError" and "'x'" in error["evalue"]
    assert error["traceback"] == [f"UserError: {error['evalue']}"]


def test_frame_follows_the_page_in_nbconvert_html(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   browser: Browser) -> None:
    nb = run([ROWS, "build_site.choropleth(rows, metric='cases', interval='1h', title='Cases')"], tmp_path, monkeypatch)
    body, _ = HTMLExporter().from_notebook_node(nb)
    (tmp_path / "run.html").write_text(body, encoding="utf-8")
    url = (tmp_path / "run.html").as_uri()
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())  # no CDN
    page.goto(url)
    [frame] = page.main_frame.child_frames
    frame.evaluate("choropleth.ready")
    iframe = page.locator("iframe")
    for _ in range(50):  # the frame takes the height the page posts, and the page refits to it
        outer = iframe.evaluate("f => f.getBoundingClientRect().height")
        inner = frame.evaluate("document.documentElement.getBoundingClientRect().height")
        if abs(outer - inner) <= 2:
            break
        page.wait_for_timeout(100)
    assert abs(outer - inner) <= 2 and outer != 640, (outer, inner)  # no blank band, no scroll bar
    # The map's canvas is as wide as the frame's 16:9 allows, not cut to fit a 640-pixel frame.
    width, height = frame.evaluate("(r => [r.width, r.height])(document.getElementById('map').getBoundingClientRect())")
    assert abs(height - width * 9 / 16) <= 1
    # A trusted render shows the map alone: the note for an untrusted notebook is gone.
    assert page.get_by_text("This notebook is not trusted").count() == 0
