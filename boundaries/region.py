"""Where parkgeo's features can be: Pingdingshan city, with a margin.

A boundary or point outside this box is almost always a CRS mistake (a wrong zone, swapped
axes, GCJ-02 read as WGS84 is only ~500 m off and stays inside, but a projected table read
as degrees does not). Writes refuse such shapes instead of storing them far away.
"""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from geo.errors import InvalidInput

#: (west, south, east, north) in CGCS2000 degrees: Pingdingshan city (112.2–114.2°E,
#: 32.9–34.4°N), a little wider than its administrative area.
PINGDINGSHAN_BBOX = (112.2, 32.9, 114.2, 34.4)


def in_region(geometry: BaseGeometry) -> bool:
    """True when ``geometry``'s bounds lie inside :data:`PINGDINGSHAN_BBOX`."""
    if geometry.is_empty:
        return False
    west, south, east, north = geometry.bounds
    w, s, e, n = PINGDINGSHAN_BBOX
    return west >= w and east <= e and south >= s and north <= n


def describe_bounds(geometry: BaseGeometry) -> str:
    west, south, east, north = (_number(v) for v in geometry.bounds)
    return f"lon {west}…{east}, lat {south}…{north}"


def _number(value: float) -> str:
    # Five decimals for degrees and metres; a wild value (1e308) would print 300 digits.
    return f"{value:.5f}" if abs(value) < 1e9 else f"{value:.6g}"


def check_in_region(geometry: BaseGeometry, label: str) -> None:
    """InvalidInput naming ``label`` when the shape is not in the Pingdingshan area."""
    if not in_region(geometry):
        w, s, e, n = PINGDINGSHAN_BBOX
        where = describe_bounds(geometry) if not geometry.is_empty else "empty"
        raise InvalidInput(
            f"{label}: lies outside the Pingdingshan area ({where}; expected within "
            f"{w}–{e}°E, {s}–{n}°N); check the CRS or the coordinate order"
        )
