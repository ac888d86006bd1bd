"""Guess the CRS of coordinates that came without one, and say why.

Survey files from the natural-resources bureau often carry no CRS: a DXF never does, a
界址点 table is just numbers. The numbers themselves usually tell: degrees in China's
lon/lat ranges are CGCS2000; a 7-digit northing with an 8-digit easting that starts with
the 3-degree zone number (38xxxxxx near Pingdingshan) is CGCS2000 Gauss-Krüger with zone
prefix (EPSG:4513–4533 for zones 25–45); a 6-digit easting is the same projection without
the prefix, and here that means central meridian 114°E (EPSG:4547). Anything else is
ambiguous and refused: a wrong guess would store a boundary kilometres away.

All functions take ``x`` = easting (or lon) and ``y`` = northing (or lat), already mapped
from the survey convention (table "X" is the northing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from geo.crs import CGCS2000_EPSG, GK_CM114_EPSG
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

#: CGCS2000 3-degree Gauss-Krüger zones with the zone number in the easting.
GK_ZONE_EPSG = {zone: 4513 + zone - 25 for zone in range(25, 46)}
#: Loose lon/lat box of mainland China: degrees outside it are not a Chinese survey.
_CHINA_LON = (73.0, 136.0)
_CHINA_LAT = (3.0, 54.0)

EXPECTED = (
    "expected lon/lat degrees, or Gauss-Krüger metres with 7-digit northings and either "
    "8-digit eastings carrying the zone number (e.g. 38512345.67, EPSG:4526) or 6-digit "
    "eastings (EPSG:4547, CM 114°E)"
)


@dataclass(frozen=True)
class CrsGuess:
    """The EPSG code found, a sentence saying why, and whether x and y were swapped."""

    epsg: int
    reason: str
    swapped: bool = False


def digits(values: NDArray) -> set[int]:
    """Integer digit counts of the absolute values (0.5 -> 1, 3712345.1 -> 7)."""
    whole = np.floor(np.abs(values))
    return {max(1, len(str(int(v)))) for v in whole}


def _is_lonlat(x: NDArray, y: NDArray) -> bool:
    return bool(np.all(np.abs(x) <= 180) and np.all(np.abs(y) <= 90))


def _in_china(x: NDArray, y: NDArray) -> bool:
    return bool(
        np.all((x >= _CHINA_LON[0]) & (x <= _CHINA_LON[1]))
        and np.all((y >= _CHINA_LAT[0]) & (y <= _CHINA_LAT[1]))
    )


def _range(values: NDArray) -> str:
    return f"{np.min(values):.10g}…{np.max(values):.10g}"


def detect_crs(x: NDArray, y: NDArray) -> CrsGuess:
    """Guess the CRS of ``x`` (easting/lon), ``y`` (northing/lat); InvalidInput when unsure."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.size == 0 or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise InvalidInput("no usable coordinates (empty, or not numbers)")
    if _is_lonlat(x, y) or _is_lonlat(y, x):
        return _detect_lonlat(x, y)
    swapped = swap_needed(x, y, geographic=False)
    if swapped:
        x, y = y, x
    dx, dy = digits(x), digits(y)
    where = f"eastings {_range(x)}, northings {_range(y)}"
    if dy == {7} and dx == {8}:
        zones = {int(v // 1_000_000) for v in x}
        if len(zones) == 1 and (zone := zones.pop()) in GK_ZONE_EPSG:
            epsg = GK_ZONE_EPSG[zone]
            return CrsGuess(
                epsg,
                f"8-digit eastings starting with zone {zone} and 7-digit northings ({where}): "
                f"CGCS2000 3-degree Gauss-Krüger zone {zone} with zone prefix, EPSG:{epsg}",
                swapped,
            )
        raise InvalidInput(
            f"cannot tell the CRS: 8-digit eastings but no single 3-degree zone 25–45 in front "
            f"({where}); pass the CRS (--crs / crs=)"
        )
    if dy == {7} and dx == {6}:
        return CrsGuess(
            GK_CM114_EPSG,
            f"6-digit eastings and 7-digit northings ({where}): assumed CGCS2000 3-degree "
            f"Gauss-Krüger CM 114°E without zone prefix, EPSG:{GK_CM114_EPSG} (the meridian of "
            "Pingdingshan); pass --crs if the survey used another central meridian",
            swapped,
        )
    raise InvalidInput(
        f"cannot tell the CRS from the numbers ({where}); {EXPECTED}. "
        "Pass the CRS explicitly (--crs / crs=, e.g. EPSG:4526)"
    )


def _detect_lonlat(x: NDArray, y: NDArray) -> CrsGuess:
    where = f"x {_range(x)}, y {_range(y)}"
    if _in_china(x, y):
        return CrsGuess(
            CGCS2000_EPSG, f"coordinates are lon/lat degrees in China ({where}): CGCS2000"
        )
    if _in_china(y, x):
        return CrsGuess(
            CGCS2000_EPSG,
            f"coordinates are lat/lon degrees in China, latitude first ({where}): swapped to "
            "lon/lat, CGCS2000",
            swapped=True,
        )
    raise InvalidInput(
        f"coordinates look like degrees but not in China ({where}); "
        "pass the CRS explicitly (--crs / crs=)"
    )


def swap_needed(x: NDArray, y: NDArray, *, geographic: bool) -> bool:
    """True when ``x`` and ``y`` are clearly the wrong way round for a Chinese survey.

    Geographic: the "longitude" is in the latitude range of China and the "latitude" in the
    longitude range. Projected: the northing (7 digits) sits in the easting column.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if geographic:
        return not _in_china(x, y) and _in_china(y, x)
    dx, dy = digits(x), digits(y)
    return dx == {7} and dy in ({6}, {8})
