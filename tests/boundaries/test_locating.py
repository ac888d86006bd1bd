"""The locating index built from the store: parks, sections, distances, CRSs, warnings."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod
from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries.frames import Frames
from boundaries.locating import LocatingIndex, locate_points, locating_index
from boundaries.store import frames
from geo.crs import from_cgcs2000

GEOD = Geod(ellps="GRS80")


@pytest.fixture(scope="module")
def stored(db_url) -> Frames:
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return frames(session)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def index(stored: Frames) -> LocatingIndex:
    return LocatingIndex.from_frames(stored)


def _one(index: LocatingIndex, x: float, y: float, crs: str | None = None) -> dict:
    return locate_points(index, [x], [y], crs).record(0)


def test_index_comes_from_the_store_and_is_cached(session: Session) -> None:
    first = locating_index(session)
    assert locating_index(session) is first
    assert sorted(first.locator.park_codes) == sorted(first.park_names)
    assert len(first.locator.section_codes) == 4


def test_cache_is_rebuilt_when_the_data_changes(fresh_session: Session) -> None:
    before = locating_index(fresh_session)
    fresh_session.execute(text("UPDATE parks SET valid_from = now() WHERE code = 'gaoxin'"))
    fresh_session.commit()
    after = locating_index(fresh_session)
    assert after is not before
    assert locating_index(fresh_session) is after


def test_inside_each_park(index: LocatingIndex, stored: Frames) -> None:
    for row in stored.parks.itertuples():
        point = row.geometry.representative_point()
        got = _one(index, point.x, point.y, "cgcs2000")
        assert got["inside"] is True, row.code
        assert got["park"] == row.code and got["park_name"] == row.name
        assert got["distance_m"] > 0 and got["nearest_park"] is None
        assert got["geometry_source"] == "schematic"
        assert got["near_edge"] == (got["distance_m"] <= row.precision_m)
        assert got["warning"] is None


def test_inside_each_baofeng_section(index: LocatingIndex, stored: Frames) -> None:
    for row in stored.sections.itertuples():
        point = row.geometry.representative_point()
        got = _one(index, point.x, point.y)
        assert (got["park"], got["section"], got["section_name"]) == (
            "baofeng",
            row.code,
            row.name,
        )


def test_a_vertex_counts_as_inside(index: LocatingIndex, stored: Frames) -> None:
    for row in stored.parks.itertuples():
        x, y = shapely.get_coordinates(row.geometry)[0]
        got = _one(index, x, y, "cgcs2000")
        assert got["inside"] is True and got["park"] == row.code
        assert got["distance_m"] == 0.0
        assert got["near_edge"] is True


def _geodesic_nearest(lon: float, lat: float, parks: Frames) -> tuple[float, str]:
    """Independent check: geodesic distance to the boundaries densified to ~5 m."""
    best, code = np.inf, ""
    for row in parks.parks.itertuples():
        ring = shapely.segmentize(shapely.boundary(row.geometry), 0.00005)
        xy = shapely.get_coordinates(ring)
        _, _, dist = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
        if dist.min() < best:
            best, code = float(dist.min()), row.code
    return best, code


def test_outside_nearest_park_and_distance(index: LocatingIndex, stored: Frames) -> None:
    rng = np.random.default_rng(3)
    west, south, east, north = index.bounds
    lon = rng.uniform(west - 0.05, east + 0.05, 400)
    lat = rng.uniform(south - 0.05, north + 0.05, 400)
    answers = locate_points(index, lon, lat, "cgcs2000")
    outside = np.flatnonzero(answers.inside == False)[:12]  # noqa: E712
    assert outside.size >= 10
    for i in outside:
        ref, code = _geodesic_nearest(lon[i], lat[i], stored)
        got = answers.record(int(i))
        assert got["nearest_park"] == code
        assert got["distance_m"] < 0
        # 5 m densification and the 0.1 m rounding; the local projection's scale < 1e-4.
        assert abs(-got["distance_m"] - ref) <= 1.0 + 1e-4 * ref, (got, ref)


@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "bd09", "EPSG:4547", "EPSG:4526"])
def test_each_crs_lands_in_the_same_place(index: LocatingIndex, stored: Frames, crs: str) -> None:
    points = [g.representative_point() for g in stored.parks.geometry]
    points += [g.representative_point() for g in stored.sections.geometry]
    lon = np.array([p.x for p in points])
    lat = np.array([p.y for p in points])
    x, y = from_cgcs2000(lon, lat, crs)
    if crs == "EPSG:4526":
        assert (x // 1_000_000 == 38).all()  # the zone number in front of the easting
    reference = locate_points(index, lon, lat, "cgcs2000")
    got = locate_points(index, x, y, crs)
    assert list(got.park) == list(reference.park)
    assert list(got.section) == list(reference.section)
    _, _, err = GEOD.inv(got.lon, got.lat, lon, lat)
    assert err.max() < 0.5
    assert all(w is None for w in got.warning)


def test_swapped_lat_lon_is_warned(index: LocatingIndex, stored: Frames) -> None:
    point = stored.parks.geometry.iloc[0].representative_point()
    got = _one(index, point.y, point.x)
    assert "swapped" in got["warning"]
    assert got["inside"] is None  # lat > 90: no answer, only the warning
    e, n = from_cgcs2000([point.x], [point.y], "EPSG:4547")
    got = _one(index, float(n[0]), float(e[0]), "EPSG:4547")  # northing given as x
    assert "swapped" in got["warning"]


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (np.nan, 33.7, "not a finite number"),
        (113.2, np.inf, "not a finite number"),
        (200.0, 33.7, "out of range"),
        (116.39, 39.91, "outside the Pingdingshan area"),
    ],
)
def test_bad_or_far_points_are_warned(index: LocatingIndex, x, y, expected) -> None:
    got = _one(index, x, y)
    assert expected in got["warning"]


def test_outside_the_crs_area_of_use_is_warned(index: LocatingIndex) -> None:
    x, y = from_cgcs2000([112.45], [33.8], "EPSG:4547")  # west of 112.5°E
    got = _one(index, float(x[0]), float(y[0]), "EPSG:4547")
    assert "area of use" in got["warning"]
    assert got["inside"] is False


def test_schematic_note(index: LocatingIndex) -> None:
    note = index.note("gaoxin")
    assert "schematic" in note and "3000 m" in note
