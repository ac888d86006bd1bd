"""The package's SQL files, loaded once each."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_sql(name: str) -> str:
    """Text of ``boundaries/sql/<name>.sql``."""
    return (resources.files("boundaries.sql") / f"{name}.sql").read_text(encoding="utf-8")
