"""The command line: a full build from each kind of source; bad input gives one clear line and exit ≠ 0."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import assert_one_line_error, run

from generator import demo


def test_demo_build_prints_where_the_site_is(tmp_path: Path) -> None:
    proc = run("--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    index = tmp_path / "site" / "index.html"
    assert proc.stdout.strip() == f"Demo site: {index.resolve()}"
    assert str(demo.demo_path()) in proc.stderr
    meta_text = index.read_text().split('type="application/json">')[1].split("</script>")[0]
    meta = json.loads(meta_text)
    assert meta["frames"] == demo.DEMO_DAYS * 24 and len(meta["metrics"]) == 5


def test_csv_source_with_options(tmp_path: Path) -> None:
    rows = pd.DataFrame({"iso": ["FR", "NO", "BR", "FR"], "t": [0, 86400, 86400 * 2, 86400 * 9],
                         "cases": [1.0, 2.0, 3.0, 4.0], "label": ["a", "b", "c", "d"]})
    rows.to_csv(tmp_path / "rows.csv", index=False)
    out = tmp_path / "out"
    proc = run("--csv", str(tmp_path / "rows.csv"), "--region", "iso", "--time", "t", "--interval", "1d",
               "--agg", "mean", "--classes", "3", "--cmap", "viridis", "--title", "Cases", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((out / "index.html").read_text().split('type="application/json">')[1].split("</script>")[0])
    assert meta["frames"] == 10 and meta["timeFormat"] == "%Y-%m-%d" and meta["title"] == "Cases"
    assert [m["name"] for m in meta["metrics"]] == ["cases"]
    assert "3 of 3 data codes (iso2) matched" in proc.stderr


@pytest.mark.parametrize("args,words", [
    (["--db", "not a url", "--table", "events"], ["--db", "not a database URL"]),
    (["--db", "sqlite:////nonexistent/x.db", "--table", "events"], ["no SQLite file"]),
    (["--db", "postgresql+psycopg://nobody@127.0.0.1:1/x", "--table", "t"], ["--db", "check the URL"]),
    (["--metric", "nope"], ["no column 'nope'"]),
    (["--region", "nation"], ["no column 'nation'", "--region"]),
    (["--interval", "soon"], ["--interval"]),
    (["--cmap", "rainbowish"], ["--cmap"]),
    (["--agg", "avg"], ["--agg"]),
])
def test_bad_input_one_line(tmp_path: Path, args: list[str], words: list[str]) -> None:
    assert_one_line_error(run(*args, "--out", str(tmp_path / "site")), *words)


def test_unreadable_shapes_and_existing_site_kept(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run("--out", str(out)).returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "broken.shp"
    bad.write_bytes(b"\x00" * 100)
    assert_one_line_error(run("--shapes", str(bad), "--out", str(out)), "--shapes", "cannot be read")
    assert_one_line_error(run("--shapes", str(tmp_path / "none.shp"), "--out", str(out)), "no such file")
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left behind


def test_output_that_is_a_file_or_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert_one_line_error(run("--out", str(tmp_path / "file")), "is a file")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.tex").write_text("precious")
    assert_one_line_error(run("--out", str(tmp_path / "docs")), "did not build")
    assert (tmp_path / "docs" / "thesis.tex").read_text() == "precious"


def test_killed_build_leaves_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run("--out", str(out)).returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for delay in (0.5, 2.0, 3.5):  # killed at different stages of the build
        proc = subprocess.Popen([sys.executable, "-m", "generator", "--out", str(out), "--interval", "15min"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.kill()
        proc.wait()
        after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        if after != before:  # the new site may have been swapped in whole, never half
            page = (out / "index.html").read_text()
            meta = json.loads(page.split('type="application/json">')[1].split("</script>")[0])
            assert meta["frames"] == demo.DEMO_DAYS * 96
            assert all((out / "data" / meta["build"] / str(m) / f"{c}.js").exists()
                       for m in range(5) for c in range(meta["metrics"][m]["chunks"]))
            before = after


def test_every_option_is_documented_in_the_readme() -> None:
    from generator import cli

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for parser in (cli.build_parser(), cli.record_parser()):
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert f"`{flag}" in readme or f"{flag} " in readme, f"{flag} is not in the README"
