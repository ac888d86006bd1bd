"""The bad-input table: what planners will paste, post and click, and what they get back.

Each row is one request against an app with a write token on a private copy of the loaded
database. The answer must have the row's status and a message containing the row's words,
must never be a 5xx, and the feature tables must be byte-for-byte the same afterwards
(snapshot before/after), except for the one row that is meant to write (10,000 vertices).

Two deliberate non-4xx answers, as designed by the locate and map-layer issues:
- a JSON *batch* to ``POST /locate`` answers 200 and puts the reason into the bad point's
  ``warning`` (``inside`` null), so one bad row does not sink a batch of thousands;
- a property filter that matches nothing (SQL text included) is an empty page, 200.
"""

from __future__ import annotations

import io
import json
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import geopandas as gpd
import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook
from shapely.geometry import LineString, box, mapping
from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from service.app import create_app
from service.cli import main
from tests.boundaries import survey_files as sf
from tests.conftest import settings_for

TOKEN = "bad-input-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SMALL_LIMIT_MB = 0.01  # 10 KB, for the 413 rows
JSON_TYPE = {"Content-Type": "application/json"}


# --- files planners send ------------------------------------------------------------------


def _binary() -> bytes:
    return bytes(range(256)) * 16  # NULs, control bytes, invalid UTF-8 and GBK


def _merged_header_xlsx(first: str) -> bytes:
    """Row 1: ``first`` | 坐标 merged over B1:C1 (no per-column names), then numbers."""
    book = Workbook()
    sheet = book.active
    sheet["A1"], sheet["B1"] = first, "坐标"
    sheet.merge_cells("B1:C1")
    for n, (lon, lat) in enumerate([(113.30, 33.70), (113.31, 33.70), (113.31, 33.71)], 1):
        sheet.append([f"J{n}", lon, lat])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _geojson(geometry: Any) -> bytes:
    feature = {"type": "Feature", "properties": {"name": "湛河"}, "geometry": mapping(geometry)}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def _open_line() -> bytes:
    return _geojson(LineString(list(sf.surveyed_polygon().exterior.coords)[:-5]))


def _point_feature() -> bytes:
    return _geojson(sf.surveyed_polygon().centroid)


def _shapefile_zip_without_prj() -> bytes:
    """A local site grid in metres (not Gauss-Krüger, not degrees) and no .prj."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame = gpd.GeoDataFrame({"name": ["湛河"]}, geometry=[box(1000, 1000, 3000, 2500)])
        frame.to_file(folder / "zhanhe.shp", engine="pyogrio")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for part in sorted(folder.iterdir()):
                archive.write(part, part.name)
        assert not any(name.endswith(".prj") for name in archive.namelist())
        return buffer.getvalue()


def _dense_polygon() -> bytes:
    """The surveyed 湛河 boundary with its edges split into ~10,000 vertices."""
    polygon = sf.surveyed_polygon()
    dense = shapely.segmentize(polygon, polygon.exterior.length / 10_000)
    assert shapely.get_num_coordinates(dense) >= 10_000
    return _geojson(dense)


def _csv_rows(n: int) -> bytes:
    return b"name,lon,lat\n" + b"enterprise,113.30,33.70\n" * n


def _upload(name: str, data: bytes | Callable[[], bytes]) -> dict[str, Any]:
    return {"file": (name, data() if callable(data) else data, "application/octet-stream")}


# --- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    method: str
    url: str
    status: int
    says: str  # words the message must contain (case-insensitive)
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    files: Callable[[], dict[str, Any]] | None = None
    content: Callable[[], Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    limit_mb: float = 20
    raw_path: bool = False  # send the path as is (an HTTP client would resolve "..")
    writes: bool = False


def _get(url: str, status: int, says: str, **params: str) -> Row:
    return Row("GET", url, status, says, params=params)


def _raw(url: str, status: int, says: str) -> Row:
    return Row("GET", url, status, says, raw_path=True)


def _point(lon: Any, lat: Any, says: str) -> Row:
    body = {"points": [{"id": "a", "lon": lon, "lat": lat}]}
    return Row("POST", "/locate", 200, says, json=body)


def _locate_file(name: str, data: Any, status: int, says: str, limit_mb: float = 20) -> Row:
    return Row(
        "POST", "/locate", status, says, files=lambda: _upload(name, data), limit_mb=limit_mb
    )


def _import(name: str, data: Any, status: int, says: str, **options: Any) -> Row:
    def files() -> dict[str, Any]:
        return {**_upload(name, data), "comment": (None, "测绘成果")}

    params = {"park": "zhanhe"}
    return Row("POST", "/imports", status, says, params, files=files, headers=AUTH, **options)


def _chunks() -> Any:
    yield from (b'{"points": [' + b" " * 4096 for _ in range(8))


ITEMS = "/ogc/collections/parks/items"
NONE = '"numberMatched": 0'
SMALL = {"limit_mb": SMALL_LIMIT_MB}
MANY_POINTS = {"points": [{"lon": 113.3, "lat": 33.7}] * 500}
ROWS = {
    # coordinates, one point: 400 with the reason
    "locate-get-nan": _get("/locate", 400, "not a finite number", lon="nan", lat="33.7"),
    "locate-get-inf": _get("/locate", 400, "not a finite number", lon="inf", lat="33.7"),
    "locate-get-out-of-range": _get("/locate", 400, "out of range", lon="200", lat="33.7"),
    "locate-get-swapped": _get("/locate", 400, "look swapped", lon="33.7", lat="113.3"),
    "locate-get-not-a-number": _get("/locate", 422, "parameter 'lon'", lon="东经113", lat="33.7"),
    # coordinates, JSON batch: 200, the point's warning says why (see the module docstring)
    "locate-json-nan": _point("NaN", 33.7, "lon is not a number"),
    "locate-json-inf": _point("Infinity", "-inf", "not a finite number"),
    "locate-json-out-of-range": _point(200, 33.7, "out of range"),
    "locate-json-swapped": _point(33.7, 113.3, "look swapped"),
    "locate-json-not-a-list": Row("POST", "/locate", 400, "expected {", json={"points": "1,2"}),
    # files that are not what they claim
    "locate-empty-csv": _locate_file("企业.csv", b"", 400, "the file is empty"),
    "locate-binary-csv": _locate_file("企业.csv", _binary, 400, "not a text csv"),
    "import-empty-csv": _import("界址点.csv", b"", 400, "empty"),
    "import-binary-csv": _import("界址点.csv", _binary, 400, "encoding not recognised"),
    "locate-xlsx-merged-header": _locate_file(
        "企业.xlsx", lambda: _merged_header_xlsx("企业"), 400, "which columns hold the coordinates"
    ),
    "import-xlsx-merged-header": _import(
        "界址点.xlsx", lambda: _merged_header_xlsx("点号"), 400, "no header with coordinate"
    ),
    "import-geojson-linestring": _import("湛河.geojson", _open_line, 400, "no polygon or closed"),
    "import-geojson-point": _import("湛河.geojson", _point_feature, 400, "no polygon or closed"),
    "import-shapefile-without-prj": _import(
        "湛河.zip", _shapefile_zip_without_prj, 400, "cannot tell the crs"
    ),
    # size limit: PARKGEO_MAX_UPLOAD_MB = 0.01 for these rows
    "locate-upload-over-limit": _locate_file(
        "企业.csv", _csv_rows(1000), 413, "too large", **SMALL
    ),
    "import-over-limit": _import("界址点.csv", _csv_rows(1000), 413, "too large", **SMALL),
    "locate-json-over-limit": Row("POST", "/locate", 413, "too large", json=MANY_POINTS, **SMALL),
    "chunked-body-over-limit": Row(
        "POST", "/locate", 413, "too large", content=_chunks, headers=JSON_TYPE, **SMALL
    ),
    # SQL in property filters: bound values, so nothing matches (no extra rows, no 500)
    "ogc-filter-or-1-eq-1": _get(ITEMS, 200, NONE, tier="' OR 1=1 --"),
    "ogc-filter-quoted-or": _get(ITEMS, 200, NONE, code="zhanhe' OR '1'='1"),
    "ogc-filter-drop-table": _get(ITEMS, 200, NONE, district="x'; DROP TABLE parks; --"),
    "ogc-filter-like-wildcard": _get(ITEMS, 200, NONE, industry="%' OR '%'='"),
    "ogc-filter-boolean-with-sql": _get(
        "/ogc/collections/radiation_points/items", 400, "true or false", located="true OR 1=1"
    ),
    # path-like names: 4xx, and nothing written anywhere
    "export-encoded-traversal": _get("/export/..%2F..%2Fetc%2Fpasswd.csv", 404, "no such address"),
    "export-backslash-traversal": _get("/export/..%5C..%5Cpasswd.csv", 400, "not a collection"),
    "export-dot-name": _get("/export/.parks.csv", 400, "not a collection name"),
    "export-dotdot-raw": _raw("/export/../../etc/passwd.csv", 404, "no such address"),
    "figure-dotdot-raw": _raw("/figures/../x.png", 404, "no such address"),
    "figure-encoded-slash": _get("/figures/..%2Fx.png", 404, "no such address"),
    "figure-name-with-slash": _get("/figures/a/b.png", 404, "no such address"),
    "figure-code-traversal": _get("/figures/park.png", 404, "unknown park", code="../../x"),
    # a big polygon: accepted, and quickly
    "import-10000-vertices": _import(
        "湛河.geojson", _dense_polygon, 201, '"written":true', writes=True
    ),
}


def _snapshot(url: URL) -> dict[str, list]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return sf.snapshot(session)
    finally:
        engine.dispose()


def _suspects() -> set[Path]:
    """Files a path-like name could have created outside the temporary folders."""
    places = [Path.cwd(), Path("/etc"), Path("/"), Path(tempfile.gettempdir())]
    return {
        entry
        for place in places
        for entry in place.iterdir()
        if "passwd." in entry.name or entry.name in ("x.png", "b.png")
    }


def _send_raw(app: FastAPI, path: str) -> tuple[int, str]:
    """GET ``path`` without any client normalising it (``..`` stays in the path)."""
    sent: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
        elif message["type"] == "http.response.body":
            sent["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("testclient", 50000),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)
    return sent["status"], sent["body"].decode()


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_bad_input(row: Row, fresh_db_url: URL) -> None:
    settings = settings_for(fresh_db_url, tokens={"planner": TOKEN}, max_upload_mb=row.limit_mb)
    before, suspects = _snapshot(fresh_db_url), _suspects()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        started = time.perf_counter()
        if row.raw_path:
            status, text = _send_raw(client.app, row.url)
        else:
            response = client.request(
                row.method,
                row.url,
                params=row.params,
                json=row.json,
                files=row.files() if row.files else None,
                content=row.content() if row.content else None,
                headers=row.headers,
            )
            status, text = response.status_code, response.text
        seconds = time.perf_counter() - started
    assert status == row.status, text
    if status >= 400:
        body = json.loads(text)
        assert row.says.lower() in body["detail"].lower(), body
        assert "Traceback" not in text and "SELECT" not in text
    else:
        assert row.says.lower() in text.lower(), text[:500]
    assert _suspects() == suspects
    if row.writes:
        assert seconds < 5, f"{seconds:.1f} s for {row.url}"
        report = json.loads(text)
        assert report["written"] and report["target"]["code"] == "zhanhe"
        assert _snapshot(fresh_db_url) != before
    else:
        assert _snapshot(fresh_db_url) == before


# --- the command line: the same inputs end with exit code != 0 and a message --------------


IMPORT = ["import", "--park", "zhanhe", "--comment", "x"]
CLI_ROWS = {
    "cli-locate-nan": (["locate", "nan", "33.7"], None, "finite"),
    "cli-locate-swapped": (["locate", "33.7", "113.3"], None, "swapped"),
    "cli-locate-empty-csv": (["locate", "-o", "{tmp}/out.csv"], ("企业.csv", b""), "empty"),
    "cli-import-binary": (IMPORT, ("x.csv", _binary()), "encoding"),
    "cli-import-linestring": (IMPORT, ("l.geojson", _open_line()), "no polygon"),
}


@pytest.mark.parametrize(("argv", "file", "says"), CLI_ROWS.values(), ids=CLI_ROWS.keys())
def test_bad_input_on_the_command_line(
    argv: list[str],
    file: tuple[str, bytes] | None,
    says: str,
    fresh_db_url: URL,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PARKGEO_DATABASE_URL", fresh_db_url.render_as_string(hide_password=False))
    before = _snapshot(fresh_db_url)
    if file is not None:
        path = tmp_path / file[0]
        path.write_bytes(file[1])
        argv = [argv[0], str(path), *(arg.format(tmp=tmp_path) for arg in argv[1:])]
    assert main(argv) != 0
    captured = capsys.readouterr()
    assert says in (captured.out + captured.err).lower()
    assert "Traceback" not in captured.out + captured.err
    assert _snapshot(fresh_db_url) == before


def test_shapefile_without_prj_in_survey_metres_is_detected_and_said(
    fresh_db_url: URL, tmp_path: Path
) -> None:
    """Gauss-Krüger numbers are recognisable: the dry run says the CRS was *detected*."""
    path = sf.write_shapefile_zip(tmp_path)
    stripped = tmp_path / "no-prj.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(stripped, "w") as target:
        for name in source.namelist():
            if not name.endswith(".prj"):
                target.writestr(name, source.read(name))
    settings = settings_for(fresh_db_url, tokens={"planner": TOKEN})
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/imports",
            params={"park": "zhanhe", "dry_run": "true"},
            files=_upload(stripped.name, stripped.read_bytes()),
            headers=AUTH,
        )
    assert response.status_code == 200, response.text
    crs = response.json()["crs"]
    assert crs["source"] == "detected" and "declares no CRS" in crs["reason"]
