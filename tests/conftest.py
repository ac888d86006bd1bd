"""One real PostGIS per test session.

With ``PARKGEO_TEST_DATABASE_URL`` the tests use that server (it must allow CREATE DATABASE);
otherwise they start a throwaway embedded cluster in a temporary folder. A template database
is migrated and loaded once; tests that write get their own copy of it (``fresh_db_url``),
tests that only read share one (``db_url``). Nothing is mocked and nothing is skipped: if
PostGIS cannot start, the session fails with the reason.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from boundaries.embedded import EmbeddedCluster, free_port
from boundaries.loader import migrate_and_load
from service.app import create_app
from service.settings import Settings

TEMPLATE = "parkgeo_template"
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[EmbeddedCluster | None]:
    """The throwaway cluster (None when an external test database is configured)."""
    if os.environ.get("PARKGEO_TEST_DATABASE_URL"):
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="parkgeo-test-"))
    root.chmod(0o755)
    cluster = EmbeddedCluster(root, port=free_port(), fsync=False)
    cluster.up()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def server_url(pg_cluster: EmbeddedCluster | None) -> URL:
    """URL of the server's maintenance database, for CREATE/DROP DATABASE."""
    if pg_cluster is None:
        url = make_url(os.environ["PARKGEO_TEST_DATABASE_URL"])
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url.set(database="postgres")
    return pg_cluster.url("postgres")


def _admin(server_url: URL, sql: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def template_url(server_url: URL) -> URL:
    """A database migrated to head with the bundled dataset loaded, used as a template."""
    _admin(server_url, f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
    _admin(server_url, f'CREATE DATABASE "{TEMPLATE}"')
    url = server_url.set(database=TEMPLATE)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        migrate_and_load(engine)
    finally:
        engine.dispose()
    return url


def _copy_of_template(server_url: URL, name: str) -> URL:
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    return server_url.set(database=name)


@pytest.fixture(scope="session")
def db_url(server_url: URL, template_url: URL) -> Iterator[URL]:
    """A loaded database shared by tests that only read."""
    url = _copy_of_template(server_url, "parkgeo_shared")
    yield url
    _admin(server_url, 'DROP DATABASE IF EXISTS "parkgeo_shared" WITH (FORCE)')


@pytest.fixture
def fresh_db_url(server_url: URL, template_url: URL) -> Iterator[URL]:
    """A private loaded database for a test that writes; dropped afterwards."""
    name = f"parkgeo_t{os.getpid()}_{next(_counter)}"
    url = _copy_of_template(server_url, name)
    yield url
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settings_for(url: URL, **overrides: object) -> Settings:
    """Explicit settings for a test app: no .env, no embedded cluster."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url.render_as_string(hide_password=False),
        **overrides,
    )


@pytest.fixture(scope="session")
def client(db_url: URL) -> Iterator[TestClient]:
    """A client of an app on the shared read-only database (lifespan runs)."""
    with TestClient(create_app(settings_for(db_url))) as test_client:
        yield test_client


@pytest.fixture
def session(db_url: URL) -> Iterator[Session]:
    engine = create_engine(db_url)
    try:
        with Session(engine) as db_session:
            yield db_session
    finally:
        engine.dispose()


@pytest.fixture
def fresh_session(fresh_db_url: URL) -> Iterator[Session]:
    engine = create_engine(fresh_db_url)
    try:
        with Session(engine) as db_session:
            yield db_session
    finally:
        engine.dispose()
