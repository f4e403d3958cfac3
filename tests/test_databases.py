"""The same table gives the same grid on every engine: SQLite, CSV and Parquet in process (Arrow batches
into the dense grid), PostgreSQL, MariaDB, DuckDB and ClickHouse (chdb) in their own GROUP BY; and
--interval auto finds the data's own step on each."""
from __future__ import annotations

import itertools
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import aggregate, source

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
        assert (got.start, got.frames) == (events.t.min() // step * step, len(expected)), engine
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
        for rows, step in ((hourly, 3600), (daily, 86400)):
            got = aggregate.aggregate(load(rows, tmp_path, engine), None, "sum")
            assert (got.step, got.unit, got.frames) == (step, "s", 300), engine
            np.testing.assert_array_equal(got.values["m"], 1.0, err_msg=engine)
