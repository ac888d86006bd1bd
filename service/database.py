"""Where the database is, and the engine that talks to it."""

from __future__ import annotations

import logging

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine, make_url

from boundaries.embedded import EmbeddedCluster
from service.settings import Settings

log = logging.getLogger(__name__)


def embedded_cluster(settings: Settings) -> EmbeddedCluster:
    return EmbeddedCluster(settings.data_dir.resolve(), port=settings.embedded_port)


def database_url(settings: Settings, *, start_embedded: bool = True) -> URL:
    """The configured URL, or the embedded cluster's (started if needed and allowed).

    ``postgresql://`` URLs are given the psycopg 3 driver, so users can paste the usual form.
    """
    if settings.database_url is not None:
        url = make_url(settings.database_url.get_secret_value())
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url
    cluster = embedded_cluster(settings)
    if start_embedded:
        cluster.up()
    return cluster.url()


def make_engine(url: URL) -> Engine:
    """An engine with a small pool that notices a restarted database (pre-ping)."""
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        pool_timeout=5,
        connect_args={"connect_timeout": 5, "application_name": "parkgeo"},
    )
