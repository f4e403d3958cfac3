"""The memory checks count memory the kernel would give a build (MemAvailable), page cache included."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator import grid, pushdown
from generator.errors import UserError


def meminfo() -> dict[str, int]:
    """/proc/meminfo in bytes."""
    fields = (line.split() for line in Path("/proc/meminfo").read_text().splitlines())
    return {f[0].rstrip(":"): int(f[1]) * 1024 for f in fields if len(f) >= 2}


def between_free_and_available() -> int:
    """A need the checks must accept: over 80 % of free pages, well under 80 % of available memory."""
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc/meminfo (Linux)")
    info = meminfo()
    free, avail = info["MemFree"], info["MemAvailable"]
    if avail - free < 1 << 30:
        pytest.skip(f"only {(avail - free) / 2**30:.1f} GiB of page cache now: nothing between free and available")
    return int((free + (avail - free) / 2) * 0.8)


def test_grid_counts_page_cache_as_memory() -> None:
    grid.check_memory(between_free_and_available(), "the grid")  # refused before: "… GiB is free"


def test_pushdown_counts_page_cache_as_memory() -> None:
    need = between_free_and_available()
    frames = 1000
    pushdown.check_size(frames, need // (8 * frames), 1)


def test_too_much_is_still_refused_with_what_is_available() -> None:
    with pytest.raises(UserError, match=r"GiB of memory, [\d.]+ GiB is available; use a longer --interval"):
        grid.check_memory(1 << 53, "the grid")
    with pytest.raises(UserError, match=r"needs about [\d.]+ GiB of memory, [\d.]+ GiB is available"):
        pushdown.check_size(1_000_000, 1_000_000, 1)
