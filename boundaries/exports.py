"""File exports of the current layers: GeoPackage, zipped Shapefile, KML, GeoJSON and CSV.

Rows come from the store as GeoDataFrames (``boundaries.store.frames``); files are written by
pyogrio, whose bundled GDAL has no PostgreSQL driver. Everything is written inside a folder
the caller owns (a temporary one for HTTP), under names chosen here, never from a request.

Attribute *values* keep their Chinese text in every format (UTF-8; a ``.cpg`` for the
Shapefile, a BOM for the CSV so Excel reads it). Field *names* are the register's English
names; the Shapefile's 10-character limit maps long ones to short ones listed in
``fields.txt`` inside the zip, and its 254-byte text limit cuts long texts (四至, provenance)
at a character boundary, marked with …. List attributes (industries, families) stay lists
in GeoJSON and are joined with ``;`` elsewhere.
"""

from __future__ import annotations

import logging
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from pyproj import CRS
from sqlalchemy.orm import Session

from boundaries.layer_crs import CGCS2000, LayerCrs, gcj02_coords, resolve_crs
from boundaries.layers import layer
from boundaries.store import frames
from geo.crs import parse_crs
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

SHAPEFILE_TEXT_BYTES = 254
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    driver: str
    suffix: str
    media_type: str
    layer_options: tuple[tuple[str, str], ...] = ()


FORMATS: dict[str, ExportFormat] = {
    "gpkg": ExportFormat("gpkg", "GPKG", ".gpkg", "application/geopackage+sqlite3"),
    "shp": ExportFormat("shp", "ESRI Shapefile", ".shp.zip", "application/zip"),
    "kml": ExportFormat("kml", "LIBKML", ".kml", "application/vnd.google-earth.kml+xml"),
    "geojson": ExportFormat("geojson", "GeoJSON", ".geojson", "application/geo+json"),
    "csv": ExportFormat(
        "csv",
        "CSV",
        ".csv",
        "text/csv; charset=utf-8",
        (("GEOMETRY", "AS_WKT"), ("WRITE_BOM", "YES")),
    ),
}


@dataclass(frozen=True)
class ExportCrs:
    """The CRS of an export: one of the layer CRSs, or any 2D EPSG CRS (e.g. EPSG:4547)."""

    label: str
    uri: str
    crs: CRS
    gcj02: bool = False


def export_format(name: str) -> ExportFormat:
    """The format called ``name``; ``InvalidInput`` listing the known ones otherwise."""
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise InvalidInput(f"unknown export format {name!r}; known: {', '.join(FORMATS)}") from None


def export_crs(value: str | None) -> ExportCrs:
    """Default CGCS2000 (EPSG:4490); the OGC CRS names and aliases; or an EPSG code."""
    if value is None or not value.strip():
        return _from_layer_crs(CGCS2000)
    try:
        return _from_layer_crs(resolve_crs(value))
    except InvalidInput:
        pass
    try:
        parsed = parse_crs(value)
    except InvalidInput:
        raise InvalidInput(
            f"crs: unsupported CRS {value!r}. Use CRS84, EPSG:4490, EPSG:4326, gcj02 or an "
            "EPSG code such as EPSG:4547"
        ) from None
    if parsed.shift is not None:  # bd09: only GCJ-02 is offered for web maps
        raise InvalidInput(f"crs: {value!r} is not offered for exports; use gcj02 for Amap")
    return ExportCrs(
        f"EPSG:{parsed.epsg}",
        f"http://www.opengis.net/def/crs/EPSG/0/{parsed.epsg}",
        CRS.from_epsg(parsed.epsg),
    )


def _from_layer_crs(crs: LayerCrs) -> ExportCrs:
    label = "GCJ-02" if crs.gcj02 else f"EPSG:{crs.epsg}"
    return ExportCrs(label, crs.uri, crs.pyproj(), gcj02=crs.gcj02)


def export_frame(session: Session, collection: str, crs: ExportCrs) -> gpd.GeoDataFrame:
    """The current features of ``collection`` with their attributes, in ``crs``."""
    the_layer = layer(collection)
    state = frames(session)
    frame = {"parks": state.parks, "park_sections": state.sections}.get(the_layer.id, state.points)
    frame = frame.copy()
    if crs.gcj02:
        moved = shapely.transform(frame.geometry.values, gcj02_coords)
        return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=moved, crs=crs.crs)
    return frame.to_crs(crs.crs)


def write_export(frame: gpd.GeoDataFrame, collection: str, fmt: ExportFormat, folder: Path) -> Path:
    """Write ``frame`` into ``folder`` as ``collection`` + the format's suffix; return it."""
    frame = frame.copy()
    if fmt.name != "geojson":
        for column in ("industries", "families"):
            if column in frame:
                frame[column] = [LIST_SEPARATOR.join(values) for values in frame[column]]
    if fmt.name == "shp":
        return _write_shapefile(frame, collection, folder)
    if fmt.name == "kml" and not frame.crs.is_geographic:
        raise InvalidInput("KML holds WGS84 lon/lat only: ask for CRS84, EPSG:4490 or gcj02")
    target = folder / f"{collection}{fmt.suffix}"
    pyogrio.write_dataframe(
        frame,
        target,
        layer=collection,
        driver=fmt.driver,
        encoding="UTF-8" if fmt.name == "csv" else None,
        layer_options=dict(fmt.layer_options) or None,
    )
    return target


def _write_shapefile(frame: gpd.GeoDataFrame, collection: str, folder: Path) -> Path:
    names = layer(collection).shapefile_names
    frame = frame.rename(columns=names)
    cut: list[str] = []
    for column in frame.columns.drop("geometry"):
        values = [_fit(v) if isinstance(v, str) else v for v in frame[column]]
        if values != list(frame[column]):
            cut.append(column)
            frame[column] = values
    parts = folder / "shp"
    parts.mkdir()
    pyogrio.write_dataframe(
        frame, parts / f"{collection}.shp", driver="ESRI Shapefile", encoding="UTF-8"
    )
    target = folder / f"{collection}.shp.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(parts.iterdir()):
            archive.write(part, part.name)
        archive.writestr("fields.txt", _fields_note(names, cut))
    return target


def _fit(value: str) -> str:
    """``value`` cut to the Shapefile's 254 bytes at a character boundary, marked with …."""
    encoded = value.encode("utf-8")
    if len(encoded) <= SHAPEFILE_TEXT_BYTES:
        return value
    room = SHAPEFILE_TEXT_BYTES - len("…".encode())
    return encoded[:room].decode("utf-8", errors="ignore") + "…"


def _fields_note(names: dict[str, str], cut: list[str]) -> str:
    lines = ["字段名对照 / Shapefile field names (10 characters at most): short<TAB>full"]
    lines += [f"{short}\t{full}" for full, short in names.items() if short != full]
    if cut:
        lines.append("")
        lines.append(
            "超过254字节的文本已截断 (…) / texts longer than 254 bytes were cut (…); the "
            f"GeoPackage and GeoJSON exports keep them whole: {', '.join(cut)}"
        )
    lines.append("")
    lines.append("列表字段以 ; 分隔 / list fields (industries, families) are joined with ;")
    return "\n".join(lines) + "\n"


def export_bytes(
    session: Session, collection: str, fmt: ExportFormat, crs: ExportCrs
) -> tuple[bytes, str]:
    """The exported file's bytes and its download name (written in a temporary folder)."""
    frame = export_frame(session, collection, crs)
    with tempfile.TemporaryDirectory(prefix="parkgeo-export-") as folder:
        path = write_export(frame, collection, fmt, Path(folder))
        log.info("exported %d %s as %s in %s", len(frame), collection, fmt.name, crs.label)
        return path.read_bytes(), path.name
