"""Apply the Alembic migrations that own the schema."""

from __future__ import annotations

import logging
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine``, with the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("boundaries") / "migrations"))
    config.attributes["url"] = engine.url.render_as_string(hide_password=False)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    log.info("schema at %s", revision)
