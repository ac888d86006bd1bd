"""Strong ETags over response bodies, and the 304 answer to ``If-None-Match``.

Hashing the body is cheap next to the query for these small layers and is always right,
whatever changed in the store.
"""

from __future__ import annotations

import hashlib

from fastapi import Request, Response


def etag_of(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def cached_response(
    request: Request, content: bytes, media_type: str, headers: dict[str, str]
) -> Response:
    """``content`` with its ETag; 304 (no body) when ``If-None-Match`` already names it."""
    etag = etag_of(content)
    headers = {**headers, "ETag": etag}
    wanted = {
        tag.strip().removeprefix("W/")
        for tag in request.headers.get("if-none-match", "").split(",")
    }
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=media_type, headers=headers)
