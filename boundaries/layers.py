"""The three map layers (parks, 宝丰 sections, radiation points) as other tools see them.

One description per layer, shared by OGC API Features, vector tiles and file exports: the
attributes served (the ``boundaries.frames`` columns), the property filters allowed and the
SQL behind each, the attributes put into tiles, and the 10-character Shapefile field names.
Every name that reaches SQL comes from here, never from a request.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from boundaries.frames import PARK_COLUMNS, POINT_COLUMNS, SECTION_COLUMNS
from boundaries.industries import FAMILIES, INDUSTRY_FAMILY
from boundaries.store import COLLECTIONS
from geo.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

_TRUE = {"true", "1", "yes", "是"}
_FALSE = {"false", "0", "no", "否"}


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("an empty value matches nothing")
    return value.strip()


def _integer(value: str) -> int:
    return int(value)


def _boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("expected true or false")


@dataclass(frozen=True)
class Filter:
    """A property filter: SQL on alias ``t`` with the bound value ``:value``."""

    sql: str
    parse: Callable[[str], Any]
    description: str
    json_type: str = "string"


def _equals(column: str, label: str) -> Filter:
    return Filter(f"t.{column} = :value", _text, f"{label} (exact match)")


_INDUSTRY = Filter(
    ":value = ANY(t.industries)",
    _text,
    "one seed industry term the feature lists, e.g. 装备制造 / 尼龙新材料",
)
_FAMILY = Filter(
    "EXISTS (SELECT 1 FROM unnest(t.industries) AS term "
    "WHERE CAST(:families AS jsonb) ->> term = :value)",
    _text,
    f"an industry family: {', '.join(FAMILIES)}",
)
# A park's district lists every county-level area it spans, separated by 、.
_DISTRICT = Filter(
    ":value = ANY(string_to_array(t.district, '、'))",
    _text,
    "a county-level district the feature lies in, e.g. 叶县 / 新华区",
)
_GEOMETRY_SOURCE = _equals("geometry_source", "schematic or surveyed")


@dataclass(frozen=True)
class Layer:
    """One collection: what it serves and what it may be filtered on."""

    id: str
    title: str
    description: str
    geometry_type: str
    columns: tuple[str, ...]
    filters: dict[str, Filter]
    tile_columns: tuple[str, ...]
    shapefile_names: dict[str, str] = field(default_factory=dict)

    def check_filters(self, params: dict[str, str]) -> dict[str, Any]:
        """Parsed filter values; ``InvalidInput`` quoting the bad value otherwise."""
        parsed: dict[str, Any] = {}
        for name, raw in params.items():
            try:
                parsed[name] = self.filters[name].parse(raw)
            except ValueError as exc:
                raise InvalidInput(f"{name}={raw!r}: {exc}") from None
        return parsed


_PROVENANCE_SHP = {
    "geometry_source": "geom_src",
    "provenance": "provenance",
    "provenance_date": "prov_date",
    "precision_m": "precis_m",
}
_BOUNDS_SHP = {
    "boundary_text": "bound_text",
    "bound_east": "b_east",
    "bound_west": "b_west",
    "bound_south": "b_south",
    "bound_north": "b_north",
}

LAYERS: dict[str, Layer] = {
    "parks": Layer(
        id="parks",
        title=f"{COLLECTIONS['parks']} Parks",
        description="高新区“一区多园”的七个园区 (示意边界): the seven parks with register "
        "attributes, measured area and provenance. Boundaries are schematic until surveyed.",
        geometry_type="MultiPolygon",
        columns=tuple(c for c in PARK_COLUMNS if c != "geometry"),
        filters={
            "code": _equals("code", "park code, e.g. gaoxin"),
            "tier": _equals("tier", "原空间范围 or 新增空间范围"),
            "district": _DISTRICT,
            "industry": _INDUSTRY,
            "family": _FAMILY,
            "geometry_source": _GEOMETRY_SOURCE,
        },
        tile_columns=(
            "code",
            "name",
            "short_name",
            "tier",
            "district",
            "industries",
            "declared_area_km2",
            "geometry_source",
            "precision_m",
        ),
        shapefile_names={
            "short_name": "short_name",
            "declared_area_km2": "decl_km2",
            "measured_area_km2": "meas_km2",
            **_BOUNDS_SHP,
            **_PROVENANCE_SHP,
        },
    ),
    "park_sections": Layer(
        id="park_sections",
        title=f"{COLLECTIONS['park_sections']} Baofeng sections",
        description="宝丰园区的四个组团 (示意边界): the four sections of the 宝丰 park.",
        geometry_type="MultiPolygon",
        columns=tuple(c for c in SECTION_COLUMNS if c != "geometry"),
        filters={
            "code": _equals("code", "section code, e.g. baofeng-yangzhuang"),
            "park": _equals("park", "code of the park the section belongs to"),
            "zone_area": _equals("zone_area", "片区1(东区) or 片区2(西区)"),
            "geometry_source": _GEOMETRY_SOURCE,
        },
        tile_columns=("code", "park", "name", "zone_area", "geometry_source", "precision_m"),
        shapefile_names={
            "measured_area_km2": "meas_km2",
            **_BOUNDS_SHP,
            **_PROVENANCE_SHP,
        },
    ),
    "radiation_points": Layer(
        id="radiation_points",
        title=f"{COLLECTIONS['radiation_points']} Radiation points",
        description="辐射带动的34家企业、高校、医院和院所: the radiation points. Points with "
        "located=false are NOT geocoded and sit on a placeholder; do not draw them as sites.",
        geometry_type="Point",
        columns=tuple(c for c in POINT_COLUMNS if c != "geometry"),
        filters={
            "code": _equals("code", "point code, e.g. rp-01"),
            "category": _equals(
                "category",
                "enterprise, university, hospital, research_institute or design_institute",
            ),
            "district": _DISTRICT,
            "industry": _INDUSTRY,
            "family": _FAMILY,
            "batch": Filter("t.batch = :value", _integer, "batch number", "integer"),
            "located": Filter(
                "t.located = :value",
                _boolean,
                "true: geocoded; false: placeholder position",
                "boolean",
            ),
        },
        tile_columns=(
            "code",
            "name",
            "category",
            "district",
            "industries",
            "located",
            "location_precision_m",
            "batch",
        ),
        shapefile_names={
            "location_precision_m": "loc_prec_m",
            "location_note": "loc_note",
        },
    ),
}


def layer(collection: str) -> Layer:
    """The layer called ``collection``; ``NotFound`` listing the known ones otherwise."""
    try:
        return LAYERS[collection]
    except KeyError:
        raise NotFound(f"unknown collection {collection!r}; known: {', '.join(LAYERS)}") from None


# Attributes that are computed rather than stored (alias ``t``).
_COMPUTED: dict[str, str] = {
    "measured_area_km2": "round((ST_Area(t.geom::geography) / 1e6)::numeric, 6)",
    # Family codes of the feature's industries, in legend order (boundaries.industries).
    "families": (
        "to_json(ARRAY(SELECT family FROM unnest(CAST(:family_order AS text[])) "
        "WITH ORDINALITY AS legend(family, n) WHERE family IN (SELECT CAST(:families AS jsonb) "
        "->> term FROM unnest(t.industries) AS term) ORDER BY n))"
    ),
}


def property_sql(columns: tuple[str, ...], *, tile: bool = False) -> str:
    """``json_build_object`` of the columns (GeoJSON), or a select list (tiles).

    Tiles cannot hold arrays or numerics: industries are joined with 、 and numbers cast.
    """
    if tile:
        parts = []
        for column in columns:
            if column == "industries":
                parts.append("array_to_string(t.industries, '、') AS industries")
            elif column in ("declared_area_km2", "precision_m", "location_precision_m"):
                parts.append(f"CAST(t.{column} AS float8) AS {column}")
            else:
                parts.append(f"t.{column}")
        return ", ".join(parts)
    pairs = [f"'{column}', {_COMPUTED.get(column, f't.{column}')}" for column in columns]
    return f"json_build_object({', '.join(pairs)})"


@cache
def family_params() -> dict[str, object]:
    """Bound values the families property and the family filter use."""
    return {
        "families": json.dumps(INDUSTRY_FAMILY, ensure_ascii=False),
        "family_order": list(FAMILIES),
    }
