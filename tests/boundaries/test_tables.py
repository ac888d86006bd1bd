"""Spreadsheets in, annotated spreadsheets out: no row lost, order kept, bad rows explained."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from boundaries.frames import bundled_frames
from boundaries.locating import LocatingIndex
from boundaries.tables import guess_columns, locate_table, read_table, write_table
from geo.crs import from_cgcs2000, parse_crs
from geo.errors import InvalidInput


@pytest.fixture(scope="module")
def index() -> LocatingIndex:
    return LocatingIndex.from_frames(bundled_frames())


@pytest.fixture(scope="module")
def inside_point(index: LocatingIndex) -> tuple[float, float]:
    point = bundled_frames().sections.geometry.iloc[0].representative_point()
    return round(point.x, 7), round(point.y, 7)


def _rows(lon: float, lat: float) -> list[tuple[str, str, str]]:
    """(name, 经度, 纬度) with one of each kind of bad row; the good row first and last."""
    return [
        ("甲公司", str(lon), str(lat)),
        ("空经度", "", str(lat)),
        ("文字", "东经113度", str(lat)),
        ("非数", "NaN", str(lat)),
        ("超范围", "213.1", str(lat)),
        ("颠倒", str(lat), str(lon)),
        ("无穷", str(lon), "inf"),
        ("乙公司", str(lon), str(lat)),
    ]


def _check(frame: pd.DataFrame, names: list[str]) -> None:
    assert list(frame["名称"]) == names  # every row, in input order
    warning = frame["warning"].fillna("").astype(str)
    assert warning[0] == "" and warning[7] == ""
    assert "is empty" in warning[1]
    assert "not a number" in warning[2] and "东经113度" in warning[2]
    assert "empty" in warning[3] or "not a" in warning[3]
    assert "out of range" in warning[4]
    assert "swapped" in warning[5]
    assert "finite" in warning[6]
    assert str(frame["park"][0]) == "baofeng" and str(frame["section"][0]) == "baofeng-yangzhuang"
    assert str(frame["inside"][0]).lower() in ("true", "1.0")  # XLSX: a TRUE cell
    assert frame["park"][1:7].isna().all() or (frame["park"][1:7].astype(str) == "").all()


def test_csv_with_bad_rows(index: LocatingIndex, inside_point) -> None:
    rows = _rows(*inside_point)
    csv = "名称,经度,纬度\n" + "\n".join(",".join(r) for r in rows) + "\n"
    table = read_table(csv.encode("utf-8"), "企业.csv")
    located = locate_table(table, index)
    assert (located.x_col, located.y_col) == ("经度", "纬度")
    out = write_table(table, located)
    assert out.startswith(b"\xef\xbb\xbf")  # BOM: Excel shows the Chinese
    frame = pd.read_csv(io.BytesIO(out), encoding="utf-8-sig", dtype=str)
    _check(frame, [r[0] for r in rows])
    # The user's cells are copied as they were (e.g. "NaN", "东经113度").
    assert out.decode("utf-8-sig").splitlines()[3].startswith("文字,东经113度,")


def test_xlsx_with_bad_rows(index: LocatingIndex, inside_point) -> None:
    rows = _rows(*inside_point)
    source = pd.DataFrame(rows, columns=["名称", "经度", "纬度"], dtype=object)
    source.loc[0, "经度"] = inside_point[0]  # a real number cell
    source.loc[3, "经度"] = np.nan  # an empty cell
    buf = io.BytesIO()
    source.to_excel(buf, index=False)
    table = read_table(buf.getvalue(), "企业.xlsx")
    located = locate_table(table, index)
    out = write_table(table, located)
    assert out[:4] == b"PK\x03\x04"
    frame = pd.read_excel(io.BytesIO(out))
    _check(frame, [r[0] for r in rows])
    assert frame["经度"][0] == pytest.approx(inside_point[0])  # cell types kept
    assert frame["distance_m"].dtype == float


def test_gbk_csv_is_read(index: LocatingIndex, inside_point) -> None:
    csv = f"企业名称,经度,纬度\n平顶山某某公司,{inside_point[0]},{inside_point[1]}\n"
    table = read_table(csv.encode("gbk"), "gbk.csv")
    assert table.encoding == "gb18030"
    out = write_table(table, locate_table(table, index)).decode("utf-8-sig")
    assert "平顶山某某公司" in out and "杨庄组团" in out


def test_quoted_line_breaks_fall_back_without_losing_rows(index: LocatingIndex, inside_point):
    lon, lat = inside_point
    csv = f'名称,地址,lon,lat\n甲,"河南省\n宝丰县",{lon},{lat}\n乙,"x",1,2\n'
    table = read_table(csv.encode(), "q.csv")
    out = write_table(table, locate_table(table, index))
    frame = pd.read_csv(io.BytesIO(out), encoding="utf-8-sig", dtype=str)
    assert list(frame["名称"]) == ["甲", "乙"]
    assert frame["地址"][0] == "河南省\n宝丰县"
    assert frame["park"][0] == "baofeng"


def test_fast_and_general_writers_agree(index: LocatingIndex) -> None:
    rng = np.random.default_rng(5)
    west, south, east, north = index.bounds
    n = 3000
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "lon": rng.uniform(west, east, n).round(6),
            "lat": rng.uniform(south, north, n).round(6),
        }
    )
    frame.loc[5, "lon"] = np.nan
    data = frame.to_csv(index=False).encode()
    table = read_table(data, "r.csv")
    located = locate_table(table, index)
    fast = pd.read_csv(io.BytesIO(write_table(table, located)), encoding="utf-8-sig")
    table.text = None  # force the DataFrame writer
    table.frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    general = pd.read_csv(io.BytesIO(write_table(table, located)), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(fast, general)
    assert len(fast) == n and fast["inside"].notna().sum() == n - 1


@pytest.mark.parametrize(
    ("columns", "crs", "expected"),
    [
        (["名称", "经度", "纬度"], "wgs84", ("经度", "纬度")),
        (["name", "Lon", "LAT"], "wgs84", ("Lon", "LAT")),
        (["name", "lng", "lat"], "gcj02", ("lng", "lat")),
        (["longitude", "latitude"], "wgs84", ("longitude", "latitude")),
        (["经度(°)", "纬度(°)"], "wgs84", ("经度(°)", "纬度(°)")),
        (["x", "y"], "wgs84", ("x", "y")),
        (["点号", "X", "Y"], "EPSG:4547", ("Y", "X")),  # survey table: X is the northing
        (["东坐标", "北坐标"], "EPSG:4526", ("东坐标", "北坐标")),
        (["gcj_lon", "gcj_lat", "名称"], "gcj02", ("gcj_lon", "gcj_lat")),
    ],
)
def test_guess_columns(columns, crs, expected) -> None:
    assert guess_columns(columns, parse_crs(crs)) == expected


def test_unguessable_columns_ask_for_them() -> None:
    with pytest.raises(InvalidInput, match=r"--x-col.*--y-col") as err:
        guess_columns(["名称", "坐标A", "坐标B"], parse_crs(None))
    assert "'坐标A'" in err.value.message


def test_missing_column_is_a_clear_error(index: LocatingIndex) -> None:
    table = read_table("名称,经度,纬度\n甲,113,33\n".encode(), "a.csv")
    with pytest.raises(InvalidInput, match=r"'lon_wgs'.*not in the file.*'经度'"):
        locate_table(table, index, x_col="lon_wgs", y_col="纬度")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x00\x01garbage", "a.csv", "not a text CSV"),
        (b"not a zip at all", "a.xlsx", "cannot read it as an Excel"),
        (b"", "a.csv", "empty"),
        (b"\xff\xfe\xfd\x81\x30", "a.csv", "cannot decode"),
        (b"a,b\n1,2\n", "a.xls", r"\.xls files are not supported"),
        (b"a,b\n1,2\n", "a.pdf", "expected a .csv or .xlsx"),
    ],
)
def test_unreadable_files(data: bytes, name: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_table(data, name)


def test_survey_table_in_gauss_kruger_zone_38(index: LocatingIndex, inside_point) -> None:
    e, n = from_cgcs2000([inside_point[0]], [inside_point[1]], "EPSG:4526")
    csv = f"点号,X,Y\nJ1,{n[0]:.3f},{e[0]:.3f}\n"
    table = read_table(csv.encode(), "survey.csv")
    located = locate_table(table, index, crs="EPSG:4526")
    assert (located.x_col, located.y_col) == ("Y", "X")
    frame = pd.read_csv(io.BytesIO(write_table(table, located)), encoding="utf-8-sig")
    assert frame["section"][0] == "baofeng-yangzhuang"
    assert frame["cgcs2000_lon"][0] == pytest.approx(inside_point[0], abs=1e-6)


def test_existing_answer_column_names_are_kept(index: LocatingIndex, inside_point) -> None:
    csv = f"park,lon,lat\n用户自己的,{inside_point[0]},{inside_point[1]}\n"
    table = read_table(csv.encode(), "p.csv")
    frame = pd.read_csv(
        io.BytesIO(write_table(table, locate_table(table, index))), encoding="utf-8-sig"
    )
    assert frame["park"][0] == "用户自己的" and frame["park_parkgeo"][0] == "baofeng"
