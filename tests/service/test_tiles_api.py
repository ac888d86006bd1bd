import math

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box

from boundaries.frames import bundled_frames

MVT = "application/vnd.mapbox-vector-tile"


def _tile(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def _bounds(z: int, x: int, y: int) -> box:
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return box(x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y))


def test_tile_over_gaoxin(client: TestClient) -> None:
    frames = bundled_frames()
    spot = frames.parks.set_index("code").geometry["gaoxin"].representative_point()
    z, x, y = _tile(spot.x, spot.y, 13)
    response = client.get(f"/tiles/parks/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    assert response.headers["content-type"] == MVT
    assert response.headers["etag"] and "max-age" in response.headers["cache-control"]
    layer = mapbox_vector_tile.decode(response.content)["parks"]
    found = {f["properties"]["code"] for f in layer["features"]}
    assert found == set(frames.parks.code[frames.parks.intersects(_bounds(z, x, y))])
    assert "gaoxin" in found
    names = {f["properties"]["name"] for f in layer["features"]}
    assert "平顶山高新技术产业开发区" in names

    points = client.get(f"/tiles/radiation_points/{z}/{x}/{y}.mvt")
    in_tile = frames.points[frames.points.intersects(_bounds(z, x, y))]
    decoded = mapbox_vector_tile.decode(points.content)
    got = {f["properties"]["code"] for f in decoded.get("radiation_points", {}).get("features", [])}
    assert got == set(in_tile.code)

    again = client.get(
        f"/tiles/parks/{z}/{x}/{y}.mvt", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304


def test_empty_tile_is_a_valid_empty_response(client: TestClient) -> None:
    response = client.get("/tiles/park_sections/10/0/0.mvt")
    assert response.status_code == 200
    assert response.content == b""
    assert mapbox_vector_tile.decode(response.content) == {}


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/tiles/parks/x/0/0.mvt", 400, "integers"),
        ("/tiles/parks/30/0/0.mvt", 400, "zoom"),
        ("/tiles/parks/3/8/0.mvt", 404, "outside"),
        ("/tiles/parks/3/0/-1.mvt", 404, "outside"),
        ("/tiles/lakes/3/0/0.mvt", 404, "lakes"),
    ],
)
def test_bad_tiles(client: TestClient, path: str, status: int, words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_tilejson(client: TestClient) -> None:
    body = client.get("/tiles/radiation_points/tilejson.json").json()
    assert body["tilejson"] == "3.0.0"
    assert body["tiles"][0].endswith("/tiles/radiation_points/{z}/{x}/{y}.mvt")
    assert body["vector_layers"][0]["id"] == "radiation_points"
    west, south, east, north = body["bounds"]
    assert 112 < west < east < 114 and 33 < south < north < 34.5
