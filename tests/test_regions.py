"""Region codes: ISO alpha-2/alpha-3/numeric and names resolve; Natural Earth's -99 falls back to names."""
from __future__ import annotations

import pytest

from generator import geometry, regions


@pytest.mark.parametrize("code,iso", [
    ("FRA", "FRA"), ("fr", "FRA"), ("250", "FRA"), ("76", "BRA"), ("076", "BRA"), ("Russia", "RUS"),
    ("United States of America", "USA"), ("Czechia", "CZE"), ("Czech Republic", "CZE"),
    ("Côte d'Ivoire", "CIV"), ("Kosovo", "XKX"), ("XKX", "XKX"), ("-99", None), ("01001", None), ("", None),
])
def test_country_code(code: str, iso: str | None) -> None:
    assert regions.country_code(code) == iso


def test_natural_earth_minus_99_matches_by_name() -> None:
    shapes = geometry.prepare(geometry.read_shapes(None), "robinson")
    codes = ["FRA", "NOR", "BRA", "ATL"]  # ATL is no country
    key = regions.pick_key_field(list(shapes.keys_table), shapes.keys_table, codes)
    assert key == "iso_a3"
    match = regions.match(codes, shapes.keys_table[key], shapes.names, key)
    names = [shapes.names[j] if j >= 0 else None for j in match.shape_of_region]
    assert names == ["France", "Norway", "Brazil", None]
    assert match.unmatched_codes == ["ATL"]
    assert len(match.shapes_without_data) == len(shapes.names) - 3


def test_numeric_codes_pick_the_numeric_field() -> None:
    shapes = geometry.prepare(geometry.read_shapes(None), "robinson")
    shapes.keys_table["num"] = [regions.country_code(k) or "" for k in shapes.keys_table["iso_a3"]]
    codes = ["BRA", "AUS"]
    match = regions.match(["76", "036"], shapes.keys_table["iso_a3"], shapes.names, "iso_a3")
    assert [shapes.names[j] for j in match.shape_of_region] == ["Brazil", "Australia"]
    assert regions.pick_key_field(["name", "iso_a3"], shapes.keys_table, codes) == "iso_a3"
