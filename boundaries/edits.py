"""Versioned writes: add, change, re-shape and retire parks, sections and radiation points.

A change never updates a feature in place. It locks the current version
(``SELECT … FOR UPDATE``, so two concurrent edits cannot both win), closes it
(``valid_to = now()``) and inserts its successor (``version + 1``, ``valid_from`` = the same
``now()``), with who made the change and why. Retiring closes without a successor. Nothing
is ever deleted (regulation Art. 4: members are adjusted over time, and the history must
show the zone as it was).

Functions here flush but never commit: wrap a change in :func:`transaction` so that any
error rolls everything back and the old version stays current.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import shapely
from geoalchemy2.shape import from_shape, to_shape
from pydantic import BaseModel, ValidationError
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boundaries import register
from boundaries.loader import as_multipolygon
from boundaries.models import FEATURE_MODELS, SRID, Park, ParkSection, RadiationPoint
from boundaries.region import check_in_region
from boundaries.store import check_collection
from geo.crs import parse_crs, to_cgcs2000
from geo.errors import InvalidInput, NotFound, ParkgeoError

log = logging.getLogger(__name__)

Model = Park | ParkSection | RadiationPoint
GEOMETRY_SOURCES = ("surveyed", "schematic")
DEFAULT_PRECISION_M = 1.0
_REGISTER: dict[str, type[BaseModel]] = {
    "parks": register.Park,
    "park_sections": register.Section,
    "radiation_points": register.RadiationPoint,
}
_NOUN = {"parks": "park", "park_sections": "section", "radiation_points": "radiation point"}
_VERSION_COLUMNS = {"id", "code", "version", "valid_from", "valid_to", "changed_by", "change_note"}


class EditConflict(ParkgeoError):
    """Someone else changed the feature while this change waited for it."""


@dataclass(frozen=True)
class Change:
    """Who makes a change and why; both are required and stored with the new version."""

    changed_by: str
    comment: str

    def __post_init__(self) -> None:
        if not self.changed_by or not self.changed_by.strip():
            raise InvalidInput("a change needs the name of who makes it")
        if len(self.changed_by) > 80:
            raise InvalidInput("the name of who makes a change is limited to 80 characters")
        if not self.comment or not self.comment.strip():
            raise InvalidInput("a change needs a comment saying why (--comment / comment=)")


@dataclass(frozen=True)
class Provenance:
    """Where a new geometry comes from; stored with it and shown on every map."""

    geometry_source: str
    provenance: str
    provenance_date: date
    precision_m: float = DEFAULT_PRECISION_M

    def __post_init__(self) -> None:
        if self.geometry_source not in GEOMETRY_SOURCES:
            raise InvalidInput(
                f"geometry_source must be one of {', '.join(GEOMETRY_SOURCES)}, "
                f"got {self.geometry_source!r}"
            )
        if not self.provenance.strip():
            raise InvalidInput("provenance must say where the geometry comes from")
        if not (self.precision_m > 0):
            raise InvalidInput(f"precision_m must be positive, got {self.precision_m!r}")

    def columns(self) -> dict[str, Any]:
        return {
            "geometry_source": self.geometry_source,
            "provenance": self.provenance,
            "provenance_date": self.provenance_date,
            "precision_m": float(self.precision_m),
        }


@dataclass(frozen=True)
class PointUpdate:
    """One row of a radiation-point coordinate file, before conversion."""

    code: str
    x: float
    y: float
    crs: str
    precision_m: float | None
    where: str


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit when the block succeeds; roll back on any error, leaving the store unchanged."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def model_of(collection: str) -> type[Model]:
    return FEATURE_MODELS[check_collection(collection)]  # type: ignore[return-value]


def current(session: Session, collection: str, code: str, *, lock: bool = False) -> Model:
    """The current version of ``code``; ``lock`` holds it until the transaction ends."""
    model = model_of(collection)
    query = select(model).where(model.code == code, model.valid_to.is_(None))
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if row is not None:
        return row  # type: ignore[return-value]
    if lock and session.scalars(query).one_or_none() is not None:
        # The row we waited for was closed by a concurrent change; its successor is new.
        raise EditConflict(
            f"{_NOUN[collection]} {code!r} was changed by someone else at the same time; "
            "reload it and try again"
        )
    retired = session.scalar(select(func.max(model.valid_to)).where(model.code == code))
    if retired is not None:
        raise NotFound(f"{_NOUN[collection]} {code!r} was retired on {retired:%Y-%m-%d}")
    known = ", ".join(
        session.scalars(select(model.code).where(model.valid_to.is_(None)).order_by(model.seq))
    )
    raise NotFound(f"unknown {_NOUN[collection]} code {code!r}; current: {known}")


# --- the one way a version changes ---------------------------------------------------------


def _now(session: Session, after: datetime | None = None) -> Any:
    """Transaction time: the closed version's valid_to and the new valid_from are equal.

    A transaction that began before the version it closes was written (possible when an
    edit waited for a lock) takes a microsecond after that version's start instead, so
    every period stays positive (the schema checks ``valid_to > valid_from``).
    """
    now = session.scalar(select(func.now()))
    if after is not None and now is not None and now <= after:
        now = after + timedelta(microseconds=1)
    return now


def _successor(
    session: Session, collection: str, code: str, change: Change, values: dict[str, Any]
) -> Model:
    model = model_of(collection)
    old = current(session, collection, code, lock=True)
    now = _now(session, after=old.valid_from)
    old.valid_to = now
    session.flush()  # the partial unique index allows one current row per code
    copied = {
        column.key: getattr(old, column.key)
        for column in model.__table__.columns
        if column.key not in _VERSION_COLUMNS
    }
    new = model(
        **{**copied, **values},
        code=code,
        version=old.version + 1,
        valid_from=now,
        valid_to=None,
        changed_by=change.changed_by,
        change_note=change.comment.strip(),
    )
    session.add(new)
    session.flush()
    log.info("%s %s: version %d by %s", _NOUN[collection], code, new.version, change.changed_by)
    return new


# --- attributes, validated with the register's own rules ----------------------------------


def _record(row: Model, collection: str) -> dict[str, Any]:
    """The register-shaped record of a stored row (what the register models validate)."""
    fields = _REGISTER[collection].model_fields
    record: dict[str, Any] = {}
    for name in fields:
        if name == "bounds":
            record[name] = {
                s: getattr(row, f"bound_{s}") for s in ("east", "west", "south", "north")
            }
        elif name in ("lon", "lat"):
            point = to_shape(row.geom)
            record[name] = point.x if name == "lon" else point.y
        else:
            value = getattr(row, name)
            record[name] = float(value) if isinstance(value, Decimal) else value
    return record


def _validate(collection: str, record: dict[str, Any]) -> BaseModel:
    model = _REGISTER[collection]
    try:
        return model.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(record)"
        raise InvalidInput(
            f"{_NOUN[collection]} {record.get('code', '')!r}, field '{field}': {first['msg']} "
            f"(got {first.get('input')!r})"
        ) from None


def _columns(collection: str, record: BaseModel) -> dict[str, Any]:
    """Register record -> table columns (bounds flattened, lon/lat to a point)."""
    data = record.model_dump()
    columns: dict[str, Any] = {}
    for name, value in data.items():
        if name == "bounds":
            columns.update({f"bound_{side}": text for side, text in value.items()})
        elif name not in ("lon", "lat", "code"):
            columns[name] = list(value) if name == "industries" else value
    if collection == "radiation_points":
        columns["geom"] = from_shape(Point(data["lon"], data["lat"]), srid=SRID)
    return columns


def editable_fields(collection: str) -> list[str]:
    """Attribute names a PATCH may change (``code`` never changes; geometry has its own call)."""
    return [name for name in _REGISTER[collection].model_fields if name != "code"]


def _merge(collection: str, record: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    allowed = editable_fields(collection)
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise InvalidInput(
            f"cannot change {', '.join(unknown)} of a {_NOUN[collection]}; "
            f"changeable: {', '.join(allowed)}"
        )
    merged = dict(record)
    for name, value in changes.items():
        if name == "bounds" and isinstance(value, dict):
            merged["bounds"] = {**record.get("bounds", {}), **value}
        else:
            merged[name] = value
    return merged


def _check_park_exists(session: Session, record: BaseModel) -> None:
    park = getattr(record, "park", None)
    if park is not None:
        current(session, "parks", park)


# --- public changes -------------------------------------------------------------------------


def add(
    session: Session,
    collection: str,
    fields: dict[str, Any],
    change: Change,
    *,
    geometry: BaseGeometry | None = None,
    provenance: Provenance | None = None,
) -> Model:
    """Add a new member (a park, a section, a radiation point) as version 1 of its code.

    Parks and sections need a polygonal ``geometry`` (CGCS2000 lon/lat) and its
    ``provenance``; radiation points take ``lon``/``lat`` in ``fields``.
    """
    model = model_of(collection)
    record = _validate(collection, fields)
    code = record.code  # type: ignore[attr-defined]
    exists = session.scalar(select(model.id).where(model.code == code, model.valid_to.is_(None)))
    if exists is not None:
        raise InvalidInput(f"{_NOUN[collection]} {code!r} exists already; change it instead")
    _check_park_exists(session, record)
    columns = _columns(collection, record)
    if collection == "radiation_points":
        check_in_region(to_shape(columns["geom"]), f"radiation point {code}")
    else:
        if geometry is None or provenance is None:
            raise InvalidInput(f"a new {_NOUN[collection]} needs a geometry and its provenance")
        columns.update(
            _area_columns(geometry, f"{_NOUN[collection]} {code}"), **provenance.columns()
        )
    previous = session.scalar(select(func.max(model.version)).where(model.code == code))
    row = model(
        **columns,
        code=code,
        version=(previous or 0) + 1,
        valid_from=_now(session),
        changed_by=change.changed_by,
        change_note=change.comment.strip(),
    )
    session.add(row)
    session.flush()
    log.info("%s %s added by %s", _NOUN[collection], code, change.changed_by)
    return row


def update_attributes(
    session: Session, collection: str, code: str, changes: dict[str, Any], change: Change
) -> Model:
    """A new version with some attributes changed (validated like the bundled register)."""
    if not changes:
        raise InvalidInput("nothing to change: give at least one attribute")
    old = current(session, collection, code)
    record = _validate(collection, _merge(collection, _record(old, collection), changes))
    _check_park_exists(session, record)
    columns = _columns(collection, record)
    if collection == "radiation_points":
        check_in_region(to_shape(columns["geom"]), f"radiation point {code}")
    return _successor(session, collection, code, change, columns)


def change_geometry(
    session: Session,
    collection: str,
    code: str,
    geometry: BaseGeometry,
    change: Change,
    provenance: Provenance,
) -> Model:
    """A new version of a park or section with a new boundary (CGCS2000 lon/lat)."""
    if collection == "radiation_points":
        raise InvalidInput("radiation points move with lon/lat, not a boundary")
    values = _area_columns(geometry, f"{_NOUN[collection]} {code}")
    return _successor(session, collection, code, change, {**values, **provenance.columns()})


def _area_columns(geometry: BaseGeometry, label: str) -> dict[str, Any]:
    if not isinstance(geometry, Polygon | MultiPolygon) or geometry.is_empty:
        raise InvalidInput(f"{label}: the boundary must be a non-empty Polygon or MultiPolygon")
    if not geometry.is_valid:
        raise InvalidInput(f"{label}: the boundary is not a valid polygon")
    check_in_region(geometry, label)
    # Heights (GeoJSON's optional third ordinate) are dropped: the columns are 2D.
    geometry = shapely.force_2d(geometry)
    return {"geom": from_shape(as_multipolygon(geometry), srid=SRID)}


#: How a retirement is recorded on the version it closes (parsed back by the history).
RETIRED_MARK = "\n[retired by {who}: {why}]"
RETIRED_RE = re.compile(r"\n\[retired by (?P<who>[^:\]]+): (?P<why>.*)\]\Z", re.DOTALL)


def retire(session: Session, collection: str, code: str, change: Change) -> Model:
    """Close the current version without a successor: the member leaves the zone.

    The schema allows no zero-length version, so who retired it and why is appended to the
    closed version's note (its own author and reason stay as they were) and
    ``boundaries.history`` shows it as a separate "retired" event.
    """
    if collection == "parks":
        sections = list(
            session.scalars(
                select(ParkSection.code).where(
                    ParkSection.park == code, ParkSection.valid_to.is_(None)
                )
            )
        )
        if sections:
            raise InvalidInput(
                f"park {code!r} still has sections ({', '.join(sections)}); retire them first"
            )
    row = current(session, collection, code, lock=True)
    row.valid_to = _now(session, after=row.valid_from)
    row.change_note = row.change_note + RETIRED_MARK.format(
        who=change.changed_by.replace(":", " ").replace("]", " "), why=change.comment.strip()
    )
    session.flush()
    log.info("%s %s retired by %s", _NOUN[collection], code, change.changed_by)
    return row


def bulk_update_points(
    session: Session, updates: list[PointUpdate], change: Change, *, source: str
) -> list[Model]:
    """Move many radiation points at once, all or nothing.

    Each row's coordinates are converted from its CRS (GCJ-02 and BD-09 included) to
    CGCS2000 and must fall in the Pingdingshan area; any bad row refuses the whole file.
    """
    if not updates:
        raise InvalidInput(f"{source}: no rows to update")
    seen: dict[str, str] = {}
    for update in updates:
        if update.code in seen:
            raise InvalidInput(f"{update.where}: code {update.code!r} repeats {seen[update.code]}")
        seen[update.code] = update.where
    converted = []
    for update in updates:
        parsed = parse_crs(update.crs)
        lon, lat = to_cgcs2000(update.x, update.y, parsed)
        point = Point(float(lon), float(lat))
        check_in_region(point, f"{update.where} ({update.code}, {update.crs})")
        current(session, "radiation_points", update.code)
        converted.append((update, parsed, point))
    rows = []
    for update, parsed, point in converted:
        old = current(session, "radiation_points", update.code)
        precision = update.precision_m or old.location_precision_m  # type: ignore[union-attr]
        values = {
            "geom": from_shape(point, srid=SRID),
            "located": True,
            "location_precision_m": float(precision),
            "location_note": f"{source}: {parsed.name} -> CGCS2000; {change.comment.strip()}",
        }
        rows.append(_successor(session, "radiation_points", update.code, change, values))
    return rows
