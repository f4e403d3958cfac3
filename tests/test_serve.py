"""`build-site serve --config`: a bad save is reported and the last good site stays served; the next good
save, by an editor that writes a new file and renames it over the old one, rebuilds."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pandas as pd

CONFIG = """title = "Intranet maps"
out = "out"

[[map]]
name = "cases"
title = "Cases"
csv = "cases.csv"
region = "iso"
time = "day"
interval = "1d"
"""


def save_by_rename(path: Path, text: str) -> None:
    """As vim, gedit and many IDEs save: a new file renamed over the old one (a new inode)."""
    tmp = path.with_name(path.name + ".tmp~")
    tmp.write_text(text)
    os.replace(tmp, path)


def wait_for(what: str, done: Callable[[], bool], seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while not done():
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def test_a_bad_save_is_reported_and_the_last_good_site_stays_served(tmp_path: Path) -> None:
    pd.DataFrame({"iso": ["FR", "NO", "BR"], "day": ["2024-01-01", "2024-01-02", "2024-01-03"],
                  "cases": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "cases.csv", index=False)
    config = tmp_path / "site.toml"
    config.write_text(CONFIG)
    err = tmp_path / "stderr.txt"
    with err.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--config", str(config), "--port", "0"],
                                stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split(" at ")[1].split(" ")[0]

        def index() -> str:
            with urllib.request.urlopen(url + "index.html") as r:
                return r.read().decode()

        assert "Intranet maps" in index()
        save_by_rename(config, CONFIG.replace('title = "Intranet maps"', 'title = "Renamed maps'))  # no closing quote
        wait_for("the error to be reported", lambda: "build-site: error:" in err.read_text())
        errors = [line for line in err.read_text().splitlines() if line.startswith("build-site: error:")]
        assert len(errors) == 1 and errors[0].startswith(f"build-site: error: {config}: not valid TOML"), errors
        assert "the last good site is still served" in err.read_text()
        assert proc.poll() is None and "Intranet maps" in index()

        save_by_rename(config, CONFIG.replace('title = "Intranet maps"', 'title = "Renamed maps"'))
        wait_for("the rebuild", lambda: "Renamed maps" in index())
        assert proc.poll() is None and "Traceback" not in err.read_text()

        # An input file changed: the map that reads it is built again (its inputs' hash changed).
        built = err.read_text().count("map cases: building")
        (tmp_path / "cases.csv").write_text("iso,day,cases\nFR,2024-01-01,5\n")
        wait_for("the map to be rebuilt", lambda: err.read_text().count("map cases: building") > built)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
