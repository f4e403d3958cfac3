"""`python scripts/peak.py ARGS…`: build-site ARGS in this process, then its peak resident memory as the
last line on stderr (`peak-rss-kb N`, the kernel's VmHWM of this process).

The benchmarks read the peak here rather than from wait4's ru_maxrss: Linux carries a parent's peak
into its child at exec, so a child of a benchmark that had grown to 2.6 GB reported 2.6 GB for a
build that used 0.7 GB.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())  # the tree the benchmark runs (ours or the baseline's), as -m would

from generator import cli


def main() -> None:
    code = cli.main()
    status = Path("/proc/self/status").read_text().splitlines()
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stdout.flush()
    print(f"peak-rss-kb {peak}", file=sys.stderr, flush=True)
    os._exit(code)


if __name__ == "__main__":
    main()
