"""The pre-write report of a boundary import: what was assumed and what the checks found.

Nothing is written before this report exists; the import refuses when it has failures.
Areas follow ``boundaries.checks``: ellipsoidal on CGCS2000 (GRS80), declared against
measured with tolerance ``max(0.005 km², 0.1 %)``, overlaps below 1 m² ignored as noise.
The Gauss-Krüger planar area (EPSG:4547) is shown beside it, as survey software reports it.

Failures (the import is refused): an invalid geometry not repaired, a shape outside the
Pingdingshan area, an area more than 25 % away from the declared one (the wrong park or
wrong units), an overlap with a *surveyed* park. Warnings (shown, not blocking): an area
outside tolerance, overlaps with schematic parks (they are drawings, not surveys), a section
reaching outside its park.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

import shapely
from geoalchemy2.shape import to_shape
from shapely.geometry import MultiPolygon, Polygon
from shapely.validation import explain_validity
from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries.checks import DEFAULT_TOLERANCE_KM2, DEFAULT_TOLERANCE_REL, SLIVER_KM2
from boundaries.edits import current
from boundaries.imports.source import CrsAssumption, Reading
from boundaries.region import PINGDINGSHAN_BBOX, describe_bounds, in_region
from geo.area import ellipsoidal_area_km2, gauss_kruger_area_km2
from geo.crs import area_of_use_contains
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

#: Farther than this from the declared area, the file is for another park or in other units.
GROSS_AREA_REL = 0.25
_EPS = 1e-9


@dataclass(frozen=True)
class Target:
    """What the import replaces: a park, or a section of a park."""

    kind: str  # park | section
    code: str
    park: str
    name: str
    declared_km2: float | None
    current_km2: float
    current_source: str
    current_version: int

    @property
    def collection(self) -> str:
        return "parks" if self.kind == "park" else "park_sections"


@dataclass(frozen=True)
class OverlapWith:
    code: str
    name: str
    geometry_source: str
    overlap_km2: float


@dataclass
class ImportReport:
    """Everything shown before (and after) an import; ``to_dict`` is the API's JSON."""

    file: str
    format: str
    target: Target
    crs: CrsAssumption
    notes: list[str]
    features: int
    parts: int
    rings: int
    vertices: int
    valid: bool
    invalid_reason: str | None
    repaired: bool
    measured_km2: float
    planar_km2: float
    declared_km2: float | None
    diff_km2: float | None
    diff_pct: float | None
    tolerance_km2: float | None
    area_ok: bool | None
    current_km2: float
    change_km2: float
    bounds: str
    in_pingdingshan: bool
    overlaps: list[OverlapWith]
    outside_park_km2: float | None
    within_park: bool | None
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = True
    written: bool = False
    version: int | None = None
    geometry: Polygon | MultiPolygon | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("geometry")
        data["crs"] = self.crs.to_dict()
        data["ok"] = self.ok
        data["tolerance_rule"] = (
            f"max({DEFAULT_TOLERANCE_KM2} km², {DEFAULT_TOLERANCE_REL * 100:g} % of declared)"
        )
        data["area_basis"] = (
            "ellipsoidal on CGCS2000 (GRS80); planar_km2: Gauss-Krüger EPSG:4547 (secondary)"
        )
        return data


def build_report(
    session: Session, reading: Reading, target: Target, *, repair: bool = False
) -> ImportReport:
    """Check ``reading`` against ``target`` and the stored parks; nothing is written."""
    failures: list[str] = []
    warnings: list[str] = []
    geometry = reading.geometry
    valid = bool(geometry.is_valid)
    reason = None if valid else explain_validity(geometry)
    repaired = False
    if not valid:
        if repair:
            geometry = _repair(geometry)
            repaired = True
            warnings.append(f"the geometry was invalid ({reason}) and was repaired (make_valid)")
            if geometry.is_empty:
                failures.append(
                    f"the geometry is invalid ({reason}) and nothing is left after repair"
                )
        else:
            failures.append(
                f"the geometry is invalid: {reason}; fix the file or ask for a repair "
                "(--repair / repair=true)"
            )
    usable = valid or (repaired and not geometry.is_empty)
    measure = geometry if usable else _repair(geometry)
    measured = ellipsoidal_area_km2(measure) if not measure.is_empty else 0.0
    planar = gauss_kruger_area_km2(measure) if not measure.is_empty else 0.0
    declared = target.declared_km2
    diff = pct = tol = None
    area_ok = None
    if declared is not None:
        diff = measured - declared
        pct = diff / declared * 100
        tol = max(DEFAULT_TOLERANCE_KM2, DEFAULT_TOLERANCE_REL * declared)
        area_ok = abs(diff) <= tol + _EPS
        text_ = (
            f"measured {measured:.3f} km² vs declared {declared:.2f} km² "
            f"({diff:+.3f} km², {pct:+.2f} %; tolerance ±{tol:.3f})"
        )
        if abs(diff) > GROSS_AREA_REL * declared:
            failures.append(f"{text_}: too far off, is this the right park and CRS?")
        elif not area_ok:
            warnings.append(text_)
    region_ok = in_region(geometry)
    if not region_ok:
        w, s, e, n = PINGDINGSHAN_BBOX
        failures.append(
            f"the shape lies outside the Pingdingshan area ({describe_bounds(geometry)}; "
            f"expected within {w}–{e}°E, {s}–{n}°N): wrong CRS or coordinate order?"
        )
    overlaps: list[OverlapWith] = []
    outside = None
    within = None
    if usable and region_ok:
        overlaps = _overlaps(session, geometry, target)
        for other in overlaps:
            what = (
                f"overlaps park {other.code} ({other.geometry_source}) "
                f"by {other.overlap_km2:.4f} km²"
            )
            if other.geometry_source == "surveyed":
                failures.append(what)
            else:
                warnings.append(what + " (its boundary is schematic)")
        if target.kind == "section":
            outside = _outside_park(session, geometry, target.park)
            within = outside <= SLIVER_KM2
            if not within:
                warnings.append(f"{outside:.4f} km² of the section lies outside park {target.park}")
    _warn_area_of_use(reading, geometry, warnings)
    parts = shapely.get_parts(geometry)
    return ImportReport(
        file=reading.file_name,
        format=reading.format,
        target=target,
        crs=reading.crs,
        notes=list(reading.notes),
        features=reading.features,
        parts=len(parts),
        rings=int(sum(1 + len(p.interiors) for p in parts if p.geom_type == "Polygon")),
        vertices=int(
            sum(
                len(r.coords) - 1
                for p in parts
                if p.geom_type == "Polygon"
                for r in [p.exterior, *p.interiors]
            )
        ),
        valid=valid,
        invalid_reason=reason,
        repaired=repaired,
        measured_km2=measured,
        planar_km2=planar,
        declared_km2=declared,
        diff_km2=diff,
        diff_pct=pct,
        tolerance_km2=tol,
        area_ok=area_ok,
        current_km2=target.current_km2,
        change_km2=measured - target.current_km2,
        bounds=describe_bounds(geometry) if not geometry.is_empty else "empty",
        in_pingdingshan=region_ok,
        overlaps=overlaps,
        outside_park_km2=outside,
        within_park=within,
        failures=failures,
        warnings=warnings,
        geometry=geometry if usable else None,
    )


def _repair(geometry: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    """make_valid, keeping only the polygonal parts (as PostGIS ST_CollectionExtract(…, 3))."""
    fixed = shapely.make_valid(geometry)
    polygons = [p for p in shapely.get_parts(fixed) if p.geom_type in ("Polygon", "MultiPolygon")]
    flat: list[Polygon] = []
    for part in polygons:
        flat.extend(shapely.get_parts(part))
    if not flat:
        return MultiPolygon()
    return flat[0] if len(flat) == 1 else MultiPolygon(flat)


def _overlaps(
    session: Session, geometry: Polygon | MultiPolygon, target: Target
) -> list[OverlapWith]:
    rows = session.execute(
        text(
            "SELECT p.code, p.name, p.geometry_source, "
            "ST_Area(ST_CollectionExtract(ST_Intersection(p.geom, g.geom), 3)::geography, true)"
            " / 1e6 AS overlap_km2 "
            "FROM parks AS p, (SELECT ST_GeomFromWKB(:wkb, 4490) AS geom) AS g "
            "WHERE p.valid_to IS NULL AND p.code <> :park AND ST_Intersects(p.geom, g.geom) "
            "ORDER BY p.seq"
        ),
        {"wkb": shapely.to_wkb(geometry), "park": target.park},
    )
    return [
        OverlapWith(r.code, r.name, r.geometry_source, float(r.overlap_km2))
        for r in rows
        if float(r.overlap_km2) > SLIVER_KM2
    ]


def _outside_park(session: Session, geometry: Polygon | MultiPolygon, park: str) -> float:
    value = session.scalar(
        text(
            "SELECT ST_Area(ST_CollectionExtract(ST_Difference(ST_GeomFromWKB(:wkb, 4490), "
            "p.geom), 3)::geography, true) / 1e6 FROM parks AS p "
            "WHERE p.code = :park AND p.valid_to IS NULL"
        ),
        {"wkb": shapely.to_wkb(geometry), "park": park},
    )
    return float(value or 0.0)


def _warn_area_of_use(
    reading: Reading, geometry: Polygon | MultiPolygon, warnings: list[str]
) -> None:
    if not reading.crs.crs.upper().startswith("EPSG:") or geometry.is_empty:
        return
    coords = shapely.get_coordinates(geometry)
    try:
        inside = area_of_use_contains(reading.crs.crs, coords[:, 0], coords[:, 1])
    except Exception:  # a CRS pyproj names but geo.crs does not accept: nothing to warn about
        return
    if not inside.all():
        warnings.append(
            f"{int((~inside).sum())} vertices lie outside the area of use of {reading.crs.crs}"
        )


def target_of(session: Session, park: str, section: str | None) -> Target:
    """The current park (or section of that park) an import replaces; NotFound otherwise."""
    park_row = current(session, "parks", park)
    row = park_row
    if section is not None:
        row = current(session, "park_sections", section)
        if row.park != park:  # type: ignore[union-attr]
            raise InvalidInput(
                f"section {section!r} belongs to park {row.park!r}, not {park!r}"  # type: ignore[union-attr]
            )
    geom = to_shape(row.geom)
    return Target(
        kind="section" if section is not None else "park",
        code=row.code,
        park=park,
        name=row.name,
        declared_km2=None if section is not None else float(park_row.declared_area_km2),  # type: ignore[union-attr]
        current_km2=ellipsoidal_area_km2(geom),
        current_source=row.geometry_source,  # type: ignore[union-attr]
        current_version=row.version,
    )
