import tempfile
import zipfile
from pathlib import Path

import pyogrio
import pytest
from sqlalchemy.orm import Session

from boundaries.exports import FORMATS, export_crs, export_format, export_frame, write_export
from boundaries.frames import bundled_frames
from geo.chinese_datums import wgs84_to_gcj02
from geo.errors import InvalidInput

NAME_FIELD = {"kml": "Name"}  # KML keeps the name in <name>


def _write(session: Session, collection: str, fmt: str, crs: str | None, folder: Path) -> Path:
    frame = export_frame(session, collection, export_crs(crs))
    return write_export(frame, collection, export_format(fmt), folder)


@pytest.fixture
def folder() -> Path:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("collection", ["parks", "park_sections", "radiation_points"])
def test_every_format_reads_back(session: Session, folder: Path, fmt: str, collection: str) -> None:
    path = _write(session, collection, fmt, None, folder)
    assert path.parent == folder
    back = pyogrio.read_dataframe(path)
    source = {
        "parks": bundled_frames().parks,
        "park_sections": bundled_frames().sections,
        "radiation_points": bundled_frames().points,
    }[collection]
    name = NAME_FIELD.get(fmt, "name")
    assert sorted(back[name]) == sorted(source["name"])  # Chinese text intact
    assert sorted(back["code"]) == sorted(source["code"])
    if fmt == "csv":  # a CSV cannot say its CRS; the coordinates are CGCS2000 lon/lat
        back = back.set_crs(4490)
    elif fmt == "kml":
        assert back.crs.to_epsg() == 4326
    else:
        assert back.crs.to_epsg() == 4490
    ours = source.set_index("name").geometry
    for row in back.itertuples():
        geometry = row.geometry
        assert geometry.symmetric_difference(ours[getattr(row, name)]).area < 1e-9


def test_register_attributes_survive_in_gpkg(session: Session, folder: Path) -> None:
    back = pyogrio.read_dataframe(_write(session, "parks", "gpkg", None, folder))
    gaoxin = back.set_index("code").loc["gaoxin"]
    assert gaoxin["tier"] == "原空间范围"
    assert gaoxin["industries"] == "装备制造;尼龙新材料;新能源装备"
    assert gaoxin["boundary_text"].startswith("东至叶县洪庄杨乡张集村")
    assert gaoxin["declared_area_km2"] == pytest.approx(48.66)


def test_shapefile_zip_has_prj_cpg_and_short_names(session: Session, folder: Path) -> None:
    path = _write(session, "parks", "shp", None, folder)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"parks.shp", "parks.shx", "parks.dbf", "parks.prj", "parks.cpg"} <= names
        assert archive.read("parks.cpg").decode().strip() == "UTF-8"
        assert "China" in archive.read("parks.prj").decode()
        note = archive.read("fields.txt").decode()
        assert "decl_km2\tdeclared_area_km2" in note
    back = pyogrio.read_dataframe(path)
    assert all(len(column) <= 10 for column in back.columns)
    gaoxin = back.set_index("code").loc["gaoxin"]
    assert gaoxin["b_north"] == "卫东区申楼村、辛南村"
    text = gaoxin["bound_text"]
    assert len(text.encode()) <= 254 and text.startswith("东至叶县")  # cut, but whole characters


def test_gcj02_and_projected_exports(session: Session, folder: Path) -> None:
    back = pyogrio.read_dataframe(_write(session, "radiation_points", "gpkg", "gcj02", folder))
    assert back.crs.name.startswith("GCJ-02") and back.crs.to_epsg() is None
    rp28 = back.set_index("code").geometry["rp-28"]
    source = bundled_frames().points.set_index("code").geometry["rp-28"]
    assert (rp28.x, rp28.y) == pytest.approx(wgs84_to_gcj02(source.x, source.y), abs=1e-7)

    other = folder / "gk"
    other.mkdir()
    back = pyogrio.read_dataframe(_write(session, "parks", "geojson", "EPSG:4547", other))
    assert back.crs.to_epsg() == 4547
    assert 300_000 < back.geometry.iloc[0].centroid.x < 600_000
    with pytest.raises(InvalidInput, match="KML"):
        _write(session, "parks", "kml", "4547", other)


def test_unknown_format_and_crs() -> None:
    with pytest.raises(InvalidInput, match="known: gpkg"):
        export_format("dwg")
    with pytest.raises(InvalidInput, match="crs"):
        export_crs("mars")
