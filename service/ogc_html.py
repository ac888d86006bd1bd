"""Small HTML pages for the OGC API (``f=html``): Chinese labels, no scripts, no external files.

Planners open the API in a browser; these pages let them see what is there and follow the
links. Everything is escaped with ``html.escape``; there is no template engine to configure.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

log = logging.getLogger(__name__)

LABELS: dict[str, str] = {
    "code": "编码",
    "seq": "序号",
    "name": "名称",
    "short_name": "简称",
    "tier": "空间范围",
    "declared_area_km2": "公布面积 (km²)",
    "measured_area_km2": "量算面积 (km²)",
    "district": "所在区县",
    "boundary_text": "四至",
    "bound_east": "东至",
    "bound_west": "西至",
    "bound_south": "南至",
    "bound_north": "北至",
    "industries": "主导产业",
    "families": "产业类别",
    "geometry_source": "边界来源",
    "provenance": "来源说明",
    "provenance_date": "来源日期",
    "precision_m": "精度 (米)",
    "park": "所属园区",
    "zone_area": "片区",
    "category": "类别",
    "batch": "批次",
    "located": "已定位",
    "location_precision_m": "定位精度 (米)",
    "location_note": "定位说明",
}

_STYLE = (
    "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}code{background:#f6f6f6}"
    ".note{color:#a33}"
)


def label(name: str) -> str:
    return f"{LABELS[name]} {name}" if name in LABELS else name


def page(title: str, *sections: str) -> str:
    """A complete UTF-8 page."""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{''.join(sections)}</body></html>"
    )


def links(items: Iterable[Mapping[str, Any]]) -> str:
    rows = [
        f'<li><a href="{escape(link["href"])}">{escape(link.get("title") or link["rel"])}</a>'
        f" <small>({escape(link['rel'])}, {escape(link.get('type', ''))})</small></li>"
        for link in items
    ]
    return f"<ul>{''.join(rows)}</ul>"


def value(item: Any) -> str:
    if isinstance(item, list):
        return escape("、".join(str(x) for x in item))
    if isinstance(item, bool):
        return "是" if item else "否"
    if item is None:
        return ""
    if isinstance(item, dict):
        return escape(json.dumps(item, ensure_ascii=False))
    return escape(str(item))


def table(rows: Iterable[Mapping[str, Any]], columns: list[str], heads: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    body = "".join(
        "<tr>" + "".join(f"<td>{row.get(c, '')}</td>" for c in columns) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def properties_table(properties: Mapping[str, Any]) -> str:
    rows = [{"k": escape(label(k)), "v": value(v)} for k, v in properties.items()]
    return table(rows, ["k", "v"], ["属性 property", "值 value"])


def paragraph(text: str, *, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<p{cls}>{escape(text)}</p>"


def anchor(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'
