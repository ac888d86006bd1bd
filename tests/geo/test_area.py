"""Ellipsoidal (GRS80) and Gauss-Krüger areas."""

from __future__ import annotations

import math

import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, box
from shapely.geometry.polygon import orient

from geo.area import ellipsoidal_area_km2, gauss_kruger_area_km2
from geo.errors import InvalidInput

# GRS80
_A = 6378137.0
_F = 1 / 298.257222101
_E2 = _F * (2 - _F)
_E = math.sqrt(_E2)


def _authalic_q(lat_deg: float) -> float:
    s = math.sin(math.radians(lat_deg))
    return (1 - _E2) * (s / (1 - _E2 * s * s) - math.log((1 - _E * s) / (1 + _E * s)) / (2 * _E))


def _lonlat_box_area_km2(w: float, s: float, e: float, n: float) -> float:
    """Exact area of a lon/lat quadrangle on the ellipsoid (closed form, independent of PROJ).

    Edges along meridians and parallels: Geod measures geodesic edges, so the east-west edges
    differ a little from parallels; the tolerance below covers it for a 0.1 deg box.
    """
    return _A**2 / 2 * math.radians(e - w) * (_authalic_q(n) - _authalic_q(s)) / 1e6


def test_box_matches_closed_form():
    w, s, e, n = 113.2, 33.6, 113.3, 33.7
    got = ellipsoidal_area_km2(box(w, s, e, n))
    assert got == pytest.approx(_lonlat_box_area_km2(w, s, e, n), rel=2e-5)
    assert got == pytest.approx(102.888, abs=0.01)


def test_holes_subtracted_whatever_the_orientation():
    outer = box(113.2, 33.6, 113.3, 33.7)
    hole = box(113.22, 33.62, 113.24, 33.64)
    with_hole = outer.difference(hole)
    expected = ellipsoidal_area_km2(outer) - ellipsoidal_area_km2(hole)
    for geom in (with_hole, orient(with_hole, 1.0), orient(with_hole, -1.0)):
        assert ellipsoidal_area_km2(geom) == pytest.approx(expected, rel=1e-12)
    # Both rings clockwise: pyproj's own geometry_area_perimeter would add the hole.
    cw_both = shapely.Polygon(
        outer.exterior.coords[::-1] if outer.exterior.is_ccw else outer.exterior.coords,
        [hole.exterior.coords[::-1] if hole.exterior.is_ccw else hole.exterior.coords],
    )
    assert ellipsoidal_area_km2(cw_both) == pytest.approx(expected, rel=1e-12)


def test_multipolygon_sums_parts():
    a = box(113.2, 33.6, 113.25, 33.65)
    b = box(113.4, 33.6, 113.45, 33.65)
    total = ellipsoidal_area_km2(MultiPolygon([a, b]))
    assert total == pytest.approx(ellipsoidal_area_km2(a) + ellipsoidal_area_km2(b), rel=1e-12)


def test_gauss_kruger_is_slightly_larger_near_pingdingshan():
    geom = box(113.2, 33.6, 113.3, 33.7).difference(box(113.22, 33.62, 113.24, 33.64))
    ellipsoidal = ellipsoidal_area_km2(geom)
    planar = gauss_kruger_area_km2(geom)
    # 0.75 deg (~70 km) west of CM 114E, the TM area scale is ~1 + x^2/R^2 = 1.00012.
    assert 0 < planar / ellipsoidal - 1 < 3e-4


def test_empty_and_bad_input():
    assert ellipsoidal_area_km2(shapely.Polygon()) == 0.0
    assert gauss_kruger_area_km2(shapely.Polygon()) == 0.0
    with pytest.raises(InvalidInput, match="LineString"):
        ellipsoidal_area_km2(shapely.LineString([(113, 33), (114, 34)]))
    with pytest.raises(InvalidInput, match="lon/lat"):
        ellipsoidal_area_km2(box(435000, 3730000, 436000, 3731000))
    with pytest.raises(InvalidInput):
        gauss_kruger_area_km2(Point(113, 33))  # type: ignore[arg-type]
