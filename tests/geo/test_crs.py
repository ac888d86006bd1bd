"""CRS parsing and conversions to/from CGCS2000 lon/lat."""

from __future__ import annotations

import numpy as np
import pytest

from geo import chinese_datums as cd
from geo.crs import (
    ParsedCrs,
    area_of_use_contains,
    from_cgcs2000,
    parse_crs,
    to_cgcs2000,
    transformer,
)
from geo.errors import InvalidInput

LON, LAT = 113.3, 33.7  # Pingdingshan high-tech zone


@pytest.mark.parametrize(
    ("value", "name", "epsg", "shift"),
    [
        (None, "wgs84", 4326, None),
        ("", "wgs84", 4326, None),
        ("wgs84", "wgs84", 4326, None),
        ("WGS84", "wgs84", 4326, None),
        ("EPSG:4326", "wgs84", 4326, None),
        ("cgcs2000", "cgcs2000", 4490, None),
        ("epsg:4490", "cgcs2000", 4490, None),
        (4490, "cgcs2000", 4490, None),
        ("gcj02", "gcj02", 4326, "gcj02"),
        ("GCJ-02", "gcj02", 4326, "gcj02"),
        ("bd09", "bd09", 4326, "bd09"),
        ("EPSG:4547", "EPSG:4547", 4547, None),
        ("4526", "EPSG:4526", 4526, None),
        (" epsg:4547 ", "EPSG:4547", 4547, None),
    ],
)
def test_parse_accepted_forms(value, name, epsg, shift):
    assert parse_crs(value) == ParsedCrs(name, epsg, shift)


@pytest.mark.parametrize("value", ["mars", "EPSG:99999", "epsg:abc", "4978", "5773", True])
def test_parse_rejects_with_the_bad_value_and_the_accepted_forms(value):
    # 4978 is geocentric, 5773 a vertical CRS: not usable for x/y points.
    with pytest.raises(InvalidInput) as err:
        parse_crs(value)
    assert repr(str(value).strip()) in err.value.message or str(value) in err.value.message
    assert "gcj02" in err.value.message and "EPSG:nnnn" in err.value.message


def test_gauss_kruger_4547_easting_northing_order():
    # 113.3E is 0.7 deg west of CM 114E: easting below the 500 000 m false easting.
    x, y = from_cgcs2000(LON, LAT, "EPSG:4547")
    assert 430_000 < x < 440_000
    assert 3_700_000 < y < 3_760_000
    lon, lat = to_cgcs2000(x, y, 4547)
    np.testing.assert_allclose([lon, lat], [LON, LAT], atol=1e-9)


def test_gauss_kruger_zone38_has_zone_prefix():
    x47, y47 = from_cgcs2000(LON, LAT, 4547)
    x26, y26 = from_cgcs2000(LON, LAT, 4526)
    np.testing.assert_allclose(x26, 38_000_000 + x47, atol=1e-6)
    np.testing.assert_allclose(y26, y47, atol=1e-6)
    lon, lat = to_cgcs2000(x26, y26, "EPSG:4526")
    np.testing.assert_allclose([lon, lat], [LON, LAT], atol=1e-9)


def test_geographic_crs_are_identity_and_never_latitude_first():
    lon, lat = to_cgcs2000([LON], [LAT], "wgs84")
    np.testing.assert_array_equal([lon, lat], [[LON], [LAT]])
    # EPSG:4490 is latitude-first in the EPSG database; always_xy keeps lon first.
    x, y = transformer(4326, 4490).transform(LON, LAT)
    assert np.isfinite(x) and abs(x - LON) < 1e-9 and abs(y - LAT) < 1e-9


def test_gcj02_and_bd09_use_the_chinese_datums():
    glon, glat = cd.wgs84_to_gcj02(LON, LAT)
    lon, lat = to_cgcs2000(glon, glat, "gcj02")
    np.testing.assert_allclose([lon, lat], [LON, LAT], atol=1e-9)
    out = from_cgcs2000(LON, LAT, "gcj02")
    np.testing.assert_allclose(out, [glon, glat], atol=1e-12)
    blon, blat = from_cgcs2000(LON, LAT, "bd09")
    np.testing.assert_allclose(cd.wgs84_to_bd09(LON, LAT), [blon, blat], atol=1e-12)
    np.testing.assert_allclose(to_cgcs2000(blon, blat, "bd09"), [LON, LAT], atol=1e-9)


def test_arrays_keep_shape():
    lon = np.full((2, 3), LON)
    x, y = from_cgcs2000(lon, LAT, 4547)
    assert x.shape == (2, 3) and y.shape == (2, 3)


def test_area_of_use():
    lon = np.array([113.3, 112.2, 120.0, np.nan])
    lat = np.array([33.7, 33.7, 33.7, 33.7])
    # EPSG:4547 covers 112.5-115.5E only: western Pingdingshan (112.2E) is outside.
    np.testing.assert_array_equal(area_of_use_contains(4547, lon, lat), [1, 0, 0, 0])
    np.testing.assert_array_equal(area_of_use_contains("wgs84", lon, lat), [1, 1, 1, 0])
    assert not area_of_use_contains("gcj02", 2.35, 48.85)
