"""`build-site record --from --to --every`: the range and speed in the page's own words give the frames
the player shows; bad times and speeds give one line."""
from __future__ import annotations

import base64
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page
from test_timeaxis import make_site

from generator.errors import UserError
from generator.video import frames

W, H = 640, 360


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ranges")
    return {name: make_site(folder, name) for name in ("hourly", "daily")}


@pytest.fixture(scope="module")
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": W + 40, "height": H + 200})
    yield context.new_page()
    context.close()


def opened(tab: Page, site: Path) -> Page:
    if tab.url.split("#")[0] != site.as_uri():
        tab.goto(site.as_uri())
        tab.evaluate("choropleth.ready")
        tab.evaluate(f"choropleth.resize({W}, {H})")
    return tab


def shown(page: Page, i: int) -> np.ndarray:
    """Frame i as the page draws it, RGB."""
    url = page.evaluate("async (i) => { await choropleth.ensure(i, i); choropleth.renderFrame(i); "
                        "return choropleth.canvas.toDataURL('image/png'); }", i)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB")).astype(int)


def test_record_from_to_every(tmp_path: Path, sites: dict, tab: Page) -> None:
    out = tmp_path / "days.mp4"
    run = subprocess.run([sys.executable, "-m", "generator", "record", str(sites["hourly"]), str(out),
                          "--from", "2024-03-26", "--to", "2024-04-02", "--every", "1d", "--size", f"{W}x{H}",
                          "--fps", "10"], capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    assert "(8 frames in" in run.stdout
    page = opened(tab, sites["hourly"])
    want = page.evaluate("(() => { const P = choroplethPlayer; "
                         "return P.everyFrames(P.frameAt('2024-03-26'), P.frameAt('2024-04-02'), '1d'); })()")
    # Each local midnight, Mar 26 to Apr 2 included: 24 frames apart, 23 over the clock change of Mar 31.
    assert [page.evaluate("(i) => choroplethPlayer.timeText(i)", i) for i in want] == [
        f"2024-{d} 00:00" for d in ("03-26", "03-27", "03-28", "03-29", "03-30", "03-31", "04-01", "04-02")]
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == len(want) == 8
    reader = imageio_ffmpeg.read_frames(str(out), pix_fmt="rgb24")
    next(reader)
    for k, raw in enumerate(reader):  # video frame k is the page's frame want[k], not its neighbour
        got = np.frombuffer(raw, dtype=np.uint8).reshape(H, W, 3).astype(int)
        this, after = shown(page, want[k]), shown(page, want[k] + 1)
        differ = np.abs(this - after).max(axis=2) > 40  # where they differ: the time in the title at least
        assert differ.sum() >= 20
        near, far = (np.abs(got - image)[differ].mean() for image in (this, after))
        assert near < 15 < far, (k, near, far)
    reader.close()


def test_frames_in_the_page_words(tab: Page, sites: dict) -> None:
    page = opened(tab, sites["daily"])
    n = page.evaluate("choropleth.frameCount")
    months = frames.to_record(page, n, from_time="2024-01-31", to_time="2024-03-31", every="1mo")
    assert [page.evaluate("(i) => choroplethPlayer.timeText(i)", i) for i in months] == [
        "2024-01-31", "2024-02-29", "2024-03-31"]
    assert frames.to_record(page, n, from_time="2024-01-03", to_time="2024-01-20", every="7") == [2, 9, 16]
    assert frames.to_record(page, n, from_time="2024-01-03T12:00", every="1w")[:3] == [2, 9, 16]
    assert frames.to_record(page, n, start=5, end=20, step=5) == [5, 10, 15]  # frames as before
    assert frames.to_record(page, n, to_time="2024-01-02", every="1d") == [0, 1]
    assert frames.to_record(page, n, from_time="2024-12-30") == [364, 365]


@pytest.mark.parametrize("words,message", [
    ({"from_time": "yesterday"}, "--from 'yesterday' is not a time; write it as the page shows it (2024-01-01) "
                                 "or in ISO 8601 (2024-03-01, 2024-03-01T14:00)"),
    ({"to_time": "2024-02-30"}, "--to '2024-02-30' is not a time"),
    ({"from_time": "2023-12-31"}, "--from '2023-12-31' is outside the site's times, 2024-01-01 to 2024-12-31"),
    ({"from_time": "2024-03-01", "to_time": "2024-02"}, "--to '2024-02' is before --from '2024-03-01'"),
    ({"every": "12h"}, "--every '12h' is shorter than a frame of the site (1d)"),
    ({"every": "soon"}, "--every 'soon' is neither a number of frames nor data time"),
    ({"every": "0"}, "--every must be at least 1 frame"),
    ({"from_time": "2024-03-01", "start": 3}, "give --from or --start, not both"),
    ({"every": "1d", "step": 2}, "give --every or --step, not both"),
])
def test_bad_words_give_one_line(tab: Page, sites: dict, words: dict, message: str) -> None:
    page = opened(tab, sites["daily"])
    with pytest.raises(UserError) as caught:
        frames.to_record(page, page.evaluate("choropleth.frameCount"), **words)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_bad_time_on_the_command_line(tmp_path: Path, sites: dict) -> None:
    run = subprocess.run([sys.executable, "-m", "generator", "record", str(sites["daily"]), str(tmp_path / "x.mp4"),
                          "--from", "2024-13-01"], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "build-site: error: --from '2024-13-01' is not a time; write it as the page shows it (2024-01-01) or in ISO "
        "8601 (2024-03-01, 2024-03-01T14:00)"]
    assert not (tmp_path / "x.mp4").exists()


def test_python_face_records_in_the_same_words(tmp_path: Path, sites: dict) -> None:
    import build_site

    m = build_site.choropleth(str(sites["hourly"].with_suffix(".csv")), time="t", tz="Europe/Paris", interval="1h")
    out = m.record(tmp_path / "days.mp4", size=(320, 180), from_time="2024-03-26 12:00", to_time="2024-03-28 12:00",
                   every="1d")
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == 3
    with pytest.raises(UserError, match="--every 'fortnight' is neither"):
        m.record(tmp_path / "x.mp4", every="fortnight")
