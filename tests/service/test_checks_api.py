"""``GET /checks/areas`` and ``parkgeo check`` on a real PostGIS."""

from __future__ import annotations

import json
import math

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from service.app import create_app
from service.cli import main
from tests.conftest import settings_for


def _grow_pingxin(url: URL) -> None:
    """Grow one park by 5 % about its centroid, in a private database."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE parks SET geom = ST_Scale(geom, ST_MakePoint(:f, :f), "
                    "ST_Centroid(geom)) WHERE code = 'pingxin' AND valid_to IS NULL"
                ),
                {"f": math.sqrt(1.05)},
            )
    finally:
        engine.dispose()


def test_areas_on_bundled_data(client: TestClient) -> None:
    response = client.get("/checks/areas")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["failures"] == []
    assert len(body["parks"]) == 7
    for park in body["parks"]:
        assert park["ok"] is True
        assert abs(park["measured_km2"] - park["declared_km2"]) < 0.001
        assert abs(park["python_km2"] - park["measured_km2"]) / park["measured_km2"] < 1e-6
    tiers = {t["tier"]: t for t in body["tiers"]}
    assert tiers["原空间范围"]["declared_km2"] == 82.75
    assert tiers["新增空间范围"]["declared_km2"] == 34.88
    assert abs(body["total"]["measured_km2"] - 117.63) < 0.001
    assert body["overlaps"] == []


def test_tolerance_parameters_apply(client: TestClient) -> None:
    strict = client.get("/checks/areas", params={"tolerance_km2": 0, "tolerance_pct": 0}).json()
    assert strict["ok"] is False
    assert all(p["tolerance_km2"] == 0 for p in strict["parks"])
    loose = client.get("/checks/areas", params={"tolerance_km2": 0.5, "tolerance_pct": 2}).json()
    gaoxin = next(p for p in loose["parks"] if p["code"] == "gaoxin")
    assert gaoxin["tolerance_km2"] == pytest.approx(0.02 * 48.66)
    assert loose["tolerance"]["pct"] == 2


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"tolerance_km2": -1}, "tolerance_km2"),
        ({"tolerance_km2": 1000}, "tolerance_km2"),
        ({"tolerance_pct": 101}, "tolerance_pct"),
        ({"tolerance_pct": "nan"}, "tolerance_pct"),
        ({"tolerance_km2": "lots"}, "tolerance_km2"),
        ({"as_of": "yesterday"}, "as_of"),
    ],
)
def test_bad_parameters_are_a_clear_422(client: TestClient, params: dict, name: str) -> None:
    response = client.get("/checks/areas", params=params)
    assert response.status_code == 422
    assert name in response.text


def test_as_of_before_the_load(client: TestClient) -> None:
    body = client.get("/checks/areas", params={"as_of": "2020-01-01"}).json()
    assert body["parks"] == [] and body["ok"] is False
    assert body["as_of"].startswith("2020-01-02T00:00:00+08:00")


def test_parameters_are_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/checks/areas"]["get"]["parameters"]}
    assert set(params) == {"as_of", "tolerance_km2", "tolerance_pct"}
    assert all(p.get("description") for p in params.values())


def test_grown_park_fails_over_http(fresh_db_url: URL) -> None:
    _grow_pingxin(fresh_db_url)
    with TestClient(create_app(settings_for(fresh_db_url))) as client:
        body = client.get("/checks/areas").json()
    assert body["ok"] is False
    failing = [p for p in body["parks"] if not p["ok"]]
    assert [p["code"] for p in failing] == ["pingxin"]
    assert failing[0]["diff_pct"] == pytest.approx(5.0, abs=0.05)
    assert body["total"]["ok"] is False and body["total"]["register_ok"] is True


def test_cli_passes_on_bundled_data(
    db_url: URL, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PARKGEO_DATABASE_URL", db_url.render_as_string(hide_password=False))
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    for word in ("实测", "Measured", "高新区", "gaoxin", "小计", "合计", "组团"):
        assert word in out
    assert "all checks passed" in out
    assert main(["check", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] is True and len(body["parks"]) == 7


def test_cli_fails_with_exit_1(
    fresh_db_url: URL, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _grow_pingxin(fresh_db_url)
    monkeypatch.setenv("PARKGEO_DATABASE_URL", fresh_db_url.render_as_string(hide_password=False))
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "park pingxin:" in out
    assert main(["check", "--json", "--tolerance-pct", "10"]) == 0  # 5 % is within 10 %
    assert json.loads(capsys.readouterr().out)["ok"] is True


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--tolerance-km2", "-1"],
        ["check", "--tolerance-pct", "500"],
        ["check", "--as-of", "yesterday"],
        ["check", "--no-such-option"],
    ],
)
def test_cli_usage_errors_exit_2(
    db_url: URL,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.setenv("PARKGEO_DATABASE_URL", db_url.render_as_string(hide_password=False))
    assert main(argv) == 2
    assert "Traceback" not in capsys.readouterr().err
