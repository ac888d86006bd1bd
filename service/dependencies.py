"""Request-scoped dependencies: a database session, the settings, the ``as_of`` instant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from boundaries.store import end_of_day
from service.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    """A session from the app's pool; rolled back unless the handler committed."""
    with request.app.state.sessionmaker() as session:
        yield session


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


AsOfDayQuery = Annotated[
    date | None,
    Query(
        alias="as_of",
        description="YYYY-MM-DD: show the zone as it was at the end of that day "
        "(Beijing time). Omit for the current state.",
        examples=["2026-11-27"],
    ),
]


def get_as_of(as_of: AsOfDayQuery = None) -> datetime | None:
    return end_of_day(as_of) if as_of else None


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
AsOfDep = Annotated[datetime | None, Depends(get_as_of)]
