"""Versioned writes: every change a new version, nothing deleted, errors roll back."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from geoalchemy2.shape import to_shape
from shapely.affinity import scale
from sqlalchemy import create_engine, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from boundaries import edits
from boundaries.imports import read_point_updates
from boundaries.models import Park, RadiationPoint
from geo.chinese_datums import gcj02_to_wgs84
from geo.errors import InvalidInput, NotFound
from tests.boundaries import survey_files as sf

WHO = edits.Change("zhangsan", "test change")
SURVEY = edits.Provenance("surveyed", "test survey", date(2026, 11, 1), 0.5)


def _versions(session: Session, model: type, code: str) -> list:
    return list(session.scalars(select(model).where(model.code == code).order_by(model.version)))


def test_attribute_change_is_a_new_version(fresh_session: Session) -> None:
    with edits.transaction(fresh_session):
        new = edits.update_attributes(
            fresh_session, "parks", "zhanhe", {"name": "湛河区工业园区（新）"}, WHO
        )
    old, current = _versions(fresh_session, Park, "zhanhe")
    assert current.id == new.id and current.version == 2 and current.valid_to is None
    assert old.valid_to == current.valid_from
    assert (current.changed_by, current.change_note) == ("zhangsan", "test change")
    assert current.name == "湛河区工业园区（新）" and old.name == "湛河区工业园区"
    assert to_shape(current.geom).equals(to_shape(old.geom))
    assert current.geometry_source == old.geometry_source == "schematic"


def test_bad_attributes_are_refused_and_nothing_changes(fresh_session: Session) -> None:
    before = sf.snapshot(fresh_session)
    for changes, match in [
        ({"colour": "red"}, "cannot change colour"),
        ({"tier": "第三圈"}, "field 'tier'"),
        ({"declared_area_km2": -1}, "declared_area_km2"),
        ({"code": "other"}, "cannot change code"),
        ({}, "nothing to change"),
    ]:
        with pytest.raises(InvalidInput, match=match), edits.transaction(fresh_session):
            edits.update_attributes(fresh_session, "parks", "zhanhe", changes, WHO)
    with pytest.raises(NotFound, match="unknown park code"), edits.transaction(fresh_session):
        edits.update_attributes(fresh_session, "parks", "nowhere", {"name": "x"}, WHO)
    with pytest.raises(InvalidInput, match="comment"):
        edits.Change("zhangsan", "  ")
    assert sf.snapshot(fresh_session) == before


def test_add_change_geometry_and_retire(fresh_session: Session) -> None:
    zhanhe = to_shape(_versions(fresh_session, Park, "zhanhe")[0].geom)
    fields = {
        "code": "xinyuan",
        "seq": 8,
        "name": "新园区测试",
        "short_name": "新园",
        "tier": "新增空间范围",
        "declared_area_km2": 7.1,
        "district": "湛河区",
        "boundary_text": "测试",
        "bounds": {"east": "东", "west": "西", "south": "南", "north": "北"},
        "industries": ["电气装备"],
    }
    with edits.transaction(fresh_session):
        added = edits.add(fresh_session, "parks", fields, WHO, geometry=zhanhe, provenance=SURVEY)
    assert added.version == 1 and added.geometry_source == "surveyed"
    with pytest.raises(InvalidInput, match="exists already"), edits.transaction(fresh_session):
        edits.add(fresh_session, "parks", fields, WHO, geometry=zhanhe, provenance=SURVEY)
    bigger = scale(zhanhe, 1.01, 1.01)
    with edits.transaction(fresh_session):
        edits.change_geometry(fresh_session, "parks", "xinyuan", bigger, WHO, SURVEY)
    with edits.transaction(fresh_session):
        retired = edits.retire(fresh_session, "parks", "xinyuan", edits.Change("lisi", "gone"))
    versions = _versions(fresh_session, Park, "xinyuan")
    assert [v.version for v in versions] == [1, 2] and retired.id == versions[-1].id
    assert all(v.valid_to is not None for v in versions)
    assert versions[-1].changed_by == "zhangsan"  # who made that version stays
    assert versions[-1].change_note.endswith("[retired by lisi: gone]")
    with pytest.raises(NotFound, match="was retired"):
        edits.current(fresh_session, "parks", "xinyuan")


def test_retiring_a_park_with_sections_is_refused(fresh_session: Session) -> None:
    with pytest.raises(InvalidInput, match="retire them first"):
        edits.retire(fresh_session, "parks", "baofeng", WHO)


def test_point_add_and_region_check(fresh_session: Session) -> None:
    fields = {
        "code": "rp-99",
        "seq": 99,
        "name": "测试企业",
        "category": "enterprise",
        "district": "新华区",
        "batch": 2,
        "industries": [],
        "lon": 113.3,
        "lat": 33.75,
        "located": True,
        "location_precision_m": 10,
        "location_note": "test",
    }
    with edits.transaction(fresh_session):
        edits.add(fresh_session, "radiation_points", fields, WHO)
    with pytest.raises(InvalidInput, match="outside the Pingdingshan area"):
        edits.add(fresh_session, "radiation_points", {**fields, "code": "rp-98", "lon": 33.75}, WHO)
    with pytest.raises(InvalidInput, match="outside the Pingdingshan area"):
        edits.update_attributes(fresh_session, "radiation_points", "rp-99", {"lat": 40.0}, WHO)


def _points_csv(folder: Path, rows: list[str]) -> Path:
    path = folder / "points.csv"
    path.write_text("code,lon,lat,crs,precision\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_bulk_point_update_converts_gcj02(fresh_session: Session, tmp_path: Path) -> None:
    path = _points_csv(tmp_path, ["rp-01,113.30,33.74,gcj02,5", "rp-02,113.31,33.75,wgs84,"])
    updates = read_point_updates(path)
    with edits.transaction(fresh_session):
        rows = edits.bulk_update_points(fresh_session, updates, WHO, source=path.name)
    assert [r.code for r in rows] == ["rp-01", "rp-02"]
    first = to_shape(_versions(fresh_session, RadiationPoint, "rp-01")[-1].geom)
    lon, lat = gcj02_to_wgs84(113.30, 33.74)
    assert (first.x, first.y) == pytest.approx((lon, lat), abs=1e-9)
    assert abs(first.x - 113.30) > 1e-4  # really moved by the GCJ-02 offset
    current = _versions(fresh_session, RadiationPoint, "rp-01")[-1]
    assert current.located and current.location_precision_m == 5
    assert "GCJ-02" in current.location_note or "gcj02" in current.location_note


def test_bulk_point_update_is_all_or_nothing(fresh_session: Session, tmp_path: Path) -> None:
    before = sf.snapshot(fresh_session)
    for rows, error, match in [
        (["rp-01,113.30,33.74,gcj02,5", "rp-777,113.3,33.7,wgs84,1"], NotFound, "rp-777"),
        (["rp-01,113.30,33.74,gcj02,5", "rp-02,33.7,113.3,wgs84,1"], InvalidInput, "row 3"),
        (["rp-01,113.30,33.74,gcj02,5", "rp-01,113.3,33.7,wgs84,1"], InvalidInput, "repeats"),
        (["rp-01,113.30,abc,gcj02,5"], InvalidInput, "lat 'abc' is not a number"),
        (["rp-01,113.30,33.7,mars,5"], InvalidInput, "Unknown CRS"),
    ]:
        path = _points_csv(tmp_path, rows)
        with pytest.raises(error, match=match), edits.transaction(fresh_session):
            updates = read_point_updates(path)
            edits.bulk_update_points(fresh_session, updates, WHO, source=path.name)
    no_crs = tmp_path / "no_crs.csv"
    no_crs.write_text("code,lon,lat\nrp-01,113.3,33.7\n")
    with pytest.raises(InvalidInput, match="which CRS"):
        read_point_updates(no_crs)
    assert read_point_updates(no_crs, default_crs="gcj02")[0].crs == "gcj02"
    assert sf.snapshot(fresh_session) == before


def test_failure_mid_edit_rolls_back(
    fresh_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sf.snapshot(fresh_session)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated crash between closing and inserting")

    # The current version is closed and flushed, then inserting its successor fails.
    monkeypatch.setattr(fresh_session, "add", boom)
    with pytest.raises(RuntimeError, match="simulated"), edits.transaction(fresh_session):
        edits.change_geometry(
            fresh_session,
            "parks",
            "zhanhe",
            to_shape(_versions(fresh_session, Park, "zhanhe")[0].geom),
            WHO,
            SURVEY,
        )
    monkeypatch.undo()
    assert sf.snapshot(fresh_session) == before
    assert edits.current(fresh_session, "parks", "zhanhe").version == 1


def test_concurrent_edits_cannot_both_win(fresh_db_url: URL) -> None:
    engine = create_engine(fresh_db_url)
    outcome: dict[str, object] = {}
    try:
        with Session(engine) as first:
            edits.update_attributes(first, "parks", "zhanhe", {"name": "甲园区"}, WHO)  # holds lock

            def second_edit() -> None:
                with Session(engine) as second:
                    try:
                        with edits.transaction(second):
                            edits.update_attributes(
                                second, "parks", "zhanhe", {"name": "乙园区"}, WHO
                            )
                        outcome["result"] = "won"
                    except edits.EditConflict as exc:
                        outcome["result"] = exc

            thread = threading.Thread(target=second_edit)
            thread.start()
            thread.join(timeout=1.0)
            assert thread.is_alive()  # waiting for the lock
            first.commit()
            thread.join(timeout=10)
        assert isinstance(outcome["result"], edits.EditConflict)
        with Session(engine) as check:
            versions = _versions(check, Park, "zhanhe")
            assert [(v.version, v.name) for v in versions][-1] == (2, "甲园区")
            assert len(versions) == 2
    finally:
        engine.dispose()
