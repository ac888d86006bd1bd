"""Import a surveyed boundary: read, check, report, and (unless a dry run) store a new version.

The caller owns the transaction (``boundaries.edits.transaction``): the new version is
flushed here, committed by the caller, and rolled back on any error, so a failed import
leaves the old boundary and its history exactly as they were.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from boundaries.edits import DEFAULT_PRECISION_M, Change, Provenance, change_geometry
from boundaries.imports.report import ImportReport, build_report, target_of
from boundaries.imports.source import read_boundary
from geo.errors import ImportRejected, InvalidInput

log = logging.getLogger(__name__)


class BoundaryRejected(ImportRejected):
    """An import refused by its checks; carries the report so the user sees why."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report
        self.details = {"report": report.to_dict()}


def import_boundary(
    session: Session,
    path: Path,
    *,
    park: str,
    section: str | None = None,
    crs: str | None = None,
    dry_run: bool = False,
    repair: bool = False,
    comment: str | None = None,
    changed_by: str,
    file_name: str | None = None,
    precision_m: float | None = None,
    survey_date: date | None = None,
) -> ImportReport:
    """Replace the boundary of ``park`` (or its ``section``) with the one in ``path``.

    Parameters
    ----------
    crs
        Overrides whatever the file declares or the numbers suggest.
    dry_run
        Report only; nothing is written (no comment needed).
    repair
        Make an invalid geometry valid (shapely ``make_valid``) instead of refusing it.
    file_name
        The name to record in the provenance (uploads arrive under a temporary name).
    precision_m, survey_date
        Stored with the geometry; default 1 m and today.
    """
    name = file_name or path.name
    change = None
    if not dry_run:
        change = Change(changed_by=changed_by, comment=comment or "")
    if precision_m is not None and not precision_m > 0:
        raise InvalidInput(f"precision_m must be positive, got {precision_m!r}")
    target = target_of(session, park, section)
    reading = read_boundary(path, crs=crs, name=name)
    report = build_report(session, reading, target, repair=repair)
    report.dry_run = dry_run
    log.info(
        "import %s -> %s %s: %s (%s), %d failures",
        name,
        target.kind,
        target.code,
        report.crs.crs,
        report.crs.source,
        len(report.failures),
    )
    if not report.ok:
        raise BoundaryRejected(
            f"{name} was not imported into {target.kind} {target.code}: "
            + "; ".join(report.failures),
            report,
        )
    if change is None or report.geometry is None:
        return report
    day = survey_date or date.today()
    provenance = Provenance(
        geometry_source="surveyed",
        provenance=f"{name} ({day.isoformat()}, {report.format}, {report.crs.crs}): "
        f"{change.comment.strip()}",
        provenance_date=day,
        precision_m=precision_m or DEFAULT_PRECISION_M,
    )
    row = change_geometry(
        session, target.collection, target.code, report.geometry, change, provenance
    )
    report.written = True
    report.version = row.version
    return report
