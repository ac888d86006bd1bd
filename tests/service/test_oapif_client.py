"""A real client against a running server: GDAL's OGC API – Features driver, via pyogrio."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from sqlalchemy.engine import URL

from boundaries.embedded import free_port
from boundaries.frames import bundled_frames

# A subprocess, not a thread: pyogrio keeps the GIL while GDAL waits for the HTTP answer, so
# a server thread in the same interpreter would never get to reply.
_SERVE = """
import sys
import uvicorn
from sqlalchemy.engine import make_url
from service.app import create_app
from tests.conftest import settings_for
app = create_app(settings_for(make_url(sys.argv[1])))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


@pytest.fixture(scope="module")
def server(db_url: URL) -> Iterator[str]:
    """uvicorn serving ``create_app(settings_for(db_url))`` on a free loopback port."""
    port = free_port()
    url = db_url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE, url, str(port)], cwd=Path(__file__).parents[2]
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the test server exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the test server did not start in 60 s") from None
                time.sleep(0.1)
        yield f"OAPIF:http://127.0.0.1:{port}/ogc/"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_gdal_lists_the_three_collections(server: str) -> None:
    layers = pyogrio.list_layers(server)
    assert [tuple(row) for row in layers] == [
        ("parks", "MultiPolygon"),
        ("park_sections", "MultiPolygon"),
        ("radiation_points", "Point"),
    ]


@pytest.mark.parametrize(
    ("collection", "frame"),
    [("parks", "parks"), ("park_sections", "sections"), ("radiation_points", "points")],
)
def test_gdal_reads_every_feature_with_its_attributes(
    server: str, collection: str, frame: str
) -> None:
    read = pyogrio.read_dataframe(server, layer=collection).set_index("code")
    source = getattr(bundled_frames(), frame).set_index("code")
    assert sorted(read.index) == sorted(source.index)
    assert read.crs.to_epsg() == 4490  # the storage CRS, advertised and used by GDAL
    columns = [c for c in source.columns if c != "geometry"]
    assert set(columns) <= set(read.columns)
    for code, row in source.iterrows():
        got = read.loc[code]
        for column in columns:
            expected = row[column]
            if isinstance(expected, list):
                assert list(got[column]) == expected, (code, column)
            elif isinstance(expected, float):
                assert got[column] == pytest.approx(expected, rel=1e-5), (code, column)
            else:
                assert got[column] == expected, (code, column)
        # GDAL read the lat/lon EPSG:4490 responses back into lon/lat correctly
        assert got.geometry.symmetric_difference(row.geometry).area < 1e-10, code


def test_gdal_bbox_and_attribute_filters(server: str) -> None:
    points = bundled_frames().points
    window = (113.35, 33.65, 113.45, 33.75)
    read = pyogrio.read_dataframe(server, layer="radiation_points", bbox=window)
    inside = points.cx[window[0] : window[2], window[1] : window[3]]
    assert set(read.code) == set(inside.code)
    universities = pyogrio.read_dataframe(
        server, layer="radiation_points", where="category = 'university'"
    )
    assert set(universities.code) == {"rp-28", "rp-29"}


def test_gdal_in_crs84(server: str) -> None:
    read = pyogrio.read_dataframe(server, layer="radiation_points", CRS="OGC:CRS84")
    source = bundled_frames().points.set_index("code")
    xy = np.array([[g.x, g.y] for g in read.set_index("code").geometry[source.index]])
    assert np.allclose(xy, np.array([[g.x, g.y] for g in source.geometry]), atol=1e-7)
