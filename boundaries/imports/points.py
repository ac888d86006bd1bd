"""Read a radiation-point coordinate file (CSV or XLSX): code, lon, lat, crs, precision.

Typically the result of geocoding the points in Amap (GCJ-02) or Baidu (BD-09): the ``crs``
column (or a default for the whole file) says so, and ``boundaries.edits`` converts each
row to CGCS2000 on the way in. There is no silent default CRS: a GCJ-02 point read as
WGS84 lands ~500 m off, so a file without one is refused.
"""

from __future__ import annotations

import logging
from pathlib import Path

from boundaries.edits import PointUpdate
from boundaries.imports.readers import _first_line, _normalise, _number, _read_cells
from geo.crs import parse_crs
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

_ROLES = {
    "code": {"code", "编号", "代码", "点位编号"},
    "lon": {"lon", "lng", "long", "longitude", "经度", "x"},
    "lat": {"lat", "latitude", "纬度", "y"},
    "crs": {"crs", "坐标系", "srs", "datum"},
    "precision": {"precision", "precisionm", "locationprecisionm", "精度"},
}


def read_point_updates(
    path: Path, *, default_crs: str | None = None, name: str | None = None
) -> list[PointUpdate]:
    """Rows of ``path`` as PointUpdates; InvalidInput naming the row of the first problem."""
    name = name or path.name
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InvalidInput(f"{name}: radiation-point updates are read from .csv or .xlsx")
    if not path.is_file() or path.stat().st_size == 0:
        raise InvalidInput(f"{name}: the file is missing or empty")
    cells = _read_cells(path, name)
    if cells.empty:
        raise InvalidInput(f"{name}: the file has no rows")
    roles: dict[str, int] = {}
    for col, cell in enumerate(cells.iloc[0]):
        key = _normalise(cell)
        for role, words in _ROLES.items():
            if key in words and role not in roles:
                roles[role] = col
    missing = [r for r in ("code", "lon", "lat") if r not in roles]
    if missing:
        raise InvalidInput(
            f"{name}: missing column(s) {', '.join(missing)}; expected code, lon, lat, "
            "and optionally crs and precision"
        )
    if "crs" not in roles and not default_crs:
        raise InvalidInput(
            f"{name}: say which CRS the coordinates are in (a crs column, or --crs / crs=: "
            "gcj02 for Amap, bd09 for Baidu, wgs84 for GPS, cgcs2000)"
        )
    updates = []
    for offset, row in enumerate(cells.iloc[1:].itertuples(index=False)):
        where = f"{name}, row {offset + 2}"
        code = str(row[roles["code"]]).strip()
        if not code:
            continue
        crs = str(row[roles["crs"]]).strip() if "crs" in roles else ""
        crs = crs or default_crs or ""
        if not crs:
            raise InvalidInput(f"{where}: no CRS for {code!r}")
        try:
            parse_crs(crs)
        except InvalidInput as exc:
            raise InvalidInput(f"{where}: {_first_line(exc)}") from None
        precision = None
        if "precision" in roles and str(row[roles["precision"]]).strip():
            precision = _number(row[roles["precision"]], "precision", where)
            if not precision > 0:
                raise InvalidInput(f"{where}: precision must be positive, got {precision}")
        updates.append(
            PointUpdate(
                code=code,
                x=_number(row[roles["lon"]], "lon", where),
                y=_number(row[roles["lat"]], "lat", where),
                crs=crs,
                precision_m=precision,
                where=where,
            )
        )
    return updates
