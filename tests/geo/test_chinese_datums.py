"""GCJ-02 / BD-09 against published vectors and an independent scalar re-derivation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod

from geo import chinese_datums as cd

# googollee/eviltransform's published vectors: (wgs lat, wgs lon, gcj lat, gcj lon).
PUBLISHED = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]

_GEOD = Geod(ellps="WGS84")
_X_PI = math.pi * 3000.0 / 180.0


def _ref_gcj_to_bd(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 forward formula as written in wandergis/coordTransform and eviltransform.

    Re-typed here with the math module, scalar, so the vectorised code is checked against
    an independent transcription. (eviltransform's own BD-09 *test vectors* do not match
    this formula — off by ~9 m and ~39 m — so they are not used.)
    """
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _ref_bd_to_gcj_closed_form(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def _pingdingshan_grid() -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.linspace(112.5, 113.8, 27), np.linspace(33.0, 34.2, 25))
    return lon.ravel(), lat.ravel()


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return _GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), PUBLISHED)
def test_wgs84_to_gcj02_matches_published_vectors(wlat, wlon, glat, glon):
    lon, lat = cd.wgs84_to_gcj02(wlon, wlat)
    assert abs(lon - glon) <= 1e-9
    assert abs(lat - glat) <= 1e-9
    assert isinstance(lon, float)


def test_vectorised_matches_scalar_and_keeps_shape():
    wlat = np.array([v[0] for v in PUBLISHED]).reshape(3, 1)
    wlon = np.array([v[1] for v in PUBLISHED]).reshape(3, 1)
    lon, lat = cd.wgs84_to_gcj02(wlon, wlat)
    assert lon.shape == (3, 1)
    np.testing.assert_allclose(lat.ravel(), [v[2] for v in PUBLISHED], atol=1e-9, rtol=0)
    np.testing.assert_allclose(lon.ravel(), [v[3] for v in PUBLISHED], atol=1e-9, rtol=0)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), PUBLISHED)
def test_gcj02_to_wgs84_inverts_published_vectors(wlat, wlon, glat, glon):
    lon, lat = cd.gcj02_to_wgs84(glon, glat)
    assert _metres(lon, lat, wlon, wlat) < 0.01


def test_gcj02_inverse_round_trip_over_pingdingshan():
    lon, lat = _pingdingshan_grid()
    glon, glat = cd.wgs84_to_gcj02(lon, lat)
    shift = _metres(lon, lat, glon, glat)
    assert shift.min() > 100  # the offset is really applied here (hundreds of metres)
    back_lon, back_lat = cd.gcj02_to_wgs84(glon, glat)
    err = _metres(lon, lat, back_lon, back_lat)
    assert err.max() < 0.01  # documented accuracy; the brief asks < 0.5 m


def test_bd09_matches_independent_transcription():
    lon, lat = _pingdingshan_grid()
    blon, blat = cd.gcj02_to_bd09(lon, lat)
    ref = np.array([_ref_gcj_to_bd(a, b) for a, b in zip(lon, lat, strict=True)])
    np.testing.assert_allclose(blon, ref[:, 0], atol=1e-12, rtol=0)
    np.testing.assert_allclose(blat, ref[:, 1], atol=1e-12, rtol=0)


def test_bd09_inverse_refines_the_usual_closed_form():
    lon, lat = _pingdingshan_grid()
    blon, blat = cd.gcj02_to_bd09(lon, lat)
    glon, glat = cd.bd09_to_gcj02(blon, blat)
    assert _metres(lon, lat, glon, glat).max() < 1e-4
    closed = np.array([_ref_bd_to_gcj_closed_form(a, b) for a, b in zip(blon, blat, strict=True)])
    # The closed form found in most libraries is within ~0.1 m of our exact inverse.
    assert _metres(closed[:, 0], closed[:, 1], glon, glat).max() < 0.2


def test_bd09_wgs84_round_trip():
    lon, lat = _pingdingshan_grid()
    blon, blat = cd.wgs84_to_bd09(lon, lat)
    shift = _metres(lon, lat, blon, blat)
    assert shift.min() > 500  # BD-09 adds ~0.006° on top of GCJ-02
    back_lon, back_lat = cd.bd09_to_wgs84(blon, blat)
    assert _metres(lon, lat, back_lon, back_lat).max() < 0.01


def test_outside_china_is_identity():
    lon = np.array([2.35, -74.0, 151.2, 100.0])
    lat = np.array([48.85, 40.7, -33.9, 60.0])
    for fn in (cd.wgs84_to_gcj02, cd.gcj02_to_wgs84):
        out_lon, out_lat = fn(lon, lat)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)
    assert cd.out_of_china(lon, lat).all()
    assert not cd.out_of_china(113.3, 33.7)


def test_nan_in_nan_out():
    lon = np.array([113.3, np.nan, 113.4])
    lat = np.array([33.7, 33.7, np.nan])
    for fn in (
        cd.wgs84_to_gcj02,
        cd.gcj02_to_wgs84,
        cd.gcj02_to_bd09,
        cd.bd09_to_gcj02,
        cd.wgs84_to_bd09,
        cd.bd09_to_wgs84,
    ):
        out_lon, out_lat = fn(lon, lat)
        assert np.isfinite(out_lon[0]) and np.isfinite(out_lat[0])
        assert np.isnan(out_lon[1]) and np.isnan(out_lat[1])
        assert np.isnan(out_lon[2]) and np.isnan(out_lat[2])


def test_scalar_in_scalar_out_and_empty_arrays():
    lon, lat = cd.bd09_to_wgs84(113.3, 33.7)
    assert isinstance(lon, float) and isinstance(lat, float)
    e_lon, e_lat = cd.gcj02_to_wgs84(np.array([]), np.array([]))
    assert e_lon.shape == (0,) and e_lat.shape == (0,)
