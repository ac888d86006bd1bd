"""ParkLocator: inside/park/section identical to GEOS, and distances vs geodesics."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, box

from geo.errors import InvalidInput
from geo.locate import ParkLocator

# Park A: a box with a hole, and a section in its south-west corner.
PARK_A = box(113.20, 33.60, 113.26, 33.65).difference(box(113.22, 33.62, 113.23, 33.63))
SEC_A1 = box(113.20, 33.60, 113.21, 33.61)
# Park B: a MultiPolygon, one section per part.
SEC_B1 = box(113.30, 33.60, 113.34, 33.64)
SEC_B2 = box(113.36, 33.60, 113.38, 33.62)
PARK_B = MultiPolygon([SEC_B1, SEC_B2])
# Park C: irregular, many vertices, no sections.
_t = np.linspace(0, 2 * np.pi, 300, endpoint=False)
_r = 0.02 * (1 + 0.3 * np.sin(5 * _t) + 0.05 * np.cos(17 * _t))
PARK_C = Polygon(np.column_stack([113.29 + _r * np.cos(_t) / 0.83, 33.70 + _r * np.sin(_t)]))
# Park D: given only through its two sections.
SEC_D1 = box(113.40, 33.66, 113.42, 33.68)
SEC_D2 = Polygon([(113.42, 33.66), (113.45, 33.665), (113.43, 33.69), (113.42, 33.68)])

REGIONS = [
    ("A", None, PARK_A),
    ("A", "A1", SEC_A1),
    ("B", None, PARK_B),
    ("B", "B1", SEC_B1),
    ("B", "B2", SEC_B2),
    ("C", None, PARK_C),
    ("D", "D1", SEC_D1),
    ("D", "D2", SEC_D2),
]


@pytest.fixture(scope="module")
def locator() -> ParkLocator:
    return ParkLocator(REGIONS)


def _one(locator: ParkLocator, lon: float, lat: float):
    r = locator.locate([lon], [lat], distances=True)
    return bool(r.inside[0]), r.park[0], r.section[0], float(r.distance_m[0]), r.nearest_park[0]


@pytest.mark.parametrize(
    ("lon", "lat", "inside", "park", "section"),
    [
        (113.25, 33.64, True, "A", None),  # plain inside
        (113.205, 33.605, True, "A", "A1"),  # in a section, reports its park
        (113.225, 33.625, False, None, None),  # in the hole
        (113.22, 33.625, True, "A", None),  # on the hole's edge
        (113.26, 33.62, True, "A", None),  # on the outer edge
        (113.20, 33.60, True, "A", "A1"),  # on a shared corner of park and section
        (113.37, 33.61, True, "B", "B2"),  # second part of a MultiPolygon
        (113.35, 33.61, False, None, None),  # between the parts
        (113.29, 33.70, True, "C", None),
        (113.41, 33.67, True, "D", "D1"),  # park known only through sections
        (113.10, 33.50, False, None, None),  # off the grid entirely
    ],
)
def test_point_cases(locator, lon, lat, inside, park, section):
    got = _one(locator, lon, lat)
    assert got[:3] == (inside, park, section)
    if inside:
        assert got[3] >= 0 and got[4] is None
    else:
        assert got[3] < 0 and got[4] is not None


def test_boundary_point_distance_is_zero(locator):
    _, _, _, dist, _ = _one(locator, 113.26, 33.62)
    assert abs(dist) < 1e-6


def test_nearest_park_when_outside(locator):
    inside, park, _, dist, nearest = _one(locator, 113.35, 33.61)  # between B's two parts
    assert not inside and park is None and nearest == "B"
    # The parts are 0.02 deg apart: the midpoint is 0.01 deg of longitude (~928 m at 33.61N)
    # from each.
    assert dist == pytest.approx(-928.0, abs=1.0)


def test_nan_and_shapes(locator):
    r = locator.locate(np.array([np.nan, 113.25]), np.array([33.6, np.nan]), distances=True)
    assert not r.inside.any()
    assert list(r.park) == [None, None] and list(r.section) == [None, None]
    assert np.isnan(r.distance_m).all()
    r = locator.locate(113.25, 33.64)
    assert r.inside.shape == (1,) and r.park[0] == "A"
    assert locator.locate([], []).inside.shape == (0,)


def _brute_force(x: np.ndarray, y: np.ndarray, layer: list[tuple[str, object]]) -> np.ndarray:
    out = np.full(x.shape, None, dtype=object)
    for code, geom in layer:
        hit = shapely.intersects_xy(geom, x, y) & (out == None)  # noqa: E711
        out[hit] = code
    return out


def _random_points(locator: ParkLocator, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    w, s, e, n_ = locator.bounds
    x = rng.uniform(w - 0.01, e + 0.01, n)
    y = rng.uniform(s - 0.01, n_ + 0.01, n)
    # Add every vertex and every edge midpoint of every polygon: exact-boundary cases.
    geoms = [g for _, _, g in REGIONS]
    coords = shapely.get_coordinates(shapely.boundary(geoms))
    mids = (coords[:-1] + coords[1:]) / 2
    extra = np.vstack([coords, mids])
    return np.concatenate([x, extra[:, 0]]), np.concatenate([y, extra[:, 1]])


@pytest.mark.parametrize("resolution", [1, 8, 64, 1024])
def test_identical_to_brute_force_shapely(resolution):
    loc = ParkLocator(REGIONS, resolution=resolution)
    x, y = _random_points(loc, 20_000, seed=resolution)
    r = loc.locate(x, y)
    parks = [(c, g) for c, s, g in REGIONS if s is None]
    parks.append(("D", shapely.union_all([SEC_D1, SEC_D2])))
    sections = [(s, g) for _, s, g in REGIONS if s is not None]
    expected_park = _brute_force(x, y, parks)
    expected_section = _brute_force(x, y, sections)
    assert (r.park == expected_park).all()
    assert (r.section == expected_section).all()
    np.testing.assert_array_equal(r.inside, expected_park != None)  # noqa: E711
    assert (r.park != None).sum() > 2_000  # noqa: E711  (the test really exercises insides)


def test_points_on_grid_lines_are_exact(locator):
    grid = locator._grid
    rng = np.random.default_rng(7)
    ix = rng.integers(0, grid.nx, 20_000)
    iy = rng.integers(0, grid.ny, 20_000)
    x = grid.x0 + ix * grid.dx
    y = grid.y0 + iy * grid.dy
    idx = locator.park_index(x, y)
    expected = np.full(x.shape, -1)
    for k, geom in enumerate(locator._park_geoms):
        expected[(expected < 0) & shapely.intersects_xy(geom, x, y)] = k
    np.testing.assert_array_equal(idx, expected)


def _geodesic_distance_to_boundaries(lon: float, lat: float, geoms) -> float:
    """Independent check: densify the lon/lat boundary to ~1 m, take the min geodesic."""
    geod = Geod(ellps="GRS80")
    coords = shapely.get_coordinates(shapely.boundary(shapely.segmentize(geoms, 1e-5)))
    n = len(coords)
    d = geod.inv(np.full(n, lon), np.full(n, lat), coords[:, 0], coords[:, 1])[2]
    return float(d.min())


def test_distance_against_geodesic(locator):
    rng = np.random.default_rng(3)
    w, s, e, n = locator.bounds
    lon = rng.uniform(w - 0.05, e + 0.05, 25)
    lat = rng.uniform(s - 0.05, n + 0.05, 25)
    lon = np.append(lon, [113.25, 113.225, 113.29])
    lat = np.append(lat, [33.64, 33.625, 33.70])
    r = locator.locate(lon, lat, distances=True)
    parks = [*locator._park_geoms]
    for i in range(len(lon)):
        ref = _geodesic_distance_to_boundaries(lon[i], lat[i], parks)
        got = abs(r.distance_m[i])
        assert got == pytest.approx(ref, rel=1e-3, abs=0.5), (lon[i], lat[i])
        assert np.sign(r.distance_m[i]) == (1 if r.inside[i] else -1)


def test_invalid_regions():
    with pytest.raises(InvalidInput, match="X"):
        ParkLocator([("X", None, shapely.Point(113, 33))])
    with pytest.raises(InvalidInput, match="empty"):
        ParkLocator([("X", None, Polygon())])
    with pytest.raises(InvalidInput, match="lon/lat"):
        ParkLocator([("X", None, box(435000, 3730000, 436000, 3731000))])
    with pytest.raises(InvalidInput, match="at least one"):
        ParkLocator([])
    with pytest.raises(InvalidInput, match="rows"):
        ParkLocator([("X", box(0, 0, 1, 1))])  # type: ignore[list-item]


def test_from_frames():
    gpd = pytest.importorskip("geopandas")
    parks = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[PARK_A, PARK_B], crs="EPSG:4490")
    sections = gpd.GeoDataFrame({"code": ["A1"], "park": ["A"]}, geometry=[SEC_A1], crs="EPSG:4490")
    loc = ParkLocator.from_frames(parks, sections)
    r = loc.locate([113.205, 113.37], [33.605, 33.61])
    assert list(r.park) == ["A", "B"] and list(r.section) == ["A1", None]
