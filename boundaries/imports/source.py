"""Decide a file's CRS (given > declared by the file > detected) and bring it to CGCS2000.

Every decision is written down in a ``CrsAssumption``: the import report shows it before
anything is stored, so a planner can see "EPSG:4526 because the eastings start with 38".
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Polygon

from boundaries.imports.detect import detect_crs, swap_needed
from boundaries.imports.readers import RawBoundary, read_raw
from boundaries.imports.rings import combine
from geo.crs import CGCS2000_EPSG, WGS84_EPSG, parse_crs, to_cgcs2000
from geo.errors import InvalidInput

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrsAssumption:
    """Which CRS the coordinates were read in, where that came from and why."""

    crs: str
    name: str
    source: str  # given | file | detected
    reason: str
    axes_swapped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Reading:
    """A boundary file read and converted to CGCS2000 lon/lat (EPSG:4490)."""

    file_name: str
    format: str
    geometry: Polygon | MultiPolygon
    crs: CrsAssumption
    features: int
    notes: list[str] = field(default_factory=list)


def read_boundary(path: Path, *, crs: str | None = None, name: str | None = None) -> Reading:
    """Read ``path`` in any supported format; ``crs`` (if given) overrides everything."""
    name = name or path.name
    raw = read_raw(path, name)
    coords = _all_coords(raw)
    assumption, convert = _decide(raw, coords, crs, name)
    polygons = [_convert(p, convert, assumption.axes_swapped) for p in raw.polygons]
    geometry = combine(polygons)
    _check_finite(geometry, name, assumption)
    return Reading(name, raw.format, geometry, assumption, raw.features, list(raw.notes))


def _all_coords(raw: RawBoundary) -> np.ndarray:
    return np.concatenate([shapely.get_coordinates(p) for p in raw.polygons])


def _swap_note(swapped: bool) -> str:
    if not swapped:
        return ""
    return (
        "; ATTENTION: the two coordinate columns look swapped (the northing is where the "
        "easting belongs, or latitude where longitude belongs): they were swapped back"
    )


Convert = Any  # a callable (x, y) -> (lon, lat)


def _decide(
    raw: RawBoundary, coords: np.ndarray, crs: str | None, name: str
) -> tuple[CrsAssumption, Convert]:
    x, y = coords[:, 0], coords[:, 1]
    if crs is not None and str(crs).strip():
        parsed = parse_crs(crs)
        swapped = swap_needed(x, y, geographic=parsed.is_geographic)
        label = parsed.name if parsed.shift else f"EPSG:{parsed.epsg}"
        return CrsAssumption(
            crs=label,
            name=_crs_name(parsed.epsg, parsed.shift),
            source="given",
            reason="given explicitly (--crs / crs=), which overrides the file"
            + _swap_note(swapped),
            axes_swapped=swapped,
        ), lambda a, b: to_cgcs2000(a, b, parsed)
    if raw.file_crs is not None:
        declared = raw.file_crs
        if declared.is_geographic and not (np.all(np.abs(x) <= 180) and np.all(np.abs(y) <= 90)):
            guess = detect_crs(x, y)
            return CrsAssumption(
                crs=f"EPSG:{guess.epsg}",
                name=_crs_name(guess.epsg),
                source="detected",
                reason=f"the file declares {declared.name} but its coordinates are not degrees "
                "(GeoJSON without a crs member defaults to WGS84); detected instead: "
                + guess.reason
                + _swap_note(guess.swapped),
                axes_swapped=guess.swapped,
            ), lambda a, b: to_cgcs2000(a, b, guess.epsg)
        epsg = declared.to_epsg(min_confidence=70)
        if epsg is not None:
            note = " (WGS84 and CGCS2000 differ by centimetres: taken as CGCS2000)" * (
                epsg == WGS84_EPSG
            )
            return CrsAssumption(
                crs=f"EPSG:{epsg}",
                name=declared.name,
                source="file",
                reason=f"declared by the file: {declared.name}{note}",
            ), lambda a, b: to_cgcs2000(a, b, epsg)
        transformer = Transformer.from_crs(declared, CRS.from_epsg(CGCS2000_EPSG), always_xy=True)
        return CrsAssumption(
            crs=declared.to_string(),
            name=declared.name,
            source="file",
            reason=f"declared by the file (no EPSG code matches): {declared.name}",
        ), transformer.transform
    guess = detect_crs(x, y)
    return CrsAssumption(
        crs=f"EPSG:{guess.epsg}",
        name=_crs_name(guess.epsg),
        source="detected",
        reason=f"{name} declares no CRS; detected from the numbers: "
        + guess.reason
        + _swap_note(guess.swapped),
        axes_swapped=guess.swapped,
    ), lambda a, b: to_cgcs2000(a, b, guess.epsg)


def _crs_name(epsg: int, shift: str | None = None) -> str:
    if shift == "gcj02":
        return "GCJ-02 (Amap/Tencent web maps)"
    if shift == "bd09":
        return "BD-09 (Baidu)"
    return CRS.from_epsg(epsg).name


def _convert(polygon: Polygon, convert: Convert, swapped: bool) -> Polygon:
    def apply(xy: np.ndarray) -> np.ndarray:
        if swapped:
            xy = xy[:, ::-1]
        lon, lat = convert(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(polygon, apply)


def _check_finite(geometry: Polygon | MultiPolygon, name: str, crs: CrsAssumption) -> None:
    coords = shapely.get_coordinates(geometry)
    if not np.all(np.isfinite(coords)):
        raise InvalidInput(
            f"{name}: the coordinates cannot be converted from {crs.crs} ({crs.name}); "
            "check the CRS (--crs / crs=)"
        )
