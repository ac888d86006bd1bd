"""Areas of park polygons given in CGCS2000 lon/lat (EPSG:4490).

The declared areas (规划面积) are compared with the ellipsoidal area on GRS80, CGCS2000's
ellipsoid; this equals PostGIS ``ST_Area(geom::geography)`` on SRID 4490. The Gauss-Krüger
planar area (EPSG:4547) is what survey software reports; near Pingdingshan it is about 1e-4
larger (projection scale). Never Web Mercator: +35 % at this latitude.
"""

from __future__ import annotations

import functools
import logging

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from geo.crs import CGCS2000_EPSG, GK_CM114_EPSG, transformer
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

_POLYGONAL = {"Polygon", "MultiPolygon", "GeometryCollection"}


@functools.lru_cache(maxsize=1)
def _geod() -> Geod:
    return Geod(ellps="GRS80")


def _check_lonlat_polygonal(geom: BaseGeometry) -> None:
    if not isinstance(geom, BaseGeometry):
        raise InvalidInput(f"Expected a shapely geometry, got {type(geom).__name__}.")
    if geom.geom_type not in _POLYGONAL:
        raise InvalidInput(f"Area needs a Polygon or MultiPolygon, got a {geom.geom_type}.")
    if geom.is_empty:
        return
    west, south, east, north = geom.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        raise InvalidInput(
            f"Geometry bounds {geom.bounds!r} are not lon/lat degrees; "
            "areas take CGCS2000 lon/lat (EPSG:4490)."
        )


def _polygons(geom: BaseGeometry) -> list[shapely.Polygon]:
    parts = shapely.get_parts(geom)
    out: list[shapely.Polygon] = []
    for part in parts:
        if part.geom_type == "Polygon":
            out.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            out.extend(_polygons(part))
    return out


def ellipsoidal_area_km2(geom: BaseGeometry) -> float:
    """Geodesic area on GRS80 in km²; holes subtracted, MultiPolygon parts summed.

    Rings are measured one by one with their absolute area, so ring orientation (which
    ``Geod.geometry_area_perimeter`` relies on for holes) does not matter.
    """
    _check_lonlat_polygonal(geom)
    geod = _geod()
    total = 0.0
    for poly in _polygons(geom):
        if poly.is_empty:
            continue
        area = abs(geod.polygon_area_perimeter(*poly.exterior.xy)[0])
        for hole in poly.interiors:
            area -= abs(geod.polygon_area_perimeter(*hole.xy)[0])
        total += area
    return total / 1e6


def gauss_kruger_area_km2(geom: BaseGeometry, epsg: int = GK_CM114_EPSG) -> float:
    """Planar area in km² after projecting to CGCS2000 Gauss-Krüger (default EPSG:4547)."""
    _check_lonlat_polygonal(geom)
    if geom.is_empty:
        return 0.0
    tr = transformer(CGCS2000_EPSG, epsg)
    projected = shapely.transform(geom, lambda xy: np.column_stack(tr.transform(*xy.T)))
    return float(shapely.area(projected)) / 1e6
