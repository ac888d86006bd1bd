"""What CLI commands share: settings, and an engine on a migrated, loaded database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from boundaries.loader import migrate_and_load
from boundaries.migrate import upgrade
from service.database import database_url, make_engine
from service.settings import Settings

log = logging.getLogger(__name__)


def prepare_database(settings: Settings, *, load_if_empty: bool = True) -> Engine:
    """Start the embedded database if configured, migrate, and load the bundled data
    into an empty store. Idempotent: on a ready database it only checks."""
    engine = make_engine(database_url(settings))
    if not load_if_empty:
        upgrade(engine)
        return engine
    report = migrate_and_load(engine, only_if_empty=True)
    if report is not None:
        log.info("loaded the bundled dataset (%d records)", report.total)
    return engine


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A session on the prepared database; the engine is disposed afterwards."""
    engine = prepare_database(settings)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
