"""Stage 2, shapes: where shapes come from: the built-in shapes shipped in the package by name
(`world`, `world-10m`, `us-states`, `us-counties`), the layer of a file with several, and the fields
the built-in US shapes gain so data codes find them (USPS codes beside the FIPS codes and names).

Sources and licences: generator/geo/shapes/LICENSE-* and the README.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd

SHAPES = Path(__file__).parent / "shapes"


@dataclass(frozen=True)
class Builtin:
    file: str
    layer: str | None
    us: bool  # drawn on the US composite projection unless told otherwise


BUILTIN = {
    "world": Builtin("countries-110m.json", None, us=False),
    "world-10m": Builtin("countries-10m.json", "countries", us=False),
    "us-states": Builtin("states-10m.json", "states", us=True),
    "us-counties": Builtin("counties-10m.json", "counties", us=True),
}
# State FIPS code -> USPS code: the 50 states, DC and the territories us-atlas holds.
USPS = dict(pair.split(":") for pair in (
    "01:AL 02:AK 04:AZ 05:AR 06:CA 08:CO 09:CT 10:DE 11:DC 12:FL 13:GA 15:HI 16:ID 17:IL 18:IN 19:IA 20:KS "
    "21:KY 22:LA 23:ME 24:MD 25:MA 26:MI 27:MN 28:MS 29:MO 30:MT 31:NE 32:NV 33:NH 34:NJ 35:NM 36:NY 37:NC "
    "38:ND 39:OH 40:OK 41:OR 42:PA 44:RI 45:SC 46:SD 47:TN 48:TX 49:UT 50:VT 51:VA 53:WA 54:WV 55:WI 56:WY "
    "60:AS 66:GU 69:MP 72:PR 78:VI").split())


def default_shapes() -> Path:
    """Natural Earth 110m countries (`world`)."""
    return SHAPES / BUILTIN["world"].file


def shapes_path(shapes: str | None) -> Path:
    """The file behind --shapes: a built-in name's file, or the path as given."""
    if not shapes or shapes == "world":
        return default_shapes()
    found = BUILTIN.get(shapes)
    return SHAPES / found.file if found else Path(shapes)


def builtin_layer(shapes: str | None, layer: str | None) -> str | None:
    """The layer to read: the one given, else a built-in file's own."""
    found = BUILTIN.get(shapes or "")
    return layer if layer or not found else found.layer


def is_us(shapes: str | None) -> bool:
    found = BUILTIN.get(shapes or "")
    return bool(found and found.us)


def with_codes(gdf: gpd.GeoDataFrame, shapes: str | None) -> gpd.GeoDataFrame:
    """Built-in US shapes gain a `postal` field (states: USPS code, `CA`) or a `state` field (counties:
    their state's USPS code, which `--borders state` follows)."""
    if not is_us(shapes) or "id" not in gdf.columns:
        return gdf
    fips = gdf["id"].astype(str)
    gdf = gdf.copy()
    if (fips.str.len() == 5).all():
        gdf["state"] = [USPS.get(f[:2], f[:2]) for f in fips]
    else:
        gdf["postal"] = [USPS.get(f.zfill(2), "") for f in fips]
    return gdf
