"""Still images of a built map, drawn by its own page in headless Chromium: the link preview's
preview.png (1200 × 630, with the source and notes at its foot) and the index page's cards' still.png.

The browser starts on a thread of its own (Shooter.start, once a build's inputs are known good), so its
start-up (a second or more) overlaps the build's long stages; every Playwright call runs on that one
thread, as its sync API requires.
No browser, or one that fails, is not an error: the caller logs the reason and leaves the image out.
"""
from __future__ import annotations

import base64
import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UserError, first_line
from . import browser

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

# Draw frame i at W×H canvas pixels (the words at the foot when asked), once its data are loaded.
_DRAW = """async ([w, h, i, credits]) => {
  await choropleth.ready; choropleth.showCredits(credits); choropleth.resize(w, h);
  await choropleth.ensure(i, i); choropleth.renderFrame(i);
  return choropleth.canvas.toDataURL("image/png"); }"""


class Shooter:
    """A headless Chromium that draws maps' frames into PNG files."""

    def __init__(self, explicit: str | None = None) -> None:
        self._explicit = explicit
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="build-site-browser")
        self._pw: Playwright | None = None
        self._browser: Browser | None = None
        self._started: Future[None] | None = None

    def start(self) -> None:
        """Start the browser now, on its thread (the first draw would, else); a build calls this once
        its inputs are known good, so that a mistake in them is told without waiting for a browser."""
        if self._started is None:
            self._started = self._pool.submit(self._start, self._explicit)

    def _start(self, explicit: str | None) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(**browser.launch_options(explicit, self._pw))

    def _draw(self, page_file: Path, out: Path, size: tuple[int, int], frame: int, credits: bool) -> None:
        assert self._browser is not None
        page = self._browser.new_page(viewport={"width": size[0] + 40, "height": size[1] + 200})
        try:
            page.goto(page_file.resolve().as_uri())
            data = page.evaluate(_DRAW, [size[0], size[1], frame, credits])
            out.write_bytes(base64.b64decode(data.split(",", 1)[1]))
        finally:
            page.close()

    def draw(self, page_file: Path, out: Path, size: tuple[int, int], frame: int, credits: bool = True) -> str | None:
        """Frame `frame` of the map at `page_file` into the PNG `out`, exactly size[0] × size[1] pixels;
        None when done, else why not (no browser, or it failed)."""
        self.start()
        assert self._started is not None
        try:
            self._started.result()
            self._pool.submit(self._draw, page_file, out, size, frame, credits).result(timeout=120)
        except UserError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - a browser that cannot start or draw: the image is left out
            return first_line(exc)
        return None

    def _stop(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()

    def close(self) -> None:
        """The browser and Playwright stopped, on their thread. A start still under way (a build that
        failed early) is not waited for: the stop follows it on that thread."""
        if self._started is not None:
            stopped = self._pool.submit(self._stop)
            if self._started.done():
                with contextlib.suppress(Exception):  # stopping what failed to start: nothing more to do
                    stopped.result()
        self._pool.shutdown(wait=False)

    def __enter__(self) -> Shooter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
