import json
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boundaries.loader import load_bundled
from boundaries.models import FEATURE_MODELS, Park
from boundaries.store import counts, feature_collection_json, frames, is_empty


def _row_counts(session: Session) -> dict[str, int]:
    return {
        name: session.scalar(select(func.count()).select_from(model))
        for name, model in FEATURE_MODELS.items()
    }


def test_load_is_idempotent(fresh_session: Session) -> None:
    before = _row_counts(fresh_session)
    assert before == {"parks": 7, "park_sections": 4, "radiation_points": 34}
    report = load_bundled(fresh_session)
    fresh_session.commit()
    assert report.total == 0
    assert _row_counts(fresh_session) == before


def test_load_never_overwrites_a_stored_boundary(fresh_session: Session) -> None:
    park = fresh_session.scalars(select(Park).where(Park.code == "zhanhe")).one()
    park.geometry_source = "surveyed"
    fresh_session.commit()
    load_bundled(fresh_session)
    fresh_session.commit()
    sources = fresh_session.scalars(select(Park.geometry_source).where(Park.code == "zhanhe"))
    assert list(sources) == ["surveyed"]


def test_counts_and_emptiness(session: Session) -> None:
    assert counts(session) == {"parks": 7, "park_sections": 4, "radiation_points": 34}
    assert not is_empty(session)


def test_geojson_made_by_postgis(session: Session) -> None:
    collection = json.loads(feature_collection_json(session, "parks"))
    features = collection["features"]
    assert [f["id"] for f in features][:2] == ["gaoxin", "nilong"]
    gaoxin = features[0]
    assert gaoxin["geometry"]["type"] == "MultiPolygon"
    props = gaoxin["properties"]
    assert props["geometry_source"] == "schematic"
    assert abs(props["measured_area_km2"] - 48.66) < 0.0487
    assert props["families"] == ["equipment", "materials"]
    assert "geom" not in props


def test_as_of_before_the_load_is_empty(session: Session) -> None:
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    assert json.loads(feature_collection_json(session, "parks", as_of=long_ago))["features"] == []


def test_frames_from_store_match_the_contract(session: Session) -> None:
    stored = frames(session)
    assert stored.parks.crs.to_epsg() == 4490
    assert list(stored.parks["code"])[:1] == ["gaoxin"]
    assert stored.parks.loc[0, "industries"] == ["装备制造", "尼龙新材料", "新能源装备"]
    assert len(stored.sections) == 4 and len(stored.points) == 34
    assert stored.any_schematic
