"""The built-in shapes ship in the package, each a file under 1 MB with its licence note; `world` (the
default) is Natural Earth 1:110m, the same 177 shapes and fields geopandas' `naturalearth_lowres` had."""
from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest
import shapely

from generator.geo import builtin, geometry

FIELDS = ["pop_est", "continent", "name", "iso_a3", "gdp_md_est"]


LICENCES = {"world": "natural-earth", "world-10m": "world-atlas", "us-states": "us-atlas", "us-counties": "us-atlas"}


@pytest.mark.parametrize("name", builtin.BUILTIN)
def test_each_built_in_is_a_file_of_the_package(name: str) -> None:
    path = builtin.shapes_path(name)
    assert path.parent == builtin.SHAPES and path.is_file(), path
    assert path.stat().st_size < 1_000_000
    assert (builtin.SHAPES / f"LICENSE-{LICENCES[name]}").is_file()


def test_world_is_natural_earth_110m() -> None:
    assert builtin.default_shapes() == builtin.shapes_path("world") == builtin.shapes_path(None)
    gdf = geometry.read_shapes(None)
    assert len(gdf) == 177 and list(gdf.columns) == [*FIELDS, "geometry"]
    assert gdf.crs.to_epsg() == 4326
    by_name = gdf.set_index("name")
    assert by_name.loc["France", "iso_a3"] == "-99" and by_name.loc["France", "continent"] == "Europe"
    assert by_name.loc["Brazil", "iso_a3"] == "BRA" and by_name.loc["Brazil", "pop_est"] > 200_000_000
    licence = (builtin.SHAPES / "LICENSE-natural-earth").read_text()
    assert "countries-110m.json" in licence and "public domain" in licence


def test_world_is_pyogrios_copy_bit_for_bit() -> None:
    """Where pyogrio still ships its fixture, the shipped file holds the same geometries and values."""
    fixture = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"
    if not fixture.exists():
        pytest.skip(f"pyogrio {pyogrio.__version__} no longer ships {fixture.name}: nothing to compare with")
    ours, theirs = pyogrio.read_dataframe(builtin.default_shapes()), pyogrio.read_dataframe(fixture)
    for field in FIELDS:
        assert ours[field].tolist() == theirs[field].tolist(), field
    assert (shapely.to_wkb(ours.geometry.to_numpy()) == shapely.to_wkb(theirs.geometry.to_numpy())).all()
