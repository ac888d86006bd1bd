"""Importing one surveyed boundary from every format, and refusing broken files."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries import edits
from boundaries.imports import BoundaryRejected, import_boundary, read_boundary
from boundaries.imports.detect import detect_crs
from geo.errors import InvalidInput, NotFound
from tests.boundaries import survey_files as sf

# (writer, expected CRS, how it was decided, axes swapped)
FORMATS: dict[str, tuple[Callable[[Path], Path], str, str, bool]] = {
    "geojson": (sf.write_geojson, "EPSG:4490", "file", False),
    "shapefile": (sf.write_shapefile, "EPSG:4526", "file", False),
    "shapefile-zip": (sf.write_shapefile_zip, "EPSG:4526", "file", False),
    "geopackage": (sf.write_geopackage, "EPSG:4547", "file", False),
    "kml": (sf.write_kml, "EPSG:4326", "file", False),
    "kmz": (sf.write_kmz, "EPSG:4326", "file", False),
    "dxf": (sf.write_dxf, "EPSG:4526", "detected", False),
    "jzd-csv-4526": (sf.write_csv_4526, "EPSG:4526", "detected", False),
    "jzd-xlsx-4547": (sf.write_xlsx_4547, "EPSG:4547", "detected", False),
    "jzd-csv-swapped": (
        lambda folder: sf.write_csv_4526(folder, swapped=True),
        "EPSG:4526",
        "detected",
        True,
    ),
}


def _stored_area(session: Session, code: str = sf.PARK) -> tuple[float, str, int]:
    row = session.execute(
        text(
            "SELECT ST_Area(geom::geography) / 1e6 AS a, geometry_source, version FROM parks "
            "WHERE code = :code AND valid_to IS NULL"
        ),
        {"code": code},
    ).one()
    return float(row.a), row.geometry_source, row.version


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_gives_the_same_area(fmt: str, fresh_session: Session, tmp_path: Path) -> None:
    writer, crs, source, swapped = FORMATS[fmt]
    path = writer(tmp_path)
    expected = sf.expected_area_km2()
    with edits.transaction(fresh_session):
        report = import_boundary(
            fresh_session, path, park=sf.PARK, comment=f"survey as {fmt}", changed_by="tester"
        )
    assert report.written and report.version == 2
    assert report.crs.crs == crs and report.crs.source == source
    assert report.crs.axes_swapped is swapped
    assert report.valid and report.in_pingdingshan and report.area_ok
    assert report.rings == 2 and report.parts == 1
    assert report.measured_km2 == pytest.approx(expected, rel=1e-6)
    stored, geometry_source, version = _stored_area(fresh_session)
    assert stored == pytest.approx(expected, rel=1e-6)
    assert (geometry_source, version) == ("surveyed", 2)


def test_report_says_what_was_assumed(tmp_path: Path, session: Session) -> None:
    report = import_boundary(
        session, sf.write_csv_4526(tmp_path), park=sf.PARK, dry_run=True, changed_by="t"
    )
    assert "zone 38" in report.crs.reason and "EPSG:4526" in report.crs.reason
    swapped = import_boundary(
        session,
        sf.write_csv_4526(tmp_path, swapped=True),
        park=sf.PARK,
        dry_run=True,
        changed_by="t",
    )
    assert "swapped" in swapped.crs.reason
    xlsx = import_boundary(
        session, sf.write_xlsx_4547(tmp_path), park=sf.PARK, dry_run=True, changed_by="t"
    )
    assert "6-digit" in xlsx.crs.reason and "4547" in xlsx.crs.reason
    data = xlsx.to_dict()
    assert data["crs"]["source"] == "detected" and data["ok"] is True
    assert data["vertices"] == xlsx.vertices > 4 and "geometry" not in data
    assert data["written"] is False and data["dry_run"] is True


def test_dry_run_writes_nothing(fresh_session: Session, tmp_path: Path) -> None:
    before = sf.snapshot(fresh_session)
    with edits.transaction(fresh_session):
        report = import_boundary(
            fresh_session, sf.write_dxf(tmp_path), park=sf.PARK, dry_run=True, changed_by="t"
        )
    assert report.ok and not report.written
    assert sf.snapshot(fresh_session) == before


def test_crs_option_wins(session: Session, tmp_path: Path) -> None:
    path = sf.write_xlsx_4547(tmp_path)
    # The numbers say EPSG:4547; told otherwise, the importer believes the user (and the
    # 6-digit eastings cannot be zone-38 coordinates: refused, not stored far away).
    with pytest.raises(InvalidInput, match="cannot be converted from EPSG:4526"):
        import_boundary(session, path, park=sf.PARK, crs="EPSG:4526", dry_run=True, changed_by="t")
    with pytest.raises(BoundaryRejected, match="outside the Pingdingshan area") as caught:
        import_boundary(session, path, park=sf.PARK, crs="EPSG:4546", dry_run=True, changed_by="t")
    assert caught.value.report.crs.source == "given"
    assert not caught.value.report.in_pingdingshan
    same = import_boundary(session, path, park=sf.PARK, crs="4547", dry_run=True, changed_by="t")
    assert same.crs.source == "given" and same.crs.crs == "EPSG:4547"
    assert same.measured_km2 == pytest.approx(sf.expected_area_km2(), rel=1e-6)


def test_geojson_without_crs_member_but_projected_numbers(tmp_path: Path) -> None:
    import geopandas as gpd

    path = tmp_path / "no_crs.geojson"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "'crs' was not provided": the point
        gpd.GeoDataFrame(geometry=[sf.frame(4526).geometry.iloc[0]]).to_file(path)
    reading = read_boundary(path)
    assert reading.crs.crs == "EPSG:4526" and reading.crs.source == "detected"
    assert "not degrees" in reading.crs.reason


def _refused(
    session: Session, path: Path, error: type[Exception], match: str, **kwargs: object
) -> Exception:
    before = sf.snapshot(session)
    with pytest.raises(error, match=match) as caught, edits.transaction(session):
        import_boundary(
            session,
            path,
            park=kwargs.pop("park", sf.PARK),  # type: ignore[arg-type]
            comment="should not be stored",
            changed_by="tester",
            **kwargs,  # type: ignore[arg-type]
        )
    assert sf.snapshot(session) == before
    return caught.value


def test_self_intersecting_ring_is_refused(fresh_session: Session, tmp_path: Path) -> None:
    path = sf.write_bowtie_csv(tmp_path)
    error = _refused(fresh_session, path, BoundaryRejected, "invalid")
    report = error.report  # type: ignore[attr-defined]
    assert not report.valid and "Self-intersection" in report.invalid_reason
    assert error.details["report"]["failures"]  # type: ignore[attr-defined]
    # Asked to, the importer repairs it (and says so).
    with edits.transaction(fresh_session):
        repaired = import_boundary(
            fresh_session, path, park=sf.PARK, repair=True, comment="repaired", changed_by="t"
        )
    assert repaired.written and repaired.repaired
    assert any("repaired" in w for w in repaired.warnings)


def test_ambiguous_numbers_without_crs_are_refused(fresh_session: Session, tmp_path: Path) -> None:
    _refused(fresh_session, sf.write_ambiguous_csv(tmp_path), InvalidInput, "cannot tell the CRS")


def test_unknown_park_is_refused(fresh_session: Session, tmp_path: Path) -> None:
    _refused(
        fresh_session,
        sf.write_geojson(tmp_path),
        NotFound,
        "unknown park code 'nowhere'",
        park="nowhere",
    )


def test_truncated_shapefile_is_refused(fresh_session: Session, tmp_path: Path) -> None:
    _refused(fresh_session, sf.write_truncated_shapefile(tmp_path), InvalidInput, "truncated")


def test_truncated_zip_is_refused(fresh_session: Session, tmp_path: Path) -> None:
    path = sf.write_shapefile_zip(tmp_path)
    path.write_bytes(path.read_bytes()[:300])
    _refused(fresh_session, path, InvalidInput, "zip")


def test_zip_with_truncated_shp_is_refused(fresh_session: Session, tmp_path: Path) -> None:
    shp = sf.write_truncated_shapefile(tmp_path)
    path = tmp_path / "cut.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in shp.parent.iterdir():
            archive.write(part, part.name)
    _refused(fresh_session, path, InvalidInput, "truncated")


def test_unsupported_and_empty_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(InvalidInput, match="unsupported file type"):
        read_boundary(tmp_path / "a.txt")
    (tmp_path / "b.geojson").write_text("")
    with pytest.raises(InvalidInput, match="missing or empty"):
        read_boundary(tmp_path / "b.geojson")
    (tmp_path / "c.geojson").write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(InvalidInput, match="cannot be read as GeoJSON"):
        read_boundary(tmp_path / "c.geojson")


def test_comment_required_for_a_write(fresh_session: Session, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="comment"):
        import_boundary(fresh_session, sf.write_geojson(tmp_path), park=sf.PARK, changed_by="t")


def test_overlaps_warn_on_schematic_and_refuse_on_surveyed(
    fresh_session: Session, tmp_path: Path
) -> None:
    path = sf.shifted_towards_gaoxin(tmp_path)
    report = import_boundary(fresh_session, path, park=sf.PARK, dry_run=True, changed_by="t")
    assert [o.code for o in report.overlaps] == ["gaoxin"]
    assert report.overlaps[0].overlap_km2 > 0.01 and report.ok
    assert any("gaoxin" in w for w in report.warnings)
    fresh_session.execute(
        text("UPDATE parks SET geometry_source = 'surveyed' WHERE code = 'gaoxin'")
    )
    with pytest.raises(BoundaryRejected, match="overlaps park gaoxin"):
        import_boundary(fresh_session, path, park=sf.PARK, dry_run=True, changed_by="t")
    fresh_session.rollback()


def test_section_import_checks_its_park(fresh_session: Session, tmp_path: Path) -> None:
    import geopandas as gpd

    from boundaries.frames import bundled_frames

    sections = bundled_frames().sections.set_index("code")
    path = tmp_path / "yangzhuang.gpkg"
    gpd.GeoDataFrame(geometry=[sections.loc["baofeng-yangzhuang", "geometry"]], crs=4490).to_crs(
        4526
    ).to_file(path)
    with edits.transaction(fresh_session):
        report = import_boundary(
            fresh_session,
            path,
            park="baofeng",
            section="baofeng-yangzhuang",
            comment="杨庄组团 surveyed",
            changed_by="t",
        )
    assert report.target.kind == "section" and report.within_park is True
    assert report.declared_km2 is None and report.written
    with pytest.raises(InvalidInput, match="belongs to park 'baofeng'"):
        import_boundary(
            fresh_session,
            path,
            park="zhanhe",
            section="baofeng-yangzhuang",
            changed_by="t",
            dry_run=True,
        )


def test_wrong_area_is_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(BoundaryRejected, match="too far off"):
        import_boundary(
            session, sf.write_geojson(tmp_path), park="gaoxin", dry_run=True, changed_by="t"
        )


def test_detect_rules() -> None:
    east = np.array([38_512_345.6, 38_513_000.1])
    north = np.array([3_712_345.6, 3_713_000.0])
    assert detect_crs(east, north).epsg == 4526
    assert detect_crs(east - 38_000_000, north).epsg == 4547
    assert detect_crs(east - 38_000_000 + 37_000_000, north).epsg == 4525
    swapped = detect_crs(north, east)
    assert swapped.epsg == 4526 and swapped.swapped
    assert detect_crs(np.array([113.3]), np.array([33.7])).epsg == 4490
    assert detect_crs(np.array([33.7]), np.array([113.3])).swapped
    with pytest.raises(InvalidInput, match="cannot tell"):
        detect_crs(np.array([12_345.0]), np.array([54_321.0]))
    with pytest.raises(InvalidInput, match="zone"):
        detect_crs(np.array([99_512_345.6]), np.array([3_712_345.6]))
