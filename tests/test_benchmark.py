"""The benchmark script runs end to end on small data and prints every figure it promises."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.video  # its figures include Chromium's draw times and a recording
@pytest.mark.slow
def test_benchmark_smoke_prints_all_figures(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "benchmark.py"), "--smoke", "--work", str(tmp_path)],
                          check=False,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    figures = dict(line.split(": ", 1) for line in proc.stdout.splitlines()
                   if ": " in line and not line.startswith(" "))
    expected = ["build", "first frame drawn after navigation", "median draw per frame near frame 0 (1280x720)",
                "median draw per frame near the last frame", "median draw per frame with 3 regions pinned",
                "matplotlib baseline"]
    for scenario in ("countries (SQLite)", "grid cells (Parquet)"):
        for name in expected:
            key = next((k for k in figures if scenario in k and k.endswith(name)), None)
            assert key, f"missing: {scenario} {name}"
            assert re.search(r"\d", figures[key])
    assert any("video" in k and "frames/s" in v for k, v in figures.items())
    for name in ("time per scrubber move while dragging", "distinct frames drawn per second at the fastest speed",
                 "zoom to one hour of minute frames and draw its ticks"):
        key = next((k for k in figures if k.startswith("timeline") and name in k), None)
        assert key and re.search(r"\d", figures[key]), name
    assert any("FFMpegWriter" in k for k in figures)
    for scenario in ("demo", "countries × 5 metrics"):
        key = next((k for k in figures if scenario in k and k.endswith("one file")), None)
        assert key and re.search(r"MB, first frame \d", figures[key]), scenario
