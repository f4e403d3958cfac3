"""The same table gives the same grid on every engine: SQLite, CSV and Parquet in process (Arrow batches
into the dense grid), PostgreSQL, MariaDB, DuckDB and ClickHouse (chdb) in their own GROUP BY; and
--interval auto finds the data's own step on each."""
from __future__ import annotations

import datetime
import itertools
import sqlite3
import tempfile
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import aggregate, source, transfer

ENGINES = ["sqlite", "csv", "parquet", "postgres", "mariadb", "duckdb", "chdb"]
_names = itertools.count()


@pytest.fixture(scope="module")
def load(postgres_url: str, mariadb_url: str, chdb_url: str) -> Callable[[pd.DataFrame, Path, str], source.Source]:
    """`load(rows, folder, engine)`: the rows as a source of that engine (a table of a fresh name)."""
    servers = {"postgres": postgres_url, "mariadb": mariadb_url, "chdb": chdb_url}

    def make(rows: pd.DataFrame, folder: Path, engine: str) -> source.Source:
        kw = {"region": "country", "time": "t", "metrics": [c for c in rows.columns if c not in ("country", "t")]}
        name = f"events{next(_names)}"
        if engine in ("csv", "parquet"):
            path = folder / f"{name}.{engine}"
            rows.to_csv(path, index=False) if engine == "csv" else rows.to_parquet(path)
            return source.from_file(str(path), engine, **kw)
        if engine == "sqlite":
            with sqlite3.connect(folder / f"{name}.db") as conn:
                rows.to_sql(name, conn, index=False)
            url = f"sqlite:///{folder / name}.db"
        else:
            url = servers.get(engine) or f"duckdb:///{folder / name}.duckdb"
            db = sa.create_engine(url)
            dtype = {"country": sa.String(8)} if engine == "mariadb" else None  # MySQL cannot index TEXT
            rows.to_sql(name, db, index=False, dtype=dtype)
            db.dispose()
        return source.from_database(url, table=name, query=None, **kw)

    return make


def reference(events: pd.DataFrame, step: int, agg: str) -> pd.DataFrame:
    start = events.t.min() // step * step
    ref = events.assign(b=(events.t - start) // step).groupby(["b", "country"]).m
    expected = (ref.sum(min_count=1) if agg == "sum" else ref.agg(agg)).unstack()
    return expected.reindex(index=range((events.t.max() - start) // step + 1), columns=sorted(events.country.unique()))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "DE"]), st.integers(1_700_000_000, 1_700_200_000),
                          st.one_of(st.none(), st.floats(-1e3, 1e3, allow_nan=False).map(lambda x: round(x, 3)))),
                min_size=1, max_size=80),
       st.sampled_from(["sum", "mean", "min", "max", "count", "median"]), st.sampled_from([600, 3600, 86400]))
def test_every_engine_gives_the_same_grid(load: Callable, rows: list, agg: str, step: int) -> None:
    events = pd.DataFrame(rows, columns=["country", "t", "m"]).astype({"m": float})
    expected = reference(events, step, agg)
    folder = Path(tempfile.mkdtemp())
    for engine in ENGINES:
        got = aggregate.aggregate(load(events, folder, engine), step, agg)
        assert got.regions == sorted(events.country.unique()), engine
        start = got.start * 86400 if got.unit == "day" else got.start  # whole days: local days since 1970
        assert (start, got.frames) == (events.t.min() // step * step, len(expected)), engine
        np.testing.assert_allclose(got.values["m"], expected.to_numpy(dtype=float), rtol=1e-6, atol=1e-6,
                                   equal_nan=True, err_msg=f"{engine} {agg}")


def test_each_engine_finds_the_data_s_own_step(load: Callable, tmp_path: Path) -> None:
    # The seed's shape: a row per region per hour, each region at its own minute, more regions than the
    # detection looks at (MariaDB 10.11 once answered one row per region here: a step of a day).
    hours = np.arange(300) * 3600
    hourly = pd.DataFrame([(c, 1_700_000_000 // 3600 * 3600 + h + 60 * k, 1.0)
                           for k, c in enumerate(["FRA", "DEU", "ITA", "ESP", "NOR"]) for h in hours],
                          columns=["country", "t", "m"])
    daily = hourly.assign(t=1_700_006_400 // 86400 * 86400 + (hourly.t - hourly.t.min()) // 3600 * 86400)
    for engine in ENGINES:
        for rows, step in ((hourly, (3600, "s")), (daily, (1, "day"))):
            got = aggregate.aggregate(load(rows, tmp_path, engine), None, "sum")
            assert (got.step, got.unit, got.frames) == (*step, 300), engine
            np.testing.assert_array_equal(got.values["m"], 1.0, err_msg=engine)


def zoned_reference(events: pd.DataFrame, tz: str, interval: str, agg: str) -> tuple[int, pd.DataFrame]:
    """Each row's local date by zoneinfo, one row at a time, bucketed by hand: the first bucket's start
    (days, or months since 1970-01) and the grid of `agg` per bucket × region."""
    zone = zoneinfo.ZoneInfo(tz)
    dates = [datetime.datetime.fromtimestamp(int(t), zone).date() for t in events.t]
    epoch = datetime.date(1970, 1, 1)
    if interval == "1mo":
        keys = [(d.year - 1970) * 12 + d.month - 1 for d in dates]
    elif interval == "1d":
        keys = [(d - epoch).days for d in dates]
    else:  # weeks from Monday, or from Sunday
        sunday = interval.endswith("-sun")
        keys = [(d - datetime.timedelta(days=(d.weekday() + sunday) % 7) - epoch).days for d in dates]
    size = 7 if interval in ("7d", "1w-sun") else 1
    ref = events.assign(k=keys).groupby(["k", "country"]).m
    grid = (ref.sum() if agg == "sum" else ref.agg(agg)).unstack()
    first = min(keys)
    return first, grid.reindex(index=range(first, max(keys) + 1, size), columns=sorted(events.country.unique()))


def test_days_weeks_and_months_start_at_local_midnight_across_daylight_saving(load: Callable, tmp_path: Path) -> None:
    # Issue 20.1: hourly rows from 2024-03-29 00:00 UTC, five days, counted per day in Paris: 31 March
    # has 23 local hours, and after the change days still start at local midnight.
    t0 = 1_711_670_400
    hourly = pd.DataFrame({"country": "FRA", "t": t0 + np.arange(5 * 24) * 3600, "m": 1.0})
    # Both changes of both zones: rows every 30 minutes at :17 and :47, around the spring and autumn
    # changes of 2024 (Europe: 31 March, 27 October; New York: 10 March, 3 November).
    spring = np.arange(1_709_251_200, 1_712_620_800, 1800) + 17 * 60  # 2024-03-01 … 04-09
    autumn = np.arange(1_729_382_400, 1_731_196_800, 1800) + 17 * 60  # 2024-10-20 … 11-10
    t = np.concatenate([spring, autumn])
    both = pd.DataFrame({"country": np.where(np.arange(len(t)) % 3, "FRA", "USA"), "t": t,
                         "m": (np.arange(len(t)) % 7).astype(float)})
    for engine in ENGINES:
        got = aggregate.aggregate(load(hourly, tmp_path, engine), aggregate.parse_interval("1d"), "count",
                                  tz="Europe/Paris")
        assert got.values["m"][:, 0].tolist() == [23, 24, 23, 24, 24, 2], engine
        src = load(both, tmp_path, engine)
        # Lord Howe Island moves its clock by 30 minutes (+10:30 to +11:00, on 7 April 2024 back)
        for tz in ("Europe/Paris", "America/New_York", "Australia/Lord_Howe"):
            for interval in ("1d", "7d", "1w-sun", "1mo") if tz != "Australia/Lord_Howe" else ("1d",):
                for agg in ("count", "sum", "mean", *(("median",) if interval == "1d" else ())):
                    got = aggregate.aggregate(src, aggregate.parse_interval(interval), agg, tz=tz)
                    start, expected = zoned_reference(both, tz, interval, agg)
                    where = f"{engine} {tz} {interval} {agg}"
                    assert (got.start, got.frames) == (start, len(expected)), where
                    np.testing.assert_allclose(got.values["m"], expected.to_numpy(dtype=float), rtol=1e-6,
                                               equal_nan=True, err_msg=where)


def test_from_and_to_keep_the_buckets_holding_them_in_every_engine(load: Callable, tmp_path: Path) -> None:
    # Issue 20.13: the seed's window (an interval, a start and an end) without a hand-written WHERE.
    t0 = 1_711_670_400  # 2024-03-29 00:00 UTC: hourly rows to 2024-04-03 00:00 UTC, in Paris
    hourly = pd.DataFrame({"country": "FRA", "t": t0 + np.arange(5 * 24 + 1) * 3600, "m": 1.0})
    cases = [  # interval, --from, --to, first bucket's start, counts (NaN: a frame without rows)
        ("1d", "2024-03-27", "2024-03-31T12:00", 19809, [np.nan, np.nan, 23, 24, 23]),  # whole days, ends empty
        ("1d", "2024-04-01T23:59:59+02:00", None, 19814, [24, 24, 3]),  # an offset of its own
        ("1mo", "2024-04", None, 651, [51]),
        ("1d", "2024-03-27", None, 19809, [np.nan, np.nan, 23, 24, 23, 24, 24, 3]),  # one end: the data's other
        ("1d", None, "2024-04-05", 19811, [23, 24, 23, 24, 24, 3, np.nan, np.nan]),
        ("1mo", "2024-02-10", None, 649, [np.nan, 70, 51]),
        ("6h", "2024-03-30T07:00", "2024-03-30T13:00", 1_711_774_800, [6, 6]),  # local 06:00 to 18:00
    ]
    for engine in ENGINES:
        src = load(hourly, tmp_path, engine)
        for interval, since, until, start, counts in cases:
            got = aggregate.aggregate(src, aggregate.parse_interval(interval), "count", "Europe/Paris", since, until)
            where = f"{engine} {interval} {since} {until}"
            assert (got.start, got.frames) == (start, len(counts)), where
            np.testing.assert_array_equal(got.values["m"][:, 0], counts, err_msg=where)
            assert got.rows == np.nansum(counts), where  # rows outside were never aggregated


@pytest.mark.parametrize("region_type", ["TEXT", "INTEGER"])
def test_postgresql_rows_come_over_adbc_as_its_driver_reads_them(postgres_url: str, region_type: str) -> None:
    """A GROUP BY's rows as Arrow batches (ADBC's binary COPY): the same buckets, regions, values (numeric
    averages, real sums, NULL) and row counts as psycopg's tuples, to the float32 the grid holds."""
    table = f"adbc{next(_names)}"
    rng = np.random.default_rng(3)
    n = 5_000
    names = ["Côte d’Ivoire", "Lao PDR", "Korea, Rep.", "x'y"] if region_type == "TEXT" else [7, 12, 1001, 5]
    at = rng.integers(0, 4, n)
    rows = pd.DataFrame({"region": [names[i] for i in at], "t": rng.integers(0, 40, n), "x": rng.integers(-9, 99, n),
                         "y": np.where((rng.random(n) < 0.2) | (at == 3), np.nan, rng.random(n))})  # one: NULL only
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {table} (region {region_type}, t BIGINT, x INTEGER, y REAL)"))
        conn.execute(sa.text(f"INSERT INTO {table} VALUES (:region, :t, :x, :y)"),
                     [{**r, "y": None if np.isnan(r["y"]) else r["y"]} for r in rows.to_dict("records")])
    src = sa.table(table, sa.column("region"), sa.column("t"), sa.column("x"), sa.column("y"))
    bucket = sa.cast((src.c.t - src.c.t % 7) / 7, sa.BigInteger)  # as pushdown.py writes it
    stmt = (sa.select(bucket.label("bucket"), src.c.region, sa.func.avg(src.c.x), sa.func.sum(src.c.y),
                      sa.func.min(src.c.y), sa.func.count()).where(src.c.t >= 3).group_by(bucket, src.c.region))
    column_of = {r: i for i, r in enumerate(sorted(set(names)))}
    with engine.connect() as conn:
        assert transfer._arrow(conn, stmt) is not None  # the path taken, not a fallback
        parts = list(transfer.parts(conn, stmt, column_of))
        driver = [transfer._of_tuples(p, column_of) for p in transfer._tuples(conn, stmt)]

    def table_of(ps: list[transfer.Part]) -> np.ndarray:
        whole = np.column_stack([np.concatenate([getattr(p, k) for p in ps]) for k in ("buckets", "columns", "rows")]
                                + [np.concatenate([p.cells for p in ps])])
        return whole[np.lexsort((whole[:, 1], whole[:, 0]))]

    ours, theirs = table_of(parts), table_of(driver)
    assert ours.shape == theirs.shape == (6 * 4, 6) and np.isnan(ours).any()
    # A REAL comes exact over ADBC, as its shortest decimal over psycopg: the same float32, which the grid holds.
    np.testing.assert_array_equal(ours.astype(np.float32), theirs.astype(np.float32))  # NaN where NULL in both
