"""One table from error class to HTTP status, and the handlers that use it.

Responses carry the planner-facing message only: no stack traces, no SQL.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError

from boundaries.edits import EditConflict
from geo.errors import (
    DatabaseUnavailable,
    DependencyMissing,
    ImportRejected,
    InvalidInput,
    NotFound,
    ParkgeoError,
    Unauthorized,
)
from service.auth import Forbidden

log = logging.getLogger(__name__)

STATUS: dict[type[ParkgeoError], int] = {
    NotFound: 404,
    InvalidInput: 400,
    ImportRejected: 422,
    Unauthorized: 401,
    Forbidden: 403,
    EditConflict: 409,
    DependencyMissing: 503,
    DatabaseUnavailable: 503,
}


def status_of(error: ParkgeoError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 500


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(ParkgeoError)
    async def _parkgeo_error(request: Request, exc: ParkgeoError) -> JSONResponse:
        status = status_of(exc)
        log.info("%s %s -> %d: %s", request.method, request.url.path, status, exc.message)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        body = {"detail": exc.message, "error": type(exc).__name__}
        details = getattr(exc, "details", None)  # e.g. the report of a rejected import
        if isinstance(details, dict):
            body.update({k: v for k, v in details.items() if k not in body})
        return JSONResponse(
            body,
            status_code=status,
            headers=headers,
        )

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable during %s: %s", request.url.path, exc.orig)
        return JSONResponse(
            {
                "detail": "数据库暂时不可用 / the database is unavailable; try again shortly",
                "error": "DatabaseUnavailable",
            },
            status_code=503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await _database_down(request, exc)  # type: ignore[arg-type]
        log.exception("database error during %s", request.url.path)
        return _internal()

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error during %s %s", request.method, request.url.path)
        return _internal()


def _internal() -> JSONResponse:
    return JSONResponse(
        {"detail": "internal error; it has been logged", "error": "InternalError"},
        status_code=500,
    )
