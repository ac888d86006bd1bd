"""Real survey-like files built from one polygon, for the import tests.

The polygon is the bundled 湛河 (zhanhe) schematic boundary, moved by a few metres per
vertex and given a small hole, so that every format must carry a hole too. Each writer
puts it into one format and CRS, the way the natural-resources bureau would send it.
"""

from __future__ import annotations

import zipfile
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon, box

from boundaries.frames import bundled_frames
from geo.area import ellipsoidal_area_km2
from geo.crs import from_cgcs2000, to_cgcs2000

PARK = "zhanhe"


@cache
def surveyed_polygon() -> Polygon:
    """zhanhe, each vertex moved by up to ~2 m (in EPSG:4547), with a 40 m square hole."""
    parks = bundled_frames().parks.set_index("code")
    shape = parks.loc[PARK, "geometry"]
    shape = max(shapely.get_parts(shape), key=lambda p: p.area)
    x, y = from_cgcs2000(*np.asarray(shape.exterior.coords).T, crs=4547)
    n = np.arange(len(x))
    x = x + 2.0 * np.sin(n * 1.7)
    y = y + 2.0 * np.cos(n * 1.3)
    x[-1], y[-1] = x[0], y[0]
    outer = Polygon(np.column_stack([x, y]))
    c = outer.representative_point()
    hole = box(c.x - 20, c.y - 20, c.x + 20, c.y + 20)
    projected = Polygon(outer.exterior.coords, [hole.exterior.coords])
    assert projected.is_valid
    return shapely.transform(projected, lambda xy: np.column_stack(to_cgcs2000(*xy.T, crs=4547)))


def expected_area_km2() -> float:
    return ellipsoidal_area_km2(surveyed_polygon())


def frame(epsg: int = 4490) -> gpd.GeoDataFrame:
    data = gpd.GeoDataFrame({"name": ["湛河区工业园区"]}, geometry=[surveyed_polygon()], crs=4490)
    return data if epsg == 4490 else data.to_crs(epsg)


def rings_in(epsg: int) -> list[np.ndarray]:
    """Exterior then interior rings of the polygon in ``epsg`` (x = easting), closed."""
    polygon = surveyed_polygon()
    out = []
    for ring in [polygon.exterior, *polygon.interiors]:
        lon, lat = np.asarray(ring.coords).T
        out.append(np.column_stack(from_cgcs2000(lon, lat, crs=epsg)))
    return out


def write_geojson(folder: Path) -> Path:
    path = folder / "zhanhe.geojson"
    frame(4490).to_file(path, driver="GeoJSON")
    return path


def write_shapefile(folder: Path) -> Path:
    path = folder / "shp" / "zhanhe.shp"
    path.parent.mkdir(exist_ok=True)
    frame(4526).to_file(path, driver="ESRI Shapefile", encoding="utf-8")
    return path


def write_shapefile_zip(folder: Path) -> Path:
    shp = write_shapefile(folder)
    path = folder / "zhanhe_shp.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in shp.parent.iterdir():
            archive.write(part, part.name)
    return path


def write_geopackage(folder: Path) -> Path:
    path = folder / "zhanhe.gpkg"
    frame(4547).to_file(path, driver="GPKG", layer="boundary")
    return path


def write_kml(folder: Path) -> Path:
    path = folder / "zhanhe.kml"
    frame(4326).to_file(path, driver="KML")
    return path


def write_kmz(folder: Path) -> Path:
    path = folder / "zhanhe.kmz"
    frame(4326).to_file(path, driver="LIBKML")
    return path


def write_dxf(folder: Path) -> Path:
    """A CAD drawing as the bureau sends it: closed LWPOLYLINEs in EPSG:4526, no CRS."""
    lines = ["0", "SECTION", "2", "ENTITIES"]
    for ring in rings_in(4526):
        lines += ["0", "LWPOLYLINE", "8", "JZX", "90", str(len(ring) - 1), "70", "1"]
        for x, y in ring[:-1]:
            lines += ["10", repr(float(x)), "20", repr(float(y))]
    lines += ["0", "ENDSEC", "0", "EOF"]
    path = folder / "zhanhe.dxf"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def table(epsg: int, *, swapped: bool = False) -> pd.DataFrame:
    """界址点坐标表: 点号, X (northing), Y (easting), 圈号 — one row per corner, rings closed."""
    rows = []
    number = 0
    for ring_no, ring in enumerate(rings_in(epsg), start=1):
        for k, (east, north) in enumerate(ring):
            if k < len(ring) - 1:
                number += 1
            label = f"J{number}" if k < len(ring) - 1 else rows[-(len(ring) - 1)]["点号"]
            x, y = (east, north) if swapped else (north, east)
            rows.append({"点号": label, "X": round(x, 4), "Y": round(y, 4), "圈号": ring_no})
    return pd.DataFrame(rows)


def write_csv_4526(folder: Path, *, swapped: bool = False) -> Path:
    """CSV in EPSG:4526 (eastings with the zone number 38 in front), a title row above."""
    path = folder / ("zhanhe_swapped.csv" if swapped else "zhanhe_jzd.csv")
    body = table(4526, swapped=swapped).to_csv(index=False, float_format="%.4f")
    path.write_text("湛河区工业园区界址点坐标表,,,\n" + body, encoding="utf-8")
    return path


def write_xlsx_4547(folder: Path) -> Path:
    path = folder / "zhanhe_jzd.xlsx"
    table(4547).to_excel(path, index=False)
    return path


def shifted_towards_gaoxin(folder: Path) -> Path:
    """The polygon moved ~1.5x its gap towards gaoxin, so that it overlaps that park."""
    from shapely.affinity import translate
    from shapely.ops import nearest_points

    parks = bundled_frames().parks.set_index("code").to_crs(4547)
    ours = frame(4547).geometry.iloc[0]
    a, b = nearest_points(ours, parks.loc["gaoxin", "geometry"])
    moved = translate(ours, 1.5 * (b.x - a.x) + 150 * np.sign(b.x - a.x), 1.5 * (b.y - a.y))
    path = folder / "zhanhe_shifted.gpkg"
    gpd.GeoDataFrame(geometry=[moved], crs=4547).to_file(path, driver="GPKG")
    return path


def write_bowtie_csv(folder: Path) -> Path:
    """The outer ring with two corners exchanged: a self-intersecting (bow-tie) ring."""
    frame_ = table(4526)
    outer = frame_[frame_["圈号"] == 1].reset_index(drop=True)
    i, j = len(outer) // 4, 3 * len(outer) // 4
    outer.loc[[i, j], ["X", "Y"]] = outer.loc[[j, i], ["X", "Y"]].to_numpy()
    assert not Polygon(outer[["Y", "X"]].to_numpy()).is_valid
    path = folder / "zhanhe_bowtie.csv"
    outer.to_csv(path, index=False, float_format="%.4f")
    return path


def write_ambiguous_csv(folder: Path) -> Path:
    """A local grid: 5-digit numbers that no CRS rule can place."""
    frame_ = table(4526)
    frame_["X"] = (frame_["X"] - 3_700_000).round(3)
    frame_["Y"] = (frame_["Y"] - 38_400_000).round(3)
    path = folder / "zhanhe_local.csv"
    frame_.to_csv(path, index=False)
    return path


def write_truncated_shapefile(folder: Path) -> Path:
    shp = write_shapefile(folder)
    data = shp.read_bytes()
    shp.write_bytes(data[: len(data) // 2])
    return shp


def snapshot(session: object) -> dict[str, list]:
    """Every row of every feature table (geometry as EWKB hex): to compare before/after."""
    from sqlalchemy import text

    out = {}
    for table_name in ("parks", "park_sections", "radiation_points", "zone_declarations"):
        geom = "|| jsonb_build_object('g', encode(ST_AsEWKB(t.geom), 'hex'))" * (
            table_name != "zone_declarations"
        )
        order = "t.key" if table_name == "zone_declarations" else "t.id"
        rows = session.execute(  # type: ignore[attr-defined]
            text(f"SELECT (to_jsonb(t) - 'geom' {geom})::text FROM {table_name} t ORDER BY {order}")
        ).scalars()
        out[table_name] = list(rows)
    session.rollback()  # type: ignore[attr-defined]
    return out
