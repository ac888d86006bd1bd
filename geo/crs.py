"""User CRS strings and the conversions to and from CGCS2000 lon/lat (EPSG:4490).

Everything is stored in CGCS2000 lon/lat; users hand us WGS84 (GPS), GCJ-02 (Amap/Tencent),
BD-09 (Baidu) or survey coordinates in CGCS2000 Gauss-Krüger. Axis order in our API is always
x, y = lon, lat (geographic) or x, y = EASTING, NORTHING (projected): pyproj is always called
with ``always_xy=True`` because EPSG:4490 is latitude-first and otherwise silently gives inf.

Survey tables (界址点坐标表) label the NORTHING "X" (7 digits here) and the EASTING "Y"; pass
their Y as our x and their X as our y. With the 3-degree zone number in front of the easting
(8 digits, 38xxxxxx) the CRS is EPSG:4526; without it (6 digits, CM 114°E) EPSG:4547.

WGS84 and CGCS2000 differ by a few centimetres at most; PROJ uses a null ("ballpark")
transformation between them, and so do we.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo import chinese_datums
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

WGS84_EPSG = 4326
CGCS2000_EPSG = 4490
GK_CM114_EPSG = 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E (no zone prefix)
GK_ZONE38_EPSG = 4526  # CGCS2000 / 3-degree Gauss-Kruger zone 38 (easting prefixed with 38)

ACCEPTED_FORMS = (
    "wgs84 (EPSG:4326, the default), cgcs2000 (EPSG:4490), gcj02, bd09, "
    "EPSG:nnnn / epsg:nnnn / a bare EPSG number (e.g. 4547 for CGCS2000 Gauss-Krüger CM 114°E, "
    "4526 for zone 38 with the zone number in the easting)"
)

_ALIASES: dict[str, str] = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "wgs_84": "wgs84",
    "crs84": "wgs84",
    "ogc:crs84": "wgs84",
    "cgcs2000": "cgcs2000",
    "cgcs-2000": "cgcs2000",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "bd09ll": "bd09",
}
_EPSG_RE = re.compile(r"^(?:epsg:)?\s*(\d{4,6})$", re.IGNORECASE)

# The out_of_china rectangle: where GCJ-02 / BD-09 shift coordinates at all.
_CHINA_BOUNDS = (72.004, 0.8293, 137.8347, 55.8271)


@dataclass(frozen=True)
class ParsedCrs:
    """A CRS the user named: an EPSG code, possibly with a Chinese web-map datum on top.

    ``shift`` is "gcj02" or "bd09" for those datums (``epsg`` is then 4326, the datum they
    distort), else None.
    """

    name: str
    epsg: int
    shift: str | None = None

    @property
    def is_geographic(self) -> bool:
        return self.shift is not None or _crs(self.epsg).is_geographic


def parse_crs(value: str | int | None) -> ParsedCrs:
    """Parse a user CRS string; None or "" means wgs84. Unknown values raise InvalidInput."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ParsedCrs("wgs84", WGS84_EPSG)
    if isinstance(value, bool):  # bool is an int; True is not a CRS
        raise InvalidInput(f"Unknown CRS {value!r}. Accepted: {ACCEPTED_FORMS}.")
    text = str(value).strip()
    alias = _ALIASES.get(text.lower())
    if alias == "wgs84":
        return ParsedCrs("wgs84", WGS84_EPSG)
    if alias == "cgcs2000":
        return ParsedCrs("cgcs2000", CGCS2000_EPSG)
    if alias in ("gcj02", "bd09"):
        return ParsedCrs(alias, WGS84_EPSG, shift=alias)
    match = _EPSG_RE.match(text)
    if match is None:
        raise InvalidInput(f"Unknown CRS {text!r}. Accepted: {ACCEPTED_FORMS}.")
    code = int(match.group(1))
    _check_epsg(code, text)
    if code == WGS84_EPSG:
        return ParsedCrs("wgs84", code)
    if code == CGCS2000_EPSG:
        return ParsedCrs("cgcs2000", code)
    return ParsedCrs(f"EPSG:{code}", code)


def _check_epsg(code: int, text: str) -> None:
    try:
        crs = _crs(code)
    except CRSError:
        raise InvalidInput(
            f"Unknown CRS {text!r}: EPSG:{code} is not in the EPSG database. "
            f"Accepted: {ACCEPTED_FORMS}."
        ) from None
    # Points need a horizontal 2D CRS; geocentric, vertical or 3D ones would be misread.
    if not (crs.is_geographic or crs.is_projected) or len(crs.axis_info) != 2:
        raise InvalidInput(
            f"CRS {text!r} ({crs.name}) is not a 2D geographic or projected CRS. "
            f"Accepted: {ACCEPTED_FORMS}."
        )


@functools.lru_cache(maxsize=64)
def _crs(code: int) -> CRS:
    return CRS.from_epsg(code)


def local_metric_transformer(bounds: Sequence[float]) -> Transformer:
    """CGCS2000 lon/lat -> metres in a transverse Mercator centred on ``bounds``.

    Distances to park edges are measured here: within 90 km of the centre the scale error
    is below 0.01 %. The locator and the nearest-edge search must use the same projection,
    so both take it from this function.
    """
    west, south, east, north = (float(v) for v in bounds)
    lon0, lat0 = (west + east) / 2, (south + north) / 2
    local = CRS.from_proj4(
        f"+proj=tmerc +lat_0={lat0:.6f} +lon_0={lon0:.6f} +k=1 +x_0=0 +y_0=0 "
        "+ellps=GRS80 +units=m +no_defs"
    )
    return Transformer.from_crs(_crs(4490), local, always_xy=True)


@functools.lru_cache(maxsize=64)
def transformer(src_epsg: int, dst_epsg: int) -> Transformer:
    """A cached ``always_xy`` Transformer (pyproj Transformers are thread-safe since 3.1)."""
    return Transformer.from_crs(_crs(src_epsg), _crs(dst_epsg), always_xy=True)


def _as_float_arrays(x: ArrayLike, y: ArrayLike) -> tuple[NDArray, NDArray]:
    a, b = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.array(a, dtype=float), np.array(b, dtype=float)


def _is_null_shift(code: int) -> bool:
    # WGS84 <-> CGCS2000: PROJ's ballpark transformation is the identity; skip the call.
    return code in (WGS84_EPSG, CGCS2000_EPSG)


def to_cgcs2000(
    x: ArrayLike, y: ArrayLike, crs: str | int | ParsedCrs | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert coordinates in ``crs`` to CGCS2000 (lon, lat) arrays.

    Parameters
    ----------
    x, y
        lon, lat for geographic CRSs; EASTING, NORTHING for projected ones (survey tables
        call the northing X: swap them).
    crs
        Anything :func:`parse_crs` accepts, or a ParsedCrs. None means wgs84.
    """
    parsed = crs if isinstance(crs, ParsedCrs) else parse_crs(crs)
    xs, ys = _as_float_arrays(x, y)
    if parsed.shift == "gcj02":
        return _arrays(chinese_datums.gcj02_to_wgs84(xs, ys))
    if parsed.shift == "bd09":
        return _arrays(chinese_datums.bd09_to_wgs84(xs, ys))
    if _is_null_shift(parsed.epsg):
        return xs, ys
    lon, lat = transformer(parsed.epsg, CGCS2000_EPSG).transform(xs, ys)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def from_cgcs2000(
    lon: ArrayLike, lat: ArrayLike, crs: str | int | ParsedCrs | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert CGCS2000 (lon, lat) to ``crs``: the inverse of :func:`to_cgcs2000`."""
    parsed = crs if isinstance(crs, ParsedCrs) else parse_crs(crs)
    xs, ys = _as_float_arrays(lon, lat)
    if parsed.shift == "gcj02":
        return _arrays(chinese_datums.wgs84_to_gcj02(xs, ys))
    if parsed.shift == "bd09":
        return _arrays(chinese_datums.wgs84_to_bd09(xs, ys))
    if _is_null_shift(parsed.epsg):
        return xs, ys
    x, y = transformer(CGCS2000_EPSG, parsed.epsg).transform(xs, ys)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _arrays(pair: tuple) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return np.asarray(pair[0], dtype=float), np.asarray(pair[1], dtype=float)


def area_of_use(crs: str | int | ParsedCrs | None) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees where ``crs`` is meant to be used.

    GCJ-02 and BD-09 use the out_of_china rectangle (outside it they do nothing).
    """
    parsed = crs if isinstance(crs, ParsedCrs) else parse_crs(crs)
    if parsed.shift is not None:
        return _CHINA_BOUNDS
    aou = _crs(parsed.epsg).area_of_use
    if aou is None:
        return (-180.0, -90.0, 180.0, 90.0)
    return (aou.west, aou.south, aou.east, aou.north)


def area_of_use_contains(
    crs: str | int | ParsedCrs | None, lon: ArrayLike, lat: ArrayLike
) -> NDArray[np.bool_]:
    """True where CGCS2000 (lon, lat) lies inside the CRS's area of use (NaN: False).

    Callers warn (not fail) on False: e.g. EPSG:4547/4526 cover 112.5–115.5°E only, so the
    western edge of Pingdingshan city (west of 112.5°E) is outside them and distorts slightly.
    """
    west, south, east, north = area_of_use(crs)
    x, y = _as_float_arrays(lon, lat)
    # An area crossing the antimeridian has west > east.
    in_x = (x >= west) & (x <= east) if west <= east else (x >= west) | (x <= east)
    return in_x & (y >= south) & (y <= north)
