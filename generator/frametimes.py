"""When each frame starts, as the page shows it (in the map's time zone; calendar months as dates),
and the time formats the page uses by default: for the build's report and log, the link preview and
append.py, which must read times exactly as the player's 25-time.js writes them."""
from __future__ import annotations

import datetime
import zoneinfo


def default_time_format(unit: str, step: int) -> str:
    if unit == "month":
        return "%Y" if step % 12 == 0 else "%b %Y"
    if unit == "day":
        return "%Y-%m-%d"
    if step % 86400 == 0:
        return "%Y-%m-%d"
    return "%Y-%m-%d %H:%M" if step % 60 == 0 else "%Y-%m-%d %H:%M:%S"


def frame_time(meta: dict, i: int) -> datetime.datetime:
    """When frame i starts, as the page shows it: in the map's time zone (calendar frames: as dates)."""
    if meta.get("unit") == "month":
        months = meta["start"] + i * meta["step"]
        return datetime.datetime(1970 + months // 12, months % 12 + 1, 1)
    if meta.get("unit") == "day":  # local midnight
        day = datetime.datetime(1970, 1, 1) + datetime.timedelta(days=meta["start"] + i * meta["step"])
        return day.replace(tzinfo=zoneinfo.ZoneInfo(meta["tz"])) if meta.get("tz") else day
    utc = datetime.datetime.fromtimestamp(meta["start"] + i * meta["step"], datetime.timezone.utc)
    return utc.astimezone(zoneinfo.ZoneInfo(meta["tz"])) if meta.get("tz") else utc


def format_time(meta: dict, i: int) -> str:
    return frame_time(meta, i).strftime(meta["timeFormat"].replace("%Z", "UTC" if not meta.get("tz") else "%Z"))
