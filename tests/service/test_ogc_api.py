from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from boundaries.frames import bundled_frames

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"


def test_landing_conformance_and_collections(client: TestClient) -> None:
    landing = client.get("/ogc/")
    assert landing.status_code == 200
    rels = {link["rel"] for link in landing.json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    assert client.get("/ogc").json()["title"] == landing.json()["title"]
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf
    collections = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in collections] == ["parks", "park_sections", "radiation_points"]
    parks = client.get("/ogc/collections/parks").json()
    assert parks["storageCrs"] == EPSG4490 and CRS84 in parks["crs"]
    west, south, east, north = parks["extent"]["spatial"]["bbox"][0]
    assert 112.5 < west < east < 114 and 33 < south < north < 34.5


def test_items_walk_the_whole_collection_by_next_links(client: TestClient) -> None:
    url = "/ogc/collections/radiation_points/items?limit=5"
    codes: list[str] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/geo+json")
        assert response.headers["content-crs"] == f"<{CRS84}>"
        body = response.json()
        assert body["numberMatched"] == 34
        assert body["numberReturned"] == len(body["features"])
        codes += [f["id"] for f in body["features"]]
        pages += 1
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert pages == 7
    assert codes == [f"rp-{n:02d}" for n in range(1, 35)]
    last = client.get("/ogc/collections/radiation_points/items?limit=5&offset=30").json()
    prev = next(link["href"] for link in last["links"] if link["rel"] == "prev")
    assert parse_qs(urlsplit(prev).query)["offset"] == ["25"]


def test_filters_and_bbox(client: TestClient) -> None:
    def codes(collection: str, **params: str) -> set[str]:
        response = client.get(f"/ogc/collections/{collection}/items", params=params)
        assert response.status_code == 200, response.text
        return {f["id"] for f in response.json()["features"]}

    points = bundled_frames().points
    assert codes("radiation_points", category="university") == {"rp-28", "rp-29"}
    equipment = {r.code for r in points.itertuples() if "装备制造" in r.industries}
    assert codes("radiation_points", industry="装备制造", limit="100") == equipment
    assert codes("parks", tier="新增空间范围") == set(
        bundled_frames().parks.query("tier == '新增空间范围'").code
    )
    in_box = codes("radiation_points", bbox="113.35,33.65,113.45,33.75", limit="100")
    same = codes(
        "radiation_points", bbox="33.65,113.35,33.75,113.45", limit="100", **{"bbox-crs": EPSG4490}
    )
    assert in_box == same and "rp-04" in in_box
    assert codes("parks", tier="' OR 1=1 --") == set()


def test_one_feature_in_each_crs(client: TestClient) -> None:
    plain = client.get("/ogc/collections/radiation_points/items/rp-28").json()
    lon, lat = plain["geometry"]["coordinates"]
    cgcs = client.get("/ogc/collections/radiation_points/items/rp-28", params={"crs": EPSG4490})
    assert cgcs.headers["content-crs"] == f"<{EPSG4490}>"
    assert cgcs.json()["geometry"]["coordinates"] == [lat, lon]
    mars = client.get("/ogc/collections/radiation_points/items/rp-28?crs=gcj02")
    assert mars.headers["content-crs"] == "<urn:parkgeo:def:crs:GCJ-02>"
    mlon, mlat = mars.json()["geometry"]["coordinates"]
    assert 0.002 < mlon - lon < 0.01 and abs(mlat - lat) < 0.005  # a few hundred metres
    assert plain["properties"]["name"] == "河南城建学院"


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/ogc/collections/lakes", 404, "lakes"),
        ("/ogc/collections/lakes/items", 404, "lakes"),
        ("/ogc/collections/parks/items/nowhere", 404, "nowhere"),
        ("/ogc/collections/parks/items?bbox=1,2,3", 400, "bbox"),
        ("/ogc/collections/parks/items?bbox=113.5,33.9,113.3,33.7", 400, "lower corner"),
        ("/ogc/collections/parks/items?crs=EPSG:3857", 400, "EPSG:3857"),
        ("/ogc/collections/parks/items?bbox=1,2,3,4&bbox-crs=mars", 400, "bbox-crs"),
        ("/ogc/collections/parks/items?colour=red", 400, "tier"),
        ("/ogc/collections/parks/items?limit=many", 400, "limit"),
        ("/ogc/collections/radiation_points/items?located=maybe", 400, "located"),
        ("/ogc/collections/parks/items?f=xml", 400, "f="),
    ],
)
def test_errors_say_what_is_wrong(client: TestClient, url: str, status: int, words: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_etag_and_304(client: TestClient) -> None:
    first = client.get("/ogc/collections/parks/items")
    etag = first.headers["etag"]
    again = client.get("/ogc/collections/parks/items", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/ogc/collections/parks/items?limit=2", headers={"If-None-Match": etag})
    assert other.status_code == 200
    feature = client.get("/ogc/collections/parks/items/gaoxin")
    assert feature.headers["etag"]
    assert (
        client.get(
            "/ogc/collections/parks/items/gaoxin",
            headers={"If-None-Match": feature.headers["etag"]},
        ).status_code
        == 304
    )


def test_html_pages(client: TestClient) -> None:
    for url in (
        "/ogc/",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/parks",
        "/ogc/collections/parks/items",
        "/ogc/collections/parks/items/gaoxin",
    ):
        response = client.get(url, headers={"Accept": "text/html,application/xhtml+xml"})
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith("text/html")
        assert "<script" not in response.text and "http://" not in response.text.split("<body>")[0]
    items = client.get("/ogc/collections/parks/items?f=html").text
    assert "平顶山高新技术产业开发区" in items and "共 7 个要素" in items
    assert (
        client.get("/ogc/collections/parks?f=json")
        .headers["content-type"]
        .startswith("application/json")
    )


def test_queryables_list_the_filters(client: TestClient) -> None:
    body = client.get("/ogc/collections/radiation_points/queryables").json()
    assert {"category", "industry", "district", "located"} <= set(body["properties"])
