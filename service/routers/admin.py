"""Writes: boundary imports, adding, changing and retiring members, bulk point moves, history.

Every write needs a bearer token (``service.auth``); its name is recorded as ``changed_by``.
Each request is one transaction: on any error nothing is written. The GET routes of the
same paths live in ``service.routers.features``; only ``/history`` is read here.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, HTTPException, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from shapely.geometry import shape

from boundaries import edits
from boundaries.history import history
from boundaries.imports import import_boundary, read_point_updates
from boundaries.store import feature_json
from geo.crs import parse_crs, to_cgcs2000
from geo.errors import InvalidInput
from service.auth import WriterDep
from service.dependencies import SessionDep, SettingsDep
from service.responses import FEATURE, GEOJSON, JSON, WRITE, content, errors

log = logging.getLogger(__name__)

router = APIRouter(tags=["admin"])

CodePath = Annotated[
    str, PathParam(description="Stable code, e.g. zhanhe, rp-01", examples=["zhanhe", "rp-01"])
]
_REPORT = {"type": "object", "description": "The pre-write import report."}
IMPORT_RESPONSES = {
    200: content((JSON, _REPORT), description="Dry run: the report; nothing written."),
    201: content((JSON, _REPORT), description="Written: the report and the new version."),
    **WRITE,
    **errors(
        422,
        s422="Rejected by a check (the report says which), or a bad parameter; "
        "nothing was written.",
    ),
}
CommentQuery = Annotated[
    str | None, Query(description="Why (required for writes; stored with the version).")
]
_CHUNK = 1024 * 1024


class WriteBody(BaseModel):
    """A write's JSON body: ``comment`` plus the register attributes (extra keys)."""

    model_config = ConfigDict(extra="allow")

    comment: str = Field(description="Why the change is made; stored with the new version.")


class NewFeature(WriteBody):
    """A new member: the register attributes as extra keys, plus where its geometry is from.

    Parks and sections: ``geometry`` (GeoJSON Polygon/MultiPolygon in CGCS2000 lon/lat) and
    its ``geometry_source``/``provenance``. Radiation points: ``lon``/``lat`` in ``crs``.
    """

    geometry: dict[str, Any] | None = None
    geometry_source: str = "surveyed"
    provenance: str | None = None
    provenance_date: date | None = None
    precision_m: float = edits.DEFAULT_PRECISION_M
    crs: str | None = Field(default=None, description="CRS of lon/lat (points); default wgs84.")


class Patch(WriteBody):
    """Changed attributes as extra keys; points may move with ``lon``/``lat`` in ``crs``."""

    crs: str | None = Field(default=None, description="CRS of lon/lat (points); default wgs84.")


class RetireBody(BaseModel):
    comment: str


# --- uploads ----------------------------------------------------------------------------


def _safe_name(filename: str | None) -> str:
    name = Path(filename or "upload").name
    name = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", name).lstrip(".")
    return name or "upload"


async def _save_upload(upload: UploadFile, folder: Path, limit: int) -> Path:
    """Write the upload to ``folder`` under its own (sanitised) name; 413 beyond ``limit``."""
    path = folder / _safe_name(upload.filename)
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise HTTPException(
                    status_code=413,
                    detail=f"文件过大 / the upload is larger than {limit / 1048576:g} MB",
                )
            out.write(chunk)
    return path


# --- imports ----------------------------------------------------------------------------


@router.post(
    "/imports",
    summary="Import a surveyed boundary (GeoJSON, Shapefile .zip, GeoPackage, KML/KMZ, DXF, "
    "界址点 CSV/XLSX)",
    responses=IMPORT_RESPONSES,
)
async def import_file(
    writer: WriterDep,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The boundary file (a shapefile as .zip).")],
    park: Annotated[str, Query(description="Park code whose boundary this is, e.g. zhanhe.")],
    comment: Annotated[str | None, Form(description="Why; required unless dry_run.")] = None,
    section: Annotated[
        str | None, Query(description="Section code, when the file is one 组团 of the park.")
    ] = None,
    crs: Annotated[
        str | None,
        Query(description="CRS of the coordinates; overrides the file and the detection."),
    ] = None,
    dry_run: Annotated[bool, Query(description="Only report; write nothing.")] = False,
    repair: Annotated[
        bool, Query(description="Repair an invalid geometry (make_valid) instead of refusing.")
    ] = False,
    precision_m: Annotated[
        float | None, Query(gt=0, description="Survey precision in metres (default 1).")
    ] = None,
) -> JSONResponse:
    """The pre-write report: the CRS assumed and why, vertex and ring counts, validity,
    measured against declared area, overlaps with other parks, the Pingdingshan-area sanity
    check and (for a section) whether it lies in its park. 201 when written, 200 for a dry
    run, 422 with the report when a check fails (nothing is written)."""
    with tempfile.TemporaryDirectory(prefix="parkgeo-upload-") as tmp:
        path = await _save_upload(file, Path(tmp), settings.max_upload_bytes)
        with edits.transaction(session):
            report = import_boundary(
                session,
                path,
                park=park,
                section=section,
                crs=crs,
                dry_run=dry_run,
                repair=repair,
                comment=comment,
                changed_by=writer,
                file_name=path.name,
                precision_m=precision_m,
            )
    status = 201 if report.written else 200
    return JSONResponse(jsonable_encoder(report.to_dict()), status_code=status)


# --- members: add, change, retire ---------------------------------------------------------


def _point_lonlat(fields: dict[str, Any], crs: str | None) -> None:
    """Convert ``lon``/``lat`` given in ``crs`` to CGCS2000 in place."""
    if "lon" in fields or "lat" in fields:
        if "lon" not in fields or "lat" not in fields:
            raise InvalidInput("give both lon and lat to move a point")
        try:
            x, y = float(fields["lon"]), float(fields["lat"])
        except (TypeError, ValueError):
            raise InvalidInput("lon and lat must be numbers") from None
        lon, lat = to_cgcs2000(x, y, parse_crs(crs))
        fields["lon"], fields["lat"] = float(lon), float(lat)


def _feature(session: Any, collection: str, code: str, status: int) -> Response:
    return Response(
        content=feature_json(session, collection, code), media_type=GEOJSON, status_code=status
    )


def _register_member_routes(path: str, collection: str, noun: str) -> None:
    @router.post(
        f"/{path}",
        summary=f"Add a {noun}",
        status_code=201,
        response_class=Response,
        responses={201: content((GEOJSON, FEATURE), description="Created"), **WRITE},
    )
    def add(body: NewFeature, writer: WriterDep, session: SessionDep) -> Response:
        fields = dict(body.model_extra or {})
        change = edits.Change(writer, body.comment)
        geometry = provenance = None
        if collection == "radiation_points":
            _point_lonlat(fields, body.crs)
        else:
            if body.geometry is None or not body.provenance:
                raise InvalidInput(
                    f"a new {noun} needs 'geometry' (GeoJSON, CGCS2000 lon/lat) and 'provenance'"
                )
            try:
                geometry = shape(body.geometry)
            except Exception:
                raise InvalidInput("'geometry' is not a GeoJSON geometry") from None
            provenance = edits.Provenance(
                body.geometry_source,
                body.provenance,
                body.provenance_date or date.today(),
                body.precision_m,
            )
        with edits.transaction(session):
            row = edits.add(
                session, collection, fields, change, geometry=geometry, provenance=provenance
            )
            code = row.code
        return _feature(session, collection, code, 201)

    @router.patch(
        f"/{path}/{{code}}",
        summary=f"Change a {noun}'s attributes (new version)",
        response_class=Response,
        responses={200: content((GEOJSON, FEATURE)), **WRITE},
    )
    def patch(code: CodePath, body: Patch, writer: WriterDep, session: SessionDep) -> Response:
        fields = dict(body.model_extra or {})
        if collection == "radiation_points":
            _point_lonlat(fields, body.crs)
        with edits.transaction(session):
            edits.update_attributes(
                session, collection, code, fields, edits.Change(writer, body.comment)
            )
        return _feature(session, collection, code, 200)

    @router.delete(
        f"/{path}/{{code}}", summary=f"Retire a {noun} (nothing is deleted)", responses=WRITE
    )
    def retire(
        code: CodePath,
        writer: WriterDep,
        session: SessionDep,
        comment: CommentQuery = None,
        body: Annotated[RetireBody | None, Body()] = None,
    ) -> dict[str, Any]:
        """Closes the current version; the history and ``as_of`` keep showing it."""
        why = comment or (body.comment if body else "")
        with edits.transaction(session):
            row = edits.retire(session, collection, code, edits.Change(writer, why or ""))
            result = {
                "code": row.code,
                "retired": True,
                "retired_at": row.valid_to.isoformat() if row.valid_to else None,
                "version": row.version,
                "changed_by": row.changed_by,
            }
        return result

    add.__name__ = f"add_{collection}"
    patch.__name__ = f"patch_{collection}"
    retire.__name__ = f"retire_{collection}"


_register_member_routes("parks", "parks", "park")
_register_member_routes("park-sections", "park_sections", "section")
_register_member_routes("radiation-points", "radiation_points", "radiation point")


@router.post(
    "/radiation-points/bulk",
    summary="Move many radiation points from a CSV/XLSX",
    responses=WRITE,
)
async def bulk_points(
    writer: WriterDep,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="CSV/XLSX: code, lon, lat, crs, precision.")],
    comment: Annotated[str, Form(description="Why; stored with every new version.")],
    crs: Annotated[
        str | None, Query(description="CRS for rows without a crs column (gcj02 for Amap).")
    ] = None,
) -> dict[str, Any]:
    """All or nothing: one bad row (unknown code, bad number, outside Pingdingshan) and no
    point moves. GCJ-02 and BD-09 are converted to CGCS2000 on the way in."""
    with tempfile.TemporaryDirectory(prefix="parkgeo-upload-") as tmp:
        path = await _save_upload(file, Path(tmp), settings.max_upload_bytes)
        updates = read_point_updates(path, default_crs=crs)
        with edits.transaction(session):
            rows = edits.bulk_update_points(
                session, updates, edits.Change(writer, comment), source=path.name
            )
            result = {
                "updated": len(rows),
                "points": [{"code": r.code, "version": r.version} for r in rows],
                "changed_by": writer,
            }
    return result


@router.get(
    "/history/{code}",
    tags=["register"],
    summary="Every version of a member",
    responses=errors(404),
)
def member_history(code: CodePath, session: SessionDep) -> dict[str, Any]:
    """Versions oldest first: valid from/to, who and why, geometry source, area and the
    area change against the previous version (parks and sections), moves (points)."""
    return json.loads(json.dumps(history(session, code).to_dict(), default=str))
