"""The command and the Python API each in their own words: the command's flags and its -q/-v/--version,
Python's parameters and its silence (logging) unless asked."""
from __future__ import annotations

import logging
import re
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
    assert steps == ["source", "aggregate", "regions", "geometry", "classify+encode", "preview", "site"]
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


def python_error(**kwargs: object) -> str:
    with pytest.raises(build_site.UserError) as caught:
        build_site.choropleth(ROWS, **{**OPTIONS, **kwargs})
    return str(caught.value)


def command_error(*args: str) -> str:
    proc = run(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("build-site: error: ")]
    assert len(lines) == 1, proc.stderr
    return lines[0].removeprefix("build-site: error: ")


def test_each_face_names_options_in_its_own_words(tmp_path: Path) -> None:
    assert python_error(fill="x") == "fill='x' is unknown; choose one of none, forward"
    assert command_error("--fill", "x") == "--fill 'x' is unknown; choose one of none, forward"
    assert python_error(values="all") == "values='all' is unknown; choose one of shown, exact, none"
    assert python_error(classes=300) == "classes=300 is out of range; use 1 to 254"
    assert command_error("--classes", "300") == "--classes 300 is out of range; use 1 to 254"
    assert python_error(scheme="user_defined") == ("scheme='user_defined' needs breaks=, e.g. "
                                                   "breaks=[10, 100, 1000]")
    assert command_error("--scheme", "user_defined") == ("--scheme 'user_defined' needs --breaks, e.g. "
                                                         "--breaks=10,100,1000")
    assert python_error(classes="5") == "classes='5' is not a whole number"
    assert python_error(tz="Mars/Olympus_Mons").startswith("tz='Mars/Olympus_Mons' is not a time zone")


def test_messages_from_deeper_stages_name_the_option_to_fix(tmp_path: Path) -> None:
    ROWS.to_csv(tmp_path / "rows.csv", index=False)
    csv = str(tmp_path / "rows.csv")
    python = python_error(region="nation")
    assert python.endswith("name the right one with region=") and "--" not in python
    command = command_error("--csv", csv, "--region", "nation")  # "rows.csv has no…", not "the data has no…"
    assert command.partition(" has ")[2] == python.replace("region=", "--region").partition(" has ")[2]
    assert python_error(metric="nope").endswith("fix metric=")
    assert command_error("--csv", csv, "--metric", "nope").endswith("fix --metric")
    assert python_error(projection="nowhere:5").startswith("projection='nowhere:5'")
    assert python_error(bbox=[10, 50, 20, 40]).startswith("bbox=[10.0, 50.0, 20.0, 40.0]: give four numbers")
    assert command_error("--bbox", "10,50,20,40").startswith("--bbox=10,50,20,40: give four numbers")


def test_options_are_checked_before_anything_is_read(tmp_path: Path) -> None:
    # The source does not exist: the bad option is told first, as one check of all options comes first.
    assert command_error("--csv", str(tmp_path / "none.csv"), "--agg", "avg") == (
        "--agg 'avg' is unknown; choose one of sum, mean, min, max, count, median")
    assert python_error(metric="cases:agg=avg") == ("metric='cases:agg=avg': agg 'avg' is unknown; choose one of "
                                                    "sum, mean, min, max, count, median")


def test_a_config_file_names_its_keys(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('title = "Maps"\n\n[[map]]\nname = "demo"\nagg = "mean"\nfill = "sometimes"\n')
    assert command_error("--config", str(config)) == (
        f"{config}:6: map 'demo': fill = 'sometimes' is unknown; choose one of none, forward")


def test_the_command_run_in_process_leaves_logging_as_it_was(tmp_path: Path,
                                                              capfd: pytest.CaptureFixture[str]) -> None:
    from generator import cli

    assert cli.main(["--out", str(tmp_path / "site")]) == 0
    assert "aggregate: " in capfd.readouterr().err
    logger = logging.getLogger("build_site")
    assert logger.handlers == [] and logger.propagate and logger.level == logging.NOTSET
    build_site.choropleth(ROWS, **OPTIONS)
    assert capfd.readouterr().err == ""


def on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """The command run with its output on a pseudo-terminal, as a person at one sees it (escapes included)."""
    import os
    import pty
    import subprocess
    import sys

    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "generator", *args], stdin=child, stdout=child, stderr=child,
                            env={**os.environ, "COLUMNS": "100", **env}, close_fds=True)
    os.close(child)
    out = b""
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the command ended and closed its side
            break
        if not data:
            break
        out += data
    os.close(main)
    assert proc.wait(timeout=300) == 0, out.decode(errors="replace")
    return out.decode(errors="replace")


COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;[0-9;]+)m")


def test_a_terminal_shows_progress_in_colour_unless_no_color(tmp_path: Path) -> None:
    ROWS.to_parquet(tmp_path / "rows.parquet")
    args = ["--parquet", str(tmp_path / "rows.parquet"), "--interval", "1h", "--out", str(tmp_path / "site")]
    shown = on_a_terminal(args, {"TERM": "xterm-256color"})
    assert re.search(r"rows read\S*\s.*11/11", shown) and re.search(r"metrics encoded\S*\s.*2/2", shown), shown
    assert COLOUR.search(shown) and "aggregate: 11 rows into 4 frames" in shown
    plain = on_a_terminal(args, {"TERM": "xterm-256color", "NO_COLOR": "1"})
    assert "rows read" in plain and "aggregate: 11 rows into 4 frames" in plain and not COLOUR.search(plain), plain
    proc = run(*args)  # not a terminal: the same steps, no progress display
    assert "aggregate: 11 rows into 4 frames" in proc.stderr and "rows read" not in proc.stderr


def test_verbose_tells_the_options_too(tmp_path: Path) -> None:
    proc = run("-v", "--classes", "7", "--out", str(tmp_path / "site"))
    assert proc.returncode == 0
    assert "options: classes=7, out=" in proc.stderr and "aggregate: " in proc.stderr
    assert "options:" not in run("--classes", "7", "--out", str(tmp_path / "site")).stderr


def test_saving_over_a_foreign_folder_names_the_path_argument(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a site")
    with pytest.raises(build_site.UserError) as caught:
        build_site.choropleth(ROWS, **OPTIONS).save(folder)
    assert str(caught.value) == (f"path={str(folder)!r} is a folder this tool did not build; choose another folder "
                                 "or empty it first")
    assert command_error("--out", str(folder)) == (f"--out {str(folder)!r} is a folder this tool did not build; "
                                                   "choose another folder or empty it first")


def test_python_takes_an_interval_in_seconds_as_a_number() -> None:
    assert build_site.choropleth(ROWS, interval=3600, classes=5).meta["step"] == 3600
    assert python_error(interval=0) == "interval='0' must be a whole number of seconds, at least 1"
