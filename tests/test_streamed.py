"""Streamed builds (windowed.py, partition.py, ordered.py, spill.py, streamed.py) make the very bytes of
the in-memory build, for every aggregate and scheme, rows in order, reversed or shuffled, from Parquet,
CSV and PostgreSQL; an interrupted one leaves the old site and no temporary files.

The windows, chunks and blocks are made small, so that a small grid spans many of each. Natural breaks
are left out: mapclassify's k-means starts from random centres, so two in-memory builds differ too.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from helpers import files_of

from generator import (
    build,
    config,
    framedata,
    grid,
    multisite,
    ordered,
    partition,
    ranged,
    series,
    site,
    spill,
    streamed,
    transfer,
    windowed,
)
from generator.options import Options

CODES = ["FRA", "DEU", "ITA", "ESP", "POL", "USA", "CAN", "BRA", "ARG", "CHN", "IND", "JPN", "AUS", "NGA", "EGY", "ZAF",
         "RUS", "MEX", "XXX"]  # XXX matches no shape
FRAMES = 2500  # over 1,000: the series take spans of frames
CASES = [
    {"agg": "mean"},
    {"agg": "median", "scheme": "quantiles"},
    {"agg": "sum", "fill": "forward", "scheme": "fisher_jenks"},
    {"agg": "count", "scheme": "nice"},
    {"agg": "max", "log": True, "scheme": "quantiles"},
    {"agg": "min", "values": "exact", "scheme": "std_mean"},
    {"agg": "mean", "scheme": "user_defined", "breaks": [50.0, 100.0, 150.0]},
    {"agg": "sum", "round": True, "values": "none"},
]


def rows(order: str) -> pd.DataFrame:
    """Two rows per country per hour (some left out), a metric with NULLs and one of one decimal."""
    rng = np.random.default_rng(3)
    f = np.repeat(np.arange(FRAMES), len(CODES) * 2)
    c = np.tile(np.repeat(np.arange(len(CODES)), 2), FRAMES)
    keep = rng.random(len(f)) > 0.1
    f, c = f[keep], c[keep]
    frame = pd.DataFrame({"country": np.array(CODES)[c],
                          "unixtime": 1_600_000_000 + f * 3600 + rng.integers(0, 3600, len(f)),
                          "a": (np.sin(f / 50 + c) * 100 + 101 + rng.random(len(f))).astype(np.float32),
                          "b": np.round(rng.random(len(f)) * 1000, 1) + 0.1})
    frame.loc[rng.random(len(frame)) < 0.05, "b"] = np.nan
    if order == "reversed":
        return frame.iloc[::-1]
    return frame.sample(frac=1, random_state=1) if order == "shuffled" else frame


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows of 64 buckets, chunks of 52 frames, blocks of a few chunks, few partition files open."""
    monkeypatch.setattr(windowed, "WINDOW_CELLS", 64 * len(CODES))
    monkeypatch.setattr(ordered, "WINDOW_CELLS", 64 * len(CODES))
    monkeypatch.setattr(framedata, "CHUNK_BYTES", 52 * 177)
    monkeypatch.setattr(streamed, "CHUNK_CELLS", 3 * 52 * 177)
    monkeypatch.setattr(series, "BLOCK_CELLS", 7000)
    monkeypatch.setattr(partition, "OPEN_FILES", 3)


def built(o: Options, stream: bool, monkeypatch: pytest.MonkeyPatch,
          caplog: pytest.LogCaptureFixture) -> dict[str, bytes]:
    """Every file of the site `o` builds, streamed or in memory (checked in its log)."""
    monkeypatch.setattr(windowed, "STREAM_CELLS", 0 if stream else 1 << 62)
    if o.out.endswith("site"):  # each into a folder of its own: a build keeps the data of the one before
        o = dataclasses.replace(o, out=f"{o.out}-{'streamed' if stream else 'in-memory'}")
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="build_site"):
        build.build(o)
    assert ("streamed a window of frames at a time" in caplog.text) == stream
    return files_of(Path(o.out))


def same(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    assert sorted(a) == sorted(b)
    assert [k for k in a if a[k] != b[k]] == []
    assert len([k for k in a if k.startswith("data/")]) > 100  # many chunks, values and series files


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(str(v) for v in c.values()))
@pytest.mark.parametrize("order", ["in-order", "reversed", "shuffled"])
def test_streamed_parquet_is_the_in_memory_site(tmp_path: Path, small: None, monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture, case: dict, order: str) -> None:
    rows(order).to_parquet(tmp_path / "rows.parquet", row_group_size=5000)
    o = Options(parquet=str(tmp_path / "rows.parquet"), metrics=["a", "b"], interval="1h",
                out=str(tmp_path / "site"), **case)
    same(built(o, False, monkeypatch, caplog), built(o, True, monkeypatch, caplog))


@pytest.mark.parametrize("case", CASES[:4], ids=lambda c: "-".join(str(v) for v in c.values()))
def test_streamed_csv_is_the_in_memory_site(tmp_path: Path, small: None, monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture, case: dict) -> None:
    rows("shuffled").to_csv(tmp_path / "rows.csv", index=False)
    o = Options(csv=str(tmp_path / "rows.csv"), metrics=["a", "b"], interval="1h", out=str(tmp_path / "site"), **case)
    same(built(o, False, monkeypatch, caplog), built(o, True, monkeypatch, caplog))


@pytest.mark.parametrize("case", [CASES[0], CASES[1], CASES[3]], ids=lambda c: "-".join(str(v) for v in c.values()))
def test_streamed_postgresql_is_the_in_memory_site(tmp_path: Path, small: None, postgres_url: str,
                                                   monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
                                                   case: dict) -> None:
    engine = sa.create_engine(postgres_url)
    rows("shuffled").to_sql("streamed_rows", engine, if_exists="replace", index=False)
    engine.dispose()
    o = Options(db=postgres_url, table="streamed_rows", metrics=["a", "b"], interval="1h", out=str(tmp_path / "site"),
                **case)
    same(built(o, False, monkeypatch, caplog), built(o, True, monkeypatch, caplog))
    assert "rows read by time range" not in caplog.text  # no index on the time column


FROM_TO = {"agg": "max", "from_": "2020-09-20", "to": "2020-12-20T12:00"}
RANGED = [(CASES[0], "in-order", True), (CASES[0], "reversed", True), (CASES[0], "shuffled", True),
          (CASES[0], "in-order", False), (CASES[1], "in-order", True), (CASES[5], "reversed", True),
          (FROM_TO, "in-order", True), (FROM_TO, "shuffled", True)]  # (case, rows' order, an index on time)


@pytest.mark.parametrize(("case", "order", "index"), RANGED,
                         ids=lambda v: "-".join(str(x) for x in v.values()) if isinstance(v, dict) else str(v))
def test_a_postgresql_table_of_few_rows_a_cell_read_here_is_the_in_memory_site(
        tmp_path: Path, small: None, postgres_url: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, case: dict, order: str, index: bool) -> None:
    """A table of few rows a cell: its rows come here (ranged.py), by time range where an index on the time
    column finds them and its pages lie in time order (or the reverse), else in one scan, partitioned here;
    either way the site its GROUP BY makes."""
    engine = sa.create_engine(postgres_url)
    rows(order).to_sql("ranged_rows", engine, if_exists="replace", index=False)
    with engine.begin() as conn:
        if index:
            conn.execute(sa.text("CREATE INDEX ON ranged_rows (unixtime)"))
        conn.execute(sa.text("ANALYZE ranged_rows"))
    engine.dispose()
    monkeypatch.setattr(ranged, "RANGE_ROWS", 3000)  # many ranges, each ending inside a window…
    monkeypatch.setattr(transfer, "BATCH_BYTES", 20_000)  # …and coming in several batches
    o = Options(db=postgres_url, table="ranged_rows", metrics=["a", "b"], interval="1h", out=str(tmp_path / "site"),
                **case)
    in_memory = built(o, False, monkeypatch, caplog)
    assert "its GROUP BY" in caplog.text
    same(in_memory, built(o, True, monkeypatch, caplog))
    by_range = index and order != "shuffled"
    assert ("rows read by time range" in caplog.text) == by_range
    assert ("rows read whole and partitioned by time here" in caplog.text) != by_range


@pytest.mark.parametrize("kind", ["csv", "sqlite"])
def test_a_grid_that_outgrows_memory_is_read_again_streamed(tmp_path: Path, small: None, kind: str,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    """A CSV or SQLite source's size is not known before it is read: a grid that outgrows the memory
    available is not refused but read again a window at a time, into the same site."""
    data = rows("shuffled")
    if kind == "csv":
        data.to_csv(tmp_path / "rows.csv", index=False)
        where: dict[str, Any] = {"csv": str(tmp_path / "rows.csv")}
    else:
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'rows.db'}")
        data.to_sql("t", engine, index=False)
        engine.dispose()
        where = {"db": f"sqlite:///{tmp_path / 'rows.db'}", "table": "t"}
    o = Options(**where, metrics=["a", "b"], interval="1h", out=str(tmp_path / "site"), agg="median",
                scheme="quantiles")
    in_memory = built(o, False, monkeypatch, caplog)
    monkeypatch.setattr(grid, "available_memory", lambda: 1 << 20)  # a window's grid fits, the whole one not
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="build_site"):
        build.build(dataclasses.replace(o, out=str(tmp_path / "again")))
    assert "the grid outgrew the memory available" in caplog.text
    assert "streamed a window of frames at a time" in caplog.text
    same(in_memory, files_of(tmp_path / "again"))
    with pytest.raises(grid.TooBig, match=r"needs about .* GiB of memory"):  # a one-file page cannot stream
        build.build(dataclasses.replace(o, out=str(tmp_path / "map.html")))


def test_a_map_of_a_site_of_many_streams_into_the_same_files(tmp_path: Path, small: None,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """A large map of a config site streams as a build of its own does, its data written as they are made."""
    rows("shuffled").to_parquet(tmp_path / "rows.parquet", row_group_size=5000)
    (tmp_path / "site.toml").write_text('title = "Many"\nout = "out"\n\n[[map]]\nname = "hourly"\n'
                                        'parquet = "rows.parquet"\nmetrics = ["a", "b"]\ninterval = "1h"\n'
                                        'agg = "median"\nscheme = "quantiles"\n')
    files = []
    for stream in (False, True):
        monkeypatch.setattr(windowed, "STREAM_CELLS", 0 if stream else 1 << 62)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="build_site"):
            multisite.build_site(config.load(str(tmp_path / "site.toml")), clean=True)
        assert ("streamed a window of frames at a time" in caplog.text) == stream
        files.append({k: v for k, v in files_of(tmp_path / "out" / "hourly").items() if not k.endswith("still.png")})
    same(*files)


@pytest.mark.parametrize("where", ["aggregate", "encode"])
def test_an_interrupted_streamed_build_leaves_the_old_site_and_no_temporary_files(
        tmp_path: Path, small: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        where: str) -> None:
    rows("shuffled").to_parquet(tmp_path / "rows.parquet", row_group_size=5000)
    o = Options(parquet=str(tmp_path / "rows.parquet"), metrics=["a", "b"], interval="1h", out=str(tmp_path / "old"))
    old = built(o, False, monkeypatch, caplog)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(windowed, "STREAM_CELLS", 0)
    calls = []
    real = spill.Spill.put if where == "aggregate" else site.write_blob

    def stop(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 3:  # part-way: windows or chunks already on disk
            assert list(scratch.iterdir())
            raise KeyboardInterrupt
        real(*args)

    monkeypatch.setattr(*((spill.Spill, "put") if where == "aggregate" else (site, "write_blob")), stop)
    with pytest.raises(KeyboardInterrupt):
        build.build(o)
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old", "rows.parquet", "tmp"]  # no .old.new-…
    assert files_of(Path(o.out)) == old


def test_a_streamed_build_stopped_by_sigterm_leaves_the_old_site_and_no_temporary_files(tmp_path: Path) -> None:
    """The command stopped by SIGTERM (a timeout, systemd stopping a timer's service) mid-aggregation, as
    Ctrl-C stops it: one line, exit 130, the old site as it was, the temporary folder gone."""
    rng = np.random.default_rng(5)
    n = 6_000_000
    pd.DataFrame({"country": np.array(CODES)[rng.integers(0, len(CODES), n)],
                  "unixtime": 1_600_000_000 + rng.integers(0, 3600 * 20_000, n),
                  "a": rng.random(n)}).to_parquet(tmp_path / "rows.parquet", row_group_size=1_000_000)
    args = ["--parquet", str(tmp_path / "rows.parquet"), "--interval", "1h", "--out", str(tmp_path / "site"), "-q",
            "--preview-frame", "none"]
    code = ("import sys; from generator import windowed, cli; windowed.STREAM_CELLS = 0; "
            f"sys.argv = {['build-site', *args]!r}; cli.run()")
    first = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = files_of(tmp_path / "site")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "TMPDIR": str(scratch)},
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(scratch.glob("build-site-*/rows/*")):  # the rows being partitioned
        assert proc.poll() is None and time.monotonic() < deadline, "the build ended before it could be stopped"
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["build-site: interrupted; the previous output, if any, is unchanged"]
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.parquet", "site", "tmp"]
    assert files_of(tmp_path / "site") == before
