import shutil
from pathlib import Path

import pytest
import yaml

from boundaries.register import data_dir, load_register
from geo.errors import InvalidInput

PARK_CODES = ["gaoxin", "nilong", "yexian", "zhanhe", "pingxin", "shilong", "baofeng"]


def test_register_matches_the_seed() -> None:
    register = load_register()
    assert [p.code for p in register.parks] == PARK_CODES
    assert round(sum(p.declared_area_km2 for p in register.parks), 2) == 117.63
    assert register.zone.declared_total_km2 == 117.63
    tiers = {t.name: t.declared_km2 for t in register.zone.tiers}
    assert tiers == {"原空间范围": 82.75, "新增空间范围": 34.88}
    assert [p.tier for p in register.parks] == ["原空间范围"] * 4 + ["新增空间范围"] * 3
    assert register.park("nilong").industries == ["化工", "医药", "尼龙新材料"]
    assert register.park("nilong").bounds.east == "许广高速"
    assert [s.code for s in register.sections] == [
        "baofeng-yangzhuang",
        "baofeng-zhouzhuang",
        "baofeng-yangzhang-1",
        "baofeng-yangzhang-2",
    ]


def test_radiation_points_in_seed_order() -> None:
    points = load_register().points
    assert [p.code for p in points] == [f"rp-{i:02d}" for i in range(1, 35)]
    assert points[0].name == "河南巨龙生物工程股份有限公司"
    assert points[33].name == "平顶山市农业科学院"
    assert {p.category for p in points} >= {"enterprise", "university", "hospital"}
    assert all(p.batch == 1 for p in points)
    # Points that were not geocoded are marked so, with a wide precision.
    assert all(p.location_precision_m >= 10_000 for p in points if not p.located)


@pytest.fixture
def register_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    return folder


def test_broken_park_field_names_file_and_field(register_copy: Path) -> None:
    path = register_copy / "parks.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["parks"][2]["declared_area_km2"] = "twelve"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_register(register_copy)
    message = caught.value.message
    assert "parks.yaml" in message
    assert "parks[2] (yexian)" in message
    assert "declared_area_km2" in message


def test_unknown_industry_is_rejected(register_copy: Path) -> None:
    path = register_copy / "parks.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["parks"][0]["industries"].append("量子计算")
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"parks\[0\] \(gaoxin\), field 'industries\.3'"):
        load_register(register_copy)


def test_broken_point_row_names_the_row(register_copy: Path) -> None:
    path = register_copy / "radiation_points.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(",enterprise,", ",factory,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        InvalidInput, match=r"radiation_points\.csv: row 6 \(rp-05\), field 'category'"
    ):
        load_register(register_copy)


def test_section_of_unknown_park(register_copy: Path) -> None:
    path = register_copy / "parks.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["sections"][0]["park"] = "nowhere"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InvalidInput, match="unknown park 'nowhere'"):
        load_register(register_copy)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"parks\.yaml: register file not found"):
        load_register(tmp_path)
