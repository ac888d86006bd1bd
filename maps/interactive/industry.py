"""The industry distribution map: one switchable layer per industry family.

A park with industries in several families appears in each family's layer, so switching on
装备制造类 and 化工类 together shows where they meet. Radiation points join the layers of the
families of their industries; points with no known industry get a layer of their own.
"""

from __future__ import annotations

import logging
from html import escape

import folium

from boundaries.frames import Frames
from boundaries.industries import FAMILIES, INDUSTRY_FAMILY
from maps.interactive.controls import HtmlControl
from maps.interactive.layers import (
    add_common_controls,
    add_park_labels,
    add_sections,
    base_map,
    feature_collection,
    geojson_layer,
    park_properties,
    point_layer,
    swatch_row,
)
from maps.style import CATEGORY_STYLE, FAMILY_COLORS

log = logging.getLogger(__name__)

TITLE = "平顶山高新区“一区多园”主导产业分布"
NO_FAMILY = "none"
NO_FAMILY_LABEL = "产业未标注"
NO_FAMILY_COLOR = "#6b7280"


def industry_map(
    frames: Frames,
    *,
    basemap: str = "osm",
    tianditu_key: str | None = None,
    asset_base: str | None = None,
) -> folium.Map:
    """Build the industry map: family layers, colour legend and the industry × park matrix.

    Parameters are those of ``layout_map`` (without click-to-locate).
    """
    m, shown, datum, tiles = base_map(
        frames, basemap=basemap, tianditu_key=tianditu_key, asset_base=asset_base
    )
    families = [code for code in FAMILIES if _has_family(shown, code)]
    if _has_family(shown, NO_FAMILY):
        families.append(NO_FAMILY)
    # keep the parks clear of the matrix panel in the bottom-right corner
    m.fit_bounds(_park_bounds(shown), padding_top_left=(20, 60), padding_bottom_right=(300, 20))
    groups = [_family_layer(shown, code) for code in families]
    for group in groups:
        group.add_to(m)
    sections = add_sections(m, shown)
    add_park_labels(m, shown.parks, shown.sections)
    HtmlControl(_matrix(shown), position="bottomright", css_class="pg-matrix-panel").add_to(m)
    add_common_controls(
        m,
        shown,
        title=TITLE,
        legend_html=_legend(shown, families),
        search_layers=[*groups, sections],
        tiles=tiles,
        datum=datum,
        minimap=False,  # the matrix panel takes that corner
    )
    return m


def _park_bounds(frames: Frames) -> list[list[float]]:
    west, south, east, north = frames.parks.total_bounds
    return [[south, west], [north, east]]


def _codes(values: object) -> list[str]:
    """A list column value as a list (tolerates None, NaN, arrays and ';'-joined text)."""
    if values is None or isinstance(values, float):
        return []
    if isinstance(values, str):
        return [v for v in values.split(";") if v]
    return [str(v) for v in values]  # type: ignore[attr-defined]


def _members(families: object, code: str) -> bool:
    codes = _codes(families)
    return code in codes if code != NO_FAMILY else not codes


def _has_family(frames: Frames, code: str) -> bool:
    in_parks = frames.parks["families"].map(lambda f: _members(f, code)).any()
    in_points = frames.points["families"].map(lambda f: _members(f, code)).any()
    return bool(in_parks or in_points)


def _family_layer(frames: Frames, code: str) -> folium.FeatureGroup:
    label = FAMILIES.get(code, NO_FAMILY_LABEL)
    color = FAMILY_COLORS.get(code, NO_FAMILY_COLOR)
    parks = frames.parks[frames.parks["families"].map(lambda f: _members(f, code))]
    points = frames.points[frames.points["families"].map(lambda f: _members(f, code))]
    group = folium.FeatureGroup(
        name=f'<span class="pg-swatch" style="--c:{color}"></span> {label}'
        f"（{len(parks)} 个园区，{len(points)} 个单位）"
    )
    if not parks.empty:
        style = {"color": color, "weight": 2, "fillColor": color, "fillOpacity": 0.3}
        properties = park_properties(style, family=code, family_label=label)
        geojson_layer(feature_collection(parks, properties), control=False).add_to(group)
    for row in points.to_dict("records"):
        icon = CATEGORY_STYLE.get(row["category"], ("", "", "circle"))[2]
        layer, _ = point_layer(row, color=color, icon=icon)
        layer.add_to(group)
    return group


def _legend(frames: Frames, families: list[str]) -> str:
    rows = ["<h5>产业门类（可多选叠加）</h5>"]
    for code in families:
        terms = [t for t, fam in INDUSTRY_FAMILY.items() if fam == code]
        text = FAMILIES.get(code, NO_FAMILY_LABEL)
        rows.append(swatch_row(FAMILY_COLORS.get(code, NO_FAMILY_COLOR), text))
        if terms:
            rows.append(f'<div class="pg-note" style="margin-left:24px">{"、".join(terms)}</div>')
    rows.append(swatch_row("#111827", "宝丰园组团界线", "outline"))
    rows.append('<div class="pg-note">圆点为辐射带动单位；虚线圆为未精确定位单位</div>')
    return "".join(rows)


def _matrix(frames: Frames) -> str:
    """The industry × park table: which park names which seed industry, grouped by family."""
    parks = frames.parks.sort_values("seq")
    names = [str(p.get("short_name") or p["name"]) for p in parks.to_dict("records")]
    header = "".join(f'<th class="pg-park">{escape(name)}</th>' for name in names)
    used = {term for terms in parks["industries"] for term in _codes(terms)}
    body = []
    for code, label in FAMILIES.items():
        terms = [t for t, fam in INDUSTRY_FAMILY.items() if fam == code and t in used]
        if not terms:
            continue
        color = FAMILY_COLORS[code]
        body.append(
            f'<tr><th class="pg-family" style="--c:{color}" colspan="{len(parks) + 1}">'
            f"{escape(label)}</th></tr>"
        )
        for term in terms:
            cells = "".join(
                f'<td class="pg-yes" style="--c:{color}">●</td>'
                if term in _codes(industries)
                else "<td></td>"
                for industries in parks["industries"]
            )
            body.append(f'<tr><td class="pg-term">{escape(term)}</td>{cells}</tr>')
    table = f'<table class="pg-matrix"><tr><th>产业＼园区</th>{header}</tr>{"".join(body)}</table>'
    return f"<details open><summary>产业 × 园区矩阵</summary>{table}</details>"
