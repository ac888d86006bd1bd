import json
import math

import mapbox_vector_tile
import pytest
from shapely.geometry import box, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries import ogc, tiles
from boundaries.frames import bundled_frames
from boundaries.layer_crs import CGCS2000, CRS84, GCJ02, resolve_crs
from geo.chinese_datums import wgs84_to_gcj02
from geo.errors import InvalidInput, NotFound


def _codes(page: ogc.ItemsPage) -> list[str]:
    return [feature["id"] for feature in json.loads(page.features)]


def test_pages_cover_the_collection_in_order(session: Session) -> None:
    seen: list[str] = []
    offset = 0
    while True:
        page = ogc.items(session, ogc.ItemsQuery("radiation_points", limit=8, offset=offset))
        assert page.matched == 34
        if page.returned == 0:
            break
        seen += _codes(page)
        offset += 8
    assert seen == [f"rp-{n:02d}" for n in range(1, 35)]


def test_properties_are_the_register_attributes(session: Session) -> None:
    feature = json.loads(ogc.item(session, "parks", "gaoxin"))
    props = feature["properties"]
    assert props["name"] == "平顶山高新技术产业开发区"
    assert props["industries"] == ["装备制造", "尼龙新材料", "新能源装备"]
    assert props["families"] == ["equipment", "materials"]  # legend order
    assert props["geometry_source"] == "schematic"
    assert "valid_to" not in props and "geom" not in props
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert "crs" not in feature["geometry"]


def test_property_filters(session: Session) -> None:
    def codes(collection: str, **filters: object) -> set[str]:
        query = ogc.ItemsQuery(collection, limit=100, filters=filters)
        return set(_codes(ogc.items(session, query)))

    frames = bundled_frames()
    parks, points = frames.parks, frames.points
    assert codes("parks", tier="新增空间范围") == set(parks.code[parks.tier == "新增空间范围"])
    with_nylon = {r.code for r in points.itertuples() if "尼龙新材料" in r.industries}
    assert codes("radiation_points", industry="尼龙新材料") == with_nylon
    # a park spanning several districts matches each of them
    assert "gaoxin" in codes("parks", district="湛河区")
    assert codes("radiation_points", category="university", located=True) == {"rp-28", "rp-29"}
    unlocated = set(points.code[~points.located])
    assert codes("radiation_points", located=False) == unlocated
    assert codes("park_sections", zone_area="片区2(西区)") == set(
        frames.sections.code[frames.sections.zone_area == "片区2(西区)"]
    )
    chemicals = {r.code for r in parks.itertuples() if "chemicals" in r.families}
    assert codes("parks", family="chemicals") == chemicals


def test_sql_in_values_is_just_a_value(session: Session) -> None:
    hostile = "x' OR '1'='1'; DROP TABLE parks; --"
    page = ogc.items(session, ogc.ItemsQuery("parks", filters={"tier": hostile}))
    assert page.matched == 0
    assert session.execute(text("SELECT count(*) FROM parks")).scalar_one() >= 7


def test_bbox_selects_what_intersects_it(session: Session) -> None:
    frames = bundled_frames()
    window = (113.35, 33.65, 113.45, 33.75)
    expected = set(frames.points.code[frames.points.intersects(box(*window))])
    page = ogc.items(session, ogc.ItemsQuery("radiation_points", limit=100, bbox=window))
    assert set(_codes(page)) == expected and expected
    # the same box given in EPSG:4490 order (lat, lon)
    latlon = ogc.parse_bbox("33.65,113.35,33.75,113.45", CGCS2000)
    assert latlon == pytest.approx(window)


@pytest.mark.parametrize(
    "value", ["1,2,3", "a,b,c,d", "113.5,33.6,113.3,33.8", "113,33,114,95", "nan,1,2,3"]
)
def test_bad_bbox_is_rejected_with_the_value(value: str) -> None:
    with pytest.raises(InvalidInput, match="bbox"):
        ogc.parse_bbox(value, CRS84)


def test_output_crs(session: Session) -> None:
    plain = json.loads(ogc.item(session, "radiation_points", "rp-28"))["geometry"]["coordinates"]
    flipped = json.loads(ogc.item(session, "radiation_points", "rp-28", CGCS2000))
    assert flipped["geometry"]["coordinates"] == [plain[1], plain[0]]
    mars = json.loads(ogc.item(session, "radiation_points", "rp-28", GCJ02))
    expected = wgs84_to_gcj02(*plain)
    assert mars["geometry"]["coordinates"] == pytest.approx(list(expected), abs=1e-7)
    assert resolve_crs("gcj02") is GCJ02 and resolve_crs(None) is CRS84
    with pytest.raises(InvalidInput, match="EPSG:3857"):
        resolve_crs("EPSG:3857")


def test_unknown_feature_and_collection(session: Session) -> None:
    with pytest.raises(NotFound, match="nowhere"):
        ogc.item(session, "parks", "nowhere")
    with pytest.raises(NotFound, match="known: parks"):
        ogc.items(session, ogc.ItemsQuery("../etc/passwd"))


def _tile_of(lon: float, lat: float, z: int) -> tiles.TileAddress:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return tiles.TileAddress(z, x, y)


def _tile_box(address: tiles.TileAddress) -> box:
    n = 2**address.z

    def lat(y: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))

    return box(
        address.x / n * 360 - 180,
        lat(address.y + 1),
        (address.x + 1) / n * 360 - 180,
        lat(address.y),
    )


def test_a_tile_over_gaoxin_holds_the_right_features(session: Session) -> None:
    frames = bundled_frames()
    gaoxin = frames.parks.set_index("code").geometry["gaoxin"].representative_point()
    address = _tile_of(gaoxin.x, gaoxin.y, 12)
    decoded = mapbox_vector_tile.decode(tiles.tile(session, "parks", address))
    found = {f["properties"]["code"] for f in decoded["parks"]["features"]}
    expected = set(frames.parks.code[frames.parks.intersects(_tile_box(address))])
    assert "gaoxin" in found and found == expected
    props = next(
        f["properties"] for f in decoded["parks"]["features"] if f["properties"]["code"] == "gaoxin"
    )
    assert props["name"] == "平顶山高新技术产业开发区"
    assert props["industries"] == "装备制造、尼龙新材料、新能源装备"


def test_an_empty_tile_is_empty_bytes(session: Session) -> None:
    assert tiles.tile(session, "parks", tiles.TileAddress(12, 0, 0)) == b""
    assert mapbox_vector_tile.decode(b"") == {}


@pytest.mark.parametrize(
    ("zxy", "error"),
    [
        (("a", "0", "0"), InvalidInput),
        (("23", "0", "0"), InvalidInput),
        (("2", "4", "0"), NotFound),
        (("2", "0", "-1"), NotFound),
    ],
)
def test_bad_tile_addresses(zxy: tuple[str, str, str], error: type[Exception]) -> None:
    with pytest.raises(error, match="tile"):
        tiles.parse_tile(*zxy)


def test_geometry_matches_the_bundled_file(session: Session) -> None:
    frames = bundled_frames().sections.set_index("code")
    page = ogc.items(session, ogc.ItemsQuery("park_sections", limit=100))
    for feature in json.loads(page.features):
        stored = shape(feature["geometry"])
        assert stored.symmetric_difference(frames.geometry[feature["id"]]).area < 1e-10
