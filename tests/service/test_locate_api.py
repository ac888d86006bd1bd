"""/locate: one point by GET, JSON batches and uploaded spreadsheets by POST."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from boundaries.frames import bundled_frames
from geo.crs import from_cgcs2000
from service.app import create_app
from tests.conftest import settings_for


@pytest.fixture(scope="module")
def section_point() -> tuple[float, float]:
    point = bundled_frames().sections.geometry.iloc[1].representative_point()
    return round(point.x, 7), round(point.y, 7)


def test_get_one_point_inside(client: TestClient, section_point) -> None:
    lon, lat = section_point
    body = client.get("/locate", params={"lon": lon, "lat": lat}).json()
    assert body["inside"] is True
    assert body["park"] == "baofeng" and body["section"] == "baofeng-zhouzhuang"
    assert body["section_name"] == "周庄组团" and body["park_name"].startswith("宝丰")
    assert body["distance_m"] > 0 and body["nearest_park"] is None
    assert body["geometry_source"] == "schematic" and "schematic" in body["note"]
    assert body["warning"] is None and body["crs"] == "wgs84"
    assert body["lon"] == pytest.approx(lon)


def test_get_in_gcj02_and_baidu(client: TestClient, section_point) -> None:
    for crs in ("gcj02", "bd09", "EPSG:4547"):
        x, y = from_cgcs2000([section_point[0]], [section_point[1]], crs)
        body = client.get("/locate", params={"lon": x[0], "lat": y[0], "crs": crs}).json()
        assert body["section"] == "baofeng-zhouzhuang", crs
        assert body["lon"] == pytest.approx(section_point[0], abs=1e-6)


def test_get_outside_and_swapped(client: TestClient, section_point) -> None:
    body = client.get("/locate", params={"lon": 113.0, "lat": 33.6}).json()
    assert body["inside"] is False and body["distance_m"] < 0 and body["nearest_park"]
    swapped = client.get("/locate", params={"lon": 33.70, "lat": 113.30, "crs": "gcj02"})
    assert swapped.status_code == 400
    assert "swapped" in swapped.json()["detail"]


def test_get_bad_input_is_4xx_with_a_message(client: TestClient) -> None:
    bad_crs = client.get("/locate", params={"lon": 113, "lat": 33.7, "crs": "mars"})
    assert bad_crs.status_code == 400 and "Unknown CRS" in bad_crs.json()["detail"]
    assert client.get("/locate", params={"lon": "abc", "lat": 33.7}).status_code == 422
    nan = client.get("/locate", params={"lon": "nan", "lat": 33.7})
    assert nan.status_code == 400 and "finite" in nan.json()["detail"]


def test_post_json_keeps_order_and_ids(client: TestClient, section_point) -> None:
    lon, lat = section_point
    points = [
        {"id": "a", "lon": lon, "lat": lat},
        {"id": 2, "lon": "abc", "lat": lat},
        {"id": None, "lon": 113.0, "lat": 33.6},
        {"id": "d", "lon": None, "lat": 1},
    ]
    response = client.post("/locate", json={"crs": "wgs84", "points": points})
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body] == ["a", 2, None, "d"]
    assert body[0]["section"] == "baofeng-zhouzhuang"
    assert "not a number" in body[1]["warning"] and body[1]["inside"] is None
    assert body[2]["inside"] is False
    assert "empty" in body[3]["warning"]


def test_post_json_malformed(client: TestClient) -> None:
    response = client.post("/locate", json={"pts": []})
    assert response.status_code == 400 and "points" in response.json()["detail"]


def test_post_csv_upload(client: TestClient, section_point) -> None:
    lon, lat = section_point
    csv = f"企业,经度,纬度\n甲,{lon},{lat}\n乙,,\n丙,113.0,33.6\n".encode("gbk")
    response = client.post(
        "/locate", files={"file": ("企业名单.csv", csv, "text/csv")}, data={"crs": "wgs84"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert "attachment" in disposition and "_located.csv" in disposition
    assert "%E4%BC%81%E4%B8%9A" in disposition  # 企业 in filename*
    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    assert list(frame["企业"]) == ["甲", "乙", "丙"]
    assert frame["section"][0] == "baofeng-zhouzhuang"
    assert "empty" in frame["warning"][1]


def test_post_xlsx_upload_with_named_columns(client: TestClient, section_point) -> None:
    buf = io.BytesIO()
    pd.DataFrame({"名称": ["甲"], "E": [section_point[0]], "N": [section_point[1]]}).to_excel(
        buf, index=False
    )
    response = client.post(
        "/locate",
        files={"file": ("list.xlsx", buf.getvalue(), "application/octet-stream")},
        data={"x_col": "E", "y_col": "N"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    frame = pd.read_excel(io.BytesIO(response.content))
    assert frame["park"][0] == "baofeng"


def test_upload_errors_are_planner_readable(client: TestClient) -> None:
    missing = client.post(
        "/locate", files={"file": ("a.csv", "名称,坐标A,坐标B\n甲,1,2\n".encode(), "text/csv")}
    )
    assert missing.status_code == 400
    assert "'坐标A'" in missing.json()["detail"] and "x_col" in missing.json()["detail"]
    broken = client.post("/locate", files={"file": ("a.xlsx", b"nonsense", "text/plain")})
    assert broken.status_code == 400 and "Excel" in broken.json()["detail"]
    no_file = client.post("/locate", data={"crs": "wgs84"}, files={"other": ("a", b"x")})
    assert no_file.status_code == 400 and "'file'" in no_file.json()["detail"]
    other = client.post("/locate", content=b"x", headers={"content-type": "text/plain"})
    assert other.status_code == 400


def test_upload_over_the_limit_is_413(db_url: URL) -> None:
    app = create_app(settings_for(db_url, max_upload_mb=0.001))  # ~1 KB
    big = ("lon,lat\n" + "113.1,33.8\n" * 500).encode()
    with TestClient(app) as small_client:
        response = small_client.post("/locate", files={"file": ("big.csv", big, "text/csv")})
        assert response.status_code == 413
        assert "limit" in response.json()["detail"]
        ok = small_client.post("/locate", files={"file": ("s.csv", b"lon,lat\n1,2\n", "text/csv")})
        assert ok.status_code == 200
