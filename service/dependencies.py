"""Request-scoped dependencies: a database session, the settings, the ``as_of`` instant, the
locating index.

The trivial ones are ``async def``: FastAPI runs a plain ``def`` dependency in the threadpool,
a hop that costs more than the work.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from boundaries.layers import LAYERS
from boundaries.locating import LocatingIndex, locating_index, recent_index
from boundaries.store import end_of_day
from service.settings import Settings

#: How long ``/locate`` trusts its in-memory index before asking the database again whether
#: the parks changed. A commit in this worker expires it at once; another worker sees an
#: import or an edit within this many seconds.
INDEX_TTL_S = 2.0


def get_session(request: Request) -> Iterator[Session]:
    """A session from the app's pool; rolled back unless the handler committed."""
    with request.app.state.sessionmaker() as session:
        yield session


async def get_settings(request: Request) -> Settings:
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


async def get_as_of(as_of: AsOfDayQuery = None) -> datetime | None:
    return end_of_day(as_of) if as_of else None


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
AsOfDep = Annotated[datetime | None, Depends(get_as_of)]


async def get_locating_index(request: Request, as_of: AsOfDep) -> LocatingIndex:
    """The in-memory locating index; no database session while it was checked recently.

    After ``INDEX_TTL_S`` one request checks the store in the threadpool (and rebuilds the
    index if the parks changed) while the others of this worker wait for it.
    """
    state = request.app.state
    index = recent_index(state.database_key, as_of, INDEX_TTL_S)
    if index is None:
        async with state.index_lock:
            index = recent_index(state.database_key, as_of, INDEX_TTL_S)
            if index is None:
                index = await run_in_threadpool(_checked_index, state.sessionmaker, as_of)
    return index


def _checked_index(make_session: sessionmaker[Session], as_of: datetime | None) -> LocatingIndex:
    with make_session() as session:
        return locating_index(session, as_of)


LocatingIndexDep = Annotated[LocatingIndex, Depends(get_locating_index)]

#: A map-layer collection in a path (OGC API items, tiles): documented as an enum.
CollectionPath = Annotated[
    str,
    Path(
        description="Collection id: parks, park_sections or radiation_points",
        examples=list(LAYERS),
        json_schema_extra={"enum": list(LAYERS)},
    ),
]
