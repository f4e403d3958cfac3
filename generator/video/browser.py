"""Finding and launching a Chromium for Playwright: its own build when installed, else the system's.

Used by the video capture and by the tests, so both run the page in the same browser the same way.
`python -m generator.video.browser` prints the browser it would use (exit 1 when there is none).
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UserError, flag

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Without these, Chromium reaches for Google's servers at start and on a closed network keeps retrying.
ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-default-apps", "--force-color-profile=srgb"]


def playwright_chromium(running: Playwright | None = None) -> str | None:
    """Playwright's own Chromium, when `playwright install chromium` has been run. Asked of `running`,
    a started Playwright, when given: starting one only to ask costs over a second."""
    try:
        if running is not None:
            path = running.chromium.executable_path
        else:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                path = p.chromium.executable_path
    except Exception:  # noqa: BLE001 - any failure of Playwright's own browser means: use the system's
        return None
    return path if path and Path(path).is_file() else None


def find_chromium(explicit: str | None = None, running: Playwright | None = None) -> str | None:
    """Path of the Chromium to use; None means Playwright's own (installed). Raises when there is none."""
    if explicit or os.environ.get("BUILD_SITE_BROWSER"):
        path = explicit or os.environ["BUILD_SITE_BROWSER"]
        found = shutil.which(path) or (path if Path(path).is_file() else None)
        if not found:
            raise UserError(f"{flag('browser', path)} is not an executable; give the path of Chromium or Chrome")
        return found
    if playwright_chromium(running):
        return None
    for name in SYSTEM_BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise UserError("no Chromium found: run `python -m playwright install chromium`, or install "
                    f"Chromium/Chrome (Debian: apt-get install chromium), or pass {flag('browser')}")


def launch_options(explicit: str | None = None, running: Playwright | None = None) -> dict:
    """Keyword arguments for playwright's chromium.launch() (of `running`, when given)."""
    args = list(ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox
    path = find_chromium(explicit, running)
    return {"args": args, **({"executable_path": path} if path else {})}


@contextmanager
def chromium(explicit: str | None = None, **launch: Any) -> Iterator[Browser]:
    """A launched Playwright Browser, closed (with Playwright) whatever happens."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(**{**launch_options(explicit, p), **launch})
        try:
            yield browser
        finally:
            browser.close()


if __name__ == "__main__":
    try:
        print(find_chromium() or playwright_chromium())
    except UserError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from None
