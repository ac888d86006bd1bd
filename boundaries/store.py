"""Reads from the PostGIS store. Each function takes a session; GeoJSON is made by PostGIS.

Collections are versioned tables (see ``boundaries.models``); ``as_of`` selects the versions
valid at an instant, ``None`` the current ones.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from boundaries.frames import PARK_COLUMNS, POINT_COLUMNS, SECTION_COLUMNS, Frames
from boundaries.industries import INDUSTRY_FAMILY, families_of
from boundaries.models import FEATURE_MODELS, Park
from boundaries.sql import load_sql
from geo.errors import NotFound

log = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

COLLECTIONS = {
    "parks": "园区",
    "park_sections": "宝丰组团",
    "radiation_points": "辐射点",
}

_AREA = (
    "jsonb_build_object('measured_area_km2', round((ST_Area(t.geom::geography) / 1e6)::numeric, 6))"
)
_FAMILIES = (
    "jsonb_build_object('families', coalesce((SELECT jsonb_agg(DISTINCT "
    "CAST(:families AS jsonb) ->> term) FROM unnest(t.industries) AS term), '[]'::jsonb))"
)
#: the versions valid at :as_of, or the current ones when it is NULL (alias ``t``).
VALID_AT = (
    "((CAST(:as_of AS timestamptz) IS NULL AND t.valid_to IS NULL) "
    "OR (t.valid_from <= CAST(:as_of AS timestamptz) "
    "AND (t.valid_to IS NULL OR t.valid_to > CAST(:as_of AS timestamptz))))"
)
_EXTRA_PROPERTIES = {
    "parks": f"{_AREA} || {_FAMILIES}",
    "park_sections": _AREA,
    "radiation_points": _FAMILIES,
}


def end_of_day(day: date) -> datetime:
    """``as_of=YYYY-MM-DD`` means the state at the end of that day, Beijing time."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)


def check_collection(collection: str) -> str:
    """Return ``collection`` if known; raise ``NotFound`` listing the known ones otherwise."""
    if collection not in COLLECTIONS:
        raise NotFound(f"unknown collection {collection!r}; known: {', '.join(COLLECTIONS)}")
    return collection


def feature_collection_json(
    session: Session,
    collection: str,
    *,
    code: str | None = None,
    as_of: datetime | None = None,
) -> str:
    """The collection (or one code of it) as GeoJSON text, straight from PostGIS."""
    table = check_collection(collection)
    sql = load_sql("feature_collection").format(
        table=table, extra_properties=_EXTRA_PROPERTIES[table], valid_at=VALID_AT
    )
    params: dict[str, object] = {"code": code, "as_of": as_of}
    if ":families" in _EXTRA_PROPERTIES[table]:
        params["families"] = json.dumps(INDUSTRY_FAMILY, ensure_ascii=False)
    return str(session.execute(text(sql), params).scalar_one())


def feature_json(
    session: Session, collection: str, code: str, *, as_of: datetime | None = None
) -> str:
    """One feature as GeoJSON text; ``NotFound`` with a message when the code is unknown."""
    collection_text = feature_collection_json(session, collection, code=code, as_of=as_of)
    features = json.loads(collection_text)["features"]
    if not features:
        when = f" on {as_of:%Y-%m-%d}" if as_of else ""
        raise NotFound(f"no {collection} feature with code {code!r}{when}")
    return json.dumps(features[0], ensure_ascii=False)


def is_empty(session: Session) -> bool:
    """True when no park was ever stored: the cue to load the bundled dataset."""
    return session.scalar(select(func.count()).select_from(Park)) == 0


def counts(session: Session) -> dict[str, int]:
    """Current features per collection, for the health report."""
    return {
        name: int(
            session.scalar(select(func.count()).select_from(model).where(model.valid_to.is_(None)))
            or 0
        )
        for name, model in FEATURE_MODELS.items()
    }


def frames(session: Session, *, as_of: datetime | None = None) -> Frames:
    """The store's state as ``Frames``, the shape maps and figures take."""
    parks = _read(session, "parks", as_of)
    sections = _read(session, "park_sections", as_of)
    points = _read(session, "radiation_points", as_of)
    for frame in (parks, points):
        frame["families"] = [families_of(list(terms)) for terms in frame["industries"]]
        frame["industries"] = [list(terms) for terms in frame["industries"]]
    return Frames(
        parks=_columns(parks, PARK_COLUMNS),
        sections=_columns(sections, SECTION_COLUMNS),
        points=_columns(points, POINT_COLUMNS),
    )


def _read(session: Session, table: str, as_of: datetime | None) -> gpd.GeoDataFrame:
    area = "" if table == "radiation_points" else ", ST_Area(t.geom::geography) / 1e6 AS area"
    sql = (
        f"SELECT t.*{area} FROM {check_collection(table)} AS t "
        f"WHERE {VALID_AT} ORDER BY t.seq, t.code"
    )
    frame = gpd.read_postgis(
        text(sql), session.connection(), geom_col="geom", params={"as_of": as_of}
    )
    return frame.rename_geometry("geometry").rename(columns={"area": "measured_area_km2"})


def _columns(frame: gpd.GeoDataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    for name in ("declared_area_km2",):
        if name in frame:
            frame[name] = frame[name].astype(float)
    if "provenance_date" in frame:
        frame["provenance_date"] = pd.to_datetime(frame["provenance_date"]).dt.strftime("%Y-%m-%d")
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=frame.crs)


def declared_totals(session: Session) -> dict[str, Any]:
    """Declared zone total and tier subtotals as stored."""
    rows = session.execute(
        text("SELECT key, label, seq, declared_km2 FROM zone_declarations ORDER BY seq")
    ).all()
    return {row.key: {"label": row.label, "declared_km2": float(row.declared_km2)} for row in rows}
