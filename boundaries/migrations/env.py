"""Alembic environment. The URL comes from the caller (``boundaries.migrate``) or the
``PARKGEO_DATABASE_URL`` variable; GeoAlchemy2's helpers are wired into both configure
calls, otherwise autogenerate tries to drop PostGIS's ``spatial_ref_sys``."""

from __future__ import annotations

import os

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import engine_from_config, pool

from boundaries.models import Base

config = context.config
target_metadata = Base.metadata

HELPERS = {
    "include_object": alembic_helpers.include_object,
    "process_revision_directives": alembic_helpers.writer,
    "render_item": alembic_helpers.render_item,
}


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    return str(url or os.environ["PARKGEO_DATABASE_URL"])


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, **HELPERS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        {"sqlalchemy.url": _url()}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        _run(conn)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, **HELPERS)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
