"""Area and integrity checks: do the stored boundaries agree with the declared register?

The regulation declares each park's area, two tier subtotals and a zone total. A check here
compares the **ellipsoidal area on CGCS2000** (GRS80, the basis of Chinese land surveys)
with those figures. PostGIS measures it (``ST_Area(geom::geography)``, on the spheroid) and
Python measures it again from the stored geometry (``geo.area``, pyproj ``Geod``); the two
must agree to 1e-6 relative. The Gauss-Krüger planar area (EPSG:4547) is shown beside it as
the figure survey software reports; it is never checked. Web Mercator is never used.

Two kinds of failure are kept apart: a *geometry* failure (a boundary whose area, validity
or position disagrees with the register) and a *register* failure (declared parts that do
not add up to the declared tier or zone total, the seed's 合计 row).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries.sql import load_sql
from boundaries.store import VALID_AT, declared_totals
from geo.area import ellipsoidal_area_km2
from geo.crs import GK_CM114_EPSG
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

#: Declared figures are rounded to 0.01 km²: half of that, or 0.1 %, whichever is larger.
DEFAULT_TOLERANCE_KM2 = 0.005
DEFAULT_TOLERANCE_REL = 0.001
#: Overlaps and protrusions below 1 m² are floating-point noise along shared borders.
SLIVER_KM2 = 1e-6
#: PostGIS and pyproj measure the same ellipsoid; a larger gap means a bug, not a boundary.
CROSS_CHECK_RTOL = 1e-6
MAX_TOLERANCE_KM2 = 10.0
TOTAL_KEY = "total"
_EPS = 1e-9  # km²: keeps a difference equal to the tolerance from failing on float noise

Tolerance = Callable[[float], float]


@cache
def _sql(name: str) -> str:
    return (
        load_sql(name).replace("{valid_at}", VALID_AT).replace("{planar_srid}", str(GK_CM114_EPSG))
    )


@dataclass(frozen=True)
class ParkArea:
    """One park: declared against measured, and the secondary and cross-check figures."""

    code: str
    name: str
    short_name: str
    tier: str
    geometry_source: str
    declared_km2: float
    measured_km2: float  # ellipsoidal, PostGIS geography
    planar_km2: float  # Gauss-Krüger EPSG:4547, secondary
    python_km2: float  # ellipsoidal, pyproj Geod, from the stored geometry
    python_rel_diff: float
    diff_km2: float
    diff_pct: float | None
    tolerance_km2: float
    area_ok: bool
    valid: bool
    empty: bool
    ok: bool


@dataclass(frozen=True)
class SumCheck:
    """A tier or the zone total: the register's declaration, its parts, the measured sum.

    ``area_ok`` compares the measured sum with the parts' declared sum (a geometry check);
    ``register_ok`` says whether the declared parts add up to the declared total.
    """

    tier: str
    label: str
    declared_km2: float | None
    parts_sum_km2: float
    measured_km2: float
    diff_km2: float
    diff_pct: float | None
    tolerance_km2: float
    area_ok: bool
    register_diff_km2: float | None
    register_ok: bool
    ok: bool
    parks: list[str]
    tiers_sum_km2: float | None = None  # the total only: the declared tier subtotals added up


@dataclass(frozen=True)
class Overlap:
    a: str
    b: str
    overlap_km2: float


@dataclass(frozen=True)
class InvalidGeometry:
    kind: str  # park | section
    code: str
    reason: str


@dataclass(frozen=True)
class EmptyGeometry:
    kind: str
    code: str


@dataclass(frozen=True)
class SectionWithin:
    """How much of a section lies outside its park (all of it if the park is missing)."""

    code: str
    park: str
    name: str
    area_km2: float
    outside_km2: float
    park_found: bool
    ok: bool


@dataclass(frozen=True)
class SectionCoverage:
    """Whether a park's sections make it up: union of sections against the park."""

    park: str
    sections: list[str]
    park_km2: float
    sections_sum_km2: float
    sections_union_km2: float
    uncovered_km2: float  # park area in no section
    outside_km2: float  # section area outside the park
    difference_km2: float  # area of the symmetric difference
    tolerance_km2: float
    ok: bool


@dataclass(frozen=True)
class AreaReport:
    """Everything ``parkgeo check`` and ``GET /checks/areas`` show; ``ok`` iff no failure."""

    as_of: datetime | None
    tolerance_km2: float
    tolerance_rel: float
    parks: list[ParkArea]
    tiers: list[SumCheck]
    total: SumCheck
    overlaps: list[Overlap]
    invalid: list[InvalidGeometry]
    empty: list[EmptyGeometry]
    sections_within: list[SectionWithin]
    sections_coverage: list[SectionCoverage]
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def max_python_rel_diff(self) -> float:
        return max((p.python_rel_diff for p in self.parks), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the issue: ``ok``, ``parks``, ``tiers``, ``total``, ``overlaps``…"""
        return {
            "ok": self.ok,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "tolerance": {
                "km2": self.tolerance_km2,
                "pct": self.tolerance_rel * 100,
                "rule": "max(km2, pct % of the declared figure)",
            },
            "basis": "ellipsoidal area on CGCS2000 (GRS80), PostGIS geography; "
            f"planar_km2: Gauss-Krüger EPSG:{GK_CM114_EPSG}",
            "parks": [asdict(p) for p in self.parks],
            "tiers": [asdict(t) for t in self.tiers],
            "total": asdict(self.total),
            "overlaps": [asdict(o) for o in self.overlaps],
            "invalid": [asdict(i) for i in self.invalid],
            "empty": [asdict(e) for e in self.empty],
            "sections": {
                "within_park": [asdict(s) for s in self.sections_within],
                "add_up": [asdict(c) for c in self.sections_coverage],
            },
            "python_max_rel_diff": self.max_python_rel_diff,
            "failures": list(self.failures),
            "warnings": list(self.warnings),
        }


def run_area_checks(
    session: Session,
    *,
    tolerance_km2: float = DEFAULT_TOLERANCE_KM2,
    tolerance_rel: float = DEFAULT_TOLERANCE_REL,
    as_of: datetime | None = None,
) -> AreaReport:
    """Check the parks valid at ``as_of`` (``None``: current) against the declared register.

    Parameters
    ----------
    tolerance_km2, tolerance_rel
        A figure passes when ``|measured - declared| <= max(tolerance_km2,
        tolerance_rel * declared)``. The register check (parts against totals) uses
        ``tolerance_km2`` alone: it is about rounding, not measurement.
    as_of
        Geometry and park declarations as they were at that instant. The zone's declared
        totals (``zone_declarations``) are not versioned: today's are used.
    """
    _check_tolerances(tolerance_km2, tolerance_rel)
    params: dict[str, Any] = {"as_of": as_of}

    def tolerance(declared: float) -> float:
        return max(tolerance_km2, tolerance_rel * abs(declared))

    failures: list[str] = []
    warnings: list[str] = []
    parks, invalid = _park_areas(session, params, tolerance, failures, warnings)
    declarations = declared_totals(session)
    tiers, total = _sum_checks(parks, declarations, tolerance, tolerance_km2, failures, warnings)
    empty = [EmptyGeometry("park", p.code) for p in parks if p.empty]
    overlaps = _overlaps(session, params, failures)
    within, section_invalid, section_empty = _sections_within(session, params, failures)
    invalid += section_invalid
    empty += section_empty
    coverage = _coverage(session, params, parks, tolerance, failures)
    failures += [f"invalid {i.kind} {i.code}: {i.reason}" for i in invalid]
    failures += [f"empty {e.kind} {e.code}: no geometry" for e in empty]
    if any(p.geometry_source == "schematic" for p in parks):
        warnings.append(
            "some boundaries are schematic (示意): their areas were drawn to match the "
            "declared figures, so passing says nothing about the approved survey"
        )
    if as_of is not None:
        warnings.append(
            "declared zone and tier totals are not versioned: today's are compared with the "
            f"boundaries valid at {as_of.isoformat()}"
        )
    if not parks:
        warnings.append("no parks are stored for this instant")
    report = AreaReport(
        as_of=as_of,
        tolerance_km2=tolerance_km2,
        tolerance_rel=tolerance_rel,
        parks=parks,
        tiers=tiers,
        total=total,
        overlaps=overlaps,
        invalid=invalid,
        empty=empty,
        sections_within=within,
        sections_coverage=coverage,
        failures=failures,
        warnings=warnings,
    )
    log.info("area checks: %s (%d failures)", "ok" if report.ok else "FAIL", len(failures))
    return report


def _check_tolerances(tolerance_km2: float, tolerance_rel: float) -> None:
    if not (math.isfinite(tolerance_km2) and 0 <= tolerance_km2 <= MAX_TOLERANCE_KM2):
        raise InvalidInput(
            f"tolerance_km2 must be between 0 and {MAX_TOLERANCE_KM2:g} km², got {tolerance_km2!r}"
        )
    if not (math.isfinite(tolerance_rel) and 0 <= tolerance_rel <= 1):
        raise InvalidInput(
            f"relative tolerance must be between 0 and 100 %, got {tolerance_rel * 100!r} %"
        )


def _pct(diff: float, base: float) -> float | None:
    return diff / base * 100 if base else None


def _python_area_km2(wkb: bytes) -> float:
    """The stored geometry measured in Python, made valid the way PostGIS does it (GEOS)."""
    geom = shapely.from_wkb(bytes(wkb))
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return ellipsoidal_area_km2(geom)


def _park_areas(
    session: Session,
    params: dict[str, Any],
    tolerance: Tolerance,
    failures: list[str],
    warnings: list[str],
) -> tuple[list[ParkArea], list[InvalidGeometry]]:
    parks: list[ParkArea] = []
    invalid: list[InvalidGeometry] = []
    for row in session.execute(text(_sql("area_checks_parks")), params).mappings():
        measured = float(row["measured_km2"])
        declared = float(row["declared_km2"])
        python = _python_area_km2(row["wkb"])
        rel = abs(python - measured) / measured if measured else abs(python)
        diff = measured - declared
        tol = round(tolerance(declared), 9)
        area_ok = abs(diff) <= tol + _EPS
        park = ParkArea(
            code=row["code"],
            name=row["name"],
            short_name=row["short_name"],
            tier=row["tier"],
            geometry_source=row["geometry_source"],
            declared_km2=declared,
            measured_km2=measured,
            planar_km2=float(row["planar_km2"]),
            python_km2=python,
            python_rel_diff=rel,
            diff_km2=diff,
            diff_pct=_pct(diff, declared),
            tolerance_km2=tol,
            area_ok=area_ok,
            valid=bool(row["valid"]),
            empty=bool(row["empty"]),
            ok=area_ok and bool(row["valid"]) and not row["empty"],
        )
        parks.append(park)
        if not park.valid:
            invalid.append(InvalidGeometry("park", park.code, row["reason"]))
        if not area_ok:
            failures.append(
                f"park {park.code}: measured {measured:.3f} km² vs declared {declared:.2f} km² "
                f"({diff:+.3f} km², {_fmt_pct(park.diff_pct)}; tolerance ±{tol:.3f})"
            )
        if rel > CROSS_CHECK_RTOL:
            warnings.append(
                f"park {park.code}: PostGIS ({measured:.6f} km²) and Python ({python:.6f} km²) "
                f"areas differ by {rel:.1e} relative"
            )
    return parks, invalid


def _fmt_pct(pct: float | None) -> str:
    return "n/a %" if pct is None else f"{pct:+.2f} %"


def _sum_checks(
    parks: list[ParkArea],
    declarations: dict[str, Any],
    tolerance: Tolerance,
    tolerance_km2: float,
    failures: list[str],
    warnings: list[str],
) -> tuple[list[SumCheck], SumCheck]:
    tier_names = [key for key in declarations if key != TOTAL_KEY]
    for park in parks:
        if park.tier not in tier_names:
            warnings.append(f"park {park.code}: tier {park.tier!r} has no declared subtotal")
            tier_names.append(park.tier)
    tiers = []
    for name in tier_names:
        members = [p for p in parks if p.tier == name]
        declared = declarations.get(name, {}).get("declared_km2")
        label = declarations.get(name, {}).get("label", name)
        tiers.append(_sum_check(name, label, declared, members, tolerance, tolerance_km2, None))
    zone = declarations.get(TOTAL_KEY, {})
    tiers_sum = sum(t.declared_km2 for t in tiers if t.declared_km2 is not None)
    total = _sum_check(
        TOTAL_KEY,
        zone.get("label", "合计"),
        zone.get("declared_km2"),
        parks,
        tolerance,
        tolerance_km2,
        tiers_sum,
    )
    for check in [*tiers, total]:
        what = "zone total" if check.tier == TOTAL_KEY else f"tier {check.tier}"
        if not check.area_ok:
            failures.append(
                f"{what}: measured {check.measured_km2:.3f} km² vs declared parts "
                f"{check.parts_sum_km2:.2f} km² ({check.diff_km2:+.3f} km², "
                f"{_fmt_pct(check.diff_pct)}; tolerance ±{check.tolerance_km2:.3f})"
            )
        if check.declared_km2 is None:
            failures.append(f"register error: {what} has no declared figure")
        elif not check.register_ok:
            sums = [("parks", check.parts_sum_km2), ("tiers", check.tiers_sum_km2)]
            detail = " and ".join(
                f"its {parts} declare {value:.2f} km²"
                for parts, value in sums
                if value is not None and abs(value - check.declared_km2) > tolerance_km2 + _EPS
            )
            failures.append(
                f"register error: {what} declares {check.declared_km2:.2f} km² but {detail}"
            )
    return tiers, total


def _sum_check(
    name: str,
    label: str,
    declared: float | None,
    members: list[ParkArea],
    tolerance: Tolerance,
    tolerance_km2: float,
    tiers_sum: float | None,
) -> SumCheck:
    parts = round(sum(p.declared_km2 for p in members), 6)
    measured = sum(p.measured_km2 for p in members)
    diff = measured - parts
    tol = round(tolerance(parts), 9)
    area_ok = abs(diff) <= tol + _EPS
    register_diff = None if declared is None else round(parts - declared, 6)
    register_ok = register_diff is not None and abs(register_diff) <= tolerance_km2 + _EPS
    if tiers_sum is not None:
        tiers_sum = round(tiers_sum, 6)
        tiers_add_up = declared is not None and abs(tiers_sum - declared) <= tolerance_km2 + _EPS
        register_ok = register_ok and tiers_add_up
    return SumCheck(
        tier=name,
        label=label,
        declared_km2=declared,
        parts_sum_km2=parts,
        measured_km2=measured,
        diff_km2=diff,
        diff_pct=_pct(diff, parts),
        tolerance_km2=tol,
        area_ok=area_ok,
        register_diff_km2=register_diff,
        register_ok=register_ok,
        ok=area_ok and register_ok,
        parks=[p.code for p in members],
        tiers_sum_km2=tiers_sum,
    )


def _overlaps(session: Session, params: dict[str, Any], failures: list[str]) -> list[Overlap]:
    rows = session.execute(text(_sql("area_checks_overlaps")), {**params, "min_km2": SLIVER_KM2})
    overlaps = [Overlap(a=r.a, b=r.b, overlap_km2=float(r.overlap_km2)) for r in rows]
    failures += [f"parks {o.a} and {o.b} overlap by {o.overlap_km2:.4f} km²" for o in overlaps]
    return overlaps


def _sections_within(
    session: Session, params: dict[str, Any], failures: list[str]
) -> tuple[list[SectionWithin], list[InvalidGeometry], list[EmptyGeometry]]:
    within: list[SectionWithin] = []
    invalid: list[InvalidGeometry] = []
    empty: list[EmptyGeometry] = []
    for row in session.execute(text(_sql("area_checks_sections")), params).mappings():
        outside = float(row["outside_km2"])
        ok = row["park_found"] and outside <= SLIVER_KM2
        within.append(
            SectionWithin(
                code=row["code"],
                park=row["park"],
                name=row["name"],
                area_km2=float(row["area_km2"]),
                outside_km2=outside,
                park_found=bool(row["park_found"]),
                ok=bool(ok),
            )
        )
        if not row["park_found"]:
            failures.append(f"section {row['code']}: its park {row['park']!r} is not stored")
        elif not ok:
            failures.append(
                f"section {row['code']}: {outside:.4f} km² lies outside park {row['park']}"
            )
        if not row["valid"]:
            invalid.append(InvalidGeometry("section", row["code"], row["reason"]))
        if row["empty"]:
            empty.append(EmptyGeometry("section", row["code"]))
    return within, invalid, empty


def _coverage(
    session: Session,
    params: dict[str, Any],
    parks: list[ParkArea],
    tolerance: Tolerance,
    failures: list[str],
) -> list[SectionCoverage]:
    declared = {p.code: p.declared_km2 for p in parks}
    result = []
    for row in session.execute(text(_sql("area_checks_coverage")), params).mappings():
        uncovered = float(row["uncovered_km2"])
        outside = float(row["outside_km2"])
        difference = uncovered + outside
        tol = round(tolerance(declared.get(row["park"], float(row["park_km2"]))), 9)
        check = SectionCoverage(
            park=row["park"],
            sections=list(row["sections"]),
            park_km2=float(row["park_km2"]),
            sections_sum_km2=float(row["sections_sum_km2"]),
            sections_union_km2=float(row["sections_union_km2"]),
            uncovered_km2=uncovered,
            outside_km2=outside,
            difference_km2=difference,
            tolerance_km2=tol,
            ok=difference <= tol + _EPS,
        )
        result.append(check)
        if not check.ok:
            failures.append(
                f"park {check.park}: its sections do not add up to it "
                f"({uncovered:.4f} km² of the park in no section, {outside:.4f} km² of "
                f"sections outside; tolerance ±{tol:.3f})"
            )
    return result
