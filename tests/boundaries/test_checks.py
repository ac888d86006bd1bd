"""Area and integrity checks against a real PostGIS: pass on the bundled data, fail precisely
when a private copy is changed. Expected figures are computed independently here, with
Shapely and pyproj on the geometry read back from the database."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest
import shapely
from pyproj import Geod
from shapely import affinity
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries.checks import AreaReport, run_area_checks
from boundaries.register import load_register
from geo.errors import InvalidInput

GEOD = Geod(ellps="GRS80")
REGISTER = load_register()
DECLARED = {park.code: park.declared_area_km2 for park in REGISTER.parks}
TIERS = {tier.name: tier.declared_km2 for tier in REGISTER.zone.tiers}


def _area_km2(geom: BaseGeometry) -> float:
    """Independent ellipsoidal area: pyproj on each polygon part, orientation-free."""
    total = 0.0
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon":
            continue
        total += abs(GEOD.polygon_area_perimeter(*part.exterior.xy)[0])
        total -= sum(abs(GEOD.polygon_area_perimeter(*r.xy)[0]) for r in part.interiors)
    return total / 1e6


def _geom(session: Session, table: str, code: str) -> BaseGeometry:
    wkb = session.scalar(
        text(f"SELECT ST_AsBinary(geom) FROM {table} WHERE code = :code AND valid_to IS NULL"),
        {"code": code},
    )
    return shapely.from_wkb(bytes(wkb))


def _update_geom(
    session: Session, table: str, code: str, expression: str, **params: object
) -> None:
    session.execute(
        text(f"UPDATE {table} SET geom = {expression} WHERE code = :code AND valid_to IS NULL"),
        {"code": code, **params},
    )
    session.commit()


def _park(report: AreaReport, code: str):  # type: ignore[no-untyped-def]
    return next(p for p in report.parks if p.code == code)


def _tier(report: AreaReport, name: str):  # type: ignore[no-untyped-def]
    return next(t for t in report.tiers if t.tier == name)


@pytest.fixture
def bundled(session: Session) -> AreaReport:
    return run_area_checks(session)


def test_bundled_data_passes_with_numbers_right(bundled: AreaReport, session: Session) -> None:
    assert bundled.ok, bundled.failures
    assert bundled.failures == []
    assert [p.code for p in bundled.parks] == list(DECLARED)
    for park in bundled.parks:
        assert park.ok and park.valid and not park.empty
        assert park.declared_km2 == DECLARED[park.code]
        assert abs(park.measured_km2 - DECLARED[park.code]) < 0.001, park.code
        expected = _area_km2(_geom(session, "parks", park.code))
        assert park.measured_km2 == pytest.approx(expected, abs=1e-6)
        assert park.diff_km2 == pytest.approx(park.measured_km2 - park.declared_km2)
        assert park.tolerance_km2 == pytest.approx(max(0.005, 0.001 * park.declared_km2))
        # Gauss-Krüger near CM 114°E is about 1e-4 larger than the ellipsoid here.
        assert park.measured_km2 < park.planar_km2 < park.measured_km2 * 1.0005
    for name, declared in TIERS.items():
        tier = _tier(bundled, name)
        assert tier.declared_km2 == declared
        assert tier.parts_sum_km2 == pytest.approx(declared)
        assert abs(tier.measured_km2 - declared) < 0.001
        assert tier.ok and tier.area_ok and tier.register_ok
    assert bundled.total.declared_km2 == 117.63
    assert bundled.total.tiers_sum_km2 == pytest.approx(117.63)
    assert abs(bundled.total.measured_km2 - 117.63) < 0.001
    assert bundled.total.ok
    assert bundled.overlaps == [] and bundled.invalid == [] and bundled.empty == []
    assert len(bundled.sections_within) == 4
    assert all(s.ok and s.outside_km2 < 1e-6 for s in bundled.sections_within)
    (baofeng,) = bundled.sections_coverage
    assert baofeng.park == "baofeng" and baofeng.ok and baofeng.difference_km2 < 1e-6
    assert baofeng.sections_sum_km2 == pytest.approx(DECLARED["baofeng"], abs=0.001)
    assert any("schematic" in w for w in bundled.warnings)


def test_python_and_postgis_agree_on_every_park(bundled: AreaReport) -> None:
    for park in bundled.parks:
        rel = abs(park.python_km2 - park.measured_km2) / park.measured_km2
        assert rel < 1e-6, park.code
        assert park.python_rel_diff == pytest.approx(rel)
    assert bundled.max_python_rel_diff < 1e-6


def test_json_shape(bundled: AreaReport) -> None:
    body = json.loads(json.dumps(bundled.to_dict(), ensure_ascii=False))
    assert body["ok"] is True
    park = body["parks"][0]
    for key in ("code", "name", "declared_km2", "measured_km2", "planar_km2", "python_km2"):
        assert key in park
    for key in ("diff_km2", "diff_pct", "tolerance_km2", "ok"):
        assert key in park
    assert {t["tier"] for t in body["tiers"]} == set(TIERS)
    assert {"declared_km2", "parts_sum_km2", "measured_km2", "ok", "register_ok"} <= set(
        body["tiers"][0]
    )
    assert body["total"]["declared_km2"] == 117.63
    assert body["overlaps"] == [] and body["invalid"] == [] and body["empty"] == []
    assert set(body["sections"]) == {"within_park", "add_up"}
    assert body["tolerance"] == pytest.approx(
        {"km2": 0.005, "pct": 0.1, "rule": body["tolerance"]["rule"]}
    )


def test_park_grown_by_five_percent_fails_precisely(fresh_session: Session) -> None:
    before = _geom(fresh_session, "parks", "pingxin")
    factor = math.sqrt(1.05)
    _update_geom(
        fresh_session,
        "parks",
        "pingxin",
        "ST_Scale(geom, ST_MakePoint(:f, :f), ST_Centroid(geom))",
        f=factor,
    )
    expected = _area_km2(affinity.scale(before, factor, factor, origin="centroid"))
    report = run_area_checks(fresh_session)
    assert not report.ok
    row = _park(report, "pingxin")
    assert not row.ok and not row.area_ok and row.valid
    assert row.measured_km2 == pytest.approx(expected, rel=1e-6)
    assert row.diff_km2 == pytest.approx(expected - 10.01, abs=1e-6)
    assert row.diff_km2 == pytest.approx(0.05 * 10.01, abs=0.005)
    assert row.diff_pct == pytest.approx(5.0, abs=0.05)
    assert [p.code for p in report.parks if not p.ok] == ["pingxin"]
    tier = _tier(report, "新增空间范围")
    assert not tier.ok and not tier.area_ok and tier.register_ok
    assert tier.diff_km2 == pytest.approx(row.diff_km2, abs=0.001)
    assert _tier(report, "原空间范围").ok
    assert not report.total.ok and not report.total.area_ok and report.total.register_ok
    assert report.total.diff_km2 == pytest.approx(row.diff_km2, abs=0.001)
    assert report.overlaps == []
    assert any(f.startswith("park pingxin:") for f in report.failures)
    assert not any("register" in f for f in report.failures)


def test_overlapping_parks_are_paired_with_the_overlap_area(fresh_session: Session) -> None:
    _update_geom(fresh_session, "parks", "nilong", "ST_Translate(geom, 0, 0.03)")
    gaoxin = _geom(fresh_session, "parks", "gaoxin")
    nilong = _geom(fresh_session, "parks", "nilong")
    expected = _area_km2(gaoxin.intersection(nilong))
    assert expected > 0.1
    report = run_area_checks(fresh_session)
    assert not report.ok
    assert [(o.a, o.b) for o in report.overlaps] == [("gaoxin", "nilong")]
    assert report.overlaps[0].overlap_km2 == pytest.approx(expected, rel=1e-6)
    assert any("gaoxin and nilong overlap" in f for f in report.failures)


def test_self_intersecting_ring_is_reported_not_crashed(fresh_session: Session) -> None:
    bowtie = "POLYGON((113.36 33.625, 113.38 33.645, 113.38 33.625, 113.36 33.645, 113.36 33.625))"
    _update_geom(
        fresh_session, "parks", "yexian", "ST_Multi(ST_GeomFromText(:wkt, 4490))", wkt=bowtie
    )
    stored = _geom(fresh_session, "parks", "yexian")
    assert not stored.is_valid
    expected = _area_km2(shapely.make_valid(stored))
    report = run_area_checks(fresh_session)
    assert not report.ok
    assert [(i.kind, i.code) for i in report.invalid] == [("park", "yexian")]
    assert "self-intersection" in report.invalid[0].reason.lower()
    row = _park(report, "yexian")
    assert not row.valid and not row.ok
    assert row.measured_km2 == pytest.approx(expected, rel=1e-6)
    assert abs(row.python_km2 - row.measured_km2) / row.measured_km2 < 1e-6
    assert any(f.startswith("invalid park yexian") for f in report.failures)


def test_register_that_does_not_add_up_is_a_register_error(fresh_session: Session) -> None:
    fresh_session.execute(
        text("UPDATE zone_declarations SET declared_km2 = 83.75 WHERE key = '原空间范围'")
    )
    fresh_session.commit()
    report = run_area_checks(fresh_session)
    assert not report.ok
    assert all(p.ok for p in report.parks)  # the geometry is fine
    tier = _tier(report, "原空间范围")
    assert tier.declared_km2 == 83.75 and tier.parts_sum_km2 == pytest.approx(82.75)
    assert tier.area_ok and not tier.register_ok and not tier.ok
    assert tier.register_diff_km2 == pytest.approx(-1.0)
    assert _tier(report, "新增空间范围").ok
    # The tiers now declare 118.63 while the zone declares 117.63.
    assert report.total.area_ok and not report.total.register_ok
    assert report.total.tiers_sum_km2 == pytest.approx(118.63)
    assert report.failures and all(f.startswith("register error") for f in report.failures)


def test_section_moved_outside_its_park(fresh_session: Session) -> None:
    _update_geom(fresh_session, "park_sections", "baofeng-yangzhuang", "ST_Translate(geom, 0.5, 0)")
    moved = _geom(fresh_session, "park_sections", "baofeng-yangzhuang")
    park = _geom(fresh_session, "parks", "baofeng")
    expected_outside = _area_km2(moved.difference(park))
    report = run_area_checks(fresh_session)
    assert not report.ok
    bad = [s for s in report.sections_within if not s.ok]
    assert [s.code for s in bad] == ["baofeng-yangzhuang"]
    assert bad[0].outside_km2 == pytest.approx(expected_outside, rel=1e-6)
    assert bad[0].outside_km2 == pytest.approx(3.8, abs=0.001)
    (cover,) = report.sections_coverage
    assert not cover.ok
    assert cover.uncovered_km2 == pytest.approx(3.8, abs=0.001)
    assert cover.outside_km2 == pytest.approx(expected_outside, rel=1e-6)
    assert cover.difference_km2 == pytest.approx(cover.uncovered_km2 + cover.outside_km2)
    assert all(p.ok for p in report.parks)


def test_empty_geometries_are_reported(fresh_session: Session) -> None:
    empty = "ST_GeomFromText('MULTIPOLYGON EMPTY', 4490)"
    _update_geom(fresh_session, "parks", "zhanhe", empty)
    _update_geom(fresh_session, "park_sections", "baofeng-zhouzhuang", empty)
    report = run_area_checks(fresh_session)
    assert {(e.kind, e.code) for e in report.empty} == {
        ("park", "zhanhe"),
        ("section", "baofeng-zhouzhuang"),
    }
    row = _park(report, "zhanhe")
    assert row.empty and not row.ok and row.measured_km2 == 0 and row.diff_km2 == -7.10
    (cover,) = report.sections_coverage
    assert not cover.ok and cover.uncovered_km2 == pytest.approx(2.5, abs=0.001)


def test_as_of_selects_the_versions_of_that_instant(session: Session) -> None:
    now = run_area_checks(session, as_of=datetime.now(UTC))
    assert now.ok and len(now.parks) == 7
    assert any("not versioned" in w for w in now.warnings)
    before = run_area_checks(session, as_of=datetime(2020, 1, 1, tzinfo=UTC))
    assert before.parks == [] and not before.ok
    assert before.total.measured_km2 == 0


def test_tolerances_apply_and_are_validated(session: Session) -> None:
    strict = run_area_checks(session, tolerance_km2=0, tolerance_rel=0)
    failing = [p for p in strict.parks if not p.ok]
    assert failing and all(p.diff_km2 != 0 for p in failing)
    assert all(p.tolerance_km2 == 0 for p in strict.parks)
    loose = run_area_checks(session, tolerance_km2=1, tolerance_rel=0)
    assert all(p.tolerance_km2 == 1 for p in loose.parks)
    for bad in ({"tolerance_km2": -0.1}, {"tolerance_rel": 2}, {"tolerance_km2": math.nan}):
        with pytest.raises(InvalidInput, match="tolerance"):
            run_area_checks(session, **bad)  # type: ignore[arg-type]
