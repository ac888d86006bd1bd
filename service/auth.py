"""Write access: reads are open, every write needs a named bearer token.

Tokens live in settings (``PARKGEO_TOKENS='{"zhangsan": "…"}'``); the *name* of the token
used is recorded as ``changed_by`` on every version it writes. The presented token is
compared with every configured one in constant time (``hmac.compare_digest``, no early
exit), and is never logged or echoed.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from geo.errors import ParkgeoError, Unauthorized
from service.dependencies import SettingsDep

log = logging.getLogger(__name__)

SCHEME = "bearer"

# Only documents the scheme in OpenAPI (the "Authorize" button of /docs); the header is
# read below, so a missing or wrong one gets our own 401 message.
_DOCUMENTED = HTTPBearer(
    auto_error=False,
    scheme_name="writeToken",
    description="A write token from PARKGEO_TOKENS; its name is recorded as changed_by.",
)


class Forbidden(ParkgeoError):
    """A token was given but it is not one of the configured ones (or writes are off)."""


def _presented_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if not header.strip():
        raise Unauthorized("写操作需要令牌 / this is a write: send 'Authorization: Bearer <token>'")
    if scheme.lower() != SCHEME or not token.strip():
        raise Unauthorized(
            "写操作需要令牌 / expected 'Authorization: Bearer <token>' (another scheme was sent)"
        )
    return token.strip()


def require_writer(
    request: Request,
    settings: SettingsDep,
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(_DOCUMENTED)] = None,
) -> str:
    """The configured name of the bearer token; 401 when missing, 403 when wrong."""
    token = _presented_token(request)
    if not settings.tokens:
        raise Forbidden(
            "写操作未启用 / writes are disabled until write tokens are configured "
            '(PARKGEO_TOKENS=\'{"name": "token"}\')'
        )
    given = token.encode("utf-8")
    matched: str | None = None
    for name, secret in settings.tokens.items():
        # Compare with every token, without stopping at a match: timing says nothing.
        if hmac.compare_digest(given, secret.get_secret_value().encode("utf-8")):
            matched = name
    if matched is None:
        log.warning("write refused: unknown token on %s %s", request.method, request.url.path)
        raise Forbidden("令牌无效 / the bearer token is not valid for writes")
    return matched


WriterDep = Annotated[str, Depends(require_writer)]
