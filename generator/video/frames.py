"""Stage 7 (optional), video: which frames a recording holds. In frames (--start, --end, --step), or in
the page's own words (--from, --to: times as the page shows them or ISO 8601; --every: a number of
frames or data time such as 1d, 6h, 1mo), resolved by the page itself (static/player/25-time.js), the
one source of truth for when each frame is: the video holds the frames the player shows for that range
and speed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import UserError
from ..intervals import Interval

if TYPE_CHECKING:
    from playwright.sync_api import Page

# A time as the page reads it: [epoch ms, the frame holding it (-1 outside the data)], or null.
_READ = "(t) => { const P = window.choroplethPlayer, ms = P.parseTime(t); return Number.isFinite(ms) ? " \
        "[ms, P.frameAt(ms)] : null; }"


def to_record(page: Page, count: int, *, start: int = 0, end: int | None = None, step: int = 1,
              from_time: str | None = None, to_time: str | None = None, every: str | None = None) -> list[int]:
    """The frames to record, in order, of a page (open, `choropleth.ready`) of `count` frames: from the
    frame holding `from_time` (default frame `start`) to the one holding `to_time`, included (default:
    before frame `end`), every `step` frames, or every `every`: a number of frames, or data time, the
    frames holding from + k × every (days and longer on the map's calendar: 1mo from Jan 31 is Feb 29)."""
    for words, frames, both in (("--from", "--start", from_time is not None and start != 0),
                                ("--to", "--end", to_time is not None and end is not None),
                                ("--every", "--step", every is not None and step != 1)):
        if both:
            raise UserError(f"give {words} or {frames}, not both")
    end = count if end is None else min(end, count)
    from_ms = None
    if from_time is not None:
        from_ms, start = _frame(page, "--from", from_time)
    if to_time is not None:
        end = _frame(page, "--to", to_time)[1] + 1
        if end <= start:
            raise UserError(f"--to {to_time!r} is before --from {from_time!r}" if from_time is not None else
                            f"--to {to_time!r} is before frame {start}")
    if not 0 <= start < end:
        raise UserError(f"frame range {start}..{end} is empty; the site has {count} frames")
    if every is None:
        return list(range(start, end, step))
    text = str(every).strip()
    if text.isdigit():
        if int(text) < 1:
            raise UserError("--every must be at least 1 frame")
        return list(range(start, end, int(text)))
    frames, known = page.evaluate("([a, b, e, ms]) => { const P = window.choroplethPlayer; return [P.everyFrames("
                                  "a, b, e, ms === null ? undefined : ms), P.parseDuration(e) !== null]; }",
                                  [start, end - 1, text, from_ms])
    if not frames:
        meta = page.evaluate("choropleth.meta")
        if not known:
            raise UserError(f"--every {text!r} is neither a number of frames nor data time such as 1h, 1d, 1w, "
                            "1mo or 1y")
        raise UserError(f"--every {text!r} is shorter than a frame of the site ({_interval(meta)})")
    return [int(i) for i in frames]


def _interval(meta: dict) -> str:
    """A frame's length as --interval says it: 1h, 1d, 1w, 1mo, 1y."""
    n, unit = meta["step"], meta.get("unit", "s")
    if unit == "day":  # local calendar days
        return f"{n // 7}w" if n % 7 == 0 else f"{n}d"
    return str(Interval(n, unit))


def _frame(page: Page, flag: str, text: str) -> tuple[float, int]:
    """The epoch ms a time names and the frame holding it; one line when it is no time or outside."""
    read = page.evaluate(_READ, text)
    first, last = page.evaluate("[0, choropleth.frameCount - 1].map((i) => choroplethPlayer.timeText(i))")
    if read is None:
        raise UserError(f"{flag} {text!r} is not a time; write it as the page shows it ({first}) or in ISO 8601 "
                        f"(2024-03-01, 2024-03-01T14:00)")
    if read[1] < 0:
        raise UserError(f"{flag} {text!r} is outside the site's times, {first} to {last}")
    return read[0], int(read[1])
