"""A site of many maps from a config file: index, links under a sub-path, incremental and reproducible."""
from __future__ import annotations

import gzip
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from helpers import assert_one_line_error, files_of, run, serve
from playwright.sync_api import Page

CONFIG = """title = "Intranet maps"
out = "out"

[defaults]
cmap = "viridis"

[[map]]
name = "hourly"
title = "Demo, per hour"
metrics = ["metric1", "metric2"]

[[map]]
name = "daily"
title = "Demo, per day"
interval = "1d"
agg = "mean"

[[map]]
name = "cases"
title = "Cases"
csv = "cases.csv"
region = "iso"
time = "day"
interval = "1d"
"""


def make_config(folder: Path, text: str = CONFIG) -> Path:
    pd.DataFrame({"iso": ["FR", "NO", "BR", "FR"], "day": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-05"],
                  "cases": [1.0, 2.0, 3.0, 4.0]}).to_csv(folder / "cases.csv", index=False)
    (folder / "site.toml").write_text(text)
    return folder / "site.toml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cfg")
    proc = run("--config", str(make_config(folder)))
    assert proc.returncode == 0, proc.stderr
    return folder / "out"


@pytest.mark.parametrize("mode", ["file", "prefix"])
def test_index_links_open_working_maps(page: Page, built: Path, mode: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with serve(built, prefix="/some/prefix/") as url:
        base = built.as_uri() + "/" if mode == "file" else url
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith((base, "data:")) else outside.append(r.url))
        page.goto(base + "index.html")
        links = page.locator("ul.maps a")
        assert links.count() == 3
        assert page.locator("ul.maps img").count() == 3  # stills, drawn by each map's page
        for name, title, frames in (("hourly", "Demo, per hour", 504), ("daily", "Demo, per day", 21),
                                    ("cases", "Cases", 5)):
            page.goto(base + "index.html")
            with page.expect_navigation():
                page.click(f"text={title}")
            page.wait_for_function("window.choropleth")
            page.evaluate("choropleth.ready")
            assert page.url.split("#")[0] == base + f"{name}/index.html"
            assert page.evaluate("choropleth.frameCount") == frames
            assert page.evaluate("choropleth.meta.title") == title
        assert outside == []
    assert errors == []
    index = (built / "index.html").read_text().replace("&lt;", "<").replace("&#34;", '"')
    assert '<iframe src="cases/index.html#embed"' in index  # the embed view: map, legend, play, timeline


@pytest.mark.browser  # each map's still is drawn by its page in Chromium
def test_only_the_changed_map_is_rebuilt_and_clean_builds_match(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    first = run("--config", str(config))
    assert first.returncode == 0, first.stderr
    before = files_of(tmp_path / "out")
    again = run("--config", str(config), "--clean")
    assert again.returncode == 0, again.stderr
    assert files_of(tmp_path / "out") == before  # same inputs, byte-identical output

    with (tmp_path / "cases.csv").open("a") as f:
        f.write("BR,2024-01-06,9.0\n")
    second = run("--config", str(config))
    assert second.returncode == 0, second.stderr
    assert "map hourly: kept" in second.stderr and "map daily: kept" in second.stderr
    assert "map cases: building: its source changed" in second.stderr
    after = files_of(tmp_path / "out")
    assert {k: v for k, v in after.items() if k.startswith(("hourly/", "daily/"))} == \
        {k: v for k, v in before.items() if k.startswith(("hourly/", "daily/"))}
    assert after["cases/map.json"] != before["cases/map.json"]


@pytest.mark.parametrize("edit,words", [
    (("interval = \"1d\"\nagg", "intervall = \"1d\"\nagg"), ["site.toml:15:", "unknown key 'intervall'"]),
    (("cmap = \"viridis\"", "classes = \"twenty\""), ["site.toml:5:", "'classes'", "wrong type"]),
    (("name = \"daily\"", "name = \"Daily Map\""), ["site.toml:13:", "name"]),
    (("[[map]]\nname = \"cases\"", "[map2]\nname = \"cases\""), ["unknown key 'map2'"]),
])
def test_config_errors_name_the_key_and_line(tmp_path: Path, edit: tuple[str, str], words: list[str]) -> None:
    text = CONFIG.replace(*edit)
    assert text != CONFIG
    assert_one_line_error(run("--config", str(make_config(tmp_path, text))), *words)


@pytest.mark.browser  # each map's still is drawn by its page in Chromium
def test_serve_types_gzip_and_rebuild(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--config", str(config), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        url = line.split(" at ")[1].split(" ")[0]
        for path, kind in (("index.html", "text/html"), ("assets/player.js", "text/javascript"),
                           ("cases/topology.js", "text/javascript")):
            with urllib.request.urlopen(urllib.request.Request(url + path, headers={"Accept-Encoding": "gzip"})) as r:
                assert r.headers["Content-Type"].startswith(kind)
                assert r.headers["Content-Encoding"] == "gzip"
                assert len(gzip.decompress(r.read())) > 0
        with urllib.request.urlopen(url + "cases/still.png") as r:
            assert r.headers["Content-Type"] == "image/png"
        config.write_text(CONFIG.replace('title = "Intranet maps"', 'title = "Renamed maps"'))
        deadline = time.time() + 60
        while time.time() < deadline:
            with urllib.request.urlopen(url + "index.html") as r:
                if b"Renamed maps" in r.read():
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the site was not rebuilt after the config changed")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
