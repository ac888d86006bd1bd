"""Every version of a park, section or radiation point: when, who, why, and what changed.

Areas are ellipsoidal on CGCS2000 (as everywhere in parkgeo), with the change against the
previous version, so "schematic 7.100 km² -> surveyed 7.093 km² (-0.007)" reads directly.
A retirement closes a version without a successor; ``boundaries.edits.retire`` notes who
and why on that version, and the history lists it as its own "retired" event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries.edits import RETIRED_RE
from boundaries.store import COLLECTIONS
from geo.errors import NotFound

log = logging.getLogger(__name__)

_AREA_SQL = """
SELECT t.version, t.valid_from, t.valid_to, t.changed_by, t.change_note,
       t.geometry_source, t.provenance, t.precision_m,
       ST_Area(t.geom::geography, true) / 1e6 AS area_km2,
       NULL::float8 AS lon, NULL::float8 AS lat, NULL::float8 AS moved_m,
       t.geom::bytea IS DISTINCT FROM (lag(t.geom) OVER w)::bytea AS geometry_changed
FROM {table} AS t
WHERE t.code = :code
WINDOW w AS (ORDER BY t.version)
ORDER BY t.version
"""
_POINT_SQL = """
SELECT t.version, t.valid_from, t.valid_to, t.changed_by, t.change_note,
       NULL::text AS geometry_source, t.location_note AS provenance,
       t.location_precision_m AS precision_m, NULL::float8 AS area_km2,
       ST_X(t.geom) AS lon, ST_Y(t.geom) AS lat,
       ST_Distance(t.geom::geography, (lag(t.geom) OVER w)::geography) AS moved_m,
       t.geom::bytea IS DISTINCT FROM (lag(t.geom) OVER w)::bytea AS geometry_changed
FROM radiation_points AS t
WHERE t.code = :code
WINDOW w AS (ORDER BY t.version)
ORDER BY t.version
"""


@dataclass(frozen=True)
class Version:
    """One stored version; ``event`` is added, changed or retired."""

    version: int
    event: str
    valid_from: datetime
    valid_to: datetime | None
    current: bool
    changed_by: str
    change_note: str
    geometry_source: str | None
    provenance: str | None
    precision_m: float | None
    geometry_changed: bool
    area_km2: float | None
    area_change_km2: float | None
    lon: float | None
    lat: float | None
    moved_m: float | None


@dataclass(frozen=True)
class History:
    collection: str
    code: str
    versions: list[Version]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for version in data["versions"]:
            for key in ("valid_from", "valid_to"):
                if version[key] is not None:
                    version[key] = version[key].isoformat()
        return data


def history(session: Session, code: str, collection: str | None = None) -> History:
    """The versions of ``code``, oldest first; searches every collection unless one is given."""
    collections = [collection] if collection else list(COLLECTIONS)
    for name in collections:
        if name not in COLLECTIONS:
            raise NotFound(f"unknown collection {name!r}; known: {', '.join(COLLECTIONS)}")
        sql = _POINT_SQL if name == "radiation_points" else _AREA_SQL.format(table=name)
        rows = session.execute(text(sql), {"code": code}).mappings().all()
        if rows:
            return History(name, code, _versions(rows))
    raise NotFound(f"no park, section or radiation point with code {code!r} was ever stored")


def _versions(rows: Sequence[Any]) -> list[Version]:
    versions: list[Version] = []
    previous_area: float | None = None
    previous_retired = False
    for row in rows:
        note = row["change_note"]
        retirement = RETIRED_RE.search(note) if row["valid_to"] is not None else None
        if retirement:
            note = note[: retirement.start()]
        event = "added" if not versions or previous_retired else "changed"
        area = None if row["area_km2"] is None else float(row["area_km2"])
        change = None
        if area is not None and previous_area is not None and event == "changed":
            change = area - previous_area
        base = {
            "version": row["version"],
            "geometry_source": row["geometry_source"],
            "provenance": row["provenance"],
            "precision_m": row["precision_m"],
            "area_km2": area,
            "lon": row["lon"],
            "lat": row["lat"],
        }
        versions.append(
            Version(
                **base,
                event=event,
                valid_from=row["valid_from"],
                valid_to=row["valid_to"],
                current=row["valid_to"] is None,
                changed_by=row["changed_by"],
                change_note=note,
                geometry_changed=bool(row["geometry_changed"]) and event == "changed",
                area_change_km2=change,
                moved_m=row["moved_m"] if event == "changed" else None,
            )
        )
        if retirement:
            versions.append(
                Version(
                    **base,
                    event="retired",
                    valid_from=row["valid_to"],
                    valid_to=None,
                    current=False,
                    changed_by=retirement["who"],
                    change_note=retirement["why"],
                    geometry_changed=False,
                    area_change_km2=None if area is None else -area,
                    moved_m=None,
                )
            )
        previous_area = area
        previous_retired = retirement is not None
    return versions
