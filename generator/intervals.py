"""Stage 3, aggregate (both paths): time buckets. Parsing --interval, finding the data's own step, where buckets start.

Used by both aggregations: the database's GROUP BY (pushdown.py) and the in-process grid (grid.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import UserError, flag

if TYPE_CHECKING:
    from .grid import Matrices
    from .spill import Stored

_CALENDAR = {"mo": 1, "mon": 1, "month": 1, "months": 1, "q": 3, "quarter": 3, "quarters": 3,
             "y": 12, "yr": 12, "year": 12, "years": 12}
_NICE = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONDAY = 4  # 1970-01-05, the first Monday: weeks start on Monday (ISO 8601) unless told otherwise


@dataclass(frozen=True)
class Interval:
    n: int
    # "s": n seconds; "day": n local calendar days (days count from 1970-01-01); "month": n calendar
    # months (months count from January 1970)
    unit: str = "s"
    origin: int = 0  # days: a day where a bucket starts (whole weeks: the weekday they start on)

    def __str__(self) -> str:
        if self.unit == "month":
            return f"{self.n // 12}y" if self.n % 12 == 0 else f"{self.n}mo"
        if self.unit == "day":
            if self.n % 7:
                return f"{self.n}d"
            start = WEEKDAYS[(self.origin - MONDAY) % 7]
            return f"{self.n // 7}w" + (f"-{start}" if start != "mon" else "")
        for size, suffix in ((86400, "d"), (3600, "h"), (60, "min")):
            if self.n % size == 0:
                return f"{self.n // size}{suffix}"
        return f"{self.n}s"


@dataclass
class Aggregated:
    start: int  # the first bucket, in the interval's unit: epoch seconds, or months since 1970-01
    step: int  # units per bucket
    frames: int
    regions: list[str]  # the data's region codes, one per column
    values: dict[str, np.ndarray] | Matrices  # metric -> float32 [frames × regions], NaN = no data
    rows: int = 0  # raw rows aggregated
    filled: int = 0  # bucket × region cells with rows
    unit: str = "s"
    stored: Stored | None = None  # streamed: the values on disk (spill.py), `values` empty

    @property
    def interval(self) -> Interval:
        return Interval(self.step, self.unit, self.start % self.step if self.unit == "day" else 0)


def seconds_interval(n: int) -> Interval:
    """An interval of n seconds: whole days become local calendar days, whole weeks start on Monday."""
    if n % 86400:
        return Interval(n)
    days = n // 86400
    return Interval(days, "day", MONDAY % days if days % 7 == 0 else 0)


def parse_interval(text: str | int | None) -> Interval | None:
    """An interval such as 15min, 1h, 1d, 7d, 1w, 1w-sun, seconds, 1mo, 1q, 5y; None for auto (the data's own
    step). Whole weeks start on Monday, or on the day named after a dash."""
    s = str(text if text is not None else "auto").strip().lower()
    if s == "auto":
        return None
    week = re.fullmatch(r"(\d*)\s*(?:w|wk|week|weeks)(?:-(\w+))?", s) or re.fullmatch(r"(\d+)\s*d-(\w+)", s)
    if week:
        n = int(week[1] or 1) * (7 if "d-" not in s else 1)
        day = (week[2] or "mon")[:3]
        if n < 1 or n % 7 or day not in WEEKDAYS:
            raise UserError(f"--interval {s!r}: weeks are 1w, 2w… starting on Monday, or on another day "
                            "as 1w-sun (mon, tue, wed, thu, fri, sat, sun)")
        return Interval(n, "day", (MONDAY + WEEKDAYS.index(day)) % n)
    calendar = re.fullmatch(r"(\d*)\s*([a-z]+)", s)
    if calendar and calendar[2] in _CALENDAR and int(calendar[1] or 1) > 0:
        return Interval(int(calendar[1] or 1) * _CALENDAR[calendar[2]], "month")
    try:
        seconds = int(s) if s.isdigit() else pd.Timedelta(re.sub(r"d$", "D", s)).total_seconds()
    except ValueError:
        raise UserError(f"{flag('interval', s)} is not an interval; use auto, 15min, 1h, 1d, 7d, seconds, 1mo, 1q or "
                        "5y") from None
    if seconds < 1 or seconds != int(seconds):
        raise UserError(f"{flag('interval', s)} must be a whole number of seconds, at least 1")
    return seconds_interval(int(seconds))


def months(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 as calendar months since January 1970."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def detect_interval(times: list[np.ndarray], kind: str) -> Interval:
    """The data's own step, from the distinct times of a few regions (epoch seconds, or years for
    kind "year").

    A region reporting regularly has one step: the greatest common divisor of the gaps between its
    times, which most gaps equal. Times that are irregular (events at any second) get the round
    interval nearest their median gap instead.
    """
    runs = [np.unique(t.astype(np.int64)) for t in times]
    gaps = np.concatenate([np.diff(t) for t in runs] + [np.zeros(0, dtype=np.int64)])
    if len(gaps) == 0:
        return Interval(12, "month") if kind == "year" else seconds_interval(86400)
    if kind == "year":
        return Interval(int(np.gcd.reduce(gaps)) * 12, "month")
    every = np.concatenate(runs)
    if (pd.to_datetime(every, unit="s").day == 1).all() and (every % 86400 == 0).all():  # month starts
        return Interval(int(np.gcd.reduce(np.concatenate([np.diff(months(t // 86400)) for t in runs]))), "month")
    step = int(np.gcd.reduce(gaps))
    if (gaps == step).mean() < 0.5:  # irregular: one frame per a few raw times, not per second
        median = float(np.median(gaps))
        step = (min(_NICE, key=lambda n: abs(np.log(n / median))) if median < 7 * 86400
                else round(median / 86400) * 86400)
    return seconds_interval(step)


def origin(interval: Interval, tz: str | None, lo: int) -> int:
    """Where bucket boundaries fall, in the interval's unit, given the first time `lo`.

    Seconds: the zone's UTC offset at `lo`, so that buckets of whole hours follow its clock (buckets
    shorter than an hour follow the clock anyway). Days: the interval's own (weeks from their weekday).
    Months: buckets of several years start in January of the first year (1952, 1957…, not 1950).
    """
    step = interval.n
    if interval.unit == "day":
        return interval.origin
    if interval.unit == "month":
        return lo - lo % 12 if step > 12 and step % 12 == 0 else 0
    if not tz or (step % 3600 and step < 86400):
        return 0
    return -int(pd.Timestamp(lo, unit="s", tz="UTC").tz_convert(tz).utcoffset().total_seconds())


def bucket_range(lo: Any, hi: Any, step: int, origin: int = 0) -> tuple[int, int]:
    """The first bucket's start and the number of buckets from `lo` to `hi`."""
    if lo is None:
        raise UserError("the source returned no rows with a time and a region; check the query or table")
    try:
        start = (int(lo) - origin) // step * step + origin
        return start, (int(hi) - start) // step + 1
    except (TypeError, ValueError):
        raise UserError(f"the time column holds {type(lo).__name__} values; it must hold epoch seconds") from None
