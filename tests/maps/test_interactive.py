"""The interactive maps as HTML: offline resources, basemaps and datums, what is drawn."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from pathlib import Path

import folium
import pytest
from folium.plugins import MarkerCluster

from boundaries.frames import Frames, bundled_frames
from geo.chinese_datums import wgs84_to_gcj02
from geo.errors import InvalidInput
from maps import offline
from maps.interactive import ASSET_DIR, industry_map, layout_map, render_html
from maps.interactive.layers import PIN_PRECISION_LIMIT_M
from maps.style import SCHEMATIC_NOTE

BUILDERS = {"layout": layout_map, "industry": industry_map}


@pytest.fixture(scope="module")
def frames() -> Frames:
    return bundled_frames()


class _Resources(HTMLParser):
    """Every <script src> and <link href> of a page, plus whether inline style/script exist."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.scripts.append(found["src"] or "")
        if tag == "link" and found.get("href"):
            self.links.append(found["href"] or "")


def _resources(html: str) -> _Resources:
    parser = _Resources()
    parser.feed(html)
    return parser


def _is_remote(url: str) -> bool:
    return url.lower().startswith(("http:", "https:", "//"))


def _walk(element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _features(m: folium.Map, kind: str) -> list[dict]:
    return [
        feature
        for element in _walk(m)
        if isinstance(element, folium.GeoJson)
        for feature in element.data["features"]
        if feature["properties"].get("kind") == kind
    ]


def _point_layers(m: folium.Map) -> list:
    return [
        element
        for element in _walk(m)
        if getattr(element, "options", None) and element.options.get("parkgeoKind") == "point"
    ]


@pytest.mark.parametrize("standalone", [True, False], ids=["standalone", "linked"])
@pytest.mark.parametrize("which", list(BUILDERS))
def test_no_script_or_stylesheet_from_the_internet(frames, which, standalone):
    m = BUILDERS[which](frames, basemap="osm", tianditu_key="k")
    found = _resources(render_html(m, standalone=standalone))
    remote = [url for url in found.scripts + found.links if _is_remote(url)]
    assert remote == []
    if standalone:
        assert found.scripts == [] and found.links == [], "standalone must inline everything"
    else:
        assert len(found.scripts) >= 6 and len(found.links) >= 6


def test_standalone_inlines_fonts_and_images(frames):
    html = render_html(layout_map(frames, basemap="none"), standalone=True)
    assert "data:font/woff2;base64," in html
    assert "data:image/png;base64," in html
    assert "L.Control.Search" in html and "L.Control.MiniMap" in html


def test_linked_assets_exist_under_asset_base(frames):
    m = industry_map(frames, basemap="none", asset_base="/static/maps/")
    found = _resources(render_html(m, standalone=False))
    for url in found.scripts + found.links:
        assert url.startswith("/static/maps/"), url
        assert (ASSET_DIR / url.removeprefix("/static/maps/")).is_file(), url


def test_folium_class_defaults_are_left_alone(frames):
    render_html(layout_map(frames), standalone=True)
    assert folium.Map.default_js[0][1].startswith("https://")
    assert MarkerCluster.default_js[0][1].startswith("https://")
    # a plain folium map made afterwards is unaffected by ours
    assert "cdn.jsdelivr.net" in folium.Map().get_root().render()


def test_unvendored_plugin_is_an_error_not_a_cdn_link(frames):
    from folium.plugins import Draw

    m = layout_map(frames, basemap="none")
    Draw().add_to(m)
    with pytest.raises(ValueError, match="not vendored"):
        render_html(m, standalone=False)


def test_counts_drawn(frames):
    for build in BUILDERS.values():
        m = build(frames, basemap="none")
        assert {f["properties"]["code"] for f in _features(m, "park")} == set(frames.parks["code"])
        assert len(_features(m, "section")) == len(frames.sections) == 4
        codes = {layer.options["parkgeoCode"] for layer in _point_layers(m)}
        assert codes == set(frames.points["code"]) and len(codes) == 34


def test_imprecise_points_are_circles_not_pins(frames):
    m = layout_map(frames, basemap="none")
    points = frames.points.set_index("code")
    for layer in _point_layers(m):
        row = points.loc[layer.options["parkgeoCode"]]
        imprecise = (not row["located"]) or row["location_precision_m"] > PIN_PRECISION_LIMIT_M
        assert isinstance(layer, folium.Circle) == imprecise, row["name"]
        if imprecise:
            assert layer.options["radius"] == row["location_precision_m"]


def test_amap_overlays_are_gcj02(frames):
    park = frames.parks.iloc[0]
    lon, lat = (
        park.geometry.exterior.coords[0]
        if park.geometry.geom_type == "Polygon"
        else (park.geometry.geoms[0].exterior.coords[0])
    )

    def first_vertex(m: folium.Map) -> tuple[float, float]:
        feature = next(f for f in _features(m, "park") if f["properties"]["code"] == park["code"])
        rings = feature["geometry"]["coordinates"]
        ring = rings[0] if feature["geometry"]["type"] == "Polygon" else rings[0][0]
        return ring[0]

    assert first_vertex(layout_map(frames, basemap="osm")) == pytest.approx((lon, lat), abs=1e-12)
    expected = wgs84_to_gcj02(lon, lat)
    shifted = first_vertex(layout_map(frames, basemap="amap"))
    assert shifted == pytest.approx(expected, abs=1e-12)
    assert abs(shifted[0] - lon) > 1e-4  # a few hundred metres, not a no-op
    assert "autonavi.com" in render_html(industry_map(frames, basemap="amap"), standalone=False)


def test_tianditu_needs_a_key(frames, caplog):
    with caplog.at_level(logging.WARNING):
        html = render_html(layout_map(frames, basemap="tianditu"), standalone=False)
    assert "tianditu.gov.cn" not in html and "tile.openstreetmap.org" in html
    assert any("Tianditu key" in r.getMessage() for r in caplog.records)
    html = render_html(layout_map(frames, basemap="tianditu", tianditu_key="abc"), standalone=False)
    assert "vec_w/wmts" in html and "cva_w/wmts" in html and "tk=abc" in html


def test_basemap_none_has_no_tiles_and_unknown_basemap_fails(frames):
    html = render_html(layout_map(frames, basemap="none"), standalone=False)
    assert "L.tileLayer" not in html
    with pytest.raises(InvalidInput, match="unknown basemap"):
        layout_map(frames, basemap="google")


def test_popups_and_labels_say_what_planners_ask(frames):
    html = _unescape(render_html(layout_map(frames, basemap="none"), standalone=False))
    park = frames.parks.iloc[0]
    for text in ("申报面积", "测算面积", "四至", "主导产业", "边界来源", "示意", park["name"]):
        assert text in html, text
    for name in frames.sections["name"]:
        assert name in html


def test_schematic_note_only_while_schematic(frames):
    html = render_html(layout_map(frames, basemap="none"), standalone=False)
    assert SCHEMATIC_NOTE in _unescape(html)
    surveyed = Frames(
        parks=frames.parks.assign(geometry_source="surveyed"),
        sections=frames.sections.assign(geometry_source="surveyed"),
        points=frames.points,
    )
    assert SCHEMATIC_NOTE not in _unescape(render_html(layout_map(surveyed), standalone=False))


def test_industry_layers_hold_each_park_of_their_family(frames):
    m = industry_map(frames, basemap="none")
    for family in ("equipment", "materials", "chemicals", "biopharma"):
        drawn = {
            f["properties"]["code"]
            for f in _features(m, "park")
            if f["properties"].get("family") == family
        }
        expected = {
            code
            for code, fams in zip(frames.parks["code"], frames.parks["families"], strict=True)
            if family in fams
        }
        assert drawn == expected, family
    html = _unescape(render_html(m, standalone=False))
    assert "产业 × 园区矩阵" in html and "尼龙新材料" in html


def test_locate_click_is_wired_with_wgs84(frames):
    html = render_html(layout_map(frames, locate_url="/locate"), standalone=False)
    assert '"/locate"' in html and "&crs=wgs84" in html and "pgGcj02ToWgs84" not in html
    html = render_html(layout_map(frames, basemap="amap", locate_url="/locate"), standalone=False)
    assert "pgGcj02ToWgs84(lon, lat)" in html


def test_asset_dir_is_the_vendored_tree():
    assert Path(offline.__file__).parent / "assets" == ASSET_DIR
    assert (ASSET_DIR / "LICENSES.md").is_file()
    for path in offline.LOCAL_ASSETS.values():
        if path is not None:
            assert (ASSET_DIR / path).is_file(), path


def _unescape(html: str) -> str:
    """Page text with JSON \\uXXXX escapes (Folium's tojson) turned back into characters."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), html)
