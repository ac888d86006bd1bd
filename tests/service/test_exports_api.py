import tempfile
from pathlib import Path

import pyogrio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from boundaries.frames import bundled_frames
from service.cli import main

SUFFIX = {"gpkg": ".gpkg", "shp": ".shp.zip", "kml": ".kml", "geojson": ".geojson", "csv": ".csv"}


@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_download_each_format(client: TestClient, fmt: str) -> None:
    response = client.get(f"/export/radiation_points.{fmt}")
    assert response.status_code == 200, response.text
    assert f'filename="radiation_points{SUFFIX[fmt]}"' in response.headers["content-disposition"]
    assert response.headers["content-crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4490>"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"download{SUFFIX[fmt]}"
        path.write_bytes(response.content)
        back = pyogrio.read_dataframe(path)
    assert len(back) == 34
    names = back["Name" if fmt == "kml" else "name"]
    assert set(names) == set(bundled_frames().points.name)


def test_export_crs_choice(client: TestClient) -> None:
    response = client.get("/export/parks.geojson?crs=EPSG:4547")
    assert response.headers["content-crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4547>"
    assert b"4547" in response.content
    assert client.get("/export/park-sections.gpkg").status_code == 200


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/export/parks.dwg", 400, "known: gpkg"),
        ("/export/lakes.gpkg", 404, "lakes"),
        ("/export/parks", 400, "COLLECTION.FORMAT"),
        ("/export/..%5C..%5Cetc.gpkg", 400, "not a collection"),
        ("/export/...gpkg", 400, "not a collection"),
        ("/export/parks.kml?crs=4547", 400, "KML"),
        ("/export/parks.gpkg?crs=mars", 400, "crs"),
    ],
)
def test_bad_exports(client: TestClient, path: str, status: int, words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_path_with_slashes_never_reaches_the_export(client: TestClient) -> None:
    assert client.get("/export/../../etc/passwd.gpkg").status_code == 404
    assert client.get("/export/..%2F..%2Fetc%2Fpasswd.gpkg").status_code in (400, 404)


def test_cli_export(db_url: URL, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("PARKGEO_DATABASE_URL", db_url.render_as_string(hide_password=False))
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "parks.shp.zip"
        assert main(["export", "parks", "-o", str(target), "--crs", "gcj02"]) == 0
        assert "exported 7 parks" in capsys.readouterr().out
        back = pyogrio.read_dataframe(target)
        assert len(back) == 7 and "平顶山高新技术产业开发区" in set(back.name)
        assert back.crs.name.startswith("GCS_GCJ-02")
        csv = Path(folder) / "points.csv"
        assert main(["export", "radiation_points", "-f", "csv", "-o", str(csv)]) == 0
        assert csv.read_bytes().startswith(b"\xef\xbb\xbfWKT,code")  # BOM for Excel
        assert main(["export", "parks", "-o", str(Path(folder) / "parks.shp")]) == 2
        assert "zip" in capsys.readouterr().err
        assert main(["export", "lakes", "-o", str(Path(folder) / "x.gpkg")]) == 2
