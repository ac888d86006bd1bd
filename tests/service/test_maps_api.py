import io
import re

from fastapi.testclient import TestClient
from PIL import Image

from maps.interactive import remote_resources


def test_layout_page_links_local_assets_only(client: TestClient) -> None:
    response = client.get("/maps/layout")
    assert response.status_code == 200
    html = response.text
    # The 示意 note is written by Folium as JSON-escaped text inside a script.
    assert "pg-schematic" in html and ("示意" in html or "\\u793a\\u610f" in html)
    assert remote_resources(html) == []
    assert "/locate" in html
    # Every linked asset is served by the app itself.
    for path in set(re.findall(r'(?:src|href)="(/static/maps/[^"]+)"', html)):
        assert client.get(path).status_code == 200, path


def test_industry_page_and_amap_basemap(client: TestClient) -> None:
    assert "尼龙新材料" in client.get("/maps/industry").text
    assert client.get("/maps/layout", params={"basemap": "amap"}).status_code == 200
    bad = client.get("/maps/layout", params={"basemap": "google"})
    assert bad.status_code == 422


def test_figure_png_has_the_requested_size(client: TestClient) -> None:
    response = client.get("/figures/overview.png", params={"dpi": 100})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1169, 826)  # A4 landscape (297 × 210 mm) at 100 dpi, truncated


def test_figure_of_one_park_and_bad_requests(client: TestClient) -> None:
    pdf = client.get("/figures/park.pdf", params={"code": "baofeng"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    unknown = client.get("/figures/park.png", params={"code": "nowhere", "dpi": 72})
    assert unknown.status_code == 404
    assert "nowhere" in unknown.json()["detail"]
    assert client.get("/figures/poster.png").status_code == 422
    assert client.get("/figures/overview.png", params={"dpi": 5000}).status_code == 422
