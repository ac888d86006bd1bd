"""``parkgeo locate``: one point, or a whole file with a summary."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import URL

from boundaries.frames import bundled_frames
from service.cli import main


@pytest.fixture
def database(db_url: URL, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKGEO_DATABASE_URL", db_url.render_as_string(hide_password=False))


@pytest.fixture(scope="module")
def park_point() -> tuple[float, float]:
    point = bundled_frames().parks.geometry.iloc[0].representative_point()
    return round(point.x, 7), round(point.y, 7)


def test_one_point(database, park_point, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locate", str(park_point[0]), str(park_point[1])]) == 0
    out = capsys.readouterr().out
    assert "gaoxin" in out and "平顶山高新技术产业开发区" in out and "是 yes" in out
    assert "schematic" in out


def test_one_point_json(database, park_point, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locate", str(park_point[0]), str(park_point[1]), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["park"] == "gaoxin" and body["inside"] is True


def test_file(database, park_point, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "企业.csv"
    lon, lat = park_point
    src.write_bytes(f"名称,lng,lat\n甲,{lon},{lat}\n乙,abc,33\n丙,{lat},{lon}\n".encode("gbk"))
    out = tmp_path / "out.xlsx"
    assert main(["locate", str(src), "-o", str(out)]) == 0
    frame = pd.read_excel(out)
    assert list(frame["名称"]) == ["甲", "乙", "丙"]
    assert frame["park"][0] == "gaoxin"
    printed = capsys.readouterr().out
    assert "3 行 rows" in printed and "警告 warnings: 2" in printed


def test_file_errors(database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locate", str(tmp_path / "missing.csv")]) == 2
    assert "not a file" in capsys.readouterr().err
    src = tmp_path / "a.csv"
    src.write_text("名称,A,B\n甲,1,2\n", encoding="utf-8")
    assert main(["locate", str(src), "-o", str(tmp_path / "o.csv")]) == 2
    assert "--x-col" in capsys.readouterr().err
    assert main(["locate", str(src), "-o", str(tmp_path / "o.csv"), "--x-col", "Z"]) == 2
    assert "'Z'" in capsys.readouterr().err
    assert main(["locate", "abc", "33"]) == 2
