"""``parkgeo import``, ``history``, ``retire`` and ``points update`` against a real PostGIS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from service.cli import main
from tests.boundaries import survey_files as sf


@pytest.fixture
def cli_db(fresh_db_url: URL, monkeypatch: pytest.MonkeyPatch) -> URL:
    monkeypatch.setenv("PARKGEO_DATABASE_URL", fresh_db_url.render_as_string(hide_password=False))
    return fresh_db_url


def _snapshot(url: URL) -> dict[str, list]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return sf.snapshot(session)
    finally:
        engine.dispose()


def test_import_dry_run_prints_assumptions(
    cli_db: URL, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(cli_db)
    path = sf.write_csv_4526(tmp_path, swapped=True)
    assert main(["import", str(path), "--park", "zhanhe", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "EPSG:4526" in out and "zone 38" in out and "swapped" in out
    assert "dry run" in out and "7.09" in out
    assert _snapshot(cli_db) == before


def test_import_history_retire(
    cli_db: URL, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sf.write_dxf(tmp_path)
    code = main(
        ["import", str(path), "--park", "zhanhe", "--comment", "CAD 批复图", "--as", "wangwu"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "imported" in out and "version 2" in out
    assert main(["history", "zhanhe"]) == 0
    out = capsys.readouterr().out
    assert "schematic" in out and "surveyed" in out and "wangwu" in out
    assert main(["history", "zhanhe", "--json"]) == 0
    versions = json.loads(capsys.readouterr().out)["versions"]
    assert versions[1]["area_change_km2"] == pytest.approx(
        versions[1]["area_km2"] - versions[0]["area_km2"]
    )
    assert main(["retire", "rp-07", "--comment", "企业迁出", "--as", "wangwu"]) == 0
    assert "retired" in capsys.readouterr().out
    assert main(["retire", "rp-07", "--comment", "again"]) == 2
    assert "retired on" in capsys.readouterr().err


def test_rejected_and_bad_input_exit_codes(
    cli_db: URL, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(cli_db)
    bowtie = sf.write_bowtie_csv(tmp_path)
    assert main(["import", str(bowtie), "--park", "zhanhe", "--comment", "x"]) == 1
    captured = capsys.readouterr()
    assert "Self-intersection" in captured.out + captured.err
    assert "not imported" in captured.err
    local = sf.write_ambiguous_csv(tmp_path)
    assert main(["import", str(local), "--park", "zhanhe", "--comment", "x"]) == 2
    assert "cannot tell the CRS" in capsys.readouterr().err
    geojson = sf.write_geojson(tmp_path)
    assert main(["import", str(geojson), "--park", "nowhere", "--comment", "x"]) == 2
    assert "unknown park code 'nowhere'" in capsys.readouterr().err
    assert main(["import", str(geojson), "--park", "zhanhe"]) == 2  # no comment
    assert "comment" in capsys.readouterr().err
    assert main(["import", str(sf.write_truncated_shapefile(tmp_path)), "--park", "zhanhe",
                 "--comment", "x"]) == 2  # fmt: skip
    assert "truncated" in capsys.readouterr().err
    assert _snapshot(cli_db) == before


def test_points_update(cli_db: URL, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "amap.xlsx"
    import pandas as pd

    pd.DataFrame(
        {"code": ["rp-01", "rp-02"], "lon": [113.30, 113.31], "lat": [33.74, 33.75],
         "crs": ["gcj02", "bd09"], "precision": [5, 8]}
    ).to_excel(path, index=False)  # fmt: skip
    assert main(["points", "update", str(path), "--comment", "高德编码", "--as", "lisi"]) == 0
    assert "updated" in capsys.readouterr().out
    assert main(["history", "rp-02"]) == 0
    out = capsys.readouterr().out
    assert "lisi" in out and "moved" in out
    assert main(["points", "update", str(path)]) == 2  # no comment
