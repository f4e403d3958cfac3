"""`albers-usa` point by point against d3 itself: d3-geo's geoAlbersUsa (the lower 48, Alaska, Hawaii)
and d3-composite-projections' geoAlbersUsaTerritories (with Puerto Rico, the Virgin Islands, American
Samoa, Guam and the Northern Mariana Islands), run by Node over every vertex of the built-in states."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely

from generator.geo import albers_usa, geometry

ROOT = Path(__file__).resolve().parents[1]
D3_PACKAGES = ["d3-geo@3", "d3-path@3", "d3-composite-projections@2"]  # as scripts/test installs them
TOLERANCE = 0.01  # px at d3's default scale (1070: the lower 48 about 960 px wide)


@pytest.fixture(scope="session")
def d3_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Node script, where it finds d3: beside the repository's node_modules (scripts/test installs the
    packages there), else in a folder of its own with the packages installed from npm beside it (not in
    ./node_modules, where a --no-save install would remove ESLint)."""
    script = ROOT / "tests" / "d3_albers_usa.mjs"
    if shutil.which("node") is None:
        pytest.skip("node is not installed: d3's reference numbers need it (scripts/test installs it)")
    if all((ROOT / "node_modules" / p.rsplit("@", 1)[0] / "package.json").exists() for p in D3_PACKAGES):
        return script
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: d3-geo and d3-composite-projections come from it")
    home = tmp_path_factory.mktemp("d3")
    subprocess.run(["npm", "install", "--prefix", str(home), "--no-save", "--no-package-lock", "--no-audit",
                    "--no-fund", "--loglevel=error", *D3_PACKAGES], check=True, capture_output=True)
    return Path(shutil.copy(script, home))


def d3(script: Path, points: np.ndarray) -> dict:
    """d3's projections of lon/lat points at their default scale and translate (None where d3 clips)."""
    out = subprocess.run(["node", str(script)], input=json.dumps(points.tolist()), capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


def ours(points: np.ndarray, scale: float, translate: list[float]) -> np.ndarray:
    """Our composite in d3's pixels: our units are metres on the sphere, y north."""
    xy = albers_usa.project_points(points[:, 0], points[:, 1]) / albers_usa.RADIUS * scale
    return np.column_stack([translate[0] + xy[:, 0], translate[1] - xy[:, 1]])


def as_array(projected: list) -> np.ndarray:
    return np.array([p if p is not None else [np.nan, np.nan] for p in projected], dtype=float)


@pytest.fixture(scope="module")
def vertices() -> dict[str, np.ndarray]:
    """Every vertex of each built-in state and territory, by USPS code."""
    states = geometry.read_shapes("us-states")
    return {code: shapely.get_coordinates(g) for code, g in zip(states["postal"], states.geometry)}


@pytest.fixture(scope="module")
def reference(vertices: dict[str, np.ndarray], d3_script: Path) -> tuple[np.ndarray, dict, np.ndarray]:
    points = np.concatenate(list(vertices.values()))
    return points, d3(d3_script, points), np.repeat(list(vertices), [len(v) for v in vertices.values()])


@pytest.mark.parametrize("codes", [("AS",), ("GU", "MP"), ("PR", "VI"), ("AK",), ("HI",), ("CA", "TX", "ME", "FL")],
                         ids=["American Samoa", "Guam and the Northern Mariana Islands", "Puerto Rico and the "
                              "Virgin Islands", "Alaska", "Hawaii", "the lower 48"])
def test_every_vertex_where_d3_puts_it(reference: tuple, codes: tuple[str, ...]) -> None:
    points, d3s, owner = reference
    mine = np.isin(owner, codes)
    theirs = as_array(d3s["territories"])[mine]
    drawn = ~np.isnan(theirs[:, 0])
    assert drawn.mean() > 0.99, f"d3 clips {(~drawn).sum()} of {mine.sum()} vertices"
    got = ours(points[mine], d3s["scale"], d3s["translate"])
    assert not np.isnan(got[drawn]).any(), "vertices d3 draws that no part of ours takes"
    error = np.hypot(*(got[drawn] - theirs[drawn]).T)
    assert error.max() < TOLERANCE, f"up to {error.max():.4f} px off d3 ({codes})"


def test_d3_geo_albers_usa_agrees_where_it_draws(reference: tuple) -> None:
    """d3-geo's own geoAlbersUsa (no territories) places the states as the territories' version does."""
    points, d3s, _owner = reference
    theirs = as_array(d3s["usa"])
    drawn = ~np.isnan(theirs[:, 0])
    assert drawn.sum() > 0.9 * len(points)
    error = np.hypot(*(ours(points[drawn], 1070, [480, 250]) - theirs[drawn]).T)
    assert error.max() < TOLERANCE


@pytest.mark.parametrize("part", albers_usa.PARTS, ids=lambda p: p.name)
def test_a_grid_over_each_part_where_d3_puts_it(part: albers_usa.Part, d3_script: Path) -> None:
    """Points every 0.1° over each part's whole window (its islands' far corners too), where d3 draws them."""
    (w, s, e, n), *_ = part.windows
    lon, lat = np.meshgrid(np.arange(w, e + 1e-9, 0.1 if e - w < 10 else 1.0),
                           np.arange(s, n + 1e-9, 0.1 if n - s < 10 else 1.0))
    points = np.column_stack([lon.ravel(), lat.ravel()])
    d3s = d3(d3_script, points)
    theirs = as_array(d3s["territories"])
    got = ours(points, d3s["scale"], d3s["translate"])
    both = ~np.isnan(theirs[:, 0]) & ~np.isnan(got[:, 0])
    assert both.sum() >= 20, f"only {both.sum()} of {len(points)} points drawn by both"
    error = np.hypot(*(got[both] - theirs[both]).T)
    assert error.max() < TOLERANCE, f"up to {error.max():.4f} px off d3 ({part.name})"
