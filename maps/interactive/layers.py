"""Building blocks shared by the layout and industry maps: the base map, park and section
shapes, labels, radiation points and the common controls.

Every drawn feature carries ``kind`` and ``code`` (GeoJSON properties, or ``parkgeoKind`` /
``parkgeoCode`` marker options), so tests and scripts can count what a page really drew.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

import folium
import geopandas as gpd
from folium.plugins import Fullscreen, MarkerCluster, MeasureControl
from folium.utilities import JsCode
from shapely.geometry import Point, mapping

from boundaries.frames import Frames
from maps import offline
from maps.interactive.basemaps import Datum, Tiles, add_tiles, resolve_basemap, to_datum
from maps.interactive.controls import (
    HtmlControl,
    LocateOnClick,
    MetricScale,
    NameSearch,
    PageStyle,
    ParkMiniMap,
)
from maps.interactive.popups import park_popup, point_popup, section_popup
from maps.style import CATEGORY_STYLE, SCHEMATIC_NOTE

log = logging.getLogger(__name__)

#: Points less precise than this draw as a circle of that radius rather than a pin.
PIN_PRECISION_LIMIT_M = 1000.0
#: Radius for a point that is not located and states no precision.
UNLOCATED_RADIUS_M = 3000.0
SECTION_STYLE = {
    "color": "#111827",
    "weight": 2,
    "dashArray": "6 4",
    "fill": True,
    "fillColor": "#111827",
    "fillOpacity": 0.0,
}

# Per feature: popup, sticky tooltip, and a hover emphasis that returns to the stored style.
_ON_EACH_FEATURE = JsCode(
    """
    function (feature, layer) {
        var p = feature.properties;
        if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 400}); }
        if (p.tooltip) { layer.bindTooltip(p.tooltip, {sticky: true}); }
        if (layer.setStyle) {
            layer.on('mouseover', function () {
                layer.setStyle({weight: (p.style.weight || 2) + 2,
                                fillOpacity: Math.min(1, (p.style.fillOpacity || 0) + 0.15)});
            });
            layer.on('mouseout', function () { layer.setStyle(p.style); });
        }
    }
    """
)


def base_map(
    frames: Frames,
    *,
    basemap: str,
    tianditu_key: str | None,
    asset_base: str | None,
) -> tuple[folium.Map, Frames, Datum, list[Tiles]]:
    """An empty map fitted to the parks and points, and the frames moved to its datum."""
    tiles, datum = resolve_basemap(basemap, tianditu_key)
    shown = Frames(
        parks=to_datum(frames.parks, datum),
        sections=to_datum(frames.sections, datum),
        points=to_datum(frames.points, datum),
    )
    m = folium.Map(
        tiles=None,
        control_scale=False,
        zoom_control=True,
        prefer_canvas=False,
        # Leaflet options: a map without tile layers has no zoom range, which markercluster needs
        minZoom=5,
        maxZoom=18,
    )
    offline.set_asset_base(m, asset_base)
    add_tiles(m, tiles)
    PageStyle().add_to(m)
    # the parks, not the points: unlocated points' circles would zoom the parks out of sight
    bounds = _bounds(shown.parks)
    if bounds:
        m.fit_bounds(bounds, padding=(20, 20))
    return m, shown, datum, tiles


def feature_collection(
    frame: gpd.GeoDataFrame, properties: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """GeoJSON of ``frame`` with properties built per row (popup, style, search name...)."""
    features = []
    for row in frame.to_dict("records"):
        geometry = row.pop("geometry")
        if geometry is None or geometry.is_empty:
            log.warning("feature %s has no geometry; not drawn", row.get("code"))
            continue
        features.append(
            {"type": "Feature", "geometry": mapping(geometry), "properties": properties(row)}
        )
    return {"type": "FeatureCollection", "features": features}


def geojson_layer(
    data: dict[str, Any], *, name: str | None = None, control: bool = True, show: bool = True
) -> folium.GeoJson:
    """A GeoJSON layer styled from each feature's ``style`` property, not bubbling clicks."""
    return folium.GeoJson(
        data,
        name=name,
        control=control,
        show=show,
        on_each_feature=_ON_EACH_FEATURE,
        bubbling_mouse_events=False,
    )


def park_properties(style: dict[str, Any], **extra: Any) -> Callable[[dict], dict]:
    """Properties of a park feature; ``style`` may be refined per row by ``extra['style_of']``."""
    style_of = extra.pop("style_of", None)

    def build(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": "park",
            "code": row["code"],
            "name": row["name"],
            "search_name": _search_name(row),
            "tooltip": escape(str(row.get("short_name") or row["name"])),
            "popup": park_popup(row),
            "style": style_of(row) if style_of else style,
            **extra,
        }

    return build


def add_sections(
    m: folium.Map, frames: Frames, *, name: str = "宝丰园 四个组团"
) -> folium.FeatureGroup:
    """宝丰's 组团 as dashed outlines with their names; clicks show the section popup."""
    park_names = dict(zip(frames.parks["code"], frames.parks["name"], strict=False))
    group = folium.FeatureGroup(name=f"{outline_swatch()} {name}")

    def build(row: dict[str, Any]) -> dict[str, Any]:
        park = park_names.get(row["park"], row["park"])
        return {
            "kind": "section",
            "code": row["code"],
            "name": row["name"],
            "search_name": f"{row['name']}（{park}）",
            "tooltip": escape(f"{park} · {row['name']}"),
            "popup": section_popup(row, park),
            "style": SECTION_STYLE,
        }

    geojson_layer(feature_collection(frames.sections, build), control=False).add_to(group)
    for row in frames.sections.to_dict("records"):
        _label(row["geometry"], row["name"], "pg-section").add_to(group)
    group.add_to(m)
    return group


def add_park_labels(
    m: folium.Map, parks: gpd.GeoDataFrame, sections: gpd.GeoDataFrame
) -> folium.FeatureGroup:
    """Park short names at a point inside each park (not the centroid, which may fall outside).

    A park whose sections carry their own labels (宝丰) is named just above its extent instead.
    """
    group = folium.FeatureGroup(name="园区名称")
    sectioned = set(sections["park"])
    for row in parks.to_dict("records"):
        text = row.get("short_name") or row["name"]
        if row["code"] in sectioned:
            west, _, east, north = row["geometry"].bounds
            _label(Point((west + east) / 2, north), text, "pg-above").add_to(group)
        else:
            _label(row["geometry"], text, "").add_to(group)
    group.add_to(m)
    return group


def point_layer(
    row: dict[str, Any], *, color: str, icon: str
) -> tuple[folium.Marker | folium.Circle, bool]:
    """A radiation point: a pin when precisely located, else a precision circle.

    Returns the layer and whether it is a circle. A point that is not located sits on a
    placeholder; drawing a pin there would claim a position we do not know.
    """
    precision = _float(row.get("location_precision_m"))
    located = bool(row.get("located"))
    approximate = not located or (precision is not None and precision > PIN_PRECISION_LIMIT_M)
    geometry = row["geometry"]
    location = (geometry.y, geometry.x)
    # camelCase as Leaflet sees them; Circle drops unknown keyword options, so set them after
    tags = {"parkgeoKind": "point", "parkgeoCode": row["code"], "searchName": row["name"]}
    if approximate:
        radius = precision if precision is not None else UNLOCATED_RADIUS_M
        popup = point_popup(row, approximate=True, radius_m=radius)
        circle = folium.Circle(
            location=location,
            radius=radius,
            color=color,
            weight=1.5,
            opacity=0.75,
            dash_array="5 4",
            # no fill: a 15 km circle must not swallow clicks meant for parks or the map
            fill=False,
            popup=folium.Popup(popup, max_width=380),
            tooltip=f"{row['name']}（近似位置）",
            bubbling_mouse_events=False,
        )
        circle.options.update(tags)
        return circle, True
    popup = point_popup(row, approximate=False, radius_m=precision)
    marker = folium.Marker(
        location=location,
        icon=folium.DivIcon(
            html=(
                f'<div class="pg-pin" style="--c:{color}"><i class="fa-solid fa-{icon}"></i></div>'
            ),
            icon_size=(26, 26),
            icon_anchor=(13, 13),
            class_name="pg-pin-wrap",
        ),
        popup=folium.Popup(popup, max_width=380),
        tooltip=str(row["name"]),
        **tags,
    )
    return marker, False


def cluster(color: str) -> MarkerCluster:
    """A marker cluster whose bubbles take the category colour (see ``cluster_css``)."""
    css = f"pg-cluster pg-c-{color.lstrip('#')}"
    create = (
        "function (cluster) { return L.divIcon({html: '<div>' + cluster.getChildCount() + "
        f"'</div>', className: '{css}', iconSize: L.point(40, 40)}}); }}"
    )
    return MarkerCluster(
        control=False,
        options={"showCoverageOnHover": False, "maxClusterRadius": 40},
        icon_create_function=create,
    )


def cluster_css(colors: Iterable[str]) -> str:
    """CSS giving each cluster class its colour (a divIcon cannot carry inline style)."""
    return "".join(f".pg-c-{c.lstrip('#')} {{ --c: {c}; }}" for c in sorted(set(colors)))


def category_label(category: str, count: int) -> str:
    """Layer-control label of a point category: its icon badge, name and count."""
    label, color, icon = CATEGORY_STYLE.get(category, (category, "#555555", "circle"))
    return (
        f'<span class="pg-pin-icon" style="--c:{color}"><i class="fa-solid fa-{icon}"></i>'
        f"</span> {escape(label)}（{count}）"
    )


def add_common_controls(
    m: folium.Map,
    frames: Frames,
    *,
    title: str,
    legend_html: str,
    search_layers: list[Any],
    tiles: list[Tiles],
    datum: Datum,
    locate_url: str | None = None,
    minimap: bool = True,
) -> None:
    """Title and 示意 note, legend, search, fullscreen, measure, minimap, scale, layers."""
    banner = f'<div class="pg-title">{escape(title)}</div>'
    if any_schematic(frames):
        banner += f'<div class="pg-schematic">{escape(SCHEMATIC_NOTE)}</div>'
    HtmlControl(banner, position="topcenter", css_class="pg-banner").add_to(m)
    HtmlControl(legend_html, position="bottomleft", css_class="pg-legend").add_to(m)
    NameSearch(search_layers).add_to(m)
    Fullscreen(position="topleft", title="全屏", title_cancel="退出全屏").add_to(m)
    MeasureControl(
        position="topleft",
        primary_length_unit="meters",
        secondary_length_unit="kilometers",
        primary_area_unit="sqmeters",
        secondary_area_unit="hectares",
        localization="cn",
    ).add_to(m)
    if minimap:
        outline = feature_collection(
            frames.parks[["code", "geometry"]],
            lambda row: {"style": {"color": "#374151", "weight": 1, "fillOpacity": 0.25}},
        )
        ParkMiniMap(outline, tiles).add_to(m)
    MetricScale().add_to(m)
    if locate_url:
        LocateOnClick(locate_url, datum).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)


def any_schematic(frames: Frames) -> bool:
    """True while any drawn park or section boundary is schematic."""
    sources = list(frames.parks["geometry_source"]) + list(frames.sections["geometry_source"])
    return any(source == "schematic" for source in sources)


def swatch_row(color: str, text: str, shape: str = "fill") -> str:
    """One legend line: a swatch (filled box, dashed outline or dashed circle) and its label."""
    if shape == "fill":
        swatch = f'<span class="pg-swatch" style="--c:{color}"></span>'
    else:
        figure = (
            f'<circle cx="9" cy="7" r="6" fill="none" stroke="{color}" stroke-width="1.5" '
            'stroke-dasharray="3 2"/>'
            if shape == "circle"
            else f'<rect x="1" y="1" width="16" height="12" fill="none" stroke="{color}" '
            'stroke-width="1.6" stroke-dasharray="4 2"/>'
        )
        swatch = f'<svg width="18" height="14" aria-hidden="true">{figure}</svg>'
    return f'<div class="pg-legend-row">{swatch}{escape(text)}</div>'


def outline_swatch(color: str = "#111827") -> str:
    """The dashed-outline swatch of the sections, for layer-control labels."""
    return (
        f'<svg width="18" height="14" aria-hidden="true"><rect x="1" y="1" width="16" '
        f'height="12" fill="none" stroke="{color}" stroke-width="1.6" '
        'stroke-dasharray="4 2"/></svg>'
    )


def _label(geometry: Any, text: str, css: str) -> folium.Marker:
    at = geometry if isinstance(geometry, Point) else geometry.representative_point()
    return folium.Marker(
        location=(at.y, at.x),
        icon=folium.DivIcon(
            html=f"<span>{escape(str(text))}</span>",
            icon_size=(0, 0),
            class_name=f"pg-label {css}".strip(),
        ),
        interactive=False,
        keyboard=False,
        parkgeoKind="label",
    )


def _search_name(row: dict[str, Any]) -> str:
    short = row.get("short_name")
    return f"{short}（{row['name']}）" if short and short != row["name"] else str(row["name"])


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _bounds(*frames: gpd.GeoDataFrame) -> list[list[float]] | None:
    boxes = [f.total_bounds for f in frames if len(f)]
    if not boxes:
        return None
    west = min(b[0] for b in boxes)
    south = min(b[1] for b in boxes)
    east = max(b[2] for b in boxes)
    north = max(b[3] for b in boxes)
    return [[south, west], [north, east]]
