"""The bundled schematic geometry keeps its promises: declared areas, no overlaps, 宝丰's parts.

Pure file tests (no database): they read the shipped files the way users' tools would, with
GeoPandas, and measure areas on the GRS80 ellipsoid as the store does with ``geography``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from pyproj import Geod
from shapely import union_all
from shapely.geometry import MultiPolygon

from boundaries.industries import INDUSTRY_FAMILY

DATA = Path(__file__).resolve().parents[2] / "boundaries" / "data"
GEOD = Geod(ellps="GRS80")
AREA_RTOL = 1e-3  # the register's promise: within 0.1 % of the declared area
PLACEHOLDER_PRECISION_M = 10_000

REGISTER = yaml.safe_load((DATA / "parks.yaml").read_text(encoding="utf-8"))
DECLARED = {park["code"]: park["declared_area_km2"] for park in REGISTER["parks"]}


def _area_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


@pytest.fixture(scope="module")
def parks() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "geometry" / "parks.geojson").set_index("code", drop=False)


@pytest.fixture(scope="module")
def sections() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "geometry" / "sections.geojson").set_index("code", drop=False)


@pytest.fixture(scope="module")
def points() -> pd.DataFrame:
    return pd.read_csv(DATA / "radiation_points.csv", dtype={"industries": str})


def test_every_register_entry_has_exactly_one_geometry(parks, sections):
    assert sorted(parks["code"]) == sorted(DECLARED)
    assert sorted(sections["code"]) == sorted(s["code"] for s in REGISTER["sections"])


def test_files_declare_cgcs2000(parks, sections):
    assert parks.crs.to_epsg() == 4490
    assert sections.crs.to_epsg() == 4490


@pytest.mark.parametrize("code", sorted(DECLARED))
def test_park_area_matches_declared(parks, code):
    measured = _area_km2(parks.loc[code, "geometry"])
    assert measured == pytest.approx(DECLARED[code], rel=AREA_RTOL)


def test_all_geometries_valid_polygons(parks, sections):
    for frame in (parks, sections):
        assert frame.geometry.is_valid.all(), frame.loc[~frame.geometry.is_valid, "code"].tolist()
        assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}


def test_parks_do_not_overlap(parks):
    for (a, ga), (b, gb) in itertools.combinations(parks.geometry.items(), 2):
        assert ga.intersection(gb).area == 0, f"{a} overlaps {b}"


def test_sections_do_not_overlap(sections):
    for (a, ga), (b, gb) in itertools.combinations(sections.geometry.items(), 2):
        assert ga.intersection(gb).area == 0, f"{a} overlaps {b}"


def test_baofeng_is_the_union_of_its_sections(parks, sections):
    baofeng = parks.loc["baofeng", "geometry"]
    assert isinstance(baofeng, MultiPolygon)
    assert len(baofeng.geoms) == len(sections)
    assert baofeng.equals(union_all(list(sections.geometry)))
    total = sum(_area_km2(geom) for geom in sections.geometry)
    assert total == pytest.approx(DECLARED["baofeng"], rel=AREA_RTOL)


def test_every_section_lies_inside_its_park(parks, sections):
    for section in REGISTER["sections"]:
        park = parks.loc[section["park"], "geometry"]
        assert park.covers(sections.loc[section["code"], "geometry"]), section["code"]


def test_geometry_carries_provenance(parks, sections):
    for frame in (parks, sections):
        assert set(frame["geometry_source"]) <= {"schematic", "surveyed"}
        assert frame["provenance"].str.len().min() > 40
        assert frame["provenance_date"].astype(str).str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
        assert (frame["precision_m"] > 0).all()


def test_all_34_radiation_points_present_with_precision(points):
    assert list(points["code"]) == [f"rp-{n:02d}" for n in range(1, 35)]
    assert list(points["seq"]) == list(range(1, 35))
    assert points["location_precision_m"].notna().all()
    assert (points["location_precision_m"] > 0).all()
    assert points["location_note"].str.len().min() > 10
    assert points["lon"].between(112.2, 113.8).all() and points["lat"].between(33.0, 34.4).all()


def test_unlocated_points_carry_placeholder_precision(points):
    unlocated = points[~points["located"]]
    assert not unlocated.empty
    assert (unlocated["location_precision_m"] >= PLACEHOLDER_PRECISION_M).all()
    assert (points.loc[points["located"], "location_precision_m"] < PLACEHOLDER_PRECISION_M).all()


def test_point_industries_are_seed_terms(points):
    terms = points["industries"].dropna().str.split(";").explode()
    assert set(terms) <= set(INDUSTRY_FAMILY)
