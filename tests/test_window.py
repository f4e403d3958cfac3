"""Issue 20: --from and --to from the command, a config file and Python; Parquet's row groups outside
them are not read; day frames across a daylight-saving change titled at local midnight in Chromium."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from playwright.sync_api import Page
from test_cartography import make, meta_of
from test_cli import run
from test_page import open_site

import build_site
from generator import scan

T0 = 1_711_670_400  # 2024-03-29 00:00 UTC


def hourly(days: int = 5) -> pd.DataFrame:
    return pd.DataFrame({"country": "FRA", "t": T0 + np.arange(days * 24) * 3600, "m": 1.0})


def test_parquet_row_groups_outside_the_window_are_not_read(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pandas(hourly(10), preserve_index=False), path, row_group_size=24)  # a day each
    _, batches = scan.parquet(path)
    window = scan.Bounds(T0 + 3 * 86400, T0 + 5 * 86400, "seconds")
    read = pa.Table.from_batches([b for r in batches(["country", "t"], None, window) for b in r])
    assert read.num_rows == 48  # two days' groups of ten
    assert pa.Table.from_batches([b for r in batches(["country", "t"], None) for b in r]).num_rows == 240


def test_from_and_to_on_the_command_line_in_a_config_and_in_python(tmp_path: Path) -> None:
    hourly().to_csv(tmp_path / "rows.csv", index=False)
    out = tmp_path / "site"
    proc = run("--csv", str(tmp_path / "rows.csv"), "--time", "t", "--interval", "1d", "--agg", "count",
               "--tz", "Europe/Paris", "--from", "2024-03-30", "--to", "2024-04-01T08:00", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert (report["frames"], report["from"], report["to"], report["rows"]) == (3, "2024-03-30", "2024-04-01", 71)
    assert "71 rows into 3 frames" in proc.stderr

    # `from` a TOML date, `to` a string
    (tmp_path / "site.toml").write_text('[[map]]\nname = "days"\ncsv = "rows.csv"\ntime = "t"\ninterval = "1d"\n'
                                        'tz = "Europe/Paris"\nfrom = 2024-03-30\nto = "2024-04-01T08:00"\n')
    proc = run("--config", str(tmp_path / "site.toml"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "site" / "days" / "report.json").read_text())["frames"] == 3

    m = build_site.choropleth(hourly(), time="t", interval="1d", agg="count", tz="Europe/Paris",
                              from_="2024-03-30", to="2024-04-01T08:00")
    assert (m.report["frames"], m.report["from"], m.report["rows"]) == (3, "2024-03-30", 71)


def test_day_frames_are_titled_at_local_midnight_across_the_change(tmp_path: Path, page: Page) -> None:
    rows = hourly().rename(columns={"t": "unixtime"})
    site = make(tmp_path, rows, interval="1d", tz="Europe/Paris", time_format="%a %Y-%m-%d %H:%M %Z")
    assert meta_of(site)["frames"] == 6
    open_site(page, (site / "index.html").as_uri())
    titles = [page.evaluate("i => choropleth.title(i)", i) for i in range(6)]
    assert titles == [f"Animated map — {d}" for d in (
        "Fri 2024-03-29 00:00 GMT+1", "Sat 2024-03-30 00:00 GMT+1", "Sun 2024-03-31 00:00 GMT+1",
        "Mon 2024-04-01 00:00 GMT+2", "Tue 2024-04-02 00:00 GMT+2", "Wed 2024-04-03 00:00 GMT+2")]
    (tmp_path / "w").mkdir()
    site = make(tmp_path / "w", rows, interval="7d", tz="America/New_York", time_format="%a %Y-%m-%d")
    open_site(page, (site / "index.html").as_uri())
    assert page.evaluate("choropleth.title(0)") == "Animated map — Mon 2024-03-25"  # weeks start on Monday
