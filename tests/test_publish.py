"""Maps read by people who did not make them: the words around the map (subtitle, source, notes) on the
page, in its PNG download and in the video; Share and the embed view; link previews as a chat tool
reads them; the print view on one A4 page. In real Chromium; the tags parsed by an Open Graph reader."""
from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import imageio_ffmpeg
import metadata_parser
import numpy as np
import pandas as pd
import pypdf
import pytest
from conftest import serve
from PIL import Image
from playwright.sync_api import Browser, Page, expect

import build_site
from generator import frametimes, publish
from generator.video import capture

SUBTITLE = ("Events summed per country and hour; the demo data are random and mean nothing, which this long "
            "subtitle says at length so that it wraps on a phone")
SOURCE = "Ministry of Health https://intranet.example/mh"
NOTES = ["Hours are UTC.", "Countries without events in an hour show no data."]
BASE = "https://intranet.example/maps/"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], check=False, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def words_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("words") / "site"
    args = ["--metric", "metric1", "--title", "Events per hour", "--subtitle", SUBTITLE, "--source", SOURCE,
            "--note", NOTES[0], "--note", NOTES[1], "--base-url", BASE.rstrip("/"), "--out", str(out)]
    proc = run(*args)  # a process of its own: the preview's browser beside pytest-playwright's
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def words_server(words_site: Path) -> Iterator[str]:
    with serve(words_site) as url:
        yield url


def tags(page_html: str) -> dict:
    """The page's head as a link preview's reader sees it."""
    return metadata_parser.MetadataParser(html=page_html, search_head_only=True).parsed_result.metadata


def open_map(page: Page, url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.evaluate("choropleth.ready")
    assert errors == []


def dark_rows(img: np.ndarray, threshold: int = 140) -> np.ndarray:
    """Per row, how many pixels are as dark as text."""
    return (img[..., :3].astype(int).sum(axis=2) < 3 * threshold).sum(axis=1)


def canvas_pixels(page: Page) -> np.ndarray:
    data = page.evaluate("choropleth.canvas.toDataURL('image/png')")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data.split(",")[1]))).convert("RGB"))


# ---- 1. the words around the map ----

def test_words_on_the_page_and_in_the_report(page: Page, words_server: str, words_site: Path) -> None:
    open_map(page, words_server + "index.html")
    credits = page.locator("footer.credits")
    assert credits.locator(".source").inner_text() == "Source: Ministry of Health"
    assert credits.locator(".source a").get_attribute("href") == "https://intranet.example/mh"
    assert credits.locator("ol.notes li").all_inner_texts() == NOTES
    assert page.locator("#subtitle").inner_text() == SUBTITLE  # for screen readers; drawn on the canvas
    report = json.loads((words_site / "report.json").read_text())
    assert report["subtitle"] == SUBTITLE and report["notes"] == NOTES
    assert report["source"] == {"text": "Ministry of Health", "url": "https://intranet.example/mh"}


def test_the_subtitle_is_drawn_under_the_title(page: Page, words_server: str, demo_server: str) -> None:
    bands = []
    for url in (words_server, demo_server):
        open_map(page, url + "index.html")
        page.evaluate("choropleth.resize(1280, 720)")
        bands.append(dark_rows(canvas_pixels(page))[44:56])  # the subtitle's first line, at 1280 × 720
    assert bands[0].max() > 20  # text
    assert bands[1].max() == 0  # without a subtitle: the map's background there


def test_long_words_wrap_and_nothing_overlaps_on_a_phone(browser: Browser, words_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    open_map(page, words_server + "index.html")
    page.wait_for_timeout(300)  # (a resize settles in 150 ms)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no text runs off the side
    boxes = {s: page.locator(s).bounding_box() for s in ("#map", ".controls", "footer.credits")}
    assert boxes["#map"]["x"] + boxes["#map"]["width"] <= 390
    assert boxes[".controls"]["y"] >= boxes["#map"]["y"] + boxes["#map"]["height"] - 0.5
    assert boxes["footer.credits"]["y"] >= boxes[".controls"]["y"] + boxes[".controls"]["height"] - 0.5
    # The subtitle wraps: its lines fill a band under the title, each inside the canvas's width.
    rows = dark_rows(canvas_pixels(page))
    assert (rows[int(36 * 1.6):int(100 * 1.6)] > 0).sum() > 40  # several lines of text, in canvas pixels
    context.close()


def test_png_download_carries_the_source_at_its_foot(page: Page, words_server: str, demo_server: str) -> None:
    feet = []
    for url in (words_server, demo_server):
        open_map(page, url + "index.html")
        page.evaluate("choropleth.resize(1280, 720)")
        data = page.evaluate("""choropleth.download("png").then((b) => new Promise((done) => {
                                  const r = new FileReader(); r.onload = () => done(r.result);
                                  r.readAsDataURL(b); }))""")
        img = np.asarray(Image.open(io.BytesIO(base64.b64decode(data.split(",")[1]))).convert("RGB"))
        feet.append((img.shape, dark_rows(img)[720:]))
    (shape, foot), (plain_shape, plain_foot) = feet
    assert shape[1] == 1280 and shape[0] > 720 + 40  # the credits added under the map
    assert (foot > 5).sum() >= 3 * 6  # three lines of text: the source and two notes
    assert plain_shape[:2] == (720, 1280) and plain_foot.size == 0  # a map without a source: the canvas as it was


def test_each_video_frame_has_the_credit_line(tmp_path: Path, words_site: Path, demo_site: Path) -> None:
    feet = []
    for site in (words_site, demo_site):
        out = tmp_path / f"{site.parent.name}.mp4"
        with ThreadPoolExecutor(1) as pool:  # Playwright's sync API beside pytest-playwright's: a thread of its own
            pool.submit(capture.record, site, out, capture.Recording(end=6)).result()
        reader = imageio_ffmpeg.read_frames(str(out), pix_fmt="rgb24")
        next(reader)
        frames = [np.frombuffer(raw, dtype=np.uint8).reshape(720, 1280, 3) for raw in reader]
        feet.append([dark_rows(f)[-24:] for f in frames])  # under the legend's labels
    assert len(feet[0]) == 6 and all((foot > 5).sum() >= 5 for foot in feet[0])  # every frame: the credits' last line
    assert all(foot.max() == 0 for foot in feet[1])  # no source: the foot stays blank


def test_the_one_file_page_carries_the_words(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    proc = run("--metric", "metric1", "--subtitle", "Per hour", "--source", "Ministry of Health", "--note", "UTC",
               "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "Source: Ministry of Health" in text and "Note: UTC" in text and '"subtitle":"Per hour"' in text
    head = tags(text)
    assert head["meta"]["description"] == "Per hour" and "image" not in head["og"]  # nothing beside one file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_the_python_face_takes_the_words_and_draws_the_preview(tmp_path: Path) -> None:
    rows = pd.DataFrame({"iso": ["FR", "NO", "BR"] * 3, "day": [d for d in ("2024-01-01", "2024-01-02", "2024-01-03")
                                                                for _ in range(3)], "cases": np.arange(9.0)})
    m = build_site.choropleth(rows, region="iso", time="day", metric="cases", subtitle="Per day", source=SOURCE,
                              note="Provisional.", preview_frame="2024-01-02", base_url=BASE)
    assert (m.meta["subtitle"], m.meta["notes"], m.report["source"]["text"]) == ("Per day", ["Provisional."],
                                                                                 "Ministry of Health")
    with ThreadPoolExecutor(1) as pool:  # (as a notebook's kernel would, beside pytest-playwright's loop)
        folder = pool.submit(m.save, tmp_path / "site").result()
    head = tags((folder / "index.html").read_text())
    assert head["og"]["image"] == BASE + "preview.png" and head["og"]["image:alt"].endswith("2024-01-02")
    assert Image.open(folder / "preview.png").size == (1200, 630)
    assert 'Source: <a href="https://intranet.example/mh"' in m.to_html() and "image" not in tags(m.to_html())["og"]


# ---- 2. share and embed ----

def test_share_copies_the_link_to_this_moment_and_an_embed_snippet(browser: Browser, words_server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=words_server.rstrip("/"))
    page = context.new_page()
    open_map(page, words_server + "index.html")
    page.evaluate("choropleth.ensure(300, 300).then(() => choropleth.renderFrame(300))")
    page.wait_for_timeout(400)  # the hash follows within 250 ms
    page.click("#share")
    link = page.locator("#share-link").input_value()
    assert link.startswith(words_server + "index.html#frame=300&") and "embed" not in link
    page.click("#copy-link")
    expect(page.locator("#share-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    snippet = page.locator("#share-embed").input_value()
    assert snippet.startswith(f'<iframe src="{link.replace("&", "&amp;")}&amp;embed=1" width="960" height="600"')
    page.click("#copy-embed")
    expect(page.locator("#share-status")).to_have_text("Embed code copied.")
    assert page.evaluate("navigator.clipboard.readText()") == snippet
    other = context.new_page()  # the link opens the same moment
    open_map(other, link)
    assert other.evaluate("choropleth.frame") == 300
    context.close()


def test_embed_view_fits_a_600_by_400_frame(page: Page, words_site: Path) -> None:
    (words_site / "host.html").write_text('<!doctype html><body style="margin:0"><iframe src="index.html#embed" '
                                          'width="600" height="400" style="border:0" title="map"></iframe>')
    with serve(words_site) as url:
        page.goto(url + "host.html")
        frame = page.frames[1]
        frame.wait_for_function("window.choropleth")
        frame.evaluate("choropleth.ready")
        page.wait_for_timeout(300)
        assert frame.evaluate("[document.documentElement.scrollHeight, document.documentElement.scrollWidth]") \
            <= [400, 600]  # nothing to scroll: it fits
        shown = {s: frame.locator(s).bounding_box() for s in ("#map", "#play", "#scrub", "#open-full")}
        assert all(b is not None and b["y"] + b["height"] <= 400 and b["x"] + b["width"] <= 600 for b in shown.values())
        assert shown["#map"]["height"] > 250  # the map takes most of it
        for hidden in ("#speed", "#metric", "#table-toggle", "#download-png", "#share", "#first"):
            assert not frame.locator(hidden).is_visible(), hidden
        legend = frame.evaluate("choropleth.legendBox(0)")  # the legend, in the canvas
        assert legend[1] + legend[3] <= frame.evaluate("choropleth.canvas.height")
        assert "embed=1" in frame.evaluate("location.hash")  # kept while the hash follows the frames
        with page.context.expect_page() as opened:
            frame.click("#open-full")
        assert "embed" not in opened.value.url and opened.value.url.startswith(url + "index.html#frame=0")
        opened.value.close()
    (words_site / "host.html").unlink()


# ---- 3. link previews ----

def test_preview_tags_are_absolute_with_a_base_url(words_site: Path) -> None:
    head = tags((words_site / "index.html").read_text())
    assert head["og"]["title"] == "Events per hour" and head["og"]["description"] == SUBTITLE
    assert head["meta"]["description"] == SUBTITLE
    assert head["og"]["image"] == BASE + "preview.png" and head["og"]["url"] == BASE
    assert head["twitter"]["card"] == "summary_large_image" and head["twitter"]["image"] == BASE + "preview.png"
    assert (head["og"]["image:width"], head["og"]["image:height"]) == ("1200", "630")
    assert head["og"]["image:alt"] == "Events per hour: the map at 2024-01-21 23:00"  # the last frame's time
    with Image.open(words_site / "preview.png") as img:
        assert img.size == (1200, 630)
        foot = dark_rows(np.asarray(img.convert("RGB")))[-50:]
    assert (foot > 5).sum() >= 8  # the source at its foot


def test_preview_without_base_url_is_relative_and_described(demo_site: Path) -> None:
    head = tags((demo_site / "index.html").read_text())
    assert head["og"]["image"] == "preview.png" and "url" not in head["og"]
    assert head["og"]["description"] == "metric1 (sum per 1h) and 4 more, 2024-01-01 00:00 to 2024-01-21 23:00"
    assert Image.open(demo_site / "preview.png").size == (1200, 630)


def test_preview_frame_choices_and_no_browser(tmp_path: Path) -> None:
    proc = run("--metric", "metric1", "--preview-frame", "none", "--out", str(tmp_path / "a"))
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "a" / "preview.png").exists()
    assert "image" not in tags((tmp_path / "a" / "index.html").read_text())["og"]
    proc = run("--metric", "metric1", "--out", str(tmp_path / "b"), env={"BUILD_SITE_BROWSER": "/nonexistent/chromium"})
    assert proc.returncode == 0, proc.stderr
    assert "preview: no image (--browser '/nonexistent/chromium' is not an executable" in proc.stderr  # a warning
    assert "image" not in tags((tmp_path / "b" / "index.html").read_text())["og"]
    proc = run("--metric", "metric1", "--preview-frame", "9999", "--out", str(tmp_path / "c"))
    assert proc.returncode == 2 and "--preview-frame '9999' is not a frame of this map" in proc.stderr
    assert "0 to 503 or a time from 2024-01-01 00:00 to 2024-01-21 23:00" in proc.stderr


def test_preview_frame_by_number_or_time() -> None:
    meta = {"frames": 24, "start": 1704067200, "step": 3600, "unit": "s", "tz": None}
    shown = lambda i: frametimes.format_time({**meta, "timeFormat": "%Y-%m-%d %H:%M"}, i)  # noqa: E731
    assert [publish.preview_frame(s, meta, shown) for s in ("last", "first", "none", "7")] == [23, 0, None, 7]
    assert publish.preview_frame("2024-01-01T05:30", meta, shown) == 5  # the frame holding that time
    assert publish.preview_frame("2024-01-01 06:00", meta, shown) == 6
    yearly = {"frames": 10, "start": (2000 - 1970) * 12, "step": 12, "unit": "month", "tz": None}  # 2000 … 2009
    assert publish.preview_frame("2003", yearly, shown) == 3  # a year, not frame 2003


def test_source_text_and_link() -> None:
    assert publish.parse_source(SOURCE) == {"text": "Ministry of Health", "url": "https://intranet.example/mh"}
    assert publish.parse_source("https://x.example/d.csv") == {"text": "https://x.example/d.csv",
                                                                "url": "https://x.example/d.csv"}
    assert publish.parse_source("javascript:alert(1) WHO") == {"text": "javascript:alert(1) WHO"}  # no link


@pytest.mark.parametrize("args,words", [
    (["--source", " "], ["--source is empty"]),
    (["--base-url", "intranet/maps"], ["--base-url 'intranet/maps' is not an http(s) address"]),
])
def test_bad_words_options(tmp_path: Path, args: list[str], words: list[str]) -> None:
    proc = run(*args, "--out", str(tmp_path / "x"))
    lines = [x for x in proc.stderr.splitlines() if x.startswith("build-site: error:")]
    assert proc.returncode == 2 and len(lines) == 1 and all(w in lines[0] for w in words), proc.stderr


def test_config_site_cards_and_absolute_previews(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text(f'title = "Maps"\nout = "out"\nbase_url = "{BASE}"\n[[map]]\nname = "hourly"\n'
                                        f'metrics = ["metric1"]\nsubtitle = "Per hour"\nsource = "{SOURCE}"\n'
                                        'notes = ["UTC"]\npreview_frame = 3\n')
    proc = run("--config", str(tmp_path / "site.toml"))
    assert proc.returncode == 0, proc.stderr
    head = tags((tmp_path / "out" / "hourly" / "index.html").read_text())
    assert head["og"]["image"] == BASE + "hourly/preview.png" and head["og"]["description"] == "Per hour"
    index = (tmp_path / "out" / "index.html").read_text()
    assert '<span class="subtitle">Per hour</span>' in index
    assert 'Source: <a href="https://intranet.example/mh" rel="noopener">Ministry of Health</a>' in index
    (tmp_path / "bad.toml").write_text('[defaults]\nbase_url = "https://x.example/"\n[[map]]\nname = "a"\n')
    proc = run("--config", str(tmp_path / "bad.toml"))
    assert proc.returncode == 2 and "bad.toml:2: base_url in [defaults]" in proc.stderr


# ---- 5. print ----

def test_print_puts_the_map_and_words_on_one_a4_page(page: Page, words_server: str, tmp_path: Path) -> None:
    open_map(page, words_server + "index.html")
    page.evaluate("choropleth.ensure(300, 300).then(() => choropleth.renderFrame(300))")
    page.click("#share")  # open panels are not printed either
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert len(pdf.pages) == 1
    text = " ".join(pdf.pages[0].extract_text().split())
    assert "Source: Ministry of Health (https://intranet.example/mh)" in text
    assert all(n in text for n in NOTES)
    for control in ("Speed", "Loop", "Share", "Table", "Copy link"):
        assert control not in text
    images = pdf.pages[0].images
    assert len(images) == 1  # the map: title, subtitle, legend and the frame, as drawn
    with Image.open(io.BytesIO(images[0].data)) as img:
        # (as drawn: the map's height leaves the window room for the timeline and the controls)
        w, h = page.evaluate("[choropleth.canvas.width, choropleth.canvas.height]")
        assert img.size[0] >= 1280 and img.size[0] / img.size[1] == pytest.approx(w / h, rel=0.02)
