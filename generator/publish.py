"""The words around a map and its link preview, beside stage 6 (site): the subtitle, the source (its
text and link) and notes as the page's metadata carries them; the description, Open Graph and Twitter
card tags of the page's head; and which frame the preview image shows (`--preview-frame`).
The image itself is drawn by the page in headless Chromium: video/preview.py."""
from __future__ import annotations

import datetime
import functools
import re
import time
import urllib.parse
import zoneinfo
from collections.abc import Callable
from pathlib import Path

from . import site
from .errors import UserError, flag
from .frametimes import format_time
from .logs import log, warn
from .options import Options
from .video import preview

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
PREVIEW_SIZE = (1200, 630)  # what chat tools and social sites show large (Open Graph's recommended size)
PREVIEW_FILE = "preview.png"


def parse_source(text: str) -> dict:
    """`Ministry of Health https://intranet.example/mh` -> its text and link; a bare URL is its own text.
    Only http(s) addresses become links (never javascript: and the like)."""
    found = _URL.search(text)
    if not found:
        return {"text": " ".join(text.split())}
    url = found.group(0).rstrip(".,;)")
    rest = " ".join((text[:found.start()] + " " + text[found.start() + len(url):]).split()).strip(" ,;:–—-")
    return {"text": rest or url, "url": url}


def base_url(text: str | None) -> str | None:
    """The folder address the page is published at, ending in /, or None; http(s) only."""
    if text is None:
        return None
    parts = urllib.parse.urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"{flag('base_url', text)} is not an http(s) address; give the folder the page is published "
                        f"at, e.g. {flag('base_url', 'https://intranet.example/maps/')}", "base_url")
    return text.strip() if text.strip().endswith("/") else text.strip() + "/"


def check(o: Options) -> None:
    """The words and preview options (validate.py calls it with every other check)."""
    for name in ("subtitle", "source"):
        value = getattr(o, name)
        if value is not None and not value.strip():
            raise UserError(f"{flag(name)} is empty; give the text, or leave the option out", name)
    if any(not n.strip() for n in o.notes or []):
        raise UserError(f"{flag('notes')} is empty; give the text, or leave the option out", "notes")
    base_url(o.base_url)
    if not o.preview_frame.strip():
        raise UserError(f"{flag('preview_frame')} is empty; give last, first, none, a frame number or a time",
                        "preview_frame")


def words(o: Options) -> dict:
    """The page's metadata for the words around the map: only those given (a map without them is unchanged)."""
    out: dict = {}
    if o.subtitle:
        out["subtitle"] = " ".join(o.subtitle.split())
    if o.source:
        out["source"] = parse_source(o.source)
    if o.notes:
        out["notes"] = [" ".join(n.split()) for n in o.notes]
    return out


def description(meta: dict, first: str, last: str) -> str:
    """What a link preview says under the title: the subtitle, else the metric and the time span."""
    if meta.get("subtitle"):
        return str(meta["subtitle"])
    metrics = meta["metrics"]
    more = f" and {len(metrics) - 1} more" if len(metrics) > 1 else ""
    span = first if first == last else f"{first} to {last}"
    return f"{metrics[0]['label']}{more}, {span}"


def head(meta: dict, first: str, last: str, base: str | None, shown: str | None) -> dict:
    """The values of the page's description, Open Graph and Twitter card tags (templates/head.html);
    `shown`: the time of the frame in preview.png, None when there is no image."""
    return {"description": description(meta, first, last), "url": base or "",
            "image": (base or "") + PREVIEW_FILE if shown else "", "width": PREVIEW_SIZE[0],
            "height": PREVIEW_SIZE[1], "alt": f"{meta['title']}: the map at {shown}"}


def preview_frame(spec: str, meta: dict, time_of: Callable[[int], str]) -> int | None:
    """The frame the preview image shows: `last`, `first`, a frame number, a time in ISO 8601 (the frame
    holding it) or as the page shows it (`Mar 2024`); None for `none`. `time_of(i)`: frame i's time shown."""
    text, n = spec.strip(), meta["frames"]
    if text.lower() in ("none", "last", "first"):
        return {"none": None, "last": n - 1, "first": 0}[text.lower()]
    if text.isdigit() and int(text) < n:
        return int(text)
    when = _parse_time(text, meta.get("tz"))
    if when is not None:
        if meta.get("unit") == "month":
            i = ((when.year - 1970) * 12 + when.month - 1 - meta["start"]) // meta["step"]
        else:
            i = (int(when.timestamp()) - meta["start"]) // meta["step"]
        if 0 <= i < n:
            return int(i)
    shown = next((i for i in range(n) if time_of(i) == text), None)  # only for a time in the page's words
    if shown is not None:
        return shown
    raise UserError(f"{flag('preview_frame', spec)} is not a frame of this map; give last, first, none, a frame "
                    f"number 0 to {n - 1} or a time from {time_of(0)} to {time_of(n - 1)}", "preview_frame")


def _parse_time(text: str, tz: str | None) -> datetime.datetime | None:
    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        if not re.fullmatch(r"\d{4}", text):
            return None
        when = datetime.datetime(int(text), 1, 1)
    if when.tzinfo is None:
        when = when.replace(tzinfo=zoneinfo.ZoneInfo(tz) if tz else datetime.timezone.utc)
    return when


def finish_page(folder: Path, meta: dict, report: dict, o: Options, shooter: preview.Shooter | None,
                assets: str = "") -> None:
    """The map's page in `folder` written again with its link preview's tags, and the preview image
    (o.preview_frame) drawn by that page when `shooter` is given; the image tags only when it was."""
    frame = preview_frame(o.preview_frame, meta, functools.partial(format_time, meta))
    base = base_url(o.base_url)
    image = shooter is not None and frame is not None and preview_image(shooter, folder, meta, frame, base)
    shown = format_time(meta, frame) if image and frame is not None else None
    site.write_page(folder, meta, assets, head(meta, report["from"], report["to"],
                                                             base, shown))


def preview_image(shooter: preview.Shooter, folder: Path, meta: dict, frame: int, base: str | None) -> bool:
    """The link preview's image, preview.png, drawn by the page in `folder`; whether it was."""
    t = time.perf_counter()
    failed = shooter.draw(folder / "index.html", folder / PREVIEW_FILE, PREVIEW_SIZE, frame)
    if failed:
        warn(f"preview: no image ({failed}); the link preview has none ({flag('preview_frame', 'none')} skips this)")
        return False
    log(f"preview: {PREVIEW_FILE} of frame {frame} ({format_time(meta, frame)}) in "
        f"{time.perf_counter() - t:.1f} s after the build" +
        ("" if base else "; its URL is relative: chat tools show it only with --base-url https://…/ (absolute)"))
    return True
