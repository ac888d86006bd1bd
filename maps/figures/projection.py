"""The plotting CRS and the two numbers a print map needs from it: grid scale and convergence.

Figures are drawn in CGCS2000 / 3-degree Gauss-Krüger CM 114°E (EPSG:4547), in metres, so a
scale bar means something. Away from the central meridian a grid metre is slightly longer than
a ground metre (scale factor > 1) and grid north is turned from true north (convergence); at
113°E, 33.8°N both are tiny (1.0001, -0.56°) but we use the real values anyway.
"""

from __future__ import annotations

import functools
import math
from typing import Final

import geopandas as gpd
from pyproj import CRS, Geod, Transformer

PLOT_EPSG: Final[int] = 4547
PLOT_CRS: Final[str] = f"EPSG:{PLOT_EPSG}"
CRS_NOTE: Final[str] = "CGCS2000 坐标系，高斯-克吕格 3 度带投影（中央经线 114°E，EPSG:4547）"

_GEOD = Geod(ellps="GRS80")


def to_plot_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject a frame to the plotting CRS (a frame without CRS is refused by geopandas)."""
    return frame.to_crs(PLOT_CRS)


@functools.cache
def _to_lonlat() -> Transformer:
    return Transformer.from_crs(CRS.from_epsg(PLOT_EPSG), CRS.from_epsg(4490), always_xy=True)


def grid_scale(x: float, y: float, span_m: float = 1000.0) -> float:
    """Grid metres per ground metre near the plot point (x, y), from the ellipsoid.

    Measured over a short east-west segment: the length in EPSG:4547 divided by the geodesic
    length on GRS80 (the CGCS2000 ellipsoid).
    """
    lon1, lat1 = _to_lonlat().transform(x - span_m / 2, y)
    lon2, lat2 = _to_lonlat().transform(x + span_m / 2, y)
    _, _, ground = _GEOD.inv(lon1, lat1, lon2, lat2)
    return span_m / ground


def convergence_deg(x: float, y: float) -> float:
    """Angle of true north at the plot point, in degrees clockwise from grid north (map up).

    Taken from the drawn meridian itself (a short step north along it), which avoids any doubt
    about PROJ's sign convention.
    """
    lon, lat = _to_lonlat().transform(x, y)
    x2, y2 = _to_plot().transform(lon, lat + 0.01)
    return math.degrees(math.atan2(x2 - x, y2 - y))


@functools.cache
def _to_plot() -> Transformer:
    return Transformer.from_crs(CRS.from_epsg(4490), CRS.from_epsg(PLOT_EPSG), always_xy=True)
