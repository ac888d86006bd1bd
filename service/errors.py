"""One table from error class to HTTP status, and the handlers that use it.

Responses carry the planner-facing message only: no stack traces, no SQL.
"""

from __future__ import annotations

import http
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from starlette.exceptions import HTTPException

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

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_problem(error) for error in exc.errors()]
        log.info("%s %s -> 422: %s", request.method, request.url.path, "; ".join(problems))
        return JSONResponse(
            {
                "detail": "参数有误 / invalid request: " + "; ".join(problems),
                "error": "InvalidInput",
                "errors": [
                    {"location": ".".join(map(str, e["loc"])), "message": e["msg"]}
                    for e in exc.errors()
                ],
            },
            status_code=422,
        )

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        detail = (
            exc.detail if isinstance(exc.detail, str) else http.HTTPStatus(exc.status_code).phrase
        )
        if exc.status_code == 404 and detail == "Not Found":  # no route matched the path
            detail = (
                f"没有这个地址 / no such address: {request.url.path!r}; "
                "the API is described at /docs"
            )
        return JSONResponse(
            {"detail": detail, "error": _HTTP_KINDS.get(exc.status_code, "HTTPError")},
            status_code=exc.status_code,
            headers=exc.headers,
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

    @app.exception_handler(DataError)
    async def _unusable_value(request: Request, exc: DataError) -> JSONResponse:
        # SQLSTATE class 22 ("data exception"): a value from the request the database cannot
        # take, e.g. a NUL character or a number out of range. The user can fix it; the
        # statement and the driver's text stay in the log.
        log.warning("unusable value during %s: %s", request.url.path, exc.orig)
        return JSONResponse(
            {
                "detail": "请求中有无法使用的值 / a value in the request cannot be used "
                "(for example a NUL character, or a number out of range)",
                "error": "InvalidInput",
            },
            status_code=400,
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


_HTTP_KINDS = {404: "NotFound", 405: "MethodNotAllowed", 413: "RequestTooLarge"}
_LOCATIONS = {"query": "query parameter", "path": "path", "body": "body", "header": "header"}


def _problem(error: dict[str, Any]) -> str:
    """One validation error in words: where, what is wrong, and the value that was sent."""
    where, *rest = [str(part) for part in error.get("loc", ())] or ["request"]
    name = ".".join(rest)
    place = f"{_LOCATIONS.get(where, where)} {name!r}" if name else _LOCATIONS.get(where, where)
    text = f"{place}: {error.get('msg', 'invalid')}"
    if error.get("type") != "missing" and "input" in error:
        shown = repr(error["input"])
        text += f" (got {shown[:60]}{'…' if len(shown) > 60 else ''})"
    return text


def _internal() -> JSONResponse:
    return JSONResponse(
        {"detail": "internal error; it has been logged", "error": "InternalError"},
        status_code=500,
    )
