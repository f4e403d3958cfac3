"""Hostile text in titles, region names and metric names shows as text and runs nothing."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from helpers import run, serve
from playwright.sync_api import Page

from generator import build

EVIL = "</script><img src=x onerror=\"window.pwned=1\">'\"&amp; \u202eRTL\u202c 🗺️"


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("evil")
    shapes = gpd.GeoDataFrame({"code": ["A", "B"], "name": [EVIL, "plain"]},
                              geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs="EPSG:4326")
    shapes.to_file(folder / "shapes.gpkg")
    pd.DataFrame({"code": ["A", "B", "A"], "t": [0, 0, 3600], EVIL: [1.0, 2.0, 3.0]}).to_csv(folder / "rows.csv",
                                                                                          index=False)
    out = folder / "site"
    build.build(build.Options(csv=str(folder / "rows.csv"), region="code", time="t", shapes=str(folder / "shapes.gpkg"),
                              title=EVIL, out=str(out), projection="EPSG:3857"))
    return out


@pytest.mark.parametrize("mode", ["file", "http"])
def test_hostile_text_is_text(page: Page, evil_site: Path, mode: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    with serve(evil_site) as url:
        page.goto((evil_site / "index.html").as_uri() if mode == "file" else url + "index.html")
        page.evaluate("choropleth.ready")
        assert page.title() == EVIL
        assert page.evaluate("window.pwned") is None
        assert page.locator("img").count() == 0
        assert page.evaluate("choropleth.meta.metrics[0].name") == EVIL
        assert page.evaluate("choropleth.describe(0)").startswith(EVIL + ": ")
        assert page.evaluate("choropleth.title(0)").startswith(EVIL)
    assert errors == []


def test_hostile_config_strings_are_text(page: Page, tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    quoted = EVIL.replace("\\", "\\\\").replace('"', '\\"')
    config.write_text(f'title = "{quoted}"\n[[map]]\nname = "a"\ntitle = "{quoted}"\n')
    proc = run("--config", str(config))  # a process of its own: the stills use Playwright's sync API
    assert proc.returncode == 0, proc.stderr
    page.goto((tmp_path / "site" / "index.html").as_uri())
    assert page.title() == EVIL
    assert page.locator("ul.maps strong").text_content() == EVIL
    assert page.evaluate("window.pwned") is None
    assert page.locator("img[src=x]").count() == 0
