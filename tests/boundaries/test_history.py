"""The history of a member: schematic -> surveyed with the area change, moves, retirement."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries import edits
from boundaries.history import history
from boundaries.imports import import_boundary
from boundaries.store import end_of_day, feature_json
from geo.errors import NotFound
from tests.boundaries import survey_files as sf


def _backdate(session: Session, table: str, code: str, days: int = 10) -> None:
    session.execute(
        text(
            f"UPDATE {table} SET valid_from = now() - make_interval(days => :days) "
            "WHERE code = :code AND valid_to IS NULL"
        ),
        {"days": days, "code": code},
    )
    session.commit()


def test_schematic_to_surveyed(fresh_session: Session, tmp_path: Path) -> None:
    _backdate(fresh_session, "parks", sf.PARK)
    with edits.transaction(fresh_session):
        import_boundary(
            fresh_session,
            sf.write_csv_4526(tmp_path),
            park=sf.PARK,
            comment="批复界址点",
            changed_by="zhangsan",
        )
    result = history(fresh_session, sf.PARK)
    assert result.collection == "parks"
    first, second = result.versions
    assert (first.event, first.geometry_source, first.current) == ("added", "schematic", False)
    assert (second.event, second.geometry_source, second.current) == ("changed", "surveyed", True)
    assert first.valid_to == second.valid_from
    assert (second.changed_by, second.change_note) == ("zhangsan", "批复界址点")
    assert "zhanhe_jzd.csv" in second.provenance and "EPSG:4526" in second.provenance
    assert second.geometry_changed
    assert second.area_km2 == pytest.approx(sf.expected_area_km2(), rel=1e-6)
    assert second.area_change_km2 == pytest.approx(second.area_km2 - first.area_km2)
    assert first.area_km2 == pytest.approx(7.10, abs=0.001)
    data = result.to_dict()
    assert data["versions"][1]["event"] == "changed"
    json.dumps(data)  # JSON-ready

    # The day before the import the store still shows the schematic boundary.
    yesterday = end_of_day(date.today() - timedelta(days=1))
    old = json.loads(feature_json(fresh_session, "parks", sf.PARK, as_of=yesterday))
    now = json.loads(feature_json(fresh_session, "parks", sf.PARK))
    assert old["properties"]["geometry_source"] == "schematic"
    assert now["properties"]["geometry_source"] == "surveyed"
    assert old["geometry"] != now["geometry"]


def test_point_moves_and_retirement(fresh_session: Session, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("code,lon,lat,crs\nrp-03,113.30,33.74,cgcs2000\n")
    from boundaries.imports import read_point_updates

    with edits.transaction(fresh_session):
        edits.bulk_update_points(
            fresh_session,
            read_point_updates(path),
            edits.Change("lisi", "geocoded"),
            source="p.csv",
        )
    with edits.transaction(fresh_session):
        edits.retire(fresh_session, "radiation_points", "rp-03", edits.Change("wangwu", "已迁出"))
    result = history(fresh_session, "rp-03")
    assert result.collection == "radiation_points"
    assert [v.event for v in result.versions] == ["added", "changed", "retired"]
    moved = result.versions[1]
    assert moved.moved_m is not None and moved.moved_m > 0
    assert (moved.lon, moved.lat) == pytest.approx((113.30, 33.74))
    retired = result.versions[2]
    assert (retired.changed_by, retired.change_note) == ("wangwu", "已迁出")
    assert retired.valid_from == moved.valid_to
    assert moved.change_note == "geocoded"  # the retirement mark is not shown twice
    assert not any(v.current for v in result.versions)


def test_unknown_code(session: Session) -> None:
    with pytest.raises(NotFound, match="nowhere"):
        history(session, "nowhere")
