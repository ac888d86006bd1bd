from fastapi.testclient import TestClient

from boundaries.register import load_register


def test_health_reports_the_database(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["postgis"].startswith("3.")
    assert body["features"] == {"parks": 7, "park_sections": 4, "radiation_points": 34}


def test_parks_returns_what_the_register_says(client: TestClient) -> None:
    response = client.get("/parks")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    features = response.json()["features"]
    assert len(features) == 7
    assert round(sum(f["properties"]["declared_area_km2"] for f in features), 2) == 117.63
    register = {p.code: p for p in load_register().parks}
    for feature in features:
        props = feature["properties"]
        park = register[feature["id"]]
        assert props["name"] == park.name
        assert props["tier"] == park.tier
        assert props["industries"] == list(park.industries)
        assert props["bound_north"] == park.bounds.north
        assert props["boundary_text"] == park.boundary_text
        assert props["geometry_source"] == "schematic"
        assert props["provenance"] and props["provenance_date"] and props["precision_m"] > 0


def test_one_park_and_unknown_code(client: TestClient) -> None:
    body = client.get("/parks/baofeng").json()
    assert body["type"] == "Feature"
    assert body["properties"]["short_name"]
    assert len(body["geometry"]["coordinates"]) == 4  # four 组团
    missing = client.get("/parks/nowhere")
    assert missing.status_code == 404
    assert "nowhere" in missing.json()["detail"]


def test_radiation_points_and_sections(client: TestClient) -> None:
    points = client.get("/radiation-points").json()["features"]
    assert len(points) == 34
    assert points[27]["properties"]["category"] == "university"
    unlocated = [p for p in points if not p["properties"]["located"]]
    assert unlocated and all(p["properties"]["location_precision_m"] >= 10_000 for p in unlocated)
    sections = client.get("/park-sections").json()["features"]
    assert [s["properties"]["park"] for s in sections] == ["baofeng"] * 4


def test_bad_as_of_is_a_clear_4xx(client: TestClient) -> None:
    response = client.get("/parks", params={"as_of": "yesterday"})
    assert response.status_code == 422
    assert "as_of" in response.text
