"""Write endpoints: tokens, imports, members, bulk points, history, as_of."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from service.app import create_app
from tests.boundaries import survey_files as sf
from tests.conftest import settings_for

TOKEN = "s3cret-zhangsan-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TOKENS = {"zhangsan": TOKEN, "lisi": "another-token-for-lisi"}


@pytest.fixture
def admin(fresh_db_url: URL) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(fresh_db_url, tokens=TOKENS))) as client:
        yield client


def _snapshot(url: URL) -> dict[str, list]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return sf.snapshot(session)
    finally:
        engine.dispose()


def _upload(path: Path) -> dict:
    return {"file": (path.name, path.read_bytes(), "application/octet-stream")}


def test_writes_need_a_valid_token(
    admin: TestClient, fresh_db_url: URL, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = _snapshot(fresh_db_url)
    path = sf.write_geojson(tmp_path)
    data = {"comment": "survey"}
    missing = admin.post("/imports?park=zhanhe", files=_upload(path), data=data)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in missing.json()["detail"]
    basic = admin.patch(
        "/parks/zhanhe",
        json={"comment": "x", "name": "某园区"},
        headers={"Authorization": "Basic eDp5"},
    )
    assert basic.status_code == 401
    wrong = admin.post(
        "/imports?park=zhanhe",
        files=_upload(path),
        data=data,
        headers={"Authorization": "Bearer not-the-token"},
    )
    assert wrong.status_code == 403 and "not valid" in wrong.json()["detail"]
    for method, url in [("patch", "/parks/zhanhe"), ("delete", "/radiation-points/rp-01")]:
        response = admin.request(method, url, json={"comment": "x", "name": "某园区"})
        assert response.status_code == 401
    assert _snapshot(fresh_db_url) == before
    assert admin.get("/history/zhanhe").status_code == 200  # reads stay open
    assert admin.get("/parks/zhanhe").status_code == 200
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
    assert all("not-the-token" not in record.getMessage() for record in caplog.records)


def test_no_tokens_configured_means_no_writes(fresh_db_url: URL) -> None:
    with TestClient(create_app(settings_for(fresh_db_url))) as client:
        response = client.patch(
            "/parks/zhanhe", json={"comment": "x", "name": "某园区"}, headers=AUTH
        )
    assert response.status_code == 403
    assert "PARKGEO_TOKENS" in response.json()["detail"]


def test_import_dry_run_then_write_then_as_of(
    admin: TestClient, fresh_db_url: URL, tmp_path: Path
) -> None:
    engine = create_engine(fresh_db_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE parks SET valid_from = now() - interval '10 days' WHERE code = 'zhanhe'")
        )
    engine.dispose()
    before = _snapshot(fresh_db_url)
    path = sf.write_shapefile_zip(tmp_path)
    dry = admin.post("/imports?park=zhanhe&dry_run=true", files=_upload(path), headers=AUTH)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["ok"] and not report["written"] and report["crs"]["crs"] == "EPSG:4526"
    assert report["measured_km2"] == pytest.approx(sf.expected_area_km2(), rel=1e-6)
    assert _snapshot(fresh_db_url) == before

    no_comment = admin.post("/imports?park=zhanhe", files=_upload(path), headers=AUTH)
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["detail"]

    written = admin.post(
        "/imports?park=zhanhe&precision_m=0.05",
        files=_upload(path),
        data={"comment": "批复界址"},
        headers=AUTH,
    )
    assert written.status_code == 201, written.text
    assert written.json()["written"] and written.json()["version"] == 2

    history = admin.get("/history/zhanhe").json()
    versions = history["versions"]
    assert [(v["event"], v["geometry_source"]) for v in versions] == [
        ("added", "schematic"),
        ("changed", "surveyed"),
    ]
    assert versions[1]["changed_by"] == "zhangsan" and versions[1]["change_note"] == "批复界址"
    assert versions[1]["precision_m"] == 0.05
    assert versions[1]["area_change_km2"] == pytest.approx(
        versions[1]["area_km2"] - versions[0]["area_km2"]
    )

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    old = admin.get(f"/parks/zhanhe?as_of={yesterday}").json()
    now = admin.get("/parks/zhanhe").json()
    assert old["properties"]["geometry_source"] == "schematic"
    assert now["properties"]["geometry_source"] == "surveyed"
    assert now["properties"]["measured_area_km2"] == pytest.approx(sf.expected_area_km2(), abs=1e-6)


def test_rejected_imports_write_nothing(
    admin: TestClient, fresh_db_url: URL, tmp_path: Path
) -> None:
    before = _snapshot(fresh_db_url)
    bowtie = admin.post(
        "/imports?park=zhanhe",
        files=_upload(sf.write_bowtie_csv(tmp_path)),
        data={"comment": "x"},
        headers=AUTH,
    )
    assert bowtie.status_code == 422
    body = bowtie.json()
    assert body["error"] == "BoundaryRejected" and "invalid" in body["detail"]
    assert body["report"]["valid"] is False and body["report"]["failures"]
    ambiguous = admin.post(
        "/imports?park=zhanhe",
        files=_upload(sf.write_ambiguous_csv(tmp_path)),
        data={"comment": "x"},
        headers=AUTH,
    )
    assert ambiguous.status_code == 400 and "cannot tell the CRS" in ambiguous.json()["detail"]
    unknown = admin.post(
        "/imports?park=nowhere",
        files=_upload(sf.write_geojson(tmp_path)),
        data={"comment": "x"},
        headers=AUTH,
    )
    assert unknown.status_code == 404 and "nowhere" in unknown.json()["detail"]
    cut = sf.write_shapefile_zip(tmp_path)
    cut.write_bytes(cut.read_bytes()[:200])
    truncated = admin.post(
        "/imports?park=zhanhe", files=_upload(cut), data={"comment": "x"}, headers=AUTH
    )
    assert truncated.status_code == 400
    assert _snapshot(fresh_db_url) == before


def test_upload_limit(fresh_db_url: URL, tmp_path: Path) -> None:
    settings = settings_for(fresh_db_url, tokens=TOKENS, max_upload_mb=0.001)
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/imports?park=zhanhe&dry_run=true",
            files=_upload(sf.write_geojson(tmp_path)),
            headers=AUTH,
        )
    assert response.status_code == 413


def test_members_add_change_retire(admin: TestClient, tmp_path: Path) -> None:
    lisi = {"Authorization": "Bearer another-token-for-lisi"}
    point = {
        "comment": "第三批辐射点",
        "code": "rp-90",
        "seq": 90,
        "name": "测试研究院",
        "category": "research_institute",
        "district": "新华区",
        "batch": 3,
        "industries": [],
        "lon": 113.30,
        "lat": 33.74,
        "crs": "gcj02",
        "located": True,
        "location_precision_m": 20,
        "location_note": "Amap",
    }
    added = admin.post("/radiation-points", json=point, headers=AUTH)
    assert added.status_code == 201, added.text
    lon, _lat = added.json()["geometry"]["coordinates"]
    assert abs(lon - 113.30) > 1e-4  # converted from GCJ-02
    assert admin.post("/radiation-points", json=point, headers=AUTH).status_code == 400

    patched = admin.patch(
        "/parks/zhanhe", json={"comment": "更名", "short_name": "湛河园"}, headers=lisi
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["properties"]["short_name"] == "湛河园"
    assert patched.json()["properties"]["changed_by"] == "lisi"
    bad = admin.patch("/parks/zhanhe", json={"comment": "x", "tier": "x"}, headers=lisi)
    assert bad.status_code == 400 and "tier" in bad.json()["detail"]
    no_comment = admin.patch("/parks/zhanhe", json={"short_name": "湛河"}, headers=lisi)
    assert no_comment.status_code == 422

    retired = admin.delete("/radiation-points/rp-90?comment=撤销", headers=AUTH)
    assert retired.status_code == 200 and retired.json()["retired"]
    assert admin.get("/radiation-points/rp-90").status_code == 404
    assert admin.delete("/radiation-points/rp-90?comment=again", headers=AUTH).status_code == 404
    no_why = admin.delete("/radiation-points/rp-01", headers=AUTH)
    assert no_why.status_code == 400
    by_body = admin.request(
        "DELETE", "/park-sections/baofeng-zhouzhuang", json={"comment": "调整"}, headers=AUTH
    )
    assert by_body.status_code == 200
    events = [v["event"] for v in admin.get("/history/rp-90").json()["versions"]]
    assert events == ["added", "retired"]

    csv = tmp_path / "amap.csv"
    csv.write_text("code,lon,lat,precision\nrp-01,113.30,33.74,5\nrp-02,113.31,33.75,5\n")
    bulk = admin.post(
        "/radiation-points/bulk?crs=gcj02",
        files=_upload(csv),
        data={"comment": "高德地理编码"},
        headers=AUTH,
    )
    assert bulk.status_code == 200, bulk.text
    assert bulk.json()["updated"] == 2
    csv.write_text("code,lon,lat,precision\nrp-01,113.30,33.74,5\nrp-404,113.31,33.75,5\n")
    refused = admin.post(
        "/radiation-points/bulk?crs=gcj02", files=_upload(csv), data={"comment": "x"}, headers=AUTH
    )
    assert refused.status_code == 404
    versions = admin.get("/history/rp-01").json()["versions"]
    assert len(versions) == 2  # the refused file moved nothing
