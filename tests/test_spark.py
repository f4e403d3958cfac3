"""Spark SQL, the engine most warehouses run, through `--db hive://…` (a real Spark Thrift server, see
conftest.py): the site built from a table aggregated in Spark's GROUP BY is byte for byte the site the
same rows give as a Parquet file aggregated in this process."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from helpers import files_of

from generator import build

T0 = 1_700_000_000 // 86400 * 86400
COUNTRIES = ["FRA", "DEU", "BRA", "AUS", "NOR", "RUS", "USA", "CHN", "IND", "ZAF"]


def rows() -> pd.DataFrame:
    """Five days of ten countries every 15 minutes, France's rows 7 s late (one bucket all the same), an
    integer and a float metric, NULLs, and a gap: no row at all for an hour on the second day."""
    rng = np.random.default_rng(20)
    out = pd.DataFrame([(c, T0 + 900 * k + (7 if c == "FRA" else 0)) for c in COUNTRIES for k in range(4 * 24 * 5)],
                       columns=["country", "unixtime"])
    out["cases"] = rng.integers(0, 1000, len(out))
    out["growth"] = rng.normal(0, 5, len(out)).round(3)
    out.loc[rng.random(len(out)) < 0.05, "growth"] = None
    gap = (out.unixtime >= T0 + 86400 + 3 * 3600) & (out.unixtime < T0 + 86400 + 4 * 3600)
    return out[~gap].reset_index(drop=True)


@pytest.fixture(scope="module")
def table(spark_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The rows as a Parquet file, and as a Spark table over that file."""
    path = tmp_path_factory.mktemp("spark") / "rows.parquet"
    rows().to_parquet(path, index=False)
    engine = sa.create_engine(spark_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE events USING parquet OPTIONS (path '{path}')")
    engine.dispose()
    return spark_url, path


@pytest.mark.parametrize("interval,agg", [("1h", "mean"), (None, "sum"), ("1d", "sum")],
                         ids=["1h mean", "auto", "1d sum"])
def test_spark_builds_the_parquet_site(table: tuple[str, Path], tmp_path: Path, interval: str | None, agg: str) -> None:
    url, parquet = table
    spark = build.build(build.Options(db=url, table="events", interval=interval, agg=agg, out=str(tmp_path / "s")))
    local = build.build(build.Options(parquet=str(parquet), interval=interval, agg=agg, out=str(tmp_path / "p")))
    assert spark.frames == {"1h": 120, None: 480, "1d": 5}[interval]  # auto: the data's own 15 minutes
    got, want = files_of(spark.out), files_of(local.out)
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []
