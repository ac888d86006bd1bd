"""The spatial layout map: the seven parks by tier, 宝丰's four 组团, and the radiation points.

One call builds the whole map; ``render_html`` turns it into a page. The service route and the
CLI call exactly these two functions.
"""

from __future__ import annotations

import logging

import folium

from boundaries.frames import Frames
from maps.interactive.controls import PageStyle
from maps.interactive.layers import (
    PIN_PRECISION_LIMIT_M,
    add_common_controls,
    add_park_labels,
    add_sections,
    base_map,
    category_label,
    cluster,
    cluster_css,
    feature_collection,
    geojson_layer,
    park_properties,
    point_layer,
    swatch_row,
)
from maps.style import CATEGORY_STYLE, TIER_COLORS

log = logging.getLogger(__name__)

TITLE = "平顶山高新区“一区多园”空间布局"


def layout_map(
    frames: Frames,
    *,
    basemap: str = "osm",
    tianditu_key: str | None = None,
    asset_base: str | None = None,
    locate_url: str | None = None,
) -> folium.Map:
    """Build the layout map of the parks, sections and radiation points.

    Parameters
    ----------
    frames
        Parks, sections and points in EPSG:4490 (``boundaries.frames``).
    basemap
        "osm" (default), "tianditu" (needs ``tianditu_key``), "amap" (all overlays are
        shifted to GCJ-02 to match its tiles) or "none".
    asset_base
        URL under which ``maps.interactive.ASSET_DIR`` is served, for ``render_html`` with
        ``standalone=False`` (default "/static/maps/").
    locate_url
        The service's locate endpoint; when given, a click on the map asks it whether the spot
        lies inside a park.
    """
    m, shown, datum, tiles = base_map(
        frames, basemap=basemap, tianditu_key=tianditu_key, asset_base=asset_base
    )
    parks_by_tier = _add_parks(m, shown)
    sections = add_sections(m, shown)
    add_park_labels(m, shown.parks, shown.sections)
    point_groups = _add_points(m, shown)
    add_common_controls(
        m,
        shown,
        title=TITLE,
        legend_html=_legend(shown),
        search_layers=[*parks_by_tier, sections, *point_groups],
        tiles=tiles,
        datum=datum,
        locate_url=locate_url,
    )
    return m


def _add_parks(m: folium.Map, frames: Frames) -> list[folium.GeoJson]:
    layers = []
    tiers = list(TIER_COLORS) + sorted(set(frames.parks["tier"]) - set(TIER_COLORS))
    for tier in tiers:
        parks = frames.parks[frames.parks["tier"] == tier]
        if parks.empty:
            continue
        color = TIER_COLORS.get(tier, "#6b7280")
        style = {"color": color, "weight": 2, "fillColor": color, "fillOpacity": 0.3}
        name = f'<span class="pg-swatch" style="--c:{color}"></span> {tier}（{len(parks)} 个园区）'
        layer = geojson_layer(
            feature_collection(parks, park_properties(style, tier=tier)), name=name
        )
        layer.add_to(m)
        layers.append(layer)
    return layers


def _add_points(m: folium.Map, frames: Frames) -> list[folium.FeatureGroup]:
    groups = []
    colors = []
    categories = list(CATEGORY_STYLE) + sorted(set(frames.points["category"]) - set(CATEGORY_STYLE))
    for category in categories:
        points = frames.points[frames.points["category"] == category]
        if points.empty:
            continue
        _, color, icon = CATEGORY_STYLE.get(category, (category, "#555555", "circle"))
        colors.append(color)
        group = folium.FeatureGroup(name=category_label(category, len(points)))
        pins = cluster(color).add_to(group)
        for row in points.to_dict("records"):
            layer, is_circle = point_layer(row, color=color, icon=icon)
            layer.add_to(group if is_circle else pins)
        group.add_to(m)
        groups.append(group)
    PageStyle(cluster_css(colors)).add_to(m)
    return groups


def _legend(frames: Frames) -> str:
    rows = ["<h5>园区层级</h5>"]
    for tier, color in TIER_COLORS.items():
        count = int((frames.parks["tier"] == tier).sum())
        rows.append(swatch_row(color, f"{tier}（{count}）"))
    rows.append(swatch_row("#111827", "宝丰园组团界线", "outline"))
    rows.append("<h5>辐射带动单位</h5>")
    for category, (label, color, icon) in CATEGORY_STYLE.items():
        if (frames.points["category"] == category).any():
            rows.append(
                f'<div class="pg-legend-row"><span class="pg-pin-icon" style="--c:{color}">'
                f'<i class="fa-solid fa-{icon}"></i></span>{label}</div>'
            )
    rows.append(
        swatch_row(
            "#6b7280", f"位置未精确（圆半径 = 定位精度，> {PIN_PRECISION_LIMIT_M:.0f} m）", "circle"
        )
    )
    return "".join(rows)
