"""`build-site serve`: preview a site on 127.0.0.1 with correct types and gzip; rebuild on change."""
from __future__ import annotations

import functools
import gzip
import http.server
import mimetypes
import os
import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from .errors import UserError, first_line
from .logs import error, log

TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".json": "application/json", ".png": "image/png",
         ".mp4": "video/mp4", ".webm": "video/webm", ".gif": "image/gif"}
COMPRESS = (".js", ".css", ".html", ".json")


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def guess_type(self, path: str | os.PathLike) -> str:
        return TYPES.get(Path(path).suffix.lower()) or mimetypes.guess_type(str(path))[0] or "application/octet-stream"

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix in COMPRESS and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(path.read_bytes(), 6, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


def _stamps(paths: list[Path]) -> dict[Path, int]:
    """Each watched file's modification time, as this side last saw it (a rename-save changes it too)."""
    stamps = {}
    for p in paths:
        try:
            stamps[p] = p.stat().st_mtime_ns
        except OSError:  # gone for now (an editor between writing and renaming): its event comes later
            pass
    return stamps


def serve(folder: Path, port: int, rebuild: Callable[[], object] | None, watch: Callable[[], list[Path]]) -> None:
    """Serve `folder` until interrupted; when a watched file changes, call `rebuild`. A failed `watch`
    or `rebuild` (a config saved with a syntax error) is reported and the last good site stays served."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=str(folder)))
    files = [p.resolve() for p in watch()]
    seen = _stamps(files)  # before anyone is told where the site is: a save after this one is seen
    print(f"Serving {folder} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        if rebuild is None:
            threading.Event().wait()  # until interrupted
            return
        while True:
            files, seen = _watch_once(files, seen, rebuild, watch)
    finally:
        server.shutdown()


def _watch_once(files: list[Path], seen: dict[Path, int], rebuild: Callable[[], object],
                watch: Callable[[], list[Path]]) -> tuple[list[Path], dict[Path, int]]:
    """Rebuild on each change to one of `files`, until the files to watch are in other folders: those
    are returned. The folders are watched, not the files: an editor that saves by writing a new file and
    renaming it over the old one replaces the file watched. Saves during a rebuild are kept by the
    watcher, which lives on, and rebuilt after it. Every second without an event the files' times are
    compared too: a save before the watcher started is not missed."""
    wanted = set(files)
    folders = sorted({p.parent for p in files if p.parent.is_dir()})
    for _ in watchfiles.watch(*folders, watch_filter=lambda _change, path: Path(path) in wanted, recursive=False,
                              yield_on_timeout=True, rust_timeout=1000):
        if _stamps(files) == seen:  # nothing changed (a timeout, attributes, a file put back as it was)
            continue
        seen = _stamps(files)
        try:
            files = [p.resolve() for p in watch()]
            log("change seen: rebuilding")
            rebuild()
        except UserError as exc:
            error(f"build-site: error: {exc}")
            error("the last good site is still served; fix it and save again")
        except Exception as exc:  # noqa: BLE001 - a broken input: keep serving the last good site
            error(f"build-site: rebuild failed: {type(exc).__name__}: {first_line(exc)}")
            error("the last good site is still served; fix it and save again")
        if sorted({p.parent for p in files if p.parent.is_dir()}) != folders:
            return files, seen  # watched again from those folders
        wanted.clear()
        wanted.update(files)  # `seen` stays as it was before the rebuild: a save during it is still seen
    return files, seen
