"""Which park and 组团 is each point in: the in-memory index behind ``/locate`` and the CLI.

The index (a ``geo.locate.ParkLocator`` plus a ``geo.nearest_edge.NearestEdge``) is built from
the store once per process and reused until the data changes: the cache key is a cheap
aggregate (count, max id, max valid_from) of the park and section versions valid at ``as_of``,
so an import or an edit invalidates it and batch lookups never run one SQL query per row.
A server can skip even that query for a while: :func:`recent_index` hands out the index whose
state was checked less than a given time ago, and any commit in this process expires every
check at once (another process sees a change once its own check expires).

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
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sqlalchemy import Connection, Engine, event, text
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


#: (database, as_of) -> (time.monotonic() of the last state check, the index it confirmed)
_checked: dict[tuple[str, datetime | None], tuple[float, LocatingIndex]] = {}
_commits = 0  # commits seen in this process: a check that overlapped one is not recorded


def database_key(bind: Engine | Connection) -> str:
    """Which database an index belongs to (its URL without the password)."""
    return bind.engine.url.render_as_string(hide_password=True)


def locating_index(session: Session, as_of: datetime | None = None) -> LocatingIndex:
    """The index for the store's state at ``as_of`` (None: now), rebuilt only on change."""
    commits = _commits
    key = (database_key(session.get_bind()), as_of, _state(session, as_of))
    with _lock:
        index = _cache.get(key)
        if index is None:
            log.info("building the locating index (as_of=%s)", as_of)
            index = LocatingIndex.from_frames(frames(session, as_of=as_of))
            stale = [k for k in _cache if k[:2] == key[:2]]
            for k in stale:
                del _cache[k]
            _cache[key] = index
        if commits == _commits:
            _checked[key[:2]] = (time.monotonic(), index)
        return index


def recent_index(database: str, as_of: datetime | None, max_age_s: float) -> LocatingIndex | None:
    """The index :func:`locating_index` last gave for ``database`` and ``as_of``, if it checked
    the store less than ``max_age_s`` seconds ago and nothing was committed here since."""
    checked = _checked.get((database, as_of))
    if checked is None or time.monotonic() - checked[0] >= max_age_s:
        return None
    return checked[1]


@event.listens_for(Session, "after_commit")
def _expire_checks(session: Session) -> None:
    """A commit in this process (an import, an edit) may have changed the parks."""
    global _commits
    _commits += 1
    _checked.clear()


# --- answers --------------------------------------------------------------------------------


#: An object column as (keys, table) with ``column == table[keys]`` (key -1: the last entry).
Coded = tuple[NDArray[np.int64], NDArray[np.object_]]


@dataclass
class Answers:
    """Per-point answers, arrays aligned with the input (object arrays hold str or None).

    ``codes`` keeps, for the object columns built from small lookup tables, the keys they were
    built from: a batch writer groups a million rows by them instead of hashing the strings.
    """

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
    codes: dict[str, Coded] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.inside)

    def factorized(self, name: str) -> Coded:
        """The object column ``name`` as (keys, table): the stored codes, else by hashing."""
        if name in self.codes:
            return self.codes[name]
        keys, uniques = pd.factorize(getattr(self, name), use_na_sentinel=True)
        return keys, np.array([*uniques, None], dtype=object)

    @classmethod
    def concat(cls, parts: list[Answers]) -> Answers:
        """One Answers for consecutive batches (codes too: keys shifted onto joined tables)."""
        if len(parts) == 1:
            return parts[0]
        arrays = {name: np.concatenate([getattr(p, name) for p in parts]) for name in ANSWER_FIELDS}
        codes: dict[str, Coded] = {}
        for name in set.intersection(*(set(p.codes) for p in parts)):
            keys, tables, offset = [], [], 0
            for part in parts:
                k, table = part.codes[name]
                keys.append(k % len(table) + offset)  # -1 -> this table's last entry
                tables.append(table)
                offset += len(table)
            codes[name] = (np.concatenate(keys), np.concatenate(tables))
        return cls(**arrays, codes=codes)

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
    finite = np.isfinite(xs) & np.isfinite(ys)
    # Masks travel with the message arrays: comparing object arrays to None is slow.
    bad = np.full(n, None, dtype=object)
    if problems is not None:
        bad[:] = problems
    is_bad = bad != None  # noqa: E711
    missing = ~finite & ~is_bad
    bad[missing] = "坐标缺失或不是有限数 / coordinate missing or not a finite number"
    is_bad |= missing
    if parsed.is_geographic:
        out_of_range = finite & ((np.abs(xs) > 180) | (np.abs(ys) > 90))
        bad[out_of_range] = [
            f"经纬度超出范围 / lon/lat out of range: lon={a:g}, lat={b:g}"
            for a, b in zip(xs[out_of_range], ys[out_of_range], strict=True)
        ]
        is_bad |= out_of_range
    with np.errstate(all="ignore"):
        lon, lat = to_cgcs2000(np.where(finite, xs, np.nan), np.where(finite, ys, np.nan), parsed)
    usable = ~is_bad & np.isfinite(lon) & np.isfinite(lat)
    unconvertible = ~is_bad & ~usable
    bad[unconvertible] = f"无法从 {parsed.name} 转换 / cannot be converted from {parsed.name}"
    is_bad |= unconvertible
    lon = np.where(usable, lon, np.nan)
    lat = np.where(usable, lat, np.nan)

    far = usable & (_metres_from_bounds(index.bounds, lon, lat) > AREA_RADIUS_M)
    swapped = _swapped(index, parsed, xs, ys, far | (finite & ~usable))
    is_bad &= ~(swapped & ~usable)  # "out of range" is explained better by the swap
    outside_aou = usable & ~area_of_use_contains(parsed, lon, lat)
    warnings = [
        (is_bad, bad),
        (swapped, _swap_message(parsed)),
        (far & ~swapped, FAR_MESSAGE),
        (outside_aou, _aou_message(parsed) if outside_aou.any() else ""),
    ]

    result = index.locator.locate(lon, lat)
    dist, owner = index.edges.nearest(lon, lat)
    inside_b = result.inside & usable
    signed = np.where(inside_b, dist, -dist)
    distance = np.asarray(np.round(signed, 1) + 0.0, dtype=np.float64)  # + 0.0: no -0.0
    distance[~usable] = np.nan

    # Object columns are built as table[keys] from small lookup tables, and the keys are kept.
    codes: dict[str, Coded] = {}
    park_keys, parks = pd.factorize(_masked(inside_b, result.park), use_na_sentinel=True)
    section_keys, sections = pd.factorize(_masked(inside_b, result.section), use_na_sentinel=True)
    outside_owner = np.where(usable & ~inside_b, owner, -1)  # nearest park when outside
    park_codes = index.locator.park_codes
    source_keys = np.where(
        inside_b, park_keys, np.where(outside_owner >= 0, len(parks) + outside_owner, -1)
    )
    has = usable & np.array([c in index.precision_m for c in park_codes] + [False])[owner]
    precision = np.array([index.precision_m.get(c, np.nan) for c in park_codes] + [np.nan])
    near = np.abs(distance) <= precision[owner]
    columns = {
        "inside": (np.where(usable, inside_b, -1), (False, True)),
        "park": (park_keys, parks),
        "park_name": (park_keys, [index.park_names.get(c) for c in parks]),
        "section": (section_keys, sections),
        "section_name": (section_keys, [index.section_names.get(c) for c in sections]),
        "nearest_park": (outside_owner, park_codes),
        "near_edge": (np.where(has, near, -1), (False, True)),
        "geometry_source": (
            source_keys,
            [index.geometry_source.get(c) for c in [*parks, *park_codes]],
        ),
    }
    for name, (keys, values) in columns.items():
        codes[name] = (keys.astype(np.int64), np.array([*values, None], dtype=object))
    objects = {name: table[keys] for name, (keys, table) in codes.items()}
    return Answers(
        **objects,
        distance_m=distance,
        warning=_join(warnings, n),
        lon=np.round(lon, 7),
        lat=np.round(lat, 7),
        codes=codes,
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


FAR_MESSAGE = (
    f"不在平顶山范围内 / outside the Pingdingshan area: more than "
    f"{AREA_RADIUS_M / 1000:.0f} km from the parks (wrong CRS?)"
)


def _swapped(
    index: LocatingIndex, parsed: ParsedCrs, xs: NDArray, ys: NDArray, check: NDArray
) -> NDArray[np.bool_]:
    """Among the ``check`` points, those whose (y, x) would land near the parks."""
    swapped = np.zeros(xs.size, dtype=bool)
    if not check.any():
        return swapped
    sel = np.flatnonzero(check)
    with np.errstate(all="ignore"):
        slon, slat = to_cgcs2000(ys[sel], xs[sel], parsed)
    swapped[sel] = _metres_from_bounds(index.bounds, slon, slat) <= AREA_RADIUS_M
    return swapped


def _swap_message(parsed: ParsedCrs) -> str:
    if parsed.is_geographic:
        return "经纬度可能颠倒 / lon and lat look swapped: (lat, lon) would be near the parks"
    return (
        "X/Y 可能颠倒 / easting and northing look swapped (survey tables call the "
        "northing X): swapped they would be near the parks"
    )


def _aou_message(parsed: ParsedCrs) -> str:
    w, s, e, n = area_of_use(parsed)
    return (
        f"超出 {parsed.name} 的适用范围 / outside the area of use of {parsed.name} "
        f"({w:g}–{e:g}°E, {s:g}–{n:g}°N): the conversion may be distorted"
    )


def _join(
    parts: list[tuple[NDArray[np.bool_], NDArray[np.object_] | str]], n: int
) -> NDArray[np.object_]:
    """Per point, the messages of the parts whose mask is set, joined with "; " in order
    (a part's message is one text for all its points, or an array of texts)."""
    out = np.full(n, None, dtype=object)
    has = np.zeros(n, dtype=bool)
    for mask, message in parts:
        if not mask.any():
            continue
        only = mask & ~has
        both = mask & has
        out[only] = message[only] if isinstance(message, np.ndarray) else message
        if both.any():
            more = message[both] if isinstance(message, np.ndarray) else [message] * both.sum()
            out[both] = [f"{a}; {b}" for a, b in zip(out[both], more, strict=True)]
        has |= mask
    return out
