"""Stage 6, site: write the static site: index.html (Jinja2), our player and stylesheet, the TopoJSON
and the frame chunks, all addressed by relative URLs; or all of it in one HTML file.

Every data file is a small script that hands its payload to the player (`choroplethLoad(key, data)`):
a <script> tag loads from file:// where fetch() is refused, and from any sub-path of any server.
In one file, each payload is an inert `<script type="application/json" data-key=…>` element the
player reads when it needs it, and the player and stylesheet are inline, allowed by their hashes.
The site is written into a temporary folder (or file) beside the target and swapped in only when complete.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import jinja2

from . import builds
from .errors import UserError, flag

MARKER = ".build-site"
# templates/ and static/ sit beside the package in a checkout and inside it in an installed wheel.
_PKG = Path(__file__).parent
TEMPLATES, STATIC = ((_PKG / n if (_PKG / n).is_dir() else _PKG.parent / n) for n in ("templates", "static"))
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True)
SIGNATURE = '<meta name="generator" content="build-site">'  # in every page: a one-file map is known by it


def csp(script: str = "", connect: str = "", style: str = "'self'", img: str = "'self' data: blob:") -> str:
    """The pages' Content-Security-Policy: nothing but what is named here, and no network beyond 'self'."""
    allowed = {"script-src": script, "connect-src": connect, "style-src": style, "img-src": img}
    return "; ".join(["default-src 'none'", *(f"{k} {v}" for k, v in allowed.items() if v), "base-uri 'none'",
                      "form-action 'none'"])


def script_json(obj: object) -> str:
    """JSON that is safe inside <script>: no `</script>`, no HTML comment, no line separators."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return text


def loader_script(key: str, payload: object) -> str:
    return f"choroplethLoad({script_json(key)},{script_json(payload)});\n"


def is_single_file(out: Path) -> bool:
    """An output path ending in .html is one self-contained file; anything else is a folder."""
    return out.suffix.lower() in (".html", ".htm")


def built_here(out: Path) -> bool:
    """A site folder or one-file map this tool wrote (so it may be replaced or recorded)."""
    if out.is_dir():
        return (out / MARKER).exists()
    with open(out, "rb") as f:
        return SIGNATURE.encode() in f.read(4096)


def check_output(out: Path) -> None:
    """Refuse an output path that is a file, or a folder of something other than a built site; for one
    .html file, a folder or a file this tool did not write."""
    if is_single_file(out) and out.exists():
        if out.is_dir() or not built_here(out):
            raise UserError(f"{flag('out', str(out))} is a {'folder' if out.is_dir() else 'file'} this tool did not "
                            "write; choose another name or remove it first")
    elif out.exists() and not out.is_dir():
        raise UserError(f"{flag('out', str(out))} is a file; give a folder path")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UserError(f"{flag('out', str(out))} is a folder this tool did not build; choose another "
                        "folder or empty it first")
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=parent).close()
    except OSError as exc:
        raise UserError(f"{flag('out', str(out))} is not writable ({exc.strerror}); choose another folder") from None


def write_page(folder: Path, meta: dict, assets: str = "", head: dict | None = None) -> None:
    """A map's index.html; `head`: its link preview's tags (publish.head), None for none."""
    (folder / "index.html").write_text(render("index.html", title=meta["title"], meta=meta, meta_json=script_json(meta),
                                              lang=meta.get("locale", "en"), w=words(meta), assets=assets,
                                              csp=csp("'self'", "'self'"), head=head),
                                       encoding="utf-8")


def write_map(folder: Path, *, meta: dict, topology: dict, chunks: list[list[bytes]],
              values: list[list[bytes]] | None = None, series: list[list[bytes]] | None = None,
              report: dict | None = None, assets: str = "", head: dict | None = None) -> None:
    """One map's page, TopoJSON, frame chunks (classes, and exact values as v<chunk>.js), series
    (s<group>.js) and build report into `folder`; `assets` is the relative URL of the folder holding
    player.js and style.css. The data go into data/<the build's id>/ (any written before under
    data/.pending are moved there) and build.json names the build."""
    for m, metric_chunks in enumerate(chunks):
        write_data(folder, m, metric_chunks, values[m] if values else [], series[m] if series else [],
                   build=meta["build"])
    builds.seal(folder, meta)
    write_page(folder, meta, assets, head)
    (folder / "topology.js").write_text(loader_script("topology", topology), encoding="utf-8")
    if report is not None:
        (folder / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_data(folder: Path, m: int, chunks: list[bytes], values: list[bytes], series: list[bytes],
               build: str | None = None) -> None:
    """Metric m's data files into folder/data/<build>/m (build None: data/.pending/m, until the build's id is
    known): class chunks (C.js), values (vC.js), series (sG.js)."""
    data = builds.data_folder(folder, build) / str(m)
    data.mkdir(parents=True)
    files = [(f"{m}/{stem}", data / f"{stem}.js", blob) for stem, blob in data_stems(chunks, values, series)]

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # base64 and writes release the GIL
        for done in [pool.submit(write_blob, *f) for f in files]:
            done.result()


def write_blob(key: str, path: Path, blob: bytes) -> None:
    """One data file: a script handing its blob, in base64, to the player."""
    path.write_bytes(b"".join((  # base64 is JSON as it is: no escaping pass
        f'choroplethLoad({script_json(key)},"'.encode(), base64.b64encode(blob), b'");\n')))


def write_file(folder: Path, m: int, stem: str, blob: bytes, build: str | None = None) -> None:
    """One data file of metric m, its folder made first (a streamed build hands them one by one): `stem`
    is C (classes), vC (values) or sG (series)."""
    path = builds.data_folder(folder, build) / str(m) / f"{stem}.js"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_blob(f"{m}/{stem}", path, blob)


def data_stems(chunks: list[bytes], values: list[bytes], series: list[bytes]) -> list[tuple[str, bytes]]:
    """A metric's data, each blob with its name: class chunks C, values vC, series sG."""
    return [*((str(c), b) for c, b in enumerate(chunks)), *((f"v{c}", b) for c, b in enumerate(values)),
            *((f"s{g}", b) for g, b in enumerate(series))]


def player_script() -> str:
    """The player the site ships as one player.js: its parts, static/player/NN-name.js, joined in order
    (one request; each part is a classic script that extends the object the first one makes)."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((STATIC / "player").glob("*.js")))


def write_assets(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "player.js").write_text(player_script(), encoding="utf-8")
    shutil.copyfile(STATIC / "style.css", folder / "style.css")


def words(meta: dict) -> dict[str, str]:
    """The page's words (the meta's, in the reader's language; English for a meta without them)."""
    if "words" in meta:
        return meta["words"]
    from . import locales  # (it reads this module's STATIC)

    return locales.words(locales.DEFAULT)


def render(template: str, **values: object) -> str:
    return _ENV.get_template(template).render(signature=SIGNATURE, **{"csp": csp(), **values})


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _raw(text: str, tag: str) -> str:
    """Our own script or stylesheet, checked to be safe inside its <script> or <style> element."""
    if f"</{tag}" in text.lower() or "<!--" in text:
        raise AssertionError(f"static text holds </{tag} or <!--, which would end or confuse the element")
    return text


def single_page(*, meta: dict, topology: dict, chunks: list[list[bytes]],
                values: list[list[bytes]] | None = None, series: list[list[bytes]] | None = None,
                head: dict | None = None) -> str:
    """The whole map as one HTML document: nothing else is loaded, nothing is fetched. The data are
    inert elements decoded only when the player asks for them, so the first frame needs chunk 0 only."""
    first = [("topology", script_json(topology))]  # before the player: what the first frame needs
    rest: list[tuple[str, str]] = []  # after it: parsed while the first frame is drawn
    for m, metric_chunks in enumerate(chunks):
        for stem, blob in data_stems(metric_chunks, values[m] if values else [], series[m] if series else []):
            (first if stem == "0" else rest).append((f"{m}/{stem}", f'"{base64.b64encode(blob).decode("ascii")}"'))
    player = _raw(player_script(), "script")
    style = _raw((STATIC / "style.css").read_text(encoding="utf-8"), "style")
    policy = csp(_hash(player), style=_hash(style), img="data:")  # the icon; no connection
    def elements(payloads: list[tuple[str, str]]) -> str:
        return "".join(f'<script type="application/json" data-key="{key}">{text}</script>\n' for key, text in payloads)

    return render("index.html", title=meta["title"], meta=meta, meta_json=script_json(meta), csp=policy, head=head,
                  lang=meta.get("locale", "en"), w=words(meta),
                  inline={"first": elements(first), "player": player, "rest": elements(rest), "style": style})


def write_single(out: Path, page: str) -> int:
    """One HTML file, written beside `out` and renamed over it when complete; returns its size in bytes."""
    check_output(out)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.new-", dir=out.resolve().parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        tmp.chmod(0o644)  # mkstemp makes it private; a published page must be readable by the web server
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out.stat().st_size


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A temporary folder beside `out`, swapped in for it when the block completes, removed if not."""
    check_output(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.resolve().parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a published site must be readable by the web server
    try:
        (tmp / MARKER).write_text("built by build-site; this folder is replaced on every build\n")
        yield tmp
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_site(out: Path, *, meta: dict, topology: dict, chunks: list[list[bytes]],
               values: list[list[bytes]] | None = None, series: list[list[bytes]] | None = None,
               report: dict | None = None, finish: Callable[[Path], None] | None = None) -> int:
    """A one-map site, written atomically; returns its size in bytes. `finish(folder)` runs on the
    complete folder before it is swapped in (the link preview: publish.finish_page)."""
    with staged(out) as tmp:
        write_map(tmp, meta=meta, topology=topology, chunks=chunks, values=values, series=series, report=report)
        write_assets(tmp)
        if finish is not None:
            finish(tmp)
        if out.is_dir():
            builds.keep_earlier(out, tmp)
        size = size_of(tmp)
    return size


def _swap(new: Path, out: Path) -> None:
    """Replace `out` by `new` with two renames; the old site stays whole until the new one is in place."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=new.parent))
        old.rmdir()
        out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)  # put the previous site back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
