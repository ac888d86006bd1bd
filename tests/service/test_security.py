"""Security basics: CORS off unless configured, no internals in error bodies, tokens compared
in constant time, and a global limit on request bodies."""

from __future__ import annotations

import hmac
import inspect
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import URL

from service import auth
from service.app import create_app
from service.limits import BodySizeLimit
from tests.conftest import settings_for

PLANNING = "https://planning.example.cn"
AUTH = {"Authorization": "Bearer right-token"}


# --- CORS ---------------------------------------------------------------------------------


def _preflight(client: TestClient, origin: str) -> Any:
    return client.options(
        "/locate",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = client.get("/health", headers={"Origin": PLANNING})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = _preflight(client, PLANNING)
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code >= 400


def test_cors_allows_only_the_configured_origins(db_url: URL) -> None:
    settings = settings_for(db_url, cors_origins=[PLANNING])
    with TestClient(create_app(settings)) as client:
        allowed = _preflight(client, PLANNING)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == PLANNING
        assert "POST" in allowed.headers["access-control-allow-methods"]
        simple = client.get("/health", headers={"Origin": PLANNING})
        assert simple.headers["access-control-allow-origin"] == PLANNING

        other = _preflight(client, "https://elsewhere.example.com")
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers
        stranger = client.get("/health", headers={"Origin": "https://elsewhere.example.com"})
        assert "access-control-allow-origin" not in stranger.headers


# --- no internals in error bodies ---------------------------------------------------------


@pytest.fixture
def fragile(db_url: URL) -> Iterator[TestClient]:
    """The app with three extra routes that fail inside: Python, bad SQL, a driver error."""
    app = create_app(settings_for(db_url))

    def python_error() -> None:
        raise RuntimeError("SELECT secret FROM internals -- at /srv/parkgeo/app.py line 1")

    def sql_error(request: Request) -> None:
        with request.app.state.sessionmaker() as session:
            session.execute(text("SELECT no_such_column FROM parks WHERE secret = 1"))

    app.add_api_route("/_test/python-error", python_error)
    app.add_api_route("/_test/sql-error", sql_error)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/_test/python-error", 500),
        ("/_test/sql-error", 500),
        ("/parks/zhanhe%00", 400),  # NUL in a bound value: psycopg's DataError
    ],
)
def test_errors_carry_no_traceback_or_sql(fragile: TestClient, path: str, status: int) -> None:
    response = fragile.get(path)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"detail", "error"}
    for leak in ("Traceback", "SELECT", "secret", "no_such_column", "psycopg", ".py", "parks"):
        assert leak not in response.text, leak


# --- tokens -------------------------------------------------------------------------------


def test_tokens_are_compared_in_constant_time() -> None:
    source = inspect.getsource(auth.require_writer)
    assert "hmac.compare_digest" in source
    assert "==" not in source.replace("is None", "")  # no plain comparison of secrets


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic cGxhbm5lcjpyaWdodA=="}, 401),
        ({"Authorization": "Bearer"}, 401),
        ({"Authorization": "Bearer right-toke"}, 403),  # a prefix of the real one
        ({"Authorization": "Bearer right-token-and-more"}, 403),
        (AUTH, 400),  # accepted; the empty comment is then refused
    ],
)
def test_write_token_statuses(
    fresh_db_url: URL, headers: dict[str, str], status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    compare = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append(1)
        return compare(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", counting)
    tokens = {"first": "another-token", "planner": "right-token", "third": "yet-another"}
    with TestClient(create_app(settings_for(fresh_db_url, tokens=tokens))) as client:
        response = client.patch(
            "/parks/zhanhe", json={"comment": "", "short_name": "湛河"}, headers=headers
        )
    assert response.status_code == status, response.text
    assert "right-token" not in response.text
    if status in (401, 403):
        assert response.json()["error"] in ("Unauthorized", "Forbidden")
    if calls:  # every configured token is compared, whichever matched
        assert len(calls) == len(tokens)


def test_writes_refused_when_no_tokens_are_configured(fresh_db_url: URL) -> None:
    with TestClient(create_app(settings_for(fresh_db_url))) as client:
        response = client.delete("/parks/zhanhe", params={"comment": "x"}, headers=AUTH)
    assert response.status_code == 403
    assert "PARKGEO_TOKENS" in response.json()["detail"]


# --- request size -------------------------------------------------------------------------


def _echo_length() -> Any:
    """A tiny ASGI app answering with the number of body bytes it read."""

    async def app(scope: dict, receive: Any, send: Any) -> None:
        size, more = 0, True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})

    return app


def _call(app: Any, chunks: list[bytes], content_length: int | None) -> tuple[int, bytes]:
    pending = list(chunks)
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        else:
            out["body"] += message.get("body", b"")

    headers = [] if content_length is None else [(b"content-length", str(content_length).encode())]
    scope = {"type": "http", "method": "POST", "path": "/x", "headers": headers}
    anyio.run(app, scope, receive, send)
    return out["status"], out["body"]


@pytest.mark.parametrize(
    ("chunks", "declared", "status"),
    [
        ([b"a" * 1000], 1000, 200),  # at the limit
        ([b"a" * 1001], 1001, 413),  # declared too large: refused before reading
        ([b"a" * 600, b"a" * 600], None, 413),  # chunked, counted while streaming
        ([b"a" * 600, b"a" * 600], 10, 413),  # a Content-Length that lies
        ([b"a" * 400, b"a" * 400], None, 200),
    ],
)
def test_body_size_limit_middleware(chunks: list[bytes], declared: int | None, status: int) -> None:
    limited = BodySizeLimit(_echo_length(), max_bytes=1000)
    got, body = _call(limited, chunks, declared)
    assert got == status
    if status == 413:
        assert b"PARKGEO_MAX_UPLOAD_MB" in body and b"RequestTooLarge" in body


def test_the_app_limits_every_route(fresh_db_url: URL) -> None:
    """A large body to a route that does not read uploads is refused too, before any write."""
    settings = settings_for(fresh_db_url, tokens={"planner": "right-token"}, max_upload_mb=0.01)
    with TestClient(create_app(settings)) as client:
        response = client.patch(
            "/parks/zhanhe",
            json={"comment": "x" * 20_000, "short_name": "湛河"},
            headers=AUTH,
        )
        assert response.status_code == 413
        assert "too large" in response.json()["detail"]
        assert client.get("/history/zhanhe").json()["versions"][-1]["version"] == 1


# --- the schema says all of this ----------------------------------------------------------


def test_openapi_documents_errors_and_the_write_token(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "writeToken" in spec["components"]["securitySchemes"]
    error_ref = "#/components/schemas/ErrorBody"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("500", "503"):
                assert status in responses, (method, path, status)
            if method in ("post", "patch", "delete") and path != "/locate":
                assert {"401", "403", "413"} <= responses.keys(), (method, path)
                assert operation["security"] == [{"writeToken": []}]
                schema = responses["403"]["content"]["application/json"]["schema"]
                assert schema["$ref"] == error_ref
