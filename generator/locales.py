"""The reader's language (`--locale`): the player's words, one table per language in
static/locales/LANG.json (a contributor adds a language by adding a file), and the BCP 47 tag the
page's `Intl` formats numbers and dates with. The build puts only the table of the tag's language
into the page's meta, over English: a word a table lacks is shown in English."""
from __future__ import annotations

import dataclasses
import functools
import json
import re

from .errors import UserError, flag
from .options import Metric, Options
from .site import STATIC

DEFAULT = "en"
LOCALES = STATIC / "locales"
# BCP 47 as people write it: a language (2–3 letters), an optional script (4), region (2 letters or
# 3 digits) and variants; `_` read as `-` (pt_BR). Extensions (-u-…) are not needed here.
_TAG = re.compile(r"^([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|\d{3}))?((?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*)$", re.I)


def available() -> list[str]:
    """The languages with a table, sorted: en, de, fr…"""
    return sorted(p.stem for p in LOCALES.glob("*.json"))


@functools.cache
def table(language: str) -> dict[str, str]:
    data = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def normalize(tag: str) -> str:
    """The tag in its canonical case (zh-Hans-CN, pt-BR, de); a UserError when it is no BCP 47 tag of a
    language with a table."""
    g = _TAG.match(tag.strip().replace("_", "-")) if isinstance(tag, str) else None
    langs = available()
    if not g:
        raise UserError(f"{flag('locale', tag)} is not a language tag; give a BCP 47 tag such as de, pt-BR or zh-CN "
                        f"(languages: {', '.join(langs)})", "locale")
    lang, script, region, variants = g.groups()
    if lang.lower() not in langs:
        raise UserError(f"{flag('locale', tag)}: the player has no words in {lang.lower()!r}; choose one of "
                        f"{', '.join(langs)} (or add static/locales/{lang.lower()}.json)", "locale")
    parts = [lang.lower(), script and script.title(), region and region.upper(), variants and variants[1:].lower()]
    return "-".join(p for p in parts if p)


def words(tag: str) -> dict[str, str]:
    """The player's words for a tag: its language's table over English."""
    return {**table(DEFAULT), **table(normalize(tag).split("-")[0])}


def date_options(unit: str, step: int) -> dict[str, str]:
    """The frame time in the reader's language (a locale other than English, no --time-format): the
    `Intl.DateTimeFormat` options the page formats it with, as fine as the frames (month names spelled)."""
    if unit == "month":
        return {"year": "numeric"} if step % 12 == 0 else {"year": "numeric", "month": "long"}
    if unit == "day" or step % 86400 == 0:
        return {"year": "numeric", "month": "long", "day": "numeric"}
    day = {"year": "numeric", "month": "short", "day": "numeric"}  # with a time of day: kept short
    clock = {"hour": "2-digit", "minute": "2-digit"}
    return {**day, **clock} if step % 60 == 0 else {**day, **clock, "second": "2-digit"}


def page_meta(o: Options, unit: str, step: int) -> dict:
    """The page's meta about its language: the tag for Intl, the player's words, and without
    --time-format in a language other than English, how dates are written (dateOptions)."""
    locale = normalize(o.locale)
    dated = not o.time_format and locale.split("-")[0] != DEFAULT
    return {"locale": locale, **({"dateOptions": date_options(unit, step)} if dated else {}), "words": words(locale)}


def labelled(metrics: list[Metric], said: dict[str, str], interval: object) -> list[Metric]:
    """Each metric with a label: its own, or "cases (sum per 1d)" in the page's words (`said`)."""
    return [m if m.label else dataclasses.replace(m, label=said["metricLabel"].format(
                metric=m.name, agg=said.get("agg" + m.agg.title(), m.agg), interval=interval)) for m in metrics]
