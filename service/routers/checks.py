"""Area and integrity checks: stored boundaries against the declared register."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from boundaries.checks import (
    DEFAULT_TOLERANCE_KM2,
    DEFAULT_TOLERANCE_REL,
    MAX_TOLERANCE_KM2,
    run_area_checks,
)
from service.dependencies import AsOfDep, SessionDep

router = APIRouter(tags=["checks"])

ToleranceKm2 = Annotated[
    float,
    Query(
        ge=0,
        le=MAX_TOLERANCE_KM2,
        allow_inf_nan=False,
        description="Absolute tolerance in km². A figure passes when |measured − declared| ≤ "
        "max(tolerance_km2, tolerance_pct % of declared). The default 0.005 is half the "
        "0.01 km² rounding of the declared figures; it is also the tolerance of the register "
        "check (declared parts against declared totals).",
        examples=[0.005],
    ),
]
TolerancePct = Annotated[
    float,
    Query(
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Relative tolerance in percent of the declared figure (default 0.1 %).",
        examples=[0.1],
    ),
]


@router.get("/checks/areas", summary="Declared against measured areas, and integrity")
def areas(
    session: SessionDep,
    as_of: AsOfDep,
    tolerance_km2: ToleranceKm2 = DEFAULT_TOLERANCE_KM2,
    tolerance_pct: TolerancePct = DEFAULT_TOLERANCE_REL * 100,
) -> dict[str, Any]:
    """Per park: declared km², measured km² (ellipsoidal on CGCS2000, PostGIS geography,
    cross-checked with pyproj), the Gauss-Krüger planar area (EPSG:4547, secondary), the
    difference and ok. Per tier and in total: declared, the parts' declared sum, the measured
    sum, and whether the register adds up (`register_ok`). Then overlaps between parks,
    invalid and empty geometries, sections outside their park or not adding up to it.
    `ok` is true only when nothing failed; `failures` says what did, in words.
    A failed check is still a 200: the report is the answer."""
    report = run_area_checks(
        session, tolerance_km2=tolerance_km2, tolerance_rel=tolerance_pct / 100, as_of=as_of
    )
    return report.to_dict()
