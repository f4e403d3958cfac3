"""Stage 7 (optional), video: record a built site, frame by frame, into MP4 (H.264), WebM (VP9) or GIF.

Playwright opens the page from a local HTTP server and the page's own renderer draws every frame
(`choropleth.renderFrame`), so frame i of the video is frame i of the page. Frames leave the browser
one of two ways: encoded in the page by WebCodecs (H.264, only the small chunks travel; ffmpeg muxes
them without re-encoding) or as PNG frames POSTed in batches and encoded by ffmpeg, while the page
draws the next batch. The video is recorded in segments, so an interrupted recording keeps what
was done (joined into a playable file) and `--resume` continues after the last complete segment.
This module drives the browser and serves the page; ffmpeg's side (its command, a segment's process,
joining the segments) is ffmpeg.py's; which frames (--from 2024-03-01 --every 1d) is frames.py's.
"""
from __future__ import annotations

import functools
import http.server
import itertools
import json
import shutil
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import imageio_ffmpeg

from ..errors import UserError, first_line, flag
from ..site import STATIC, built_here, is_single_file
from . import browser, ffmpeg
from .frames import to_record

if TYPE_CHECKING:
    from playwright.sync_api import Page

FORMATS = (".mp4", ".webm", ".gif")
PNG_BATCH = 30  # frames per POST, drawn while ffmpeg encodes the previous batch


@dataclass
class Recording:
    fps: int = 30
    width: int = 1280
    height: int = 720
    metric: str | None = None  # name or index; default the first
    start: int = 0
    end: int | None = None  # exclusive; default: the last frame + 1
    step: int = 1
    from_time: str | None = None  # or the page's words: the frame holding this time (as shown, or ISO 8601)…
    to_time: str | None = None  # … to the one holding this one, included…
    every: str | None = None  # … every this many frames, or this much data time (1d, 6h, 1mo): frames.py
    quality: int = 23  # x264/VP9 CRF: lower is better and bigger
    browser: str | None = None
    resume: bool = False
    method: str = "auto"  # auto, webcodecs, png
    segment: int = 1800  # frames per resumable segment


@dataclass
class Result:
    path: Path
    frames: int
    seconds: float
    method: str


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site (and our capture script); POST /frames hands the body to the sink."""

    sink: Callable[[str, bytes, int], None]

    def log_message(self, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        if path.split("?")[0] == "/__capture.js":
            return str(STATIC / "capture.js")
        return super().translate_path(path)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            type(self).sink(self.path, body, int(self.headers.get("X-Frames", "0")))
        except Exception as exc:  # noqa: BLE001 - ffmpeg gone: tell the page, which stops
            self.send_error(500, str(exc))
            return
        self.send_response(204)
        self.end_headers()


def _progress(total: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("recording"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                   TimeRemainingColumn(), transient=True, disable=not sys.stderr.isatty())
    task = bar.add_task("frames", total=total, rate="")
    began = time.perf_counter()
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        bar.update(task, advance=n, rate=f"{done / max(1e-6, time.perf_counter() - began):.0f} frames/s")

    bar.start()
    return advance, bar.stop


def record(site: Path, out: Path, r: Recording) -> Result:
    """Record the map of a site folder, or of a one-file map (site ends in .html)."""
    page_file = site if is_single_file(site) else site / "index.html"
    if not page_file.is_file() or not built_here(site):
        raise UserError(f"{str(site)!r} is not a site built by build-site; build one first")
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"video {str(out)!r}: unknown extension; use .mp4, .webm or .gif")
    if r.width < 16 or r.height < 16 or r.fps < 1 or r.step < 1:
        raise UserError(f"{flag('size')} must be at least 16x16, {flag('fps')} and {flag('step')} at least 1")
    out.parent.mkdir(parents=True, exist_ok=True)
    parts_dir = out.with_name(out.name + ".parts")
    manifest = parts_dir / "settings.json"
    settings = json.dumps({k: v for k, v in asdict(r).items() if k not in ("resume", "browser")}, sort_keys=True)
    if r.resume and parts_dir.exists() and manifest.exists() and manifest.read_text() != settings:
        raise UserError(f"{flag('resume')}: {parts_dir} was recorded with other settings; rerun them, or record "
                        f"again without {flag('resume')}")
    if parts_dir.exists() and not r.resume:
        shutil.rmtree(parts_dir)
    parts_dir.mkdir(exist_ok=True)
    manifest.write_text(settings)
    ffmpeg_exe = imageio_ffmpeg.get_ffmpeg_exe()

    open_segments: dict[int, ffmpeg.Segment] = {}
    advance: Callable[[int], None] = lambda n: None  # noqa: E731 - the progress bar's, once it is up

    def sink(path: str, data: bytes, frames: int) -> None:  # POST /frames/<segment>
        open_segments[int(path.rsplit("/", 1)[1])].write(data)
        advance(frames)

    handler = type("Handler", (_Handler,), {"sink": staticmethod(sink)})
    serve = functools.partial(handler, directory=str(page_file.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    began = time.perf_counter()
    targets: list[Path] = []
    stop_progress: Callable[[], None] = lambda: None  # noqa: E731 - replaced when the bar is up
    try:
        with browser.chromium(r.browser) as b:
            # A one-file page allows only its own inline scripts and no connection: our capture script
            # and its POSTs need the policy lifted (a folder's page allows both from 'self').
            page = b.new_page(viewport={"width": r.width + 40, "height": r.height + 200},
                              bypass_csp=page_file == site)
            page.goto(f"{url}/{urllib.parse.quote(page_file.name)}")
            page.evaluate("choropleth.ready")
            page.add_script_tag(url=f"{url}/__capture.js")
            meta = page.evaluate("choropleth.meta")
            metric = _metric_index(r.metric, [m["name"] for m in meta["metrics"]])
            frames = to_record(page, meta["frames"], start=r.start, end=r.end, step=r.step, from_time=r.from_time,
                               to_time=r.to_time, every=r.every)
            method = _choose(page, r, suffix)
            per_segment = len(frames) if suffix == ".gif" else r.segment  # a GIF has one palette
            segments = [frames[i:i + per_segment] for i in range(0, len(frames), per_segment)]
            targets = [parts_dir / f"{k:05d}{suffix}" for k in range(len(segments))]
            # The source and notes at each frame's foot (a map without them keeps its pixels).
            page.evaluate("([m, w, h]) => choropleth.setMetric(m).then(() => { choropleth.showCredits(true); "
                          "choropleth.resize(w, h); })",
                          [metric, r.width, r.height])
            advance, stop_progress = _progress(len(frames))
            for k, seg in enumerate(segments):
                if targets[k].exists():  # --resume: done before
                    advance(len(seg))
                    continue
                command = ffmpeg.command(ffmpeg_exe, method, suffix, r.fps, r.quality)
                segment = open_segments[k] = ffmpeg.Segment(command, targets[k])
                if method == "webcodecs":
                    js, args = "([f, u, fps, br]) => choroplethCapture.h264(f, u, fps, br, 60)", \
                        [seg, f"{url}/frames/{k}", r.fps, _bitrate(r)]
                else:
                    js, args = "([f, u, n]) => choroplethCapture.png(f, u, n)", [seg, f"{url}/frames/{k}", PNG_BATCH]
                try:
                    page.evaluate(js, args)
                except Exception as exc:  # noqa: BLE001 - the page stopped: because ffmpeg did, or for its own reason
                    stopped = UserError(f"the page stopped: {exc}")
                    raise (segment.failure() if segment.proc.poll() else stopped) from None
                segment.finish()
                del open_segments[k]
            stop_progress()
    except (KeyboardInterrupt, Exception) as exc:
        stop_progress()
        for segment in open_segments.values():
            segment.abandon()
        server.shutdown()
        done = list(itertools.takewhile(Path.exists, targets))
        if done:
            ffmpeg.join(done, out)
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"stopped ({first_line(exc)})"
        if isinstance(exc, UserError) and not done:
            raise
        raise UserError(f"recording {what}: {len(done)} complete segment(s) joined into {out}; rerun with "
                        f"{flag('resume')} to "
                        f"continue" if done else f"recording {what}; nothing was recorded") from None
    server.shutdown()
    ffmpeg.join(targets, out)
    shutil.rmtree(parts_dir, ignore_errors=True)
    return Result(path=out, frames=len(frames), seconds=time.perf_counter() - began, method=method)


def _metric_index(metric: str | None, names: list[str]) -> int:
    if metric is None:
        return 0
    if metric in names:
        return names.index(metric)
    if metric.isdigit() and int(metric) < len(names):
        return int(metric)
    raise UserError(f"{flag('metrics', metric)} is not in the site (metrics: {', '.join(names)})")


def _bitrate(r: Recording) -> int:
    # About what x264 gives at CRF 23 for flat-coloured maps, scaled by size, rate and quality.
    return int(r.width * r.height * r.fps * 0.2 * 2 ** ((23 - r.quality) / 6))


def _choose(page: Page, r: Recording, suffix: str) -> str:
    """WebCodecs H.264 where the browser has it (MP4, even sizes), else PNG frames to ffmpeg."""
    if r.method == "png" or suffix != ".mp4" or r.width % 2 or r.height % 2:
        if r.method == "webcodecs":
            raise UserError(f"{flag('method', 'webcodecs')} records only .mp4 at even sizes")
        return "png"
    ok = page.evaluate("([w, h, f]) => choroplethCapture.h264Supported(w, h, f)", [r.width, r.height, r.fps])
    if not ok and r.method == "webcodecs":
        raise UserError(f"this browser has no H.264 in WebCodecs; use {flag('method', 'png')}")
    return "webcodecs" if ok else "png"
