"""`import build_site`: every kind of data gives the map the CSV of the same rows gives; the keywords are the
command's options; bad input is a ValueError with the command's one line; the map saves and shows."""
from __future__ import annotations

import html
import inspect
import re
import sqlite3
import traceback
from collections.abc import Callable
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from helpers import run

import build_site
from generator import cli, source
from generator.geo import builtin

T0 = 1_700_000_000 // 3600 * 3600
# Four hours of three countries: several rows per bucket, a NULL, a bucket with no rows at all (02:00),
# a country missing from one bucket; two metrics.
ROWS = pd.DataFrame({
    "country": ["FRA", "FRA", "DEU", "BRA", "FRA", "DEU", "BRA", "FRA", "DEU", "BRA", "BRA"],
    "unixtime": [T0 + 10, T0 + 3599, T0 + 5, T0 + 7, T0 + 3600, T0 + 3700, T0 + 3800,
                 T0 + 3 * 3600, T0 + 3 * 3600 + 1, T0 + 3 * 3600 + 2, T0 + 3 * 3600 + 3],
    "cases": [1.0, 2.0, 5.0, 7.0, 4.0, None, 8.0, 6.0, 7.0, 9.0, 1.0],
    "deaths": [1, 0, 2, 3, 4, 1, 0, 6, 1, 0, 2],
})
OPTIONS = {"interval": "1h", "agg": "sum", "classes": 5}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("api")
    ROWS.to_csv(d / "rows.csv", index=False)
    ROWS.to_parquet(d / "rows.parquet", index=False)
    with sqlite3.connect(d / "rows.db") as conn:
        ROWS.to_sql("events", conn, index=False)
    return {"csv": d / "rows.csv", "parquet": d / "rows.parquet", "db": d / "rows.db"}


@pytest.fixture(scope="module")
def from_csv(files: dict[str, Path]) -> build_site.Map:
    return build_site.choropleth(str(files["csv"]), **OPTIONS)


def same_map(a: build_site.Map, b: build_site.Map) -> None:
    """The same frames, classes and exact values: the grid of every metric, byte for byte."""
    for key in ("start", "step", "frames", "regions", "metrics"):
        assert a.meta[key] == b.meta[key], key
    assert a._built.chunks == b._built.chunks
    assert a._built.values == b._built.values


def duckdb_relation() -> object:
    con = duckdb.connect()
    con.register("rows", ROWS)
    return con.sql("SELECT * FROM rows")


def duckdb_engine(tmp: Path) -> sa.Engine:
    engine = sa.create_engine(f"duckdb:///{tmp / 'rows.duckdb'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE events AS SELECT * FROM read_csv_auto(?)", (str(tmp / "rows.csv"),))
    return engine


SOURCES: dict[str, Callable[[dict[str, Path]], tuple[object, dict]]] = {
    "pandas": lambda f: (ROWS, {}),
    "pandas, the keys in the index": lambda f: (ROWS.set_index(["country", "unixtime"]), {}),
    "polars": lambda f: (pl.from_pandas(ROWS), {}),
    "polars, categorical codes": lambda f: (pl.from_pandas(ROWS).with_columns(pl.col("country").cast(pl.Categorical)),
                                            {}),
    "pyarrow Table": lambda f: (pa.Table.from_pandas(ROWS), {}),
    "pyarrow RecordBatchReader": lambda f: (pq.ParquetFile(f["parquet"]).iter_batches(batch_size=3), {}),
    "DuckDB relation": lambda f: (duckdb_relation(), {}),
    "SQLAlchemy Engine, table": lambda f: (sa.create_engine(f"sqlite:///{f['db']}"), {"table": "events"}),
    "SQLAlchemy Engine, query": lambda f: (sa.create_engine(f"sqlite:///{f['db']}"),
                                           {"query": "SELECT country, unixtime, cases, deaths FROM events"}),
    "DuckDB Engine": lambda f: (duckdb_engine(f["csv"].parent), {"table": "events"}),
    "URL string": lambda f: (f"sqlite:///{f['db']}", {"table": "events"}),
    "SQLAlchemy URL": lambda f: (sa.make_url(f"sqlite:///{f['db']}"), {"table": "events"}),
    "Parquet path": lambda f: (f["parquet"], {}),
    "SQLite path": lambda f: (f["db"], {"table": "events"}),
}


@pytest.mark.parametrize("kind", SOURCES)
def test_every_source_gives_the_grid_of_the_csv(kind: str, files: dict[str, Path], from_csv: build_site.Map) -> None:
    data, extra = SOURCES[kind](files)
    if kind == "pyarrow RecordBatchReader":
        data = pa.RecordBatchReader.from_batches(pq.read_schema(files["parquet"]), data)
    same_map(build_site.choropleth(data, **extra, **OPTIONS), from_csv)


def test_an_engine_on_a_sqlite_file_reads_it_in_this_process(files: dict[str, Path]) -> None:
    """The file's rows come out as Arrow batches (ADBC) instead of through SQLite's GROUP BY, as with
    --db; an Engine on SQLite in memory (no file to read) aggregates in its GROUP BY."""
    on_file = source.from_database(sa.create_engine(f"sqlite:///{files['db']}"), table="events", query=None,
                                   region="country", time="unixtime", metrics=None)
    assert on_file.batches is not None and on_file.engine is None
    memory = sa.create_engine("sqlite://")
    ROWS.to_sql("events", memory, index=False)
    in_memory = source.from_database(memory, table="events", query=None, region="country", time="unixtime",
                                     metrics=None)
    assert in_memory.batches is None and in_memory.engine is memory
    same_map(build_site.choropleth(memory, table="events", **OPTIONS), build_site.choropleth(ROWS, **OPTIONS))


def test_the_grid_is_right(from_csv: build_site.Map) -> None:
    """The reference itself: FRA's cases summed per hour (01:00 has 4; 02:00 has no rows at all)."""
    assert from_csv.meta["frames"] == 4 and from_csv.meta["start"] == T0
    assert [m["name"] for m in from_csv.meta["metrics"]] == ["cases", "deaths"]
    assert from_csv.report["rows"] == len(ROWS)


def test_timestamps_and_dates_as_types(files: dict[str, Path]) -> None:
    """Times as pandas datetimes or polars timestamps give the map of the same times in epoch seconds."""
    stamps = ROWS.assign(unixtime=pd.to_datetime(ROWS.unixtime, unit="s"))
    reference = build_site.choropleth(ROWS, **OPTIONS)
    same_map(build_site.choropleth(stamps, **OPTIONS), reference)
    same_map(build_site.choropleth(pl.from_pandas(stamps), **OPTIONS), reference)
    days = ROWS.assign(unixtime=pd.to_datetime(ROWS.unixtime, unit="s").dt.date)
    same_map(build_site.choropleth(pl.from_pandas(days), interval="1d"),
             build_site.choropleth(str(files["csv"]), interval="1d"))


def test_shapes_as_a_geodataframe(from_csv: build_site.Map) -> None:
    world = gpd.read_file(builtin.default_shapes())
    before = world.copy()
    same_map(build_site.choropleth(ROWS, shapes=world, **OPTIONS), from_csv)
    assert world.equals(before)  # the caller's frame is not changed


def test_keywords_are_the_commands_options_with_its_defaults() -> None:
    parameters = inspect.signature(build_site.choropleth).parameters
    doc = build_site.choropleth.__doc__ or ""
    # append: builds on a site folder on disk (the command's), not on a map made in Python
    not_map_options = {"help", "version", "quiet", "out", "video", "config", "clean", "append", "db", "csv", "parquet"}
    recording = {a.dest for g in cli.build_parser()._action_groups if g.title == "video" for a in g._group_actions}
    checked = 0
    for action in cli.build_parser()._actions:
        flag = action.option_strings[-1][2:] if action.option_strings else ""
        name = "values" if flag == "no-values" else "from_" if flag == "from" else flag.replace("-", "_")
        if name in not_map_options or action.dest in recording:
            continue
        assert name in parameters, f"--{flag} has no keyword {name}="
        assert parameters[name].default == action.default, name
        assert name in doc, f"{name} is not in choropleth's docstring"
        checked += 1
    assert checked >= 25
    record = inspect.signature(build_site.Map.record).parameters
    for action in cli.record_parser()._actions:
        name = action.dest.replace("video_", "")
        if action.option_strings and name not in ("help", "size", "quiet", "verbose"):
            assert record[name].default == action.default, name
    assert "data" in parameters and "Examples" in doc


def test_bad_input_is_a_value_error_with_the_commands_line_in_its_words(files: dict[str, Path], tmp_path: Path) -> None:
    proc = run("--csv", str(files["csv"]), "--region", "nation", "--out", str(tmp_path / "site"))
    line = next(x for x in proc.stderr.splitlines() if x.startswith("build-site: error: "))
    with pytest.raises(ValueError) as caught:
        build_site.choropleth(str(files["csv"]), region="nation")
    assert isinstance(caught.value, build_site.UserError)
    # The same line, each naming the option in its own words: region= from Python, --region from the command.
    assert str(caught.value).endswith("name the right one with region=") and line.endswith("with --region")
    assert f"build-site: error: {caught.value}".replace("region=", "--region") == line
    # Raised from the API's own frame: nothing from inside the pipeline, pandas or pyogrio, no chained error.
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert [Path(f.filename).name for f in frames] == ["test_api.py", "api.py"]
    assert caught.value.__cause__ is None and caught.value.__suppress_context__

    for call, words in [
        (lambda: build_site.choropleth(object()), "cannot read rows from a object"),
        (lambda: build_site.choropleth(ROWS, table="events"), "table= and query= read a database"),
        (lambda: build_site.choropleth("rows.xlsx"), "give a .csv, .parquet or SQLite"),
        (lambda: build_site.choropleth(ROWS, shapes=str(tmp_path / "none.shp")), "no such file"),
        (lambda: build_site.choropleth(ROWS, cmap="rainbowish"), "not a matplotlib colormap"),
    ]:
        with pytest.raises(ValueError, match=words) as caught:
            call()
        assert "\n" not in str(caught.value)


def test_save_a_folder_and_one_file(from_csv: build_site.Map, tmp_path: Path) -> None:
    folder = from_csv.save(tmp_path / "site")
    assert {p.name for p in folder.iterdir()} >= {"index.html", "player.js", "topology.js", "data", "report.json"}
    page = from_csv.save(tmp_path / "cases.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.html", "site"]  # no temporary left behind
    text = page.read_text()
    assert text == from_csv.to_html()
    assert "<script src" not in text and "<link rel=\"stylesheet\"" not in text
    # topology; 2 metrics' classes, values and series (3 groups of 64 regions)
    assert text.count('<script type="application/json" data-key="') == 1 + 2 * (2 + 3)
    assert page.stat().st_mode & 0o777 == 0o644
    policy = html.unescape(re.search(r'Content-Security-Policy" content="([^"]*)"', text)[1]).split("; ")
    assert policy[0] == "default-src 'none'" and "img-src data:" in policy  # nothing from anywhere else
    assert re.fullmatch(r"script-src 'sha256-[\w+/=]+'", policy[1]) and re.fullmatch(r"style-src 'sha256-[\w+/=]+'",
                                                                                     policy[2])

    foreign = tmp_path / "notes.html"
    foreign.write_text("<p>mine</p>")
    with pytest.raises(ValueError, match="this tool did not write"):
        from_csv.save(foreign)
    assert foreign.read_text() == "<p>mine</p>"
    from_csv.save(page)  # its own file is replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.html", "notes.html", "site"]


def test_inline_display_and_its_size_limit(from_csv: build_site.Map, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = from_csv._repr_html_()
    page = re.search(r'<iframe srcdoc="([^"]*)"[^>]* sandbox="allow-scripts"', shown)
    assert page and "&lt;script" in page[1] and "<script" not in page[1]  # the page is escaped inside the attribute
    assert shown.count("<script>") == 1 and "not trusted" in shown  # ours beside it; the untrusted notebook's note
    monkeypatch.setattr(build_site.Map, "inline_limit", 1000)
    note = from_csv._repr_html_()
    size = len(from_csv.to_html().encode()) / 1e6
    assert "<iframe" not in note and f"{size:.1f} MB" in note and "m.save(" in note
    assert repr(from_csv).startswith("<build_site.Map 'Animated map': 4 frames × 177 regions; cases, deaths")
