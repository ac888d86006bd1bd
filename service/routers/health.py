"""``/health``: is the service up, and can it reach its database?"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from boundaries.store import counts
from service.responses import JSON, content

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])

_STATUS = {
    "type": "object",
    "required": ["status", "database"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded"]},
        "database": {
            "type": "object",
            "required": ["ok"],
            "properties": {"ok": {"type": "boolean"}, "reason": {"type": "string"}},
        },
        "features": {"type": "object"},
    },
}


@router.get(
    "/health",
    summary="Service and database status",
    response_class=JSONResponse,
    responses={
        200: content((JSON, _STATUS)),
        503: content((JSON, _STATUS), description="The database cannot be reached: why."),
    },
)
def health(request: Request) -> JSONResponse:
    """200 with the database's PostGIS version and feature counts, 503 with the reason."""
    try:
        with request.app.state.sessionmaker() as session:
            postgis = session.execute(text("SELECT postgis_lib_version()")).scalar_one()
            features = counts(session)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        log.warning("health check failed: %s", reason)
        return JSONResponse(
            {"status": "degraded", "database": {"ok": False, "reason": reason}},
            status_code=503,
        )
    return JSONResponse(
        {
            "status": "ok",
            "database": {"ok": True, "postgis": postgis, "embedded": request.app.state.embedded},
            "features": features,
        }
    )
