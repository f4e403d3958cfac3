"""Aggregation: known sums and means on a small table, from SQLite, CSV, Parquet, PostgreSQL and DuckDB."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from generator import aggregate, framedata, scan, source
from generator.errors import UserError

# Hourly buckets from 00:00; bucket 2 (02:00-03:00) has no rows at all; B has no row in bucket 1.
T0 = 1_700_000_000 // 3600 * 3600
ROWS = [
    ("A", T0 + 10, 1.0, 10), ("A", T0 + 20, 2.0, 20), ("A", T0 + 3599, 3.0, 30),
    ("B", T0 + 5, 5.0, 1),
    ("A", T0 + 3600, 4.0, 40),
    ("A", T0 + 3 * 3600 + 1, 6.0, 60), ("B", T0 + 3 * 3600 + 2, 7.0, 70), ("B", T0 + 3 * 3600 + 3, 9.0, 90),
]


def table() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["country", "unixtime", "m1", "m2"])


def sqlite_file(tmp_path: Path) -> str:
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as conn:
        table().to_sql("events", conn, index=False)
    return f"sqlite:///{path}"


def check_known(result: aggregate.Aggregated, agg: str) -> None:
    assert result.start == T0 and result.step == 3600 and result.frames == 4
    assert result.regions == ["A", "B"]
    m1 = result.values["m1"]
    expected = {
        "sum": [[6, 5], [4, np.nan], [np.nan, np.nan], [6, 16]],
        "mean": [[2, 5], [4, np.nan], [np.nan, np.nan], [6, 8]],
        "min": [[1, 5], [4, np.nan], [np.nan, np.nan], [6, 7]],
        "max": [[3, 5], [4, np.nan], [np.nan, np.nan], [6, 9]],
        "median": [[2, 5], [4, np.nan], [np.nan, np.nan], [6, 8]],
    }[agg]
    np.testing.assert_allclose(m1, np.array(expected, dtype=float), equal_nan=True)


@pytest.mark.parametrize("agg", ["sum", "mean", "min", "max", "median"])
def test_sqlite_table(tmp_path: Path, agg: str) -> None:
    src = source.from_database(sqlite_file(tmp_path), table="events", query=None, region="country",
                               time="unixtime", metrics=None)
    assert src.metrics == ["m1", "m2"]
    check_known(aggregate.aggregate(src, 3600, agg), agg)


def test_sqlite_query_and_count(tmp_path: Path) -> None:
    src = source.from_database(sqlite_file(tmp_path), table=None, query="SELECT * FROM events WHERE m2 > 0",
                               region="country", time="unixtime", metrics=["m2"])
    result = aggregate.aggregate(src, 3600, "count")
    np.testing.assert_array_equal(result.values["m2"], [[3, 1], [1, np.nan], [np.nan, np.nan], [1, 2]])


@pytest.mark.parametrize("agg", ["sum", "mean", "median"])
def test_csv_and_parquet(tmp_path: Path, agg: str) -> None:
    table().to_csv(tmp_path / "t.csv", index=False)
    table().to_parquet(tmp_path / "t.parquet")
    for kind in ("csv", "parquet"):
        src = source.from_file(str(tmp_path / f"t.{kind}"), kind, region="country", time="unixtime", metrics=None)
        check_known(aggregate.aggregate(src, 3600, agg), agg)


def test_empty_source_is_a_clear_error(tmp_path: Path) -> None:
    url = sqlite_file(tmp_path)
    src = source.from_database(url, table=None, query="SELECT * FROM events WHERE 1 = 0", region="country",
                               time="unixtime", metrics=["m1"])
    with pytest.raises(UserError, match="no rows"):
        aggregate.aggregate(src, 3600, "sum")


@pytest.mark.parametrize("text,interval", [
    ("15min", (900, "s")), ("1h", (3600, "s")), ("1d", (1, "day")), ("2d", (2, "day")), ("90", (90, "s")),
    ("36h", (129600, "s")), ("7d", (7, "day", 4)), ("1w", (7, "day", 4)), ("2 weeks", (14, "day", 4)),
    ("1w-sun", (7, "day", 3)), ("7d-sun", (7, "day", 3)), ("2w-thu", (14, "day", 7)),
    ("1mo", (1, "month")), ("3 months", (3, "month")), ("1q", (3, "month")), ("y", (12, "month")),
    ("5y", (60, "month")), ("2 years", (24, "month")), ("auto", None), (None, None),
])
def test_parse_interval(text: str | None, interval: tuple | None) -> None:
    assert aggregate.parse_interval(text) == (aggregate.Interval(*interval) if interval else None)


@pytest.mark.parametrize("times,kind,interval", [
    ([1952, 1957, 1962, 2007], "year", (60, "month")),  # gapminder: every five years
    ([0, 900, 1800, 7200], "seconds", (900, "s")),  # a gap does not change the step
    ([1_704_067_200, 1_706_745_600, 1_709_251_200], "seconds", (1, "month")),  # 2024-01-01, 02-01, 03-01
    ([1_704_067_200, 1_711_929_600], "seconds", (3, "month")),  # quarters
    ([0, 7, 3600 - 5, 3600 * 2 + 11, 3600 * 3 + 1000], "seconds", (3600, "s")),  # irregular: nice, near the median gap
    ([0, 86400, 2 * 86400, 9 * 86400, 10 * 86400], "seconds", (1, "day")),  # daily with a gap
    ([0, 7 * 86400, 21 * 86400], "seconds", (7, "day", 4)),  # weekly: weeks from Monday
])
def test_detect_interval(times: list[int], kind: str, interval: tuple) -> None:
    assert aggregate.detect_interval([np.array(times)], kind) == aggregate.Interval(*interval)


def test_detect_interval_per_region() -> None:
    # Hourly per region, each region at its own minute: the step is the hour, not the minutes between them.
    hours = np.arange(0, 48) * 3600
    assert aggregate.detect_interval([hours + 60, hours + 1260], "seconds") == aggregate.Interval(3600)
    # Rows at random seconds, about one per hour: the nearest round interval to the median gap.
    rng = np.random.default_rng(0)
    events = np.sort(rng.integers(0, 100 * 3600, 100))
    assert aggregate.detect_interval([events], "seconds") == aggregate.Interval(3600)


def years_table() -> pd.DataFrame:
    return pd.DataFrame([("FRA", 1952, 10.0), ("FRA", 1957, 20.0), ("DEU", 1957, 5.0), ("FRA", 1967, 40.0)],
                        columns=["country", "year", "pop"])


def check_years(result: aggregate.Aggregated) -> None:
    assert (result.unit, result.start, result.step, result.frames) == ("month", (1952 - 1970) * 12, 60, 4)
    np.testing.assert_array_equal(result.values["pop"], [[np.nan, 10], [5, 20], [np.nan, np.nan], [np.nan, 40]])


def test_integer_years_from_a_file_and_a_database(tmp_path: Path) -> None:
    years_table().to_csv(tmp_path / "y.csv", index=False)
    src = source.from_file(str(tmp_path / "y.csv"), "csv", region="country", time="year", metrics=None)
    assert src.time_kind == "year"
    check_years(aggregate.aggregate(src, None, "sum"))
    with sqlite3.connect(tmp_path / "y.db") as conn:
        years_table().to_sql("pop", conn, index=False)
    src = source.from_database(f"sqlite:///{tmp_path / 'y.db'}", table="pop", query=None, region="country",
                               time="year", metrics=None)
    check_years(aggregate.aggregate(src, None, "sum"))
    with pytest.raises(UserError, match="holds years"):
        aggregate.aggregate(src, 86400, "sum")


def months_table() -> pd.DataFrame:
    """Daily rows over three months; February 2024 has 29 days."""
    days = pd.date_range("2024-01-01", "2024-03-31", freq="D")
    return pd.DataFrame({"country": "FRA", "day": days, "n": 1.0})


@pytest.mark.parametrize("agg,expected", [("sum", [31, 29, 31]), ("mean", [1, 1, 1]), ("count", [31, 29, 31]),
                                          ("max", [1, 1, 1])])
def test_calendar_months_from_a_file_and_a_database(tmp_path: Path, agg: str, expected: list) -> None:
    months_table().to_parquet(tmp_path / "m.parquet")
    with sqlite3.connect(tmp_path / "m.db") as conn:
        months_table().assign(day=lambda d: d.day.dt.strftime("%Y-%m-%d")).to_sql("m", conn, index=False)
    for src in (source.from_file(str(tmp_path / "m.parquet"), "parquet", region="country", time="day", metrics=None),
                source.from_database(f"sqlite:///{tmp_path / 'm.db'}", table="m", query=None, region="country",
                                     time="day", metrics=None)):
        got = aggregate.aggregate(src, aggregate.parse_interval("1mo"), agg)
        assert (got.unit, got.start, got.step, got.frames) == ("month", 54 * 12, 1, 3)
        np.testing.assert_array_equal(got.values["n"][:, 0], expected)
        auto = aggregate.aggregate(src, None, agg)  # daily rows: the data's own step is a day
        assert (auto.unit, auto.step, auto.frames) == ("day", 1, 91)


def test_days_start_at_midnight_in_the_time_zone(tmp_path: Path) -> None:
    # 23:30 UTC on Jan 1 is 08:30 on Jan 2 in Tokyo: with tz it belongs to the second (Tokyo) day.
    t0 = 1_704_067_200  # 2024-01-01 00:00 UTC
    rows = pd.DataFrame({"country": "JPN", "unixtime": [t0 + 3600, t0 + 23 * 3600 + 1800], "n": [1.0, 2.0]})
    rows.to_csv(tmp_path / "t.csv", index=False)
    src = source.from_file(str(tmp_path / "t.csv"), "csv", region="country", time="unixtime", metrics=None)
    utc = aggregate.aggregate(src, 86400, "sum")
    assert utc.start == t0 // 86400 and utc.values["n"][:, 0].tolist() == [3.0]
    with sqlite3.connect(tmp_path / "t.db") as conn:
        rows.to_sql("t", conn, index=False)
    db = source.from_database(f"sqlite:///{tmp_path / 't.db'}", table="t", query=None, region="country",
                              time="unixtime", metrics=None)
    for s in (src, db):
        tokyo = aggregate.aggregate(s, 86400, "sum", tz="Asia/Tokyo")
        assert tokyo.start == t0 // 86400 and tokyo.values["n"][:, 0].tolist() == [1.0, 2.0]


def test_fill_forward_carries_the_last_value() -> None:
    v = np.array([[np.nan, 1], [2, np.nan], [np.nan, np.nan], [3, 4]], dtype=np.float32)
    np.testing.assert_array_equal(framedata.fill_forward(v), [[np.nan, 1], [2, 1], [2, 1], [3, 4]])


def test_each_metric_its_own_aggregation(tmp_path: Path) -> None:
    src = source.from_database(sqlite_file(tmp_path), table="events", query=None, region="country",
                               time="unixtime", metrics=None)
    got = aggregate.aggregate(src, 3600, {"m1": "max", "m2": "mean"})
    assert got.values["m1"][0].tolist() == [3, 5] and got.values["m2"][0].tolist() == [20, 1]
    got = aggregate.aggregate(src, 3600, {"m1": "median", "m2": "sum"})
    assert got.values["m1"][3].tolist() == [6, 8] and got.values["m2"][3].tolist() == [60, 160]


def _as_times(kind: str) -> pd.DataFrame:
    events = table()
    stamps = pd.to_datetime(events.unixtime, unit="s")
    if kind == "ms":
        return events.assign(unixtime=events.unixtime * 1000)
    if kind == "naive":
        return events.assign(unixtime=stamps)
    if kind == "aware":  # the same instants, written in another zone
        return events.assign(unixtime=stamps.dt.tz_localize("UTC").dt.tz_convert("Asia/Kolkata"))
    if kind == "iso":
        return events.assign(unixtime=stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["ms", "naive", "aware", "iso"])
def test_time_types_from_files(tmp_path: Path, kind: str) -> None:
    events = _as_times(kind)
    events.to_csv(tmp_path / "t.csv", index=False)
    src = source.from_file(str(tmp_path / "t.csv"), "csv", region="country", time="unixtime", metrics=None)
    check_known(aggregate.aggregate(src, 3600, "sum"), "sum")
    if kind != "iso":
        events.to_parquet(tmp_path / "t.parquet")
        src = source.from_file(str(tmp_path / "t.parquet"), "parquet", region="country", time="unixtime", metrics=None)
        check_known(aggregate.aggregate(src, 3600, "sum"), "sum")


@pytest.mark.parametrize("kind", ["ms", "naive", "aware"])
def test_time_types_in_databases(tmp_path: Path, postgres_url: str, kind: str) -> None:
    events = _as_times(kind)
    urls = [f"sqlite:///{tmp_path / 'e.db'}", postgres_url, f"duckdb:///{tmp_path / 'e.duckdb'}"]
    for url in urls:
        engine = sa.create_engine(url)
        rows = events
        if kind == "aware" and url.startswith("sqlite"):  # SQLite has no zone type: ISO text with its offset
            rows = events.assign(unixtime=events.unixtime.map(lambda t: t.isoformat()))
        rows.to_sql("events", engine, index=False, if_exists="replace")  # TEXT, TIMESTAMP(TZ), BIGINT
        engine.dispose()
        src = source.from_database(url, table="events", query=None, region="country", time="unixtime", metrics=None)
        check_known(aggregate.aggregate(src, 3600, "sum"), "sum")


def test_unusable_time_column_is_a_clear_error(tmp_path: Path) -> None:
    table().assign(unixtime="soon").to_csv(tmp_path / "t.csv", index=False)
    src_args = {"region": "country", "time": "unixtime", "metrics": None}
    with pytest.raises(UserError, match="time column 'unixtime' holds values like 'soon'"):
        aggregate.aggregate(source.from_file(str(tmp_path / "t.csv"), "csv", **src_args), 3600, "sum")


def test_years_and_months_in_postgresql_and_duckdb(tmp_path: Path, postgres_url: str) -> None:
    for url in (postgres_url, f"duckdb:///{tmp_path / 'c.duckdb'}"):
        engine = sa.create_engine(url)
        years_table().to_sql("pop", engine, index=False, if_exists="replace")
        months_table().to_sql("m", engine, index=False, if_exists="replace")  # a TIMESTAMP column
        engine.dispose()
        src = source.from_database(url, table="pop", query=None, region="country", time="year", metrics=None)
        check_years(aggregate.aggregate(src, None, "sum"))
        src = source.from_database(url, table="m", query=None, region="country", time="day", metrics=None)
        got = aggregate.aggregate(src, aggregate.parse_interval("1mo"), "mean")
        assert (got.unit, got.start, got.frames) == ("month", 54 * 12, 3)
        np.testing.assert_array_equal(got.values["n"][:, 0], [1, 1, 1])
        got = aggregate.aggregate(src, aggregate.parse_interval("1mo"), "count")
        np.testing.assert_array_equal(got.values["n"][:, 0], [31, 29, 31])


@pytest.mark.parametrize("order", ["time", "latest first", "shuffled"])
def test_a_large_grid_equals_a_pivot_in_any_row_order(tmp_path: Path, order: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of frames × regions: many tiles of the grid. Rows in time order fill the tiles row by row
    (each row of tiles then transposed where it lies); the latest first take the general path. Each equals
    pandas' pivot (sum, max, median), with cells of two and three rows, empty cells and NULL values."""
    monkeypatch.setattr(scan, "BATCH_ROWS", 4096)  # tiles allocated batch by batch, as in a large file
    rng = np.random.default_rng(7)
    frames, regions = 300, 150
    f, r = np.divmod(np.arange(frames * regions), regions)
    keep = rng.random(len(f)) > 0.05  # empty cells
    f, r = f[keep], r[keep]
    twice, thrice = rng.random(len(f)) < 0.1, rng.random(len(f)) < 0.02
    f, r = np.concatenate([f, f[twice], f[thrice], f[thrice]]), np.concatenate([r, r[twice], r[thrice], r[thrice]])
    rows = pd.DataFrame({"region": [f"R{k:03d}" for k in r], "unixtime": T0 + f * 3600 + rng.integers(0, 3600, len(f)),
                         "m": rng.random(len(f)).astype(np.float32), "n": rng.integers(0, 100, len(f)).astype(float)})
    rows.loc[rng.random(len(rows)) < 0.02, "n"] = np.nan
    rows = (rows.sort_values(["unixtime", "region"], ascending=order == "time") if order != "shuffled" else
            rows.sample(frac=1, random_state=1))
    rows.to_parquet(tmp_path / "t.parquet")
    src = source.from_file(str(tmp_path / "t.parquet"), "parquet", region="region", time="unixtime", metrics=None)
    frame = (rows.unixtime - T0) // 3600
    for aggs in ({"m": "sum", "n": "max"}, {"m": "median", "n": "median"}):
        got = aggregate.aggregate(src, 3600, aggs)
        for metric, how in aggs.items():
            expected = rows.assign(frame=frame).pivot_table(index="frame", columns="region", values=metric,
                                                            aggfunc=how)
            expected = expected.reindex(index=range(frames), columns=got.regions)
            np.testing.assert_allclose(got.values[metric], expected.to_numpy(), rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("agg", ["sum", "mean"])
@pytest.mark.parametrize("second_row", [False, True], ids=["one row per cell", "a cell of two rows"])
def test_a_lone_negative_zero_sums_to_zero(tmp_path: Path, agg: str, second_row: bool) -> None:
    """A sum starts at +0.0, as SQL's does (Spark's SUM(-0.0) is 0.0): the same bits whether the grid stored
    the cell's one row as it is (every cell one row so far) or added it, so every engine builds the same site."""
    rows = [("A", T0, -0.0), ("B", T0, 1.0)] + ([("B", T0 + 1, 2.0)] if second_row else [])
    path = tmp_path / "z.parquet"
    pd.DataFrame(rows, columns=["country", "unixtime", "m"]).to_parquet(path)
    got = aggregate.aggregate(source.from_file(str(path), "parquet", region="country", time="unixtime",
                                               metrics=None), 3600, agg)
    assert not np.signbit(got.values["m"][0, 0])
