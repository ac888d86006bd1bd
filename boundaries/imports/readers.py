"""Read a boundary file into polygons in the file's own coordinates.

Vector formats go through GDAL (pyogrio): GeoJSON, Shapefile (.shp with its .shx/.dbf, or a
.zip), GeoPackage, KML/KMZ and DXF. A 界址点坐标表 (CSV or XLSX) is read here: point number,
X = northing, Y = easting, optionally a ring/part column; lon/lat columns are accepted too.
The CRS is *not* decided here (``boundaries.imports.source`` does that): a reader only says
what CRS the file declares, if any.
"""

from __future__ import annotations

import logging
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from boundaries.imports.rings import assemble, close_ring
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

VECTOR_FORMATS = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "Shapefile",
    ".zip": "Shapefile (zip)",
    ".gpkg": "GeoPackage",
    ".kml": "KML",
    ".kmz": "KMZ",
    ".dxf": "DXF",
}
TABLE_FORMATS = {".csv": "界址点坐标表 (CSV)", ".xlsx": "界址点坐标表 (XLSX)"}
SUPPORTED = ", ".join([*VECTOR_FORMATS, *TABLE_FORMATS])
#: A zipped shapefile of park boundaries is kilobytes; refuse zip bombs early.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024


@dataclass
class RawBoundary:
    """Polygons in the file's coordinates, the CRS it declares, and what was noticed."""

    format: str
    polygons: list[Polygon]
    file_crs: CRS | None
    table: bool
    features: int
    notes: list[str] = field(default_factory=list)


def format_of(path: Path) -> str:
    """The format name for ``path``'s suffix; InvalidInput listing the supported ones."""
    suffix = path.suffix.lower()
    if suffix in VECTOR_FORMATS:
        return VECTOR_FORMATS[suffix]
    if suffix in TABLE_FORMATS:
        return TABLE_FORMATS[suffix]
    if suffix == ".xls":
        raise InvalidInput(f"{path.name}: old Excel .xls is not read; save it as .xlsx")
    raise InvalidInput(f"{path.name}: unsupported file type {suffix or '(none)'}; use {SUPPORTED}")


def read_raw(path: Path, name: str | None = None) -> RawBoundary:
    """Read ``path`` (displayed as ``name``) into polygons in its own coordinates."""
    name = name or path.name
    fmt = format_of(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise InvalidInput(f"{name}: the file is missing or empty")
    if path.suffix.lower() in TABLE_FORMATS:
        return _read_table(path, name, fmt)
    return _read_vector(path, name, fmt)


# --- vector files (GDAL) -----------------------------------------------------------------


def _read_vector(path: Path, name: str, fmt: str) -> RawBoundary:
    if path.suffix.lower() == ".shp":
        _check_shapefile_parts(path, name)
    elif path.suffix.lower() == ".zip":
        _check_zip(path, name)
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
        frames = [pyogrio.read_dataframe(path, layer=layer) for layer in layers]
    except Exception as exc:  # GDAL reports damage in many exception types
        raise InvalidInput(f"{name}: cannot be read as {fmt}: {_first_line(exc)}") from None
    polygons: list[Polygon] = []
    rings: list[np.ndarray] = []
    skipped = 0
    features = 0
    file_crs: CRS | None = None
    for frame in frames:
        features += len(frame)
        if frame.crs is not None:
            file_crs = file_crs or CRS.from_user_input(frame.crs)
        missing = int(frame.geometry.isna().sum())
        if missing:
            raise InvalidInput(
                f"{name}: {missing} of {len(frame)} features have no readable geometry; "
                "the file may be truncated or damaged"
            )
        for geom in frame.geometry:
            skipped += _collect(shapely.force_2d(geom), polygons, rings)
    notes = []
    if polygons and rings:
        notes.append(f"{len(rings)} closed line(s) ignored: the file has polygons")
    elif rings:
        polygons = assemble([close_ring(r, f"{name}: closed line") for r in rings])
        notes.append(f"polygons built from {len(rings)} closed line(s) (holes by nesting)")
    if skipped:
        notes.append(f"{skipped} point/open-line feature(s) ignored")
    if len(layers) > 1:
        notes.append(f"read layers: {', '.join(layers)}")
    if not polygons:
        raise InvalidInput(f"{name}: no polygon or closed line found in the {fmt} file")
    return RawBoundary(fmt, polygons, file_crs, table=False, features=features, notes=notes)


def _collect(geom: BaseGeometry | None, polygons: list[Polygon], rings: list) -> int:
    """Sort one feature's parts into polygons and closed rings; return how many were skipped."""
    if geom is None or geom.is_empty:
        return 0
    kind = geom.geom_type
    if kind == "Polygon":
        polygons.append(geom)
        return 0
    if kind in ("MultiPolygon", "GeometryCollection", "MultiLineString"):
        return sum(_collect(part, polygons, rings) for part in geom.geoms)
    if kind in ("LineString", "LinearRing"):
        coords = np.asarray(LineString(geom.coords).coords)
        if len(coords) >= 4 and np.array_equal(coords[0], coords[-1]):
            rings.append(coords)
            return 0
    return 1


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _check_shapefile_parts(path: Path, name: str) -> None:
    for suffix in (".shx", ".dbf"):
        if not _sibling(path, suffix):
            raise InvalidInput(
                f"{name}: the shapefile's {suffix} file is missing; a shapefile is several "
                "files (.shp, .shx, .dbf, .prj): put them side by side or upload them as a .zip"
            )
    _check_shp_length(path.read_bytes()[:100], path.stat().st_size, name)


def _sibling(path: Path, suffix: str) -> Path | None:
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def _check_zip(path: Path, name: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNZIPPED_BYTES:
                raise InvalidInput(
                    f"{name}: the zip unpacks to {unpacked / 1048576:.0f} MB, more than the "
                    f"{MAX_UNZIPPED_BYTES / 1048576:.0f} MB a boundary can need"
                )
            shp = [m for m in members if m.filename.lower().endswith(".shp")]
            if not shp:
                raise InvalidInput(f"{name}: the zip holds no .shp file")
            for member in shp:
                with archive.open(member) as handle:
                    _check_shp_length(handle.read(100), member.file_size, name)
    except zipfile.BadZipFile:
        raise InvalidInput(f"{name}: not a valid zip file (truncated or damaged)") from None


def _check_shp_length(header: bytes, size: int, name: str) -> None:
    """The .shp header states the file length; a shorter file was cut off in transfer."""
    if len(header) < 100 or struct.unpack(">i", header[:4])[0] != 9994:
        raise InvalidInput(f"{name}: the .shp file has no valid shapefile header")
    declared = struct.unpack(">i", header[24:28])[0] * 2
    if size < declared:
        raise InvalidInput(
            f"{name}: the .shp file is truncated ({size} of {declared} bytes); "
            "send the complete file"
        )


# --- 界址点坐标表 (CSV / XLSX) -----------------------------------------------------------

_ROLES = {
    "point": {"点号", "界址点号", "界址点", "点名", "序号", "编号", "point", "pointno", "no", "id"},
    "x": {"x", "纵", "北", "northing", "north", "n", "xn", "纵x"},
    "y": {"y", "横", "东", "easting", "east", "e", "ye", "横y"},
    "lon": {"lon", "lng", "long", "longitude", "经度"},
    "lat": {"lat", "latitude", "纬度"},
    "ring": {"圈号", "环号", "圈", "环", "part", "ring", "partno", "ringno", "部件号", "地块号"},
}
_HEADER_SCAN_ROWS = 20


def _normalise(cell: object) -> str:
    text = str(cell).strip().lower()
    text = re.sub(r"[（(][^）)]*[）)]", "", text)  # units: X(m), X（米）
    text = re.sub(r"[\s_\-/.:：]|坐标|值", "", text)
    return text


def _read_cells(path: Path, name: str) -> pd.DataFrame:
    try:
        if path.suffix.lower() == ".xlsx":
            return pd.read_excel(path, header=None, dtype=str, sheet_name=0).fillna("")
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(
                    path, header=None, dtype=str, encoding=encoding, keep_default_na=False
                )
            except UnicodeDecodeError:
                continue
    except Exception as exc:
        raise InvalidInput(f"{name}: cannot be read as a table: {_first_line(exc)}") from None
    raise InvalidInput(f"{name}: text encoding not recognised (expected UTF-8 or GBK)")


def _find_header(cells: pd.DataFrame, name: str) -> tuple[int, dict[str, int]]:
    for row in range(min(_HEADER_SCAN_ROWS, len(cells))):
        roles: dict[str, int] = {}
        for col, cell in enumerate(cells.iloc[row]):
            key = _normalise(cell)
            for role, words in _ROLES.items():
                if key in words and role not in roles:
                    roles[role] = col
        if {"x", "y"} <= roles.keys() or {"lon", "lat"} <= roles.keys():
            return row, roles
    raise InvalidInput(
        f"{name}: no header with coordinate columns found; expected X and Y (X = northing, "
        "Y = easting; 点号, X, Y, optional 圈号/part) or lon and lat"
    )


def _number(value: str, what: str, where: str) -> float:
    text = str(value).strip().replace(",", "").replace(" ", "")
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"{where}: {what} {value!r} is not a number") from None


def _read_table(path: Path, name: str, fmt: str) -> RawBoundary:
    cells = _read_cells(path, name)
    header, roles = _find_header(cells, name)
    geographic = "x" not in roles or "y" not in roles
    # Survey convention: X is the northing, Y the easting; we keep x = easting / lon.
    east_col, north_col = (roles["lon"], roles["lat"]) if geographic else (roles["y"], roles["x"])
    east_label, north_label = ("lon", "lat") if geographic else ("Y", "X")
    ring_col = roles.get("ring")
    rings: dict[str, list[tuple[float, float]]] = {}
    for offset, row in enumerate(cells.iloc[header + 1 :].itertuples(index=False)):
        where = f"{name}, row {header + offset + 2}"
        east, north = str(row[east_col]).strip(), str(row[north_col]).strip()
        if not east and not north:
            continue
        point = (_number(east, east_label, where), _number(north, north_label, where))
        key = str(row[ring_col]).strip() if ring_col is not None else "1"
        rings.setdefault(key or "1", []).append(point)
    if not rings:
        raise InvalidInput(f"{name}: the table has a header but no coordinates")
    closed = [close_ring(np.array(pts), f"{name}, ring {key}") for key, pts in rings.items()]
    notes = [
        f"table columns: {'lon/lat' if geographic else 'X = northing, Y = easting'}"
        + (", rings by column" if ring_col is not None else ", one ring")
        + f"; {len(closed)} ring(s)"
    ]
    points = sum(len(r) for r in closed)
    return RawBoundary(fmt, assemble(closed), None, table=True, features=points, notes=notes)
