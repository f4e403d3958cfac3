"""Video: 90 frames of the demo to MP4, WebM and GIF; frame counts and colours of known countries."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pandas as pd
import pytest
from helpers import COUNTRIES, expected_colour
from playwright.sync_api import Page

from generator.video import capture

pytestmark = pytest.mark.video

W, H = 1280, 720


def record(*args: object) -> capture.Result:
    """capture.record in its own thread: pytest-playwright's sync API already owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(capture.record, *args).result()


def decoded(path: Path, frames: list[int]) -> dict[int, np.ndarray]:
    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    meta = next(reader)
    assert tuple(meta["size"]) == (W, H)
    out = {}
    for i, raw in enumerate(reader):
        if i in frames:
            out[i] = np.frombuffer(raw, dtype=np.uint8).reshape(H, W, 3)
    reader.close()
    return out


@pytest.fixture(scope="module")
def pixels(page: Page, demo_server: str, interior_points: dict) -> dict[str, tuple[int, int]]:
    """Canvas pixel of each test country at 1280×720, the size the video is recorded at."""
    page.goto(demo_server + "index.html")
    page.evaluate("choropleth.ready")
    page.evaluate(f"choropleth.resize({W}, {H})")
    return {name: tuple(int(v) for v in page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", pt))
            for name, pt in interior_points.items()}


@pytest.fixture(scope="module")
def page(browser: object) -> Page:  # module-scoped page for the pixel map
    context = browser.new_context(viewport={"width": 1320, "height": 900})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("suffix,method,tolerance", [(".mp4", "auto", 12), (".mp4", "png", 12), (".webm", "auto", 14),
                                                      (".gif", "auto", 40)])
def test_record_90_frames(tmp_path: Path, demo_site: Path, suffix: str, method: str, tolerance: int,
                          pixels: dict, hourly: pd.DataFrame, demo_classes: tuple) -> None:
    out = tmp_path / f"demo{suffix}"
    result = record(demo_site, out, capture.Recording(end=90, method=method, segment=40))
    assert result.frames == 90
    if suffix == ".mp4":
        assert result.method == ("png" if method == "png" else "webcodecs")
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == 90
    assert not out.with_name(out.name + ".parts").exists()
    edges, colours = demo_classes
    frames = decoded(out, [0, 45, 89])
    assert sorted(frames) == [0, 45, 89]
    for f, image in frames.items():
        for name, code in COUNTRIES.items():
            x, y = pixels[name]
            got = image[y, x].astype(int)
            want = np.array(expected_colour(hourly.at[f, code], edges, colours, "#dddddd"))
            assert np.abs(got - want).max() <= tolerance, f"{name} frame {f}: {got} vs {want}"


def test_interrupted_recording_is_playable_and_resumes(tmp_path: Path, demo_site: Path) -> None:
    out = tmp_path / "demo.mp4"
    parts = tmp_path / "demo.mp4.parts"
    cmd = [sys.executable, "-m", "generator", "record", str(demo_site), str(out), "--end", "90",
           "--segment-frames", "30", "--method", "png", "--fps", "10"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while len(list(parts.glob("0*.mp4"))) < 1 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "Traceback" not in err
    assert "--resume" in err
    kept = sorted(parts.glob("0*.mp4"))
    assert 1 <= len(kept) < 3
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == 30 * len(kept)  # what was done plays
    done = subprocess.run([*cmd, "--resume"], check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == 90
    assert not parts.exists()


def test_bad_video_requests(tmp_path: Path, demo_site: Path) -> None:
    from generator.errors import UserError

    with pytest.raises(UserError, match="unknown extension"):
        capture.record(demo_site, tmp_path / "x.avi", capture.Recording())
    with pytest.raises(UserError, match="not a site"):
        capture.record(tmp_path, tmp_path / "x.mp4", capture.Recording())
    with pytest.raises(UserError, match="is not in the site"):
        record(demo_site, tmp_path / "x.mp4", capture.Recording(metric="nope", end=2))


def test_odd_size_is_padded_for_h264(tmp_path: Path, demo_site: Path) -> None:
    out = tmp_path / "odd.mp4"
    result = record(demo_site, out, capture.Recording(end=5, width=641, height=361))
    assert result.method == "png"  # WebCodecs H.264 wants even sizes
    reader = imageio_ffmpeg.read_frames(str(out))
    assert tuple(next(reader)["size"]) == (642, 362)
    reader.close()
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == 5
