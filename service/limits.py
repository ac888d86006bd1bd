"""A global limit on request bodies, before any route reads them.

Routes check their own uploads too; this ASGI middleware is the backstop for every request:
a declared ``Content-Length`` over the limit is refused before the body is read, and a body
sent without one (chunked) is counted as it streams and refused as soon as it passes the
limit, so nothing larger than ``PARKGEO_MAX_UPLOAD_MB`` is ever buffered.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit.

    An ``HTTPException`` so FastAPI's body parsing passes it on (it turns other errors into
    400) and the app's handler answers it as a 413.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=too_large_message(limit))


def too_large_message(limit: int) -> str:
    return (
        f"请求内容过大 / request too large: the limit is {limit / 1048576:.3g} MB "
        "(PARKGEO_MAX_UPLOAD_MB); split the file or use the parkgeo command line."
    )


class BodySizeLimit:
    """Refuse request bodies larger than ``max_bytes`` with 413 and a message."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            log.info("%s %s refused: Content-Length %d", scope["method"], scope["path"], declared)
            await _refuse(self.max_bytes, scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    log.info("%s %s refused: body over the limit", scope["method"], scope["path"])
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:  # an answer is on its way already; nothing better to do
                raise
            await _refuse(self.max_bytes, scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        {"detail": too_large_message(limit), "error": "RequestTooLarge"},
        status_code=413,
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)
