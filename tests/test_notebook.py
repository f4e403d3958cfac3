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
from nbformat.v4 import new_code_cell, new_notebook
from playwright.sync_api import Page

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
