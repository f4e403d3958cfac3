"""The Python face of the pipeline (`import build_site`): one call from a DataFrame, an Arrow table, a
DuckDB relation, a database or a file to a map that plays inline in a notebook, saves as a folder or
as one self-contained HTML file, and records video. The same stages as the command, in the same order.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import html
import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from . import build, logs, publish, site
from .errors import UserError, face
from .options import Agg, Fill, Options, RegionType, Scheme, Values
from .validate import validate
from .video import capture, preview

__all__ = ["Map", "UserError", "choropleth"]

F = TypeVar("F", bound=Callable[..., Any])
_FILES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".db": "db", ".sqlite": "db", ".sqlite3": "db"}


def _python_face(fn: F) -> F:
    """Bad input surfaces as one line, raised from here (no frames from deep inside), naming options as
    this face does: `fill=`, not the command's `--fill`."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with face("python"):
                return fn(*args, **kwargs)
        except UserError as exc:
            raise UserError(str(exc), exc.option) from None
    return wrapper  # type: ignore[return-value]


def as_arrow(data: Any) -> pa.RecordBatchReader:
    """Rows in memory or streamed, as Arrow record batches, without a copy through CSV: a pandas or
    polars DataFrame, a pyarrow Table, RecordBatch or RecordBatchReader, a DuckDB relation, or anything
    else that speaks the Arrow C stream interface."""
    if isinstance(data, pa.RecordBatchReader):
        return data
    if isinstance(data, pa.RecordBatch):
        data = pa.Table.from_batches([data])
    if isinstance(data, pa.Table):
        return data.to_reader()
    if isinstance(data, pd.DataFrame):
        if isinstance(data, gpd.GeoDataFrame):  # its geometry is not a metric, and Arrow would need it encoded
            data = pd.DataFrame(data.drop(columns=data.geometry.name))
        named = [n for n in data.index.names if n is not None]  # a groupby's keys: columns, as in plotly
        frame = data.reset_index(level=named) if named else data
        return pa.Table.from_pandas(frame, preserve_index=False).to_reader()
    if hasattr(data, "__arrow_c_stream__"):  # polars, DuckDB, and other Arrow producers
        return pa.RecordBatchReader.from_stream(data)
    raise UserError(f"cannot read rows from a {type(data).__name__}; give a pandas or polars DataFrame, a pyarrow "
                    "Table, a DuckDB relation, a SQLAlchemy Engine or URL with table= or query=, or a file path")


def _source(data: Any, o: Options) -> build.Rows | None:
    """Put `data` where the command would have it: a path or URL into o (read exactly as the command
    reads it); an Engine or Arrow batches returned for make_map."""
    if data is None:
        return None
    if isinstance(data, sa.Engine):
        return data
    if isinstance(data, sa.URL):
        data = data.render_as_string(hide_password=False)
    if isinstance(data, str) and "://" in data:
        o.db = data
    elif isinstance(data, (str, os.PathLike)):
        kind = _FILES.get(Path(data).suffix.lower())
        if kind is None:
            raise UserError(f"{str(data)!r}: give a .csv, .parquet or SQLite (.db, .sqlite) file, or a database URL")
        setattr(o, kind, f"sqlite:///{data}" if kind == "db" else str(data))
    else:
        rows = as_arrow(data)
        if o.table or o.query:
            raise UserError("table= and query= read a database; give an Engine or a URL with them")
        return rows
    if (o.table or o.query) and not o.db:
        raise UserError("table= and query= read a database; give an Engine or a URL with them")
    return None


@_python_face
def choropleth(data: Any = None, *, table: str | None = None, query: str | None = None, region: str = "country",
               time: str = "unixtime", metric: str | Sequence[str] | None = None, interval: str | int | None = None,
               fill: Fill = "none", agg: Agg = "sum", classes: int = 20, scheme: Scheme = "equal_interval",
               round: bool = False, breaks: Sequence[float] | None = None, log: bool = False,
               cmap: str = "afmhot_r", center: float | None = None, missing_color: str = "#dddddd",
               shapes: str | os.PathLike | gpd.GeoDataFrame | None = None, layer: str | None = None,
               shape_key: str | None = None, region_type: RegionType = "auto", projection: str | None = None,
               borders: str | None = None, bbox: Sequence[float] | None = None,
               only: str | None = None, simplify: float = 0.5, title: str | None = None,
               subtitle: str | None = None, source: str | None = None, note: str | Sequence[str] | None = None,
               preview_frame: str | int = "last", base_url: str | None = None,
               time_format: str | None = None, tz: str | None = None, values: Values | bool = "shown",
               locale: str = "en", sparse: float = 10.0, from_: str | None = None, to: str | None = None,
               refresh: float | None = None,
               verbose: bool = False) -> Map:
    """An animated choropleth map of `metric` per `region` per `time`, as `build-site` builds it.

    Every keyword is the command line's option of the same name (`--missing-color` is `missing_color`,
    `--no-values` is `values=False`), with the same default; see the README for each in full.

    Parameters
    ----------
    data : the rows, one per region and time (None: the demo database). A pandas or polars DataFrame,
        a pyarrow Table or RecordBatchReader, a DuckDB relation (read as Arrow record batches, never
        through CSV); a SQLAlchemy Engine or URL (aggregated in the database's GROUP BY) with `table`
        or `query`; or the path of a .csv, .parquet or SQLite (.db, .sqlite) file.
    table, query : the table, or the SQL query, to read from a database.
    region : the column of region codes (ISO 3166, FIPS, names, or keys of `shapes`).
    time : the time column: epoch seconds or milliseconds, dates, timestamps, ISO text or years.
    metric : a column, or a list of them (default: every other numeric column); each may carry its
        own settings: ``"cases:agg=mean,scheme=quantiles,classes=7,cmap=RdBu,center=0,breaks=10/100,log,label=TEXT"``.
    interval : the bucket per frame: "auto" (the data's own step; None is auto), "15min", "1h", "1d",
        seconds, weeks "7d" or "1w" (from Monday; "1w-sun" from Sunday), or calendar "1mo", "1q", "1y", "5y".
    from_, to : keep the rows of the buckets from the one holding `from_` to the one holding `to`, the
        first and last frames (ISO 8601 dates or times, in `tz`: "2016-01-01", "2016-01-08T06:00");
        the command's --from and --to (`from` is a word of Python's).
    fill : a bucket without rows shows no data ("none") or the region's last value ("forward").
    agg : "sum", "mean", "min", "max", "count" or "median" per bucket and region.
    classes, scheme, round, breaks, log : the classification over all frames: the number of classes;
        "equal_interval", "nice", "quantiles", "fisher_jenks", "natural_breaks", "std_mean" or
        "user_defined" (with `breaks`, the classes' upper bounds); `round` equal intervals between round
        numbers (as "nice"); `log` classes on a log scale.
    cmap, center, missing_color : a matplotlib or ColorBrewer colormap; the value at the middle of a
        diverging one; the colour of no data.
    shapes, layer, shape_key, region_type : a GeoDataFrame, a file geopandas reads, or built-in shapes
        ("world", the default, "world-10m", "us-states", "us-counties"); the layer of a file with
        several; the field holding the region codes; the codes' type ("iso2", "iso3", "numeric",
        "fips", "name", "key"; default detected).
    projection, borders, bbox, only, simplify : "robinson" (default; "albers-usa" for the US shapes),
        "equal-earth", "orthographic", "albers-usa"… or any CRS; heavier lines where a FIELD differs
        between neighbours, or another file's outlines ("PATH[:LAYER]"); a [west, south, east, north]
        box in degrees; "FIELD=VALUE,…" to keep some shapes; the simplification tolerance in pixels of a
        1920-wide map.
    title, time_format, tz : the title; the strftime format of the frame time; the time zone shown.
    subtitle, source, note : a line under the title; where the data come from (a URL in it is a link:
        ``"Ministry of Health https://intranet.example/mh"``); a footnote, or a list of them. Shown on the
        page and carried into its PNG download, the video and the link preview.
    preview_frame, base_url : the frame of the link preview's image (``save("site/")`` draws preview.png
        in headless Chromium): "last", "first", a frame number, a time, or "none"; the address the site
        is published at, which makes the preview tags' URLs absolute.
    locale : the reader's language, a BCP 47 tag ("de", "pt-BR", "zh-CN"; default "en"): the player's
        words, and numbers and dates as that language writes them.
    values : the values the tooltip shows: "shown" (at the precision the page shows), "exact" (float32),
        "none" (False: a smaller page).
    sparse : report regions with data in fewer than this percentage of frames.
    refresh : a saved site's page, served over http, looks for a newer build every so many seconds and
        follows it without a reload (the command's --refresh).
    verbose : print the build's steps on stderr, as the command does (default: quiet). They are
        messages of the standard logger "build_site" at INFO level, so a caller's own logging
        configuration (``logging.basicConfig(level=logging.INFO)``) hears them too, and its warnings.

    Returns a `Map`: shown inline by Jupyter, JupyterLab, VS Code and Colab; ``.save("site/")``,
    ``.save("map.html")`` (one file, nothing else needed), ``.record("map.mp4")``.
    Bad input raises `UserError`, a ValueError, with the command's one line in Python's words
    (``fill='x' is unknown; choose one of none, forward``, where the command says ``--fill 'x'``).

    Examples
    --------
    >>> import build_site
    >>> m = build_site.choropleth(df, region="country", time="unixtime", metric=["cases"],
    ...                           interval="1d", agg="sum", cmap="YlOrRd", title="Cases")
    >>> m                        # plays inline in a notebook
    >>> m.save("cases.html")     # one file to e-mail or double-click
    >>> build_site.choropleth("postgresql://host/db", table="events", interval="1h").save("site/")
    """
    o = Options(table=table, query=query, region=region, time=time,
                metrics=[metric] if isinstance(metric, str) else list(metric) if metric else None,
                interval=str(interval) if isinstance(interval, int) else interval,  # seconds as a number too
                fill=fill, agg=agg, classes=classes, scheme=scheme, round=round,
                breaks=[float(b) for b in breaks] if breaks is not None else None, log=log, cmap=cmap,
                center=center, missing_color=missing_color, layer=layer, shape_key=shape_key,
                region_type=region_type, projection=projection, borders=borders,
                bbox=[float(b) for b in bbox] if bbox is not None else None, only=only,
                simplify=simplify, title=title, subtitle=subtitle, source=source,
                notes=[note] if isinstance(note, str) else list(note) if note else None,
                preview_frame=str(preview_frame), base_url=base_url, time_format=time_format, tz=tz, locale=locale,
                values="none" if values is False else "shown" if values is True else values, sparse=sparse,
                from_=from_, to=to, refresh=refresh)
    geodata = shapes if isinstance(shapes, gpd.GeoDataFrame) else None
    if geodata is None and shapes is not None:
        o.shapes = str(shapes)
    validate(o)
    with logs.verbose(verbose):
        return Map(build.make_map(o, _source(data, o), geodata), o)


_FOLLOW = site.STATIC / "notebook.js"  # the script around the frame
UNTRUSTED = ("No map here? This notebook is not trusted, so its maps are hidden: trust it (\"Trust Notebook\" in the "
             "command palette) or write the map to a file with .save(\"map.html\") and open that.")


class Map:
    """A built map: its page's metadata, topology and frame chunks, ready to show, save or record.

    >>> m.save("site/")       # a folder, as `build-site --out site` writes
    >>> m.save("map.html")    # one self-contained file: no other file, no network
    >>> m.record("map.mp4", fps=30, size=(1280, 720))
    """

    height = 640  # of the inline frame, in CSS pixels, where outputs run no script (else it follows the page)
    inline_limit = 20_000_000  # bytes: a larger page is not put into the notebook (it would freeze it)

    def __init__(self, built: build.Built, options: Options | None = None) -> None:
        self._built = built
        self._options = options or Options()  # the link preview's: preview_frame, base_url
        self._page: str | None = None

    @property
    def meta(self) -> dict:
        """The page's metadata: frames, start, step, regions, each metric's classes and colours."""
        return self._built.meta

    @property
    def report(self) -> dict:
        """What the build found (report.json): codes matched and not, shapes without data, classes."""
        return self._built.report

    def __repr__(self) -> str:
        names = ", ".join(m["name"] for m in self.meta["metrics"])
        return (f"<build_site.Map {self.meta['title']!r}: {self.meta['frames']:,} frames × "
                f"{len(self.meta['regions']['names']):,} regions; {names}>")

    def to_html(self) -> str:
        """The map as one self-contained HTML document (what ``save("map.html")`` writes)."""
        if self._page is None:
            b = self._built
            base = publish.base_url(self._options.base_url)
            head = publish.head(b.meta, b.report["from"], b.report["to"], base, None)  # (no image beside one file)
            self._page = site.single_page(meta=b.meta, topology=b.topology, chunks=b.chunks, values=b.values,
                                          series=b.series, head=head)
        return self._page

    def _repr_html_(self) -> str:
        page = self.to_html()
        size = len(page.encode())
        if size > self.inline_limit:
            return (f"<p>{html.escape(repr(self))}: {size / 1e6:.1f} MB, too large to show in the notebook "
                    f"(over {self.inline_limit / 1e6:g} MB). <code>m.save(\"map.html\")</code> writes it as one "
                    "file to open in a browser.</p>")
        # srcdoc: no server and no file needed; sandboxed: the page cannot reach the notebook around it.
        # The note is what an untrusted notebook shows (its sanitizer removes the iframe and the script,
        # keeps text); the script, run only where outputs are trusted, removes it and makes the frame
        # as tall as the page says it is (static/player/75-embed.js); without it, `height` stays.
        return (f'<div class="build-site-map"><iframe srcdoc="{html.escape(page)}" '
                f'title="{html.escape(self.meta["title"])}" sandbox="allow-scripts" '
                f'style="display:block;width:100%;height:{self.height}px;border:0"></iframe>'
                f"<p>{html.escape(UNTRUSTED)}</p><script>{_FOLLOW.read_text(encoding='utf-8')}</script></div>")

    @_python_face
    def save(self, path: str | os.PathLike) -> Path:
        """Write the map: one self-contained file when `path` ends in .html, else a site folder (with
        report.json and the link preview's preview.png, drawn in headless Chromium unless
        preview_frame="none"). Written beside `path` and swapped in when complete. Returns the path written."""
        return self._save(Path(path), preview_image=self._options.preview_frame.strip().lower() != "none")

    def _save(self, out: Path, preview_image: bool) -> Path:
        b = self._built
        if site.is_single_file(out):
            site.write_single(out, self.to_html())
            return out.resolve()
        with contextlib.ExitStack() as stack:
            shooter = stack.enter_context(preview.Shooter()) if preview_image else None
            site.write_site(out, meta=b.meta, topology=b.topology, chunks=b.chunks, values=b.values, series=b.series,
                            report=b.report,
                            finish=lambda tmp: publish.finish_page(tmp, b.meta, b.report, self._options, shooter))
        return out.resolve()

    @_python_face
    def record(self, path: str | os.PathLike, *, fps: int = 30, size: tuple[int, int] = (1280, 720),
               metric: str | None = None, start: int = 0, end: int | None = None, step: int = 1, quality: int = 23,
               method: str = "auto", browser: str | None = None, resume: bool = False,
               segment_frames: int = 1800, from_time: str | None = None, to_time: str | None = None,
               every: str | int | None = None) -> Path:
        """Record the map into a .mp4, .webm or .gif, frame by frame, as `build-site record` does (same
        options: `metric` by name or index, frames `start` to before `end` every `step`, `quality` as CRF;
        or `from_time` to `to_time` included, times as the page shows them or ISO 8601, a frame `every`
        data time such as "1d" or "1mo", or a number of frames: --from, --to and --every)."""
        rec = capture.Recording(fps=fps, width=size[0], height=size[1], metric=metric, start=start, end=end,
                                step=step, from_time=from_time, to_time=to_time,
                                every=None if every is None else str(every), quality=quality, browser=browser,
                                resume=resume, method=method, segment=segment_frames)
        with tempfile.TemporaryDirectory(prefix="build-site-") as tmp:
            folder = self._save(Path(tmp) / "site", preview_image=False)
            try:
                asyncio.get_running_loop()
            except RuntimeError:  # a script: record here
                return capture.record(folder, Path(path), rec).path.resolve()
            # A notebook's kernel runs an asyncio loop in this thread, beside which Playwright's sync API
            # refuses to run: record in a thread of its own.
            with ThreadPoolExecutor(1) as pool:
                run = contextvars.copy_context().run  # the thread speaks this face too
                return pool.submit(run, capture.record, folder, Path(path), rec).result().path.resolve()
