"""Stage 3, aggregate (both paths): --from and --to, as the buckets holding them and the rows those
buckets hold.

The window is whole buckets: the first frame is the bucket holding --from, the last the bucket
holding --to, and every row of those buckets counts (no bucket is cut short). Its bounds in the
source's own time go into the database's WHERE, Parquet's row-group statistics and the in-process
readers.
"""
from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

import numpy as np

from .errors import UserError
from .intervals import Interval, months, origin
from .zones import Clock


@dataclass(frozen=True)
class Window:
    first: int | None  # the first bucket's start, in the interval's unit (None: the data's first)
    last: int | None  # the last bucket's start
    lo: float  # rows kept: lo <= time < hi, in epoch seconds (years for a column of years)
    hi: float
    base: int  # where buckets start (intervals.origin), fixed by the window's ends


def parse_when(text: str, tz: str | None, flag: str) -> int:
    """An ISO 8601 date or time (2016, 2016-01, 2016-01-08, 2016-01-08T06:00, …+02:00, …Z) as epoch
    seconds; without an offset, in the zone `tz` (None: UTC)."""
    s = str(text).strip()
    short = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", s)
    try:
        iso = s[:-1] + "+00:00" if s[-1:] in ("Z", "z") else s  # Python 3.10 reads no Z
        when = (datetime.datetime(int(short[1]), int(short[2] or 1), 1) if short
                else datetime.datetime.fromisoformat(iso.replace(" ", "T", 1) if len(iso) > 10 else iso))
    except ValueError:
        raise UserError(f"{flag} {s!r} is not a date or time; write ISO 8601: 2016-01-08, 2016-01-08T06:00, "
                        "2016-01-08T06:00+01:00") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zoneinfo.ZoneInfo(tz) if tz else datetime.timezone.utc)
    return int(when.timestamp())


def window(interval: Interval, tz: str | None, kind: str, since: int | None, until: int | None) -> Window:
    """The buckets holding `since` and `until` (epoch seconds; either may be None) and the rows they hold.
    `tz` is the zone that cuts days (None: UTC, or dates as read)."""
    if since is not None and until is not None and since > until:
        raise UserError("--from is after --to; give the earlier time first")
    ends = [t for t in (since, until) if t is not None]
    clock = Clock.of(tz, min(ends), max(ends))
    n = interval.n
    if interval.unit == "s":
        base = origin(interval, tz, ends[0])

        def bucket(t: int) -> int:
            return (t - base) // n * n + base

        def instant(b: int) -> float:
            return b
    elif interval.unit == "day":
        base = interval.origin

        def bucket(t: int) -> int:
            return (int(clock.days(np.array([t]))[0]) - base) // n * n + base

        def instant(b: int) -> float:
            return clock.midnight(b)
    else:
        month = int(months(clock.days(np.array([ends[0]])))[0])
        base = origin(interval, tz, month)

        def bucket(t: int) -> int:
            return (int(months(clock.days(np.array([t])))[0]) - base) // n * n + base

        def instant(b: int) -> float:
            if kind == "year":  # rows of year Y are month (Y - 1970) × 12
                return 1970 + -(-b // 12)
            return clock.midnight(int(np.datetime64(b, "M").astype("datetime64[D]").astype(np.int64)))
    first = bucket(since) if since is not None else None
    last = bucket(until) if until is not None else None
    return Window(first=first, last=last, lo=instant(first) if first is not None else -np.inf,
                  hi=instant(last + n) if last is not None else np.inf, base=base)
