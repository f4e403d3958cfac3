"""One self-contained HTML file, from the API and from `--out x.html`: opened from file:// it asks for
nothing but itself and shows each country's class at the first, middle and last frames; it records."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import imageio_ffmpeg
import pandas as pd
import pytest
from helpers import assert_classes, run
from playwright.sync_api import Page

import build_site
from generator import demo


@pytest.fixture(scope="module")
def one_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("one")
    proc = run("--out", str(d / "cli.html"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"Demo site: {d / 'cli.html'}"
    with sqlite3.connect(demo.demo_path()) as conn:
        rows = pd.read_sql("SELECT * FROM events", conn)
    build_site.choropleth(rows, interval="1h").save(d / "api.html")
    assert sorted(p.name for p in d.iterdir()) == ["api.html", "cli.html"]  # nothing beside them
    return {"cli": d / "cli.html", "api": d / "api.html"}


@pytest.mark.parametrize("made_by", ["api", "cli"])
def test_one_file_alone_from_file_url(page: Page, made_by: str, one_files: dict[str, Path], hourly: pd.DataFrame,
                                      interior_points: dict, demo_classes: tuple,
                                      capsys: pytest.CaptureFixture) -> None:
    path = one_files[made_by]
    url = path.as_uri()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # a CSP refusal, say
    page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
    page.goto(url)
    assert_classes(page, hourly, interior_points, demo_classes)
    page.evaluate("choropleth.values(choropleth.frameCount - 1)")  # the exact values, inline too
    assert page.evaluate("Array.from({length: choropleth.regionCount}, (_, r) => "
                         "choropleth.valueOf(r, choropleth.frameCount - 1)).filter(Number.isFinite).length") > 100
    page.evaluate("choropleth.setMetric(4)")
    assert page.evaluate("choropleth.metric") == 4
    assert requests == [url] and errors == []
    with capsys.disabled():
        print(f"\n  one-file demo map ({made_by}): {path.stat().st_size / 1e6:.2f} MB")


def test_one_file_output_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    out.write_text("<p>a page of mine</p>")
    proc = run("--out", str(out))
    assert proc.returncode == 2 and "did not write" in proc.stderr
    assert out.read_text() == "<p>a page of mine</p>"
    out.unlink()
    assert run("--out", str(out)).returncode == 0
    before = out.read_bytes()
    assert run("--out", str(out), "--cmap", "rainbowish").returncode == 2  # a failed build keeps the file
    assert out.read_bytes() == before
    assert run("--out", str(out), "--title", "Again").returncode == 0  # its own file is replaced
    assert "<title>Again</title>" in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


@pytest.mark.video
def test_record_a_one_file_map_and_a_map_object(tmp_path: Path) -> None:
    proc = run("--out", str(tmp_path / "map.html"), "--video", str(tmp_path / "cli.mp4"), "--end", "12",
               "--size", "320x240")
    assert proc.returncode == 0, proc.stderr
    m = build_site.choropleth(interval="1h", metric="metric2")
    m.record(tmp_path / "api.mp4", end=12, size=(320, 240))
    for video in ("cli.mp4", "api.mp4"):
        frames, _ = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / video))
        assert frames == 12, video
