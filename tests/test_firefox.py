"""The page in a second browser engine: Firefox (Debian's firefox-esr, headless). Playwright cannot
drive a stock Firefox, so Firefox takes a screenshot of the page by itself and the map in it is
compared with Chromium's, pixel by pixel, and with the colours the data says."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import COUNTRIES, expected_colour
from PIL import Image
from playwright.sync_api import Page

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
pytestmark = pytest.mark.skipif(not FIREFOX, reason="no Firefox here (scripts/test installs Debian's firefox-esr)")
SIZE = (1320, 900)


def firefox_screenshot(url: str, out: Path) -> np.ndarray:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([FIREFOX, "--headless", "--no-remote", "--profile", profile,
                        f"--window-size={SIZE[0]},{SIZE[1]}",
                        "--screenshot", str(out), url], capture_output=True, timeout=120, check=True)
    return np.asarray(Image.open(out).convert("RGB")).astype(int)


@pytest.mark.parametrize("frame", [100, 400])
def test_firefox_draws_the_same_map(page: Page, demo_site: Path, tmp_path: Path, frame: int, hourly,
                                    interior_points: dict, demo_classes: tuple) -> None:
    url = (demo_site / "index.html").as_uri() + f"#frame={frame}"
    page.set_viewport_size({"width": SIZE[0], "height": SIZE[1]})
    page.goto(url)
    page.evaluate("window.choropleth.ready")
    assert page.evaluate("choropleth.frame") == frame
    box = page.locator("#map").bounding_box()
    chromium = np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB")).astype(int)
    # The map itself, without the title and legend (their fonts differ between engines).
    top, bottom = int(box["y"] + box["height"] * 0.1), int(box["y"] + box["height"] * 0.85)
    left, right = int(box["x"]), int(box["x"] + box["width"])
    for _attempt in range(3):  # Firefox shoots after the load event; the first frame may follow it
        firefox = firefox_screenshot(url, tmp_path / "firefox.png")
        same = (np.abs(firefox[top:bottom, left:right] - chromium[top:bottom, left:right]).max(axis=2) <= 8).mean()
        if same > 0.97:
            break
    assert same > 0.97, f"only {same:.1%} of the map's pixels agree between Firefox and Chromium"
    artefacts = Path(__file__).parents[1] / "test-artifacts" / "screenshots"
    artefacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "firefox.png", artefacts / f"firefox-1320x900-frame{frame}.png")
    edges, colours = demo_classes
    scale = page.evaluate("choropleth.canvas.width") / box["width"]
    for name, code in COUNTRIES.items():
        x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", interior_points[name])
        px, py = int(box["x"] + x / scale), int(box["y"] + y / scale)
        want = expected_colour(hourly.at[frame, code], edges, colours, "#dddddd")
        assert tuple(firefox[py, px]) == want, f"{name} at frame {frame} in Firefox"
