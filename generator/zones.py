"""Stage 3, aggregate (both paths): a time zone's clock as a table of UTC offsets, for buckets of local
calendar days.

A zone's offset changes at a few instants a year (daylight saving, law). Over a time range the local
clock is then piecewise `t + offset`: `Clock` holds the instants where the offset changes and the
offset after each, found once per zone and year with zoneinfo. Local days are a searchsorted and an
integer division in process, and a CASE over those same instants in a database's GROUP BY: exact for
every zone, offsets of 30 or 45 minutes and odd historical ones included.
"""
from __future__ import annotations

import datetime
import functools
import zoneinfo
from dataclasses import dataclass

import numpy as np

DAY = 86400
# datetime's range, a day inside each end (a zone's offset moves a time across the edge otherwise)
_FIRST, _LAST = -62_135_596_800 + DAY, 253_402_300_799 - DAY


def _offset(zone: zoneinfo.ZoneInfo, t: int) -> int:
    stamp = datetime.datetime.fromtimestamp(min(max(t, _FIRST), _LAST), zone)
    delta = stamp.utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


@functools.lru_cache(maxsize=4096)
def _year(tz: str, year: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The instants of one UTC year where the zone's offset changes, and the offset from each on.

    The offset is sampled daily, and each change found to the second by bisection: no zone changes
    twice within a day.
    """
    zone = zoneinfo.ZoneInfo(tz)
    lo = int(datetime.datetime(year, 1, 1, tzinfo=datetime.timezone.utc).timestamp()) if year > 0 else _FIRST
    hi = int(datetime.datetime(year + 1, 1, 1, tzinfo=datetime.timezone.utc).timestamp()) if year < 9999 else _LAST
    cuts: list[int] = []
    offsets: list[int] = []
    before = _offset(zone, lo)
    for day in range(lo, hi, DAY):
        after = _offset(zone, min(day + DAY, hi))
        if after == before:
            continue
        a, b = day, min(day + DAY, hi)  # the offset at a is `before`, at b `after`
        while b - a > 1:
            mid = (a + b) // 2
            a, b = (mid, b) if _offset(zone, mid) == before else (a, mid)
        cuts.append(b)
        offsets.append(after)
        before = after
    return tuple(cuts), tuple(offsets)


def _utc_year(t: int) -> int:
    return int(np.datetime64(min(max(t, _FIRST), _LAST), "s").astype("datetime64[Y]").astype(np.int64)) + 1970


@dataclass(frozen=True)
class Clock:
    """A zone's UTC offsets over a time range: `offsets[0]` before `cuts[0]`, `offsets[k]` from `cuts[k - 1]`
    on. No zone (UTC): no cuts, offset 0."""
    cuts: np.ndarray  # int64 epoch seconds, sorted
    offsets: np.ndarray  # int64 seconds, one more than cuts

    @staticmethod
    def of(tz: str | None, lo: int, hi: int) -> Clock:
        """The clock of zone `tz` over epoch seconds lo…hi (None: UTC)."""
        if not tz:
            return Clock(np.zeros(0, np.int64), np.zeros(1, np.int64))
        cuts: list[int] = []
        offsets = [_offset(zoneinfo.ZoneInfo(tz), _first_second(_utc_year(lo)))]
        for year in range(_utc_year(lo), _utc_year(hi) + 1):
            c, o = _year(tz, year)
            cuts += c
            offsets += o
        return Clock(np.array(cuts, np.int64), np.array(offsets, np.int64))

    def within(self, lo: int, hi: int) -> Clock:
        """The same clock with only the changes between lo and hi."""
        a, b = np.searchsorted(self.cuts, [lo, hi], side="right")
        return Clock(self.cuts[a:b], self.offsets[a:b + 1])

    def local(self, t: np.ndarray) -> np.ndarray:
        """Epoch seconds as the local clock reads them (seconds since 1970-01-01 00:00 local)."""
        t = np.asarray(t, np.int64)
        if not len(self.cuts):
            return t + self.offsets[0] if self.offsets[0] else t
        return t + self.offsets[np.searchsorted(self.cuts, t, side="right")]

    def days(self, t: np.ndarray) -> np.ndarray:
        """Each time's local calendar day, as days since 1970-01-01."""
        return self.local(t) // DAY

    def day_range(self, lo: int, hi: int) -> tuple[int, int]:
        """The first and last local day of any time in lo…hi (the clock can step back across a midnight)."""
        inside = self.cuts[(self.cuts > lo) & (self.cuts <= hi)]
        ends = np.concatenate([[lo, hi], inside, inside - 1])
        days = self.days(ends)
        return int(days.min()), int(days.max())

    def midnight(self, day: int) -> int:
        """The first instant whose local day is `day` or later (local midnight; where midnight does not
        exist, the change that skips it)."""
        starts = np.concatenate([[np.iinfo(np.int64).min // 2], self.cuts])
        ends = np.concatenate([self.cuts, [np.iinfo(np.int64).max // 2]])
        # In each stretch of one offset, local day `day` begins at day × 86400 - offset, if within it.
        candidate = np.maximum(starts, day * DAY - self.offsets)
        ok = candidate < ends
        return int(candidate[ok].min())


def _first_second(year: int) -> int:
    if year <= 1:
        return _FIRST
    return int(datetime.datetime(year, 1, 1, tzinfo=datetime.timezone.utc).timestamp())
