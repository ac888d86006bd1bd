"""``/locate``: is this enterprise inside a park, which 组团, how close to the edge?

One point by GET; many by POST, either as JSON or as an uploaded CSV/XLSX that comes back
with the answer columns added (same rows, same order, same format).
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from boundaries.locating import LocatingIndex, locate_points
from boundaries.tables import (
    FORMATS,
    locate_table,
    merge_problems,
    output_name,
    parse_numbers,
    read_table,
    write_table,
)
from geo.crs import ACCEPTED_FORMS, parse_crs
from geo.errors import InvalidInput
from service.dependencies import LocatingIndexDep, SettingsDep
from service.responses import JSON, content, errors

log = logging.getLogger(__name__)

router = APIRouter(tags=["locate"])

CrsQuery = Annotated[
    str | None,
    Query(
        description=f"CRS of lon/lat. {ACCEPTED_FORMS}. For a projected CRS, lon is the "
        "EASTING and lat the NORTHING (a survey table's X is the northing).",
        examples=["wgs84", "gcj02", "bd09", "EPSG:4547"],
    ),
]


class PointIn(BaseModel):
    """One point of a JSON batch; ``id`` is echoed back. Bad values get a warning, not a 400."""

    lon: Any = Field(description="Longitude (or easting), a number.")
    lat: Any = Field(description="Latitude (or northing), a number.")
    id: Any = Field(default=None, description="Anything: echoed back to match answers.")


class LocateBatch(BaseModel):
    crs: str | None = Field(default=None, description=f"CRS of all points. {ACCEPTED_FORMS}.")
    points: list[PointIn] = Field(description="Points in any order; answers keep it.")


_POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LocateBatch.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV (UTF-8 or GBK) or XLSX, one enterprise a row.",
                        },
                        "x_col": {
                            "type": "string",
                            "description": "Column of lon/easting (guessed when omitted).",
                        },
                        "y_col": {
                            "type": "string",
                            "description": "Column of lat/northing (guessed when omitted).",
                        },
                        "crs": {"type": "string", "description": ACCEPTED_FORMS},
                    },
                }
            },
        },
    }
}


_ANSWER = {
    "type": "object",
    "description": "park, section, inside, distance_m, nearest_park, near_edge, warning…",
}
_LOCATED = content(
    (JSON, {"type": "array", "items": _ANSWER}),
    (FORMATS["csv"], {"type": "string", "format": "binary"}),
    (FORMATS["xlsx"], {"type": "string", "format": "binary"}),
    description="JSON in: a JSON list, in input order. A file in: the same file with the "
    "answer columns added.",
)


def _answer(index: LocatingIndex, record: dict[str, Any]) -> dict[str, Any]:
    relevant = record["park"] or record["nearest_park"]
    record["note"] = index.note(relevant)
    return record


@router.get(
    "/locate",
    summary="Is this point inside a park? (one point)",
    responses={200: content((JSON, _ANSWER)), **errors(400)},
)
async def locate_one(
    index: LocatingIndexDep,
    lon: Annotated[float, Query(description="Longitude, or EASTING for a projected CRS.")],
    lat: Annotated[float, Query(description="Latitude, or NORTHING for a projected CRS.")],
    crs: CrsQuery = None,
) -> JSONResponse:
    """inside / park / section / signed distance to the nearest park edge (m, + inside),
    nearest park when outside, ``near_edge`` within the boundary's stated precision, and a
    ``warning`` for a likely lon/lat swap or a point far from Pingdingshan."""
    # async and without a session: the index comes from memory (get_locating_index) and one
    # point costs less than a hop to the threadpool, unless an EPSG code first needs its
    # pyproj transformer built (up to ~100 ms): that must not stall the event loop.
    if crs is not None and _EPSG_CODE.match(crs):
        return JSONResponse(await run_in_threadpool(_locate_one, index, lon, lat, crs))
    return JSONResponse(_locate_one(index, lon, lat, crs))


_EPSG_CODE = re.compile(r"^\s*(epsg:)?\s*\d+\s*$", re.IGNORECASE)


def _locate_one(index: LocatingIndex, lon: float, lat: float, crs: str | None) -> dict[str, Any]:
    parsed = parse_crs(crs)
    answers = locate_points(index, [lon], [lat], parsed)
    record = answers.record(0)
    if record["inside"] is None:
        raise InvalidInput(f"cannot locate lon={lon!r}, lat={lat!r}: {record['warning']}")
    record["crs"] = parsed.name
    return _answer(index, record)


@router.post(
    "/locate",
    summary="Locate many points: JSON, or an uploaded CSV/XLSX returned annotated",
    openapi_extra=_POST_BODY,
    response_class=Response,
    responses={200: _LOCATED, **errors(400, 413)},
)
async def locate_many(request: Request, index: LocatingIndexDep, settings: SettingsDep) -> Any:
    """JSON ``{"crs": …, "points": [{"lon", "lat", "id"}, …]}`` gives a JSON list in input
    order. A multipart upload (``file``, optional ``x_col``, ``y_col``, ``crs``) gives the same
    file back with ``park``, ``section``, ``inside``, ``distance_m``, ``near_edge``,
    ``warning`` (and more) added to every row; CSV comes back UTF-8 with a BOM for Excel."""
    limit = settings.max_upload_bytes
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise _too_large(limit)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return await _locate_upload(request, index, limit)
    if content_type.startswith("application/json") or not content_type:
        body = await request.body()
        if len(body) > limit:
            raise _too_large(limit)
        try:
            batch = LocateBatch.model_validate_json(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvalidInput(
                'expected {"crs": "...", "points": [{"lon": …, "lat": …, "id": …}]}; '
                f"{where}: {first['msg']}"
            ) from None
        return JSONResponse(await run_in_threadpool(_locate_json, index, batch))
    raise InvalidInput(
        f"unsupported content type {content_type!r}: send JSON or a multipart form with a file."
    )


def _locate_json(index: LocatingIndex, batch: LocateBatch) -> list[dict[str, Any]]:
    parsed = parse_crs(batch.crs)
    lons = pd.Series([_scalar(p.lon) for p in batch.points], dtype=object)
    lats = pd.Series([_scalar(p.lat) for p in batch.points], dtype=object)
    x, px = parse_numbers(lons, "lon")
    y, py = parse_numbers(lats, "lat")
    answers = locate_points(index, x, y, parsed, problems=merge_problems(px, py))
    out = []
    for i, point in enumerate(batch.points):
        record = {"id": point.id, **answers.record(i)}
        out.append(_answer(index, record))
    return out


def _scalar(value: Any) -> Any:
    return value if isinstance(value, str | int | float) and not isinstance(value, bool) else None


async def _locate_upload(request: Request, index: LocatingIndex, limit: int) -> Response:
    form = await request.form()
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("the form needs a 'file' field holding the CSV or XLSX.")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
        options = {k: _form_text(form.get(k)) for k in ("x_col", "y_col", "crs")}
        filename = upload.filename or "points.csv"
    finally:
        await form.close()
    table, located = await run_in_threadpool(_process_upload, data, filename, index, options)
    body = await run_in_threadpool(write_table, table, located)
    name = output_name(filename, table.format)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        content=body,
        media_type=FORMATS[table.format],
        headers={"Content-Disposition": disposition},
    )


def _form_text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _process_upload(data: bytes, filename: str, index: LocatingIndex, options: dict) -> tuple:
    table = read_table(data, filename)
    located = locate_table(
        table, index, crs=options["crs"], x_col=options["x_col"], y_col=options["y_col"]
    )
    return table, located


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status_code=413,
        detail=f"上传文件过大 / upload too large: the limit is {limit / 1024 / 1024:g} MB "
        "(PARKGEO_MAX_UPLOAD_MB); split the file or use the parkgeo locate command.",
    )
