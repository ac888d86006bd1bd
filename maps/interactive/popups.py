"""Popup HTML for parks, 宝丰's sections and radiation points.

Everything a planner asks when clicking a shape: what it is, how large (declared vs measured),
its 四至, its industries, and how much to trust the line (schematic or surveyed, precision).
All register text is escaped: it is data, not markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

from maps.style import CATEGORY_STYLE

SOURCE_LABELS = {"schematic": "示意", "surveyed": "勘测"}
SIDES = (("east", "东"), ("west", "西"), ("south", "南"), ("north", "北"))


def park_popup(row: Mapping[str, Any]) -> str:
    """Popup of one park: tier, areas, 四至, industries and boundary provenance."""
    rows = [
        ("层级", _text(row.get("tier"))),
        ("所在区县", _text(row.get("district"))),
        ("申报面积", _km2(row.get("declared_area_km2"))),
        ("测算面积", _km2(row.get("measured_area_km2")) + _note("CGCS2000 椭球面")),
        ("四至", _bounds(row)),
        ("主导产业", _join(row.get("industries"))),
        *_provenance_rows(row),
    ]
    title = _text(row.get("name"))
    if row.get("short_name") and row.get("short_name") != row.get("name"):
        title += _note(_text(row.get("short_name")))
    return _popup(title, rows, row.get("boundary_text"))


def section_popup(row: Mapping[str, Any], park_name: str) -> str:
    """Popup of one 组团 of 宝丰: its park, zone area, measured area, 四至, provenance."""
    rows = [
        ("所属园区", _text(park_name)),
        ("片区", _text(row.get("zone_area"))),
        ("测算面积", _km2(row.get("measured_area_km2")) + _note("CGCS2000 椭球面")),
        ("四至", _bounds(row)),
        *_provenance_rows(row),
    ]
    return _popup(_text(row.get("name")), rows, row.get("boundary_text"))


def point_popup(row: Mapping[str, Any], *, approximate: bool, radius_m: float | None) -> str:
    """Popup of one radiation point, saying plainly when its position is only approximate."""
    label = CATEGORY_STYLE.get(str(row.get("category")), (str(row.get("category")), "", ""))[0]
    if not row.get("located"):
        where = "未精确定位（占位坐标）"
    elif approximate:
        where = "近似位置"
    else:
        where = "已定位"
    if radius_m is not None:
        where += f"，精度约 ±{_metres(radius_m)}"
    rows = [
        ("类别", escape(label)),
        ("所在区县", _text(row.get("district"))),
        ("批次", _text(row.get("batch"))),
        ("相关产业", _join(row.get("industries"))),
        ("位置", escape(where)),
    ]
    if row.get("location_note"):
        rows.append(("位置说明", _text(row.get("location_note"))))
    return _popup(_text(row.get("name")), rows, None)


def _provenance_rows(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    source = str(row.get("geometry_source") or "")
    label = SOURCE_LABELS.get(source, source or "—")
    badge = f'<span class="pg-badge pg-{escape(source)}">{escape(label)}</span>'
    detail = _text(row.get("provenance"))
    if row.get("provenance_date"):
        detail += _note(_text(row.get("provenance_date")))
    rows = [("边界来源", f"{badge} {detail}")]
    precision = _number(row.get("precision_m"))
    if precision is not None:
        rows.append(("边界精度", f"±{_metres(precision)}"))
    return rows


def _popup(title: str, rows: list[tuple[str, str]], boundary_text: Any) -> str:
    body = "".join(f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    text = ""
    if boundary_text:
        text = f"<details><summary>四至原文</summary><p>{_text(boundary_text)}</p></details>"
    return f'<div class="pg-popup"><h4>{title}</h4><table>{body}</table>{text}</div>'


def _bounds(row: Mapping[str, Any]) -> str:
    parts = [
        f"<b>{side}</b> {_text(row.get(f'bound_{key}'))}"
        for key, side in SIDES
        if row.get(f"bound_{key}")
    ]
    return "<br>".join(parts) or "—"


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _km2(value: Any) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:.2f} km²"


def _metres(value: float) -> str:
    return f"{value / 1000:.1f} km" if value >= 1000 else f"{value:.0f} m"


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return escape(str(value))


def _join(values: Any) -> str:
    if values is None or isinstance(values, float):
        return "—"
    if isinstance(values, str):
        values = [v for v in values.split(";") if v]
    items = [escape(str(v)) for v in values]
    return "、".join(items) or "—"


def _note(text: str) -> str:
    return f' <span class="pg-note">（{text}）</span>'
