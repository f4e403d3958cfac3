"""Region codes: each side's code type is detected; countries meet as ISO alpha-3; keys as they are."""
from __future__ import annotations

import pytest

from generator import regions
from generator.geo import geometry


@pytest.mark.parametrize("code,iso", [
    ("FRA", "FRA"), ("fr", "FRA"), ("250", "FRA"), ("76", "BRA"), ("076", "BRA"), ("Russia", "RUS"),
    ("United States of America", "USA"), ("USA", "USA"), ("Czechia", "CZE"), ("Czech Republic", "CZE"),
    ("Côte d'Ivoire", "CIV"), ("Cote d'Ivoire", "CIV"), ("Ivory Coast", "CIV"), ("Kosovo", "XKX"),
    ("XKX", "XKX"), ("Dem. Rep. Congo", "COD"), ("Congo, Dem. Rep.", "COD"), ("Congo", "COG"),
    ("Bosnia and Herz.", "BIH"), ("Korea, Republic of", "KOR"), ("South Korea", "KOR"), ("Swaziland", "SWZ"),
    ("Turkey", "TUR"), ("Türkiye", "TUR"), ("S. Sudan", "SSD"), ("Sudan", "SDN"), ("Niger", "NER"),
    ("Nigeria", "NGA"), ("Solomon Is.", "SLB"), ("Gambia, The", "GMB"),
    ("-99", None), ("01001", None), ("", None), ("Atlantis", None),
])
def test_country_code(code: str, iso: str | None) -> None:
    assert regions.country_code(code) == iso


@pytest.mark.parametrize("code,kind,iso", [
    ("AS", "fips", "AUS"), ("AS", "iso2", "ASM"), ("GM", "fips", "DEU"), ("GM", "iso2", "GMB"),
    ("UK", "fips", "GBR"), ("EZ", "fips", "CZE"), ("SZ", "fips", "CHE"), ("CH", "fips", "CHN"),
    ("KV", "fips", "XKX"), ("FRA", "fips", None), ("250", "iso3", None),
])
def test_country_code_of_a_given_type(code: str, kind: str, iso: str | None) -> None:
    assert regions.country_code(code, kind) == iso


@pytest.mark.parametrize("values,kind", [
    (["FR", "DE", "GB", "AS", "CH"], "iso2"),
    (["FR", "GM", "UK", "AS", "SZ"], "fips"),  # GM Germany, UK, AS Australia, SZ Switzerland
    (["FRA", "DEU", "-99"], "iso3"),
    (["250", "4", "076"], "numeric"),
    (["01001", "01003", "56045"], "key"),  # US counties
    (["France", "Dem. Rep. Congo", "USA"], "name"),
    (["DE11", "DE12", "FR10"], "key"),  # NUTS
])
def test_code_type(values: list[str], kind: str) -> None:
    assert regions.code_type(values) == kind


@pytest.fixture(scope="module")
def world() -> geometry.Shapes:
    return geometry.prepare(geometry.read_shapes(None), "robinson")


def test_natural_earth_minus_99_matches_by_name(world: geometry.Shapes) -> None:
    codes = ["FRA", "NOR", "BRA", "ATL"]  # ATL is no country
    match = regions.match(codes, world.keys_table, world.names)
    assert match.key_field == "iso_a3" and match.data_type == "iso3"
    names = [world.names[j] if j >= 0 else None for j in match.shape_of_region]
    assert names == ["France", "Norway", "Brazil", None]
    assert match.unmatched_codes == ["ATL"]
    assert len(match.shapes_without_data) == len(world.names) - 3


@pytest.mark.parametrize("codes", [
    ["76", "036", "250"],  # ISO numeric, leading zeros optional
    ["BR", "AU", "FR"],  # ISO alpha-2
    ["BR", "AS", "FR", "GM", "UK"],  # FIPS 10-4: AS is Australia (ISO: American Samoa)
    ["Brazil", "Australia", "France"],
])
def test_codes_of_each_type_find_their_countries(world: geometry.Shapes, codes: list[str]) -> None:
    match = regions.match(codes, world.keys_table, world.names)
    assert [world.names[j] for j in match.shape_of_region[:3]] == ["Brazil", "Australia", "France"]
    if "UK" in codes:
        assert match.data_type == "fips"
        assert [world.names[j] for j in match.shape_of_region[3:]] == ["Germany", "United Kingdom"]


def test_plain_keys_match_without_leading_zeros() -> None:
    table = {"GEOID": ["01001", "01003", "56045"], "NAME": ["Autauga", "Baldwin", "Weston"]}
    match = regions.match(["1003", "56045", "99999"], table, table["NAME"])
    assert match.key_field == "GEOID" and match.data_type == "key"
    assert list(match.shape_of_region) == [1, 2, -1]


def test_region_type_overrides_detection(world: geometry.Shapes) -> None:
    match = regions.match(["AS"], world.keys_table, world.names, data_type="iso2")  # American Samoa: no shape
    assert match.unmatched_codes == ["AS"]
    match = regions.match(["AS"], world.keys_table, world.names, data_type="fips")
    assert world.names[match.shape_of_region[0]] == "Australia"
