"""Spreadsheets in, annotated spreadsheets out: no row lost, order kept, bad rows explained."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from boundaries import tables
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
    table.body = None  # force the DataFrame writer
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


# --- the fast paths against plain references -------------------------------------------------


def test_numbers_are_written_as_repr_writes_them() -> None:
    rng = np.random.default_rng(9)
    values = np.concatenate(
        [
            np.round(rng.uniform(-30_000, 30_000, 5_000), 1) + 0.0,  # distances
            np.round(rng.uniform(-180, 180, 5_000), 7),  # lon/lat
            [0.0, -0.0, 0.1, -0.1, 1.0, 9.9, 10.0, 99999.9, 1e-4, -1e-4, 1e-5, 5e-7],
            [12345678.9, 1e8, 1e16, 1e20, 0.1 + 0.2, 1 / 3, np.nan, np.inf, -np.inf],
        ]
    )
    got = tables._float_texts(values, b";")
    expected = [b";" + (repr(v).encode() if np.isfinite(v) else b"") for v in values.tolist()]
    assert got == expected


def _reference_csv(table, located) -> bytes:
    """The annotated CSV row by row in plain Python: the oracle for the fast writer."""
    d = table.delimiter
    body = table.body.decode("utf-8")
    newline = "\r\n" if "\r\n" in body else "\n"
    lines = body.split(newline)
    if lines[-1] == "":
        lines.pop()
    columns = tables.answer_columns(located, table.columns)
    out = [lines[0] + "".join(d + tables._quote(name, d) for name in columns)]
    for i, line in enumerate(lines[1:]):
        cells = []
        for values in columns.values():
            v = values[i]
            if isinstance(v, float):
                cells.append("" if np.isnan(v) else repr(float(v)))
            else:
                cells.append(tables._quote(tables._text(v), d))
        out.append(line + "".join(d + c for c in cells))
    return ("\ufeff" + newline.join(out) + newline).encode("utf-8")


_TRICKY = [
    ('名称,地址,lon,lat\n甲,"平顶山, 宝丰县",{lon},{lat}\n乙,"说""引号""",113.2,33.6\n', "utf-8"),
    ("\ufeff名称,经度,纬度\r\n甲,{lon},{lat}\r\n乙,东经113度,33.6\r\n丙,,\r\n", "utf-8"),
    ("企业名称,经度,纬度\n平顶山某某公司,{lon},{lat}\n,NaN,inf\n乙,-0.0,1e-5", "gbk"),
    ("名称;lon;lat\n甲;{lon};{lat}\n\n乙;33.6;113.2\n\n", "utf-8"),
    ("名称\tlon\tlat\n甲\t {lon} \t{lat}\n乙\t213.1\t33.6\n", "utf-8"),
    ("park,warning,lon,lat\nx,y,{lon},{lat}\nx,y,0,0\n", "utf-8"),
]


@pytest.mark.parametrize(("template", "encoding"), _TRICKY)
def test_fast_writer_matches_a_row_by_row_reference(
    index: LocatingIndex, inside_point, template: str, encoding: str
) -> None:
    csv = template.format(lon=inside_point[0], lat=inside_point[1])
    table = read_table(csv.encode(encoding), "t.csv")
    located = locate_table(table, index)
    out = write_table(table, located)
    assert out == _reference_csv(table, located)
    frame = pd.read_csv(
        io.BytesIO(out), sep=table.delimiter, encoding="utf-8-sig", skip_blank_lines=False
    )
    assert len(frame) == table.extra["rows"]  # every row, blank lines included


def test_projected_input_with_float_columns_last(index: LocatingIndex, inside_point) -> None:
    e, n = from_cgcs2000([inside_point[0], 113.0], [inside_point[1], 33.0], "EPSG:4547")
    csv = f"点号,X,Y\r\nJ1,{n[0]:.3f},{e[0]:.3f}\r\nJ2,{n[1]:.3f},{e[1]:.3f}\r\nJ3,,\r\n"
    table = read_table(csv.encode(), "survey.csv")
    located = locate_table(table, index, crs="EPSG:4547")
    out = write_table(table, located)
    assert out == _reference_csv(table, located)
    assert out.decode("utf-8-sig").split("\r\n")[0].endswith(",cgcs2000_lon,cgcs2000_lat")


def test_chunks_keep_the_answer_codes_consistent(index: LocatingIndex, monkeypatch) -> None:
    """Answers of several chunks are joined with their lookup codes: table[keys] is the column."""
    monkeypatch.setattr(tables, "CHUNK_ROWS", 700)
    rng = np.random.default_rng(4)
    west, south, east, north = index.bounds
    rows = [
        f"{a:.6f},{b:.6f}"
        for a, b in zip(rng.uniform(west, east, 3000), rng.uniform(south, north, 3000), strict=True)
    ]
    rows[10] = "x,33.7"
    table = read_table(("lon,lat\n" + "\n".join(rows) + "\n").encode(), "c.csv")
    answers = locate_table(table, index).answers
    for name in ("inside", "park", "park_name", "section", "nearest_park", "near_edge", "warning"):
        keys, values = answers.factorized(name)
        assert list(values[keys]) == list(getattr(answers, name)), name
    assert "warning" not in answers.codes  # free texts are hashed when asked for
