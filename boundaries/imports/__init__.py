"""Surveyed boundaries in: read any supported file, decide its CRS, check, report, store.

``import_boundary`` is the one entry point the CLI and the API call; ``read_boundary`` and
``build_report`` are its steps, usable alone (e.g. to preview a file).
"""

from boundaries.imports.importer import BoundaryRejected, import_boundary
from boundaries.imports.points import read_point_updates
from boundaries.imports.readers import SUPPORTED
from boundaries.imports.report import ImportReport, Target, build_report, target_of
from boundaries.imports.source import CrsAssumption, Reading, read_boundary

__all__ = [
    "SUPPORTED",
    "BoundaryRejected",
    "CrsAssumption",
    "ImportReport",
    "Reading",
    "Target",
    "build_report",
    "import_boundary",
    "read_boundary",
    "read_point_updates",
    "target_of",
]
