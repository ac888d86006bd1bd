"""The CRSs the map layers (OGC API Features, exports) are offered in, by OGC URI.

Features are stored in CGCS2000 lon/lat (EPSG:4490). Layers can be asked for in:

- ``http://www.opengis.net/def/crs/OGC/1.3/CRS84`` (default): WGS84 lon/lat. CGCS2000 and
  WGS84 differ by centimetres; like PROJ we treat the shift as null.
- ``http://www.opengis.net/def/crs/EPSG/0/4490`` (CGCS2000) and ``.../EPSG/0/4326`` (WGS84):
  **latitude first**, as OGC API Features Part 2 requires (coordinates follow the axis order
  of the CRS; GDAL and QGIS expect it). Use CRS84 for lon/lat.
- ``urn:parkgeo:def:crs:GCJ-02`` (alias ``gcj02``): the Amap/Tencent "Mars" coordinates, lon/lat.
  GCJ-02 is not in the EPSG registry or in PROJ, so there is no official URI; this one is ours.
  It is WGS84 plus the national offset (a few hundred metres), computed by
  ``geo.chinese_datums``.

Short forms are accepted too (``CRS84``, ``EPSG:4490``, ``4490``, ``cgcs2000``, ``gcj02`` ...).
Exports (files, not OGC responses) also accept any projected EPSG code ``geo.crs`` knows, such as
EPSG:4547 (CGCS2000 Gauss-Krüger CM 114°E), because planners' CAD drawings use them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from geo.chinese_datums import gcj02_to_wgs84, wgs84_to_gcj02
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4490_URI = "http://www.opengis.net/def/crs/EPSG/0/4490"
EPSG4326_URI = "http://www.opengis.net/def/crs/EPSG/0/4326"
GCJ02_URI = "urn:parkgeo:def:crs:GCJ-02"
STORAGE_SRID = 4490

#: coordinates are rounded to 7 decimals of a degree (about 1 cm), as the GeoJSON is.
DECIMALS = 7


@dataclass(frozen=True)
class LayerCrs:
    """One CRS a layer can be served in.

    ``lat_first``: the authority's axis order is (lat, lon); OGC responses and ``bbox`` values
    then come latitude first. ``gcj02``: the GCJ-02 offset is applied on top of WGS84.
    """

    uri: str
    label: str
    epsg: int
    lat_first: bool = False
    gcj02: bool = False

    @property
    def header(self) -> str:
        """The ``Content-Crs`` header value (OGC API Features Part 2)."""
        return f"<{self.uri}>"

    def pyproj(self) -> CRS:
        """The CRS written into exported files (GCJ-02: WGS84 renamed, without an EPSG id)."""
        return _gcj02_crs() if self.gcj02 else CRS.from_epsg(self.epsg)


CRS84 = LayerCrs(CRS84_URI, "WGS84 经纬度 (lon, lat)", 4326)
CGCS2000 = LayerCrs(EPSG4490_URI, "CGCS2000 国家2000 (lat, lon)", 4490, lat_first=True)
WGS84_LATLON = LayerCrs(EPSG4326_URI, "WGS84 (lat, lon)", 4326, lat_first=True)
GCJ02 = LayerCrs(GCJ02_URI, "GCJ-02 高德/腾讯 (lon, lat)", 4326, gcj02=True)

#: what OGC collections list under ``crs``, default first.
OGC_CRS: tuple[LayerCrs, ...] = (CRS84, CGCS2000, WGS84_LATLON, GCJ02)

_ALIASES: dict[str, LayerCrs] = {
    **{item.uri.lower(): item for item in OGC_CRS},
    "crs84": CRS84,
    "ogc:crs84": CRS84,
    "urn:ogc:def:crs:ogc:1.3:crs84": CRS84,
    "wgs84": CRS84,
    "epsg:4490": CGCS2000,
    "4490": CGCS2000,
    "cgcs2000": CGCS2000,
    "urn:ogc:def:crs:epsg::4490": CGCS2000,
    "epsg:4326": WGS84_LATLON,
    "4326": WGS84_LATLON,
    "urn:ogc:def:crs:epsg::4326": WGS84_LATLON,
    "gcj02": GCJ02,
    "gcj-02": GCJ02,
    "gcj": GCJ02,
}
ACCEPTED = (
    f"{CRS84_URI} (default, alias CRS84), {EPSG4490_URI} (alias EPSG:4490, lat/lon order), "
    f"{EPSG4326_URI} (alias EPSG:4326, lat/lon order), {GCJ02_URI} (alias gcj02)"
)


def resolve_crs(value: str | None, *, parameter: str = "crs") -> LayerCrs:
    """The ``LayerCrs`` named by ``value`` (None or empty: CRS84); ``InvalidInput`` otherwise."""
    if value is None or not value.strip():
        return CRS84
    found = _ALIASES.get(value.strip().lower())
    if found is None:
        raise InvalidInput(f"{parameter}: unsupported CRS {value!r}. Supported: {ACCEPTED}.")
    return found


def to_storage(x: NDArray, y: NDArray, crs: LayerCrs) -> tuple[NDArray, NDArray]:
    """Coordinates given in ``crs`` (in its axis order) as CGCS2000 lon, lat."""
    lon, lat = (y, x) if crs.lat_first else (x, y)
    if crs.gcj02:
        shifted = gcj02_to_wgs84(lon, lat)
        return np.asarray(shifted[0], dtype=float), np.asarray(shifted[1], dtype=float)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def gcj02_coords(coords: NDArray) -> NDArray:
    """An (N, 2) array of WGS84/CGCS2000 lon, lat shifted to GCJ-02 and rounded."""
    lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    return np.round(np.column_stack([lon, lat]), DECIMALS)


def shift_geometry(geometry: dict) -> dict:
    """A GeoJSON geometry (CRS84 lon/lat) moved to GCJ-02: PROJ cannot do this one in SQL."""
    shifted = shapely.transform(shapely.geometry.shape(geometry), gcj02_coords)
    return shapely.geometry.mapping(shifted)


@cache
def _gcj02_crs() -> CRS:
    # Files need some CRS: GCJ-02 is WGS84 lon/lat plus a deterministic offset, so we write
    # WGS84's definition under an honest name and without the EPSG id (which would claim
    # the coordinates are plain WGS84).
    definition = CRS.from_user_input("OGC:CRS84").to_json_dict()
    definition.pop("id", None)
    definition["name"] = "GCJ-02 (WGS 84 with the Chinese national offset; Amap/Tencent)"
    return CRS.from_json_dict(definition)
