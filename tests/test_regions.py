"""Region codes: each side's code type is detected; countries meet as ISO alpha-3; keys as they are."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from generator import codes, regions
from generator.cli import main
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
    assert codes.country_code(code) == iso


# As the World Bank's World Development Indicators write them.
WORLD_BANK = {
    "Bahamas, The": "BHS", "Brunei Darussalam": "BRN", "Cabo Verde": "CPV", "Congo, Dem. Rep.": "COD",
    "Congo, Rep.": "COG", "Cote d'Ivoire": "CIV", "Curacao": "CUW", "Czechia": "CZE", "Egypt, Arab Rep.": "EGY",
    "Eswatini": "SWZ", "Gambia, The": "GMB", "Hong Kong SAR, China": "HKG", "Iran, Islamic Rep.": "IRN",
    "Korea, Dem. People's Rep.": "PRK", "Korea, Dem. Rep.": "PRK", "Korea, Rep.": "KOR", "Kyrgyz Republic": "KGZ",
    "Lao PDR": "LAO", "Macao SAR, China": "MAC", "Micronesia, Fed. Sts.": "FSM", "Russian Federation": "RUS",
    "Sint Maarten (Dutch part)": "SXM", "Slovak Republic": "SVK", "Somalia, Fed. Rep.": "SOM",
    "St. Kitts and Nevis": "KNA", "St. Lucia": "LCA", "St. Martin (French part)": "MAF",
    "St. Vincent and the Grenadines": "VCT", "Syrian Arab Republic": "SYR", "Timor-Leste": "TLS",
    "Turkiye": "TUR", "Venezuela, RB": "VEN", "Viet Nam": "VNM", "Virgin Islands (U.S.)": "VIR",
    "West Bank and Gaza": "PSE", "Yemen, Rep.": "YEM", "Puerto Rico (US)": "PRI",
}
# As the UN's statistics division (M49) writes them.
UNITED_NATIONS = {
    "Bolivia (Plurinational State of)": "BOL", "Côte d’Ivoire": "CIV", "China, Hong Kong SAR": "HKG",
    "China, Macao SAR": "MAC", "Democratic People's Republic of Korea": "PRK", "Falkland Islands (Malvinas)": "FLK",
    "Holy See": "VAT", "Iran (Islamic Republic of)": "IRN", "Lao People's Democratic Republic": "LAO",
    "Micronesia (Federated States of)": "FSM", "Netherlands (Kingdom of the)": "NLD", "Republic of Korea": "KOR",
    "Republic of Moldova": "MDA", "Saint Martin (French Part)": "MAF", "State of Palestine": "PSE",
    "Türkiye": "TUR", "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "United Republic of Tanzania": "TZA", "United States Virgin Islands": "VIR",
    "Venezuela (Bolivarian Republic of)": "VEN", "Bonaire, Sint Eustatius and Saba": "BES", "Réunion": "REU",
}
# As Our World in Data names its countries.
OUR_WORLD_IN_DATA = {
    "Cape Verde": "CPV", "Cocos Islands": "CCK", "Democratic Republic of Congo": "COD", "East Timor": "TLS",
    "Faeroe Islands": "FRO", "Laos": "LAO", "Macao": "MAC", "Micronesia (country)": "FSM", "North Korea": "PRK",
    "Palestine": "PSE", "Saint Barthelemy": "BLM", "Timor": "TLS", "United States Virgin Islands": "VIR",
    "Vatican": "VAT", "Bonaire Sint Eustatius and Saba": "BES", "Sint Maarten (Dutch part)": "SXM",
}


@pytest.mark.parametrize("name,iso", [*WORLD_BANK.items(), *UNITED_NATIONS.items(), *OUR_WORLD_IN_DATA.items()])
def test_publishers_country_names(name: str, iso: str) -> None:
    assert codes.country_code(name, "name") == iso
    assert codes.country_code(name) == iso


@pytest.mark.parametrize("apostrophe", ["'", "’", "‘", "`", "´", "ʼ", ""])
def test_any_apostrophe(apostrophe: str) -> None:
    assert codes.country_code(f"Côte d{apostrophe}Ivoire") == "CIV"
    assert codes.country_code(f"Korea, Dem. People{apostrophe}s Rep.") == "PRK"


def test_names_of_no_one_country_stay_unmatched() -> None:
    assert codes.country_code("Korea") is None  # north or south
    assert codes.country_code("Channel Islands") is None  # Jersey and Guernsey: no ISO code
    for aggregate in ("World", "Euro area", "East Asia & Pacific (excluding high income)", "Arab World",
                      "Middle East, North Africa, Afghanistan & Pakistan", "Small states", "South Asia (IDA & IBRD)"):
        assert codes.country_code(aggregate) is None, aggregate  # the World Bank's aggregates beside countries


@pytest.mark.parametrize("code,kind,iso", [
    ("AS", "fips", "AUS"), ("AS", "iso2", "ASM"), ("GM", "fips", "DEU"), ("GM", "iso2", "GMB"),
    ("UK", "fips", "GBR"), ("EZ", "fips", "CZE"), ("SZ", "fips", "CHE"), ("CH", "fips", "CHN"),
    ("KV", "fips", "XKX"), ("FRA", "fips", None), ("250", "iso3", None),
])
def test_country_code_of_a_given_type(code: str, kind: str, iso: str | None) -> None:
    assert codes.country_code(code, kind) == iso


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
    assert codes.code_type(values) == kind


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


def test_world_bank_names_find_their_shapes(world: geometry.Shapes) -> None:
    """Every World Bank name of a country the 110m world has colours it (the World Bank's data as it is)."""
    present = {n: iso for n, iso in WORLD_BANK.items() if iso in world.keys_table["iso_a3"]}
    assert {"Lao PDR", "Venezuela, RB", "West Bank and Gaza"} <= set(present)
    match = regions.match(list(present), world.keys_table, world.names)
    assert match.unmatched_codes == [] and match.data_type == "name"
    by_iso = dict(zip(world.keys_table["iso_a3"], world.names))
    assert [world.names[j] for j in match.shape_of_region] == [by_iso[iso] for iso in present.values()]


def test_the_type_that_matched_is_reported() -> None:
    """USPS codes look like FIPS 10-4 country codes (CA, TX), but they match the states' 'postal' field as keys."""
    states = geometry.prepare(geometry.read_shapes("us-states"), "albers-usa")
    match = regions.match(["CA", "TX", "NY", "GU"], states.keys_table, states.names)
    assert match.key_field == "postal" and match.data_type == "key" and match.unmatched_codes == []
    match = regions.match(["California", "Texas"], states.keys_table, states.names)
    assert match.key_field == "name" and match.unmatched_codes == []


def test_the_build_says_usps_codes_matched_as_keys(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Once reported as "(fips) matched shapes by 'postal'": FIPS 10-4 is what the codes look like, not
    what they matched as."""
    pd.DataFrame({"state": ["CA", "TX", "NY"], "year": 2020, "v": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "s.csv",
                                                                                            index=False)
    assert main(["--csv", str(tmp_path / "s.csv"), "--region", "state", "--time", "year", "--shapes", "us-states",
                 "--out", str(tmp_path / "site")]) == 0
    out = capsys.readouterr()
    assert "regions: 3 of 3 data codes (key) matched shapes by 'postal'" in out.out + out.err
