"""Load the bundled register into the store, idempotently.

A code that already has any version in the database is left alone: a surveyed boundary
imported later must never be overwritten by the bundled schematic one, and a retired member
must not come back. Running the load twice therefore changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from boundaries.frames import read_shapes
from boundaries.migrate import upgrade
from boundaries.models import SRID, Park, ParkSection, RadiationPoint, ZoneDeclaration
from boundaries.register import Register, data_dir, load_register
from boundaries.store import is_empty

log = logging.getLogger(__name__)

LOADER = "parkgeo load"
LOAD_NOTE = "bundled dataset (register from the seed regulation, schematic geometry)"


@dataclass(frozen=True)
class LoadReport:
    parks: int
    sections: int
    points: int
    declarations: int

    @property
    def total(self) -> int:
        return self.parks + self.sections + self.points + self.declarations


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """Store every area as MultiPolygon, so one column type fits parks with several parts."""
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    raise TypeError(f"expected a Polygon or MultiPolygon, got {geom.geom_type}")


def migrate_and_load(engine: Engine, *, only_if_empty: bool = False) -> LoadReport | None:
    """Bring the schema to head, then load the bundled records the store has never seen.

    With ``only_if_empty`` the bundled data goes only into a store that never held a park
    (what ``serve`` does at start); ``None`` means nothing was loaded.
    """
    upgrade(engine)
    with Session(engine) as session:
        if only_if_empty and not is_empty(session):
            return None
        report = load_bundled(session)
        session.commit()
    return report


def load_bundled(session: Session, folder: Path | None = None) -> LoadReport:
    """Insert the bundled records whose codes the store has never seen; commit is the caller's."""
    folder = folder or data_dir()
    register = load_register(folder)
    parks_geom = read_shapes(folder / "geometry" / "parks.geojson")
    sections_geom = read_shapes(folder / "geometry" / "sections.geojson")
    report = LoadReport(
        parks=_load_parks(session, register, parks_geom),
        sections=_load_sections(session, register, sections_geom),
        points=_load_points(session, register),
        declarations=_load_declarations(session, register),
    )
    session.flush()
    log.info("loaded %d new records", report.total)
    return report


def _known(
    session: Session, model: type[Park] | type[ParkSection] | type[RadiationPoint]
) -> set[str]:
    return set(session.scalars(select(model.code).distinct()))


def _provenance(shape: dict) -> dict:
    return {
        "geometry_source": shape["geometry_source"],
        "provenance": shape["provenance"],
        "provenance_date": shape["provenance_date"],
        "precision_m": float(shape["precision_m"]),
        "geom": from_shape(as_multipolygon(shape["geometry"]), srid=SRID),
    }


def _bounds(bounds: object) -> dict:
    sides = bounds.model_dump()  # type: ignore[attr-defined]
    return {f"bound_{side}": text for side, text in sides.items()}


def _versioning() -> dict:
    return {"version": 1, "changed_by": LOADER, "change_note": LOAD_NOTE}


def _load_parks(session: Session, register: Register, shapes: dict[str, dict]) -> int:
    known = _known(session, Park)
    added = 0
    for park in register.parks:
        if park.code in known:
            continue
        fields = park.model_dump(exclude={"bounds"})
        fields["industries"] = list(park.industries)
        session.add(
            Park(
                **fields, **_bounds(park.bounds), **_provenance(shapes[park.code]), **_versioning()
            )
        )
        added += 1
    return added


def _load_sections(session: Session, register: Register, shapes: dict[str, dict]) -> int:
    known = _known(session, ParkSection)
    added = 0
    for section in register.sections:
        if section.code in known:
            continue
        session.add(
            ParkSection(
                **section.model_dump(exclude={"bounds"}),
                **_bounds(section.bounds),
                **_provenance(shapes[section.code]),
                **_versioning(),
            )
        )
        added += 1
    return added


def _load_points(session: Session, register: Register) -> int:
    known = _known(session, RadiationPoint)
    added = 0
    for point in register.points:
        if point.code in known:
            continue
        fields = point.model_dump(exclude={"lon", "lat"})
        fields["industries"] = list(point.industries)
        session.add(
            RadiationPoint(
                **fields,
                geom=from_shape(Point(point.lon, point.lat), srid=SRID),
                **_versioning(),
            )
        )
        added += 1
    return added


def _load_declarations(session: Session, register: Register) -> int:
    known = set(session.scalars(select(ZoneDeclaration.key)))
    wanted = [("total", register.zone.name, 0, register.zone.declared_total_km2)]
    wanted += [(t.name, t.name, i + 1, t.declared_km2) for i, t in enumerate(register.zone.tiers)]
    added = 0
    for key, label, seq, km2 in wanted:
        if key not in known:
            session.add(ZoneDeclaration(key=key, label=label, seq=seq, declared_km2=km2))
            added += 1
    return added
