"""Which park and 组团 is each point in: the in-memory index behind ``/locate`` and the CLI.

The index (a ``geo.locate.ParkLocator`` plus a ``geo.nearest_edge.NearestEdge``) is built from
the store once per process and reused until the data changes: the cache key is a cheap
aggregate (count, max id, max valid_from) of the park and section versions valid at ``as_of``,
so an import or an edit invalidates it and batch lookups never run one SQL query per row.

Answers are per point: inside / park / section, the signed distance to the nearest park
boundary (positive inside), ``near_edge`` when that distance is within the boundary's stated
precision (wide for the schematic outlines, and the answer says so), and warnings for input
that is probably wrong (bad values, swapped lon/lat, far from Pingdingshan, outside the CRS's
area of use).
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries.frames import Frames
from boundaries.store import VALID_AT, frames
from geo.crs import ParsedCrs, area_of_use, area_of_use_contains, parse_crs, to_cgcs2000
from geo.locate import ParkLocator
from geo.nearest_edge import NearestEdge

log = logging.getLogger(__name__)

#: Farther than this from the parks' bounding box, a point is not in the Pingdingshan area.
AREA_RADIUS_M = 50_000.0
_M_PER_DEG = 111_320.0

SCHEMATIC_NOTE = (
    "示意边界，非核准勘界成果：距边界 {precision:.0f} m 以内的判断不可靠 / schematic boundary, "
    "not the approved survey: answers within {precision:.0f} m of the edge are uncertain"
)
SURVEYED_NOTE = (
    "勘测边界，精度 ±{precision:.1f} m / surveyed boundary, stated precision {precision:.1f} m"
)

ANSWER_FIELDS = (
    "inside",
    "park",
    "park_name",
    "section",
    "section_name",
    "distance_m",
    "nearest_park",
    "near_edge",
    "geometry_source",
    "warning",
    "lon",
    "lat",
)


@dataclass(frozen=True)
class LocatingIndex:
    """Everything a lookup needs, in memory: geometry indexes and per-park attributes."""

    locator: ParkLocator
    edges: NearestEdge
    park_names: dict[str, str]
    section_names: dict[str, str]
    precision_m: dict[str, float]
    geometry_source: dict[str, str]
    bounds: tuple[float, float, float, float]

    @classmethod
    def from_frames(cls, data: Frames) -> LocatingIndex:
        locator = ParkLocator.from_frames(data.parks, data.sections)
        parks = data.parks.set_index("code")
        geoms = [parks.geometry[code] for code in locator.park_codes]
        return cls(
            locator=locator,
            edges=NearestEdge(geoms),
            park_names={str(k): str(v) for k, v in parks["name"].items()},
            section_names={str(r.code): str(r.name) for r in data.sections.itertuples()},
            precision_m={str(k): float(v) for k, v in parks["precision_m"].items()},
            geometry_source={str(k): str(v) for k, v in parks["geometry_source"].items()},
            bounds=locator.bounds,
        )

    def note(self, park: str | None) -> str | None:
        """Planner-facing sentence about how far the answer for ``park`` can be trusted."""
        if park is None or park not in self.precision_m:
            return None
        template = SCHEMATIC_NOTE if self.geometry_source[park] == "schematic" else SURVEYED_NOTE
        return template.format(precision=self.precision_m[park])


# --- the per-process cache ----------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[Any, LocatingIndex] = {}
_STATE_SQL = "SELECT count(*), max(t.id), max(t.valid_from) FROM {table} AS t WHERE " + VALID_AT


def _state(session: Session, as_of: datetime | None) -> tuple:
    return tuple(
        tuple(session.execute(text(_STATE_SQL.format(table=table)), {"as_of": as_of}).one())
        for table in ("parks", "park_sections")
    )


def locating_index(session: Session, as_of: datetime | None = None) -> LocatingIndex:
    """The index for the store's state at ``as_of`` (None: now), rebuilt only on change."""
    key = (
        session.get_bind().engine.url.render_as_string(hide_password=True),
        as_of,
        _state(session, as_of),
    )
    with _lock:
        index = _cache.get(key)
        if index is None:
            log.info("building the locating index (as_of=%s)", as_of)
            index = LocatingIndex.from_frames(frames(session, as_of=as_of))
            stale = [k for k in _cache if k[:2] == key[:2]]
            for k in stale:
                del _cache[k]
            _cache[key] = index
        return index


# --- answers --------------------------------------------------------------------------------


@dataclass
class Answers:
    """Per-point answers, arrays aligned with the input (object arrays hold str or None)."""

    inside: NDArray[np.object_]  # True / False / None (no answer: bad input)
    park: NDArray[np.object_]
    park_name: NDArray[np.object_]
    section: NDArray[np.object_]
    section_name: NDArray[np.object_]
    distance_m: NDArray[np.float64]  # NaN when no answer
    nearest_park: NDArray[np.object_]
    near_edge: NDArray[np.object_]
    geometry_source: NDArray[np.object_]
    warning: NDArray[np.object_]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.inside)

    def record(self, i: int) -> dict[str, Any]:
        """One point as JSON-ready values."""
        out: dict[str, Any] = {}
        for name in ANSWER_FIELDS:
            value = getattr(self, name)[i]
            if isinstance(value, float | np.floating):
                value = None if math.isnan(value) else float(value)
            elif isinstance(value, np.bool_):
                value = bool(value)
            out[name] = value
        return out


def _fast_map(lut: dict[str, Any], codes: NDArray[np.object_]) -> NDArray[np.object_]:
    """Map an object array of a few distinct codes (or None) through ``lut``, vectorised."""
    keys, uniques = pd.factorize(codes, use_na_sentinel=True)
    table = np.array([*(lut.get(u) for u in uniques), None], dtype=object)
    return table[keys]  # sentinel -1 picks the trailing None


def locate_points(
    index: LocatingIndex,
    x: ArrayLike,
    y: ArrayLike,
    crs: str | int | ParsedCrs | None = None,
    *,
    problems: NDArray[np.object_] | None = None,
) -> Answers:
    """Answer for each (x, y) given in ``crs``; never raises on a bad value.

    ``x``/``y`` are lon/lat for geographic CRSs, EASTING/NORTHING for projected ones; NaN or
    inf marks a value that could not be read. ``problems`` (str or None per point) carries
    parse errors found upstream (e.g. the text of a cell); they become the row's warning.
    """
    parsed = crs if isinstance(crs, ParsedCrs) else parse_crs(crs)
    xs = np.ravel(np.asarray(x, dtype=float))
    ys = np.ravel(np.asarray(y, dtype=float))
    n = xs.size
    warnings: list[NDArray[np.object_]] = []
    finite = np.isfinite(xs) & np.isfinite(ys)
    bad = np.full(n, None, dtype=object)
    if problems is not None:
        bad[:] = problems
    bad[~finite & (bad == None)] = (  # noqa: E711
        "坐标缺失或不是有限数 / coordinate missing or not a finite number"
    )
    if parsed.is_geographic:
        out_of_range = finite & ((np.abs(xs) > 180) | (np.abs(ys) > 90))
        bad[out_of_range] = [
            f"经纬度超出范围 / lon/lat out of range: lon={a:g}, lat={b:g}"
            for a, b in zip(xs[out_of_range], ys[out_of_range], strict=True)
        ]
    with np.errstate(all="ignore"):
        lon, lat = to_cgcs2000(np.where(finite, xs, np.nan), np.where(finite, ys, np.nan), parsed)
    usable = (bad == None) & np.isfinite(lon) & np.isfinite(lat)  # noqa: E711
    unconvertible = (bad == None) & ~usable  # noqa: E711
    bad[unconvertible] = f"无法从 {parsed.name} 转换 / cannot be converted from {parsed.name}"
    lon = np.where(usable, lon, np.nan)
    lat = np.where(usable, lat, np.nan)
    warnings.append(bad)

    far = usable & (_metres_from_bounds(index.bounds, lon, lat) > AREA_RADIUS_M)
    swap_msg, far_msg = _swap_or_far(index, parsed, xs, ys, far | (finite & ~usable))
    has_swap = swap_msg != None  # noqa: E711
    bad[has_swap & ~usable] = None  # "out of range" is explained better by the swap
    warnings.append(swap_msg)
    warnings.append(_masked(far, far_msg))
    aou = np.full(n, None, dtype=object)
    outside_aou = usable & ~area_of_use_contains(parsed, lon, lat)
    if outside_aou.any():
        w, s, e, nn = area_of_use(parsed)
        aou[outside_aou] = (
            f"超出 {parsed.name} 的适用范围 / outside the area of use of {parsed.name} "
            f"({w:g}–{e:g}°E, {s:g}–{nn:g}°N): the conversion may be distorted"
        )
    warnings.append(aou)

    result = index.locator.locate(lon, lat)
    dist, owner = index.edges.nearest(lon, lat)
    codes = np.array([*index.locator.park_codes, None], dtype=object)
    nearest_any = codes[owner]  # owner -1 -> None
    inside_b = result.inside & usable
    signed = np.where(inside_b, dist, -dist)
    distance = np.asarray(np.round(signed, 1) + 0.0, dtype=np.float64)  # + 0.0: no -0.0
    distance[~usable] = np.nan

    park = _masked(inside_b, result.park)
    section = _masked(inside_b, result.section)
    nearest_park = _masked(usable & ~inside_b, nearest_any)
    relevant = np.where(inside_b, park, nearest_park)
    precision = _fast_map(index.precision_m, nearest_any)
    near = np.full(n, None, dtype=object)
    has = usable & (precision != None)  # noqa: E711
    near[has] = np.abs(distance[has]) <= precision[has].astype(float)
    inside = np.full(n, None, dtype=object)
    inside[usable] = inside_b[usable]
    return Answers(
        inside=inside,
        park=park,
        park_name=_fast_map(index.park_names, park),
        section=section,
        section_name=_fast_map(index.section_names, section),
        distance_m=distance,
        nearest_park=nearest_park,
        near_edge=near,
        geometry_source=_fast_map(index.geometry_source, relevant),
        warning=_join(warnings, n),
        lon=np.round(lon, 7),
        lat=np.round(lat, 7),
    )


def _masked(mask: NDArray[np.bool_], values: NDArray[np.object_]) -> NDArray[np.object_]:
    """``values`` where ``mask``, None elsewhere."""
    out = np.full(values.shape, None, dtype=object)
    out[mask] = values[mask]
    return out


def _metres_from_bounds(
    bounds: tuple[float, float, float, float], lon: NDArray, lat: NDArray
) -> NDArray[np.float64]:
    """Rough distance (m) from each point to a lon/lat box (0 inside; NaN stays NaN)."""
    west, south, east, north = bounds
    coslat = math.cos(math.radians((south + north) / 2))
    with np.errstate(invalid="ignore"):
        dx = np.maximum(np.maximum(west - lon, lon - east), 0) * _M_PER_DEG * coslat
        dy = np.maximum(np.maximum(south - lat, lat - north), 0) * _M_PER_DEG
    return np.hypot(dx, dy)


def _swap_or_far(
    index: LocatingIndex, parsed: ParsedCrs, xs: NDArray, ys: NDArray, check: NDArray
) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
    """For the ``check`` points: a swap warning where (y, x) lands near the parks, else an
    out-of-area warning (returned separately: only meaningful for usable points)."""
    swap = np.full(xs.size, None, dtype=object)
    far = np.full(xs.size, None, dtype=object)
    if not check.any():
        return swap, far
    sel = np.flatnonzero(check)
    with np.errstate(all="ignore"):
        slon, slat = to_cgcs2000(ys[sel], xs[sel], parsed)
    swapped = _metres_from_bounds(index.bounds, slon, slat) <= AREA_RADIUS_M
    if parsed.is_geographic:
        message = "经纬度可能颠倒 / lon and lat look swapped: (lat, lon) would be near the parks"
    else:
        message = (
            "X/Y 可能颠倒 / easting and northing look swapped (survey tables call the "
            "northing X): swapped they would be near the parks"
        )
    swap[sel[swapped]] = message
    far[sel[~swapped]] = (
        f"不在平顶山范围内 / outside the Pingdingshan area: more than "
        f"{AREA_RADIUS_M / 1000:.0f} km from the parks (wrong CRS?)"
    )
    return swap, far


def _join(parts: list[NDArray[np.object_]], n: int) -> NDArray[np.object_]:
    out = np.full(n, None, dtype=object)
    for part in parts:
        has = part != None  # noqa: E711
        if not has.any():
            continue
        both = has & (out != None)  # noqa: E711
        only = has & ~both
        out[only] = part[only]
        if both.any():
            out[both] = [f"{a}; {b}" for a, b in zip(out[both], part[both], strict=True)]
    return out
