"""`build-site serve`: preview a site on 127.0.0.1 with correct types and gzip; rebuild on change."""
from __future__ import annotations

import functools
import gzip
import http.server
import mimetypes
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

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


def serve(folder: Path, port: int, rebuild: Callable[[], object] | None, watch: Callable[[], list[Path]]) -> None:
    """Serve `folder` until interrupted; when a watched file changes, call `rebuild`."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=str(folder)))
    print(f"Serving {folder} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stamps() -> dict[Path, float]:
        return {p: p.stat().st_mtime for p in watch() if p.exists()}

    seen = stamps()
    try:
        while True:
            time.sleep(1)
            now = stamps()
            if rebuild and now != seen:
                seen = now
                try:
                    rebuild()
                except Exception as exc:  # noqa: BLE001 - a broken edit: keep serving the last good site
                    print(f"build-site: rebuild failed: {exc}", flush=True)
    finally:
        server.shutdown()
