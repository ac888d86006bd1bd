"""The database goes away while the service runs: requests answer 503 with a message,
/health says why, and the service recovers by itself when the database returns."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from boundaries.embedded import EmbeddedCluster, free_port
from boundaries.loader import migrate_and_load
from service.app import create_app
from tests.conftest import settings_for


@pytest.fixture
def own_cluster() -> Iterator[EmbeddedCluster]:
    """A cluster this test may stop and start without disturbing the others."""
    root = Path(tempfile.mkdtemp(prefix="parkgeo-fault-"))
    cluster = EmbeddedCluster(root, port=free_port(), fsync=False)
    cluster.up()
    engine = create_engine(cluster.url())
    migrate_and_load(engine)
    engine.dispose()
    try:
        yield cluster
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


def test_database_down_then_back(own_cluster: EmbeddedCluster) -> None:
    with TestClient(create_app(settings_for(own_cluster.url()))) as client:
        assert client.get("/parks").status_code == 200

        own_cluster.down()
        response = client.get("/parks")
        assert response.status_code == 503
        assert "database" in response.json()["detail"]
        assert "Traceback" not in response.text and "SELECT" not in response.text
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json()["database"]["ok"] is False
        assert health.json()["database"]["reason"]

        own_cluster.up()
        assert client.get("/parks").status_code == 200
        assert client.get("/health").json()["status"] == "ok"


def test_app_fails_fast_when_the_database_is_down() -> None:
    url = f"postgresql://parkgeo:x@127.0.0.1:{free_port()}/parkgeo"
    app = create_app(settings_for(make_url(url)))
    with pytest.raises(Exception, match="cannot reach the database"), TestClient(app):
        pass
