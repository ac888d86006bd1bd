"""What the API answers, as the OpenAPI document says it: the one error body, which error
statuses a kind of route can give, and the media types of GeoJSON, HTML, figures and files.

Routes that build their own bytes (GeoJSON from PostGIS, PNG, MVT, exports) use
``response_class=Response`` and list their 200 content here, so the document names the media
type actually sent (``application/geo+json``, ``image/png``…) and not a generic JSON.
The fuzz run (``scripts/fuzz.py``) checks every answer against this document.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"

#: What FastAPI's ``responses=`` takes.
Responses = dict[int | str, dict[str, Any]]


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: a message for a planner and the error's kind."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "detail": "cannot locate lon=333.7, lat=113.3: 坐标超出范围 / out of range",
                    "error": "InvalidInput",
                }
            ]
        },
    )

    detail: str = Field(description="What went wrong and what to do, in Chinese and English.")
    error: str = Field(
        description="Kind of error: InvalidInput, NotFound, ImportRejected, Unauthorized, "
        "Forbidden, EditConflict, RequestTooLarge, DatabaseUnavailable, InternalError…"
    )


_ERRORS = {
    400: "Invalid input (a value that cannot be used: bad coordinates, unknown CRS, a file "
    "that cannot be read); the message says which and why.",
    401: "A write without a bearer token ('Authorization: Bearer <token>').",
    403: "The token is not valid, or writes are disabled (no tokens configured).",
    404: "No such park, section, point, collection, tile or file.",
    409: "The change conflicts with the current register (e.g. a code already in use).",
    413: "The request body is larger than PARKGEO_MAX_UPLOAD_MB.",
    422: "A parameter or body field does not fit its type or range; the message names it.",
    500: "Unexpected error; it has been logged (no details are given out).",
    503: "The database is unavailable; try again shortly (see Retry-After).",
}


def errors(*statuses: int, **descriptions: str) -> Responses:
    """``responses=`` entries for these error statuses, all with the ``ErrorBody`` model.

    ``descriptions`` override the default text, keyed ``s422=...``.
    """
    return {
        status: {
            "model": ErrorBody,
            "description": descriptions.get(f"s{status}", _ERRORS[status]),
        }
        for status in statuses
    }


#: Added to every route by ``create_app``.
COMMON = errors(422, 500, 503)
#: A read of one named thing, or with parameters checked beyond their type.
READ = errors(400, 404)
#: Every write: token, input, conflicts, size.
WRITE = errors(400, 401, 403, 404, 409, 413)


def content(*media: tuple[str, dict[str, Any]], description: str = "OK") -> dict[str, Any]:
    """A ``responses`` entry whose body is one of ``media`` ((media type, schema) pairs)."""
    return {"description": description, "content": {name: {"schema": s} for name, s in media}}


def binary(*media_types: str, description: str = "OK") -> dict[str, Any]:
    """A ``responses`` entry for a file body (figure, tile, export)."""
    return content(
        *((m, {"type": "string", "format": "binary"}) for m in media_types),
        description=description,
    )


NOT_MODIFIED: Responses = {
    304: {"description": "Not modified: the ETag given in If-None-Match still holds."}
}

_GEOMETRY = {
    "type": ["object", "null"],
    "required": ["type"],
    "properties": {"type": {"type": "string"}, "coordinates": {"type": "array"}},
}
_LINK = {
    "type": "object",
    "required": ["href", "rel"],
    "properties": {
        "href": {"type": "string"},
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "title": {"type": "string"},
    },
}
LINKS = {"type": "array", "items": _LINK}
FEATURE = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": _GEOMETRY,
        "properties": {"type": ["object", "null"]},
        "links": LINKS,
    },
}
FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": FEATURE},
        "numberMatched": {"type": "integer", "minimum": 0},
        "numberReturned": {"type": "integer", "minimum": 0},
        "links": LINKS,
    },
}
HTML_PAGE = (HTML, {"type": "string"})
