"""The command and the Python API each in their own words: the command's flags and its -q/-v/--version,
Python's parameters and its silence (logging) unless asked."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
from test_api import OPTIONS, ROWS
from test_cli import run

import build_site


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"build-site {build_site.__version__}"


def test_quiet_prints_nothing_on_success_and_the_steps_otherwise(tmp_path: Path) -> None:
    proc = run("-q", "--out", str(tmp_path / "quiet"))
    assert proc.returncode == 0 and (tmp_path / "quiet" / "index.html").is_file()
    assert proc.stdout == "" and proc.stderr == ""
    proc = run("--out", str(tmp_path / "site"))
    assert proc.returncode == 0
    steps = [line.split(":")[0] for line in proc.stderr.splitlines() if not line.startswith(" ")]
    assert steps == ["source", "aggregate", "regions", "geometry", "classify+encode", "site"]
    assert "\x1b[" not in proc.stderr  # not a terminal: plain lines, no colour codes


def test_quiet_still_tells_a_warning_and_an_error(tmp_path: Path) -> None:
    proc = run("-q", "--only", "continent=Europe,Atlantis", "--out", str(tmp_path / "site"))
    assert proc.returncode == 0 and proc.stdout == ""
    assert proc.stderr.splitlines() == ["shapes: no shape has continent Atlantis (--only)"]
    proc = run("-q", "--agg", "avg", "--out", str(tmp_path / "site"))
    assert proc.returncode == 2 and proc.stderr.startswith("build-site: error: --agg 'avg'")


def test_python_is_quiet_unless_asked(capfd: pytest.CaptureFixture[str]) -> None:
    build_site.choropleth(ROWS, **OPTIONS)
    assert capfd.readouterr().err == ""
    build_site.choropleth(ROWS, verbose=True, **OPTIONS)
    err = capfd.readouterr().err
    assert "aggregate: 11 rows into 4 frames × 3 regions × 2 metrics" in err
    build_site.choropleth(ROWS, **OPTIONS)  # verbose for that call only
    assert capfd.readouterr().err == ""


def test_python_messages_are_standard_logging(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="build_site"):
        build_site.choropleth(ROWS, **OPTIONS)
    steps = [r.getMessage().split(":")[0] for r in caplog.records if r.name == "build_site"]
    assert steps[:3] == ["aggregate", "regions", "  shapes without data"]
