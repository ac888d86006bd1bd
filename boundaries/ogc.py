"""Queries behind OGC API Features: pages of current features, one feature, extents.

Only the CURRENT version of each feature is served (``valid_to IS NULL``); history stays on
the register endpoints' ``as_of``. GeoJSON is made by PostGIS; the only thing done in Python
is the GCJ-02 offset, which no PostGIS/PROJ transformation knows.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries.layer_crs import CRS84, LayerCrs, shift_geometry, to_storage
from boundaries.layers import family_params, layer, property_sql
from boundaries.sql import load_sql
from geo.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

MAX_LIMIT = 1000
DEFAULT_LIMIT = 10

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class ItemsQuery:
    """What a client asked of ``/collections/{id}/items``, already checked.

    ``bbox`` is in CGCS2000 lon/lat (see :func:`parse_bbox`); ``filters`` maps filter names of
    the layer to parsed values.
    """

    collection: str
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: BBox | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    crs: LayerCrs = CRS84


@dataclass(frozen=True)
class ItemsPage:
    """A page of features as a JSON array text, with the OGC counts."""

    features: str
    matched: int
    returned: int


def parse_bbox(value: str, crs: LayerCrs) -> BBox:
    """``minx,miny,maxx,maxy`` (or 6 values with heights) in ``crs``'s axis order, as a
    CGCS2000 lon/lat box. ``InvalidInput`` quoting the value when it is not one."""
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        raise InvalidInput(f"bbox={value!r}: expected 4 comma-separated numbers") from None
    if len(numbers) == 6:  # minx, miny, minz, maxx, maxy, maxz: heights do not matter here
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(np.isfinite(numbers)):
        raise InvalidInput(f"bbox={value!r}: expected 4 comma-separated numbers")
    a1, b1, a2, b2 = numbers
    if a1 > a2 or b1 > b2:
        raise InvalidInput(f"bbox={value!r}: the lower corner must come first (min, min, max, max)")
    first = np.array([a1, a2])
    second = np.array([b1, b2])
    lon, lat = to_storage(first, second, crs)
    lon_range = (-180.0, 180.0)
    if lon.min() < lon_range[0] or lon.max() > lon_range[1] or abs(lat).max() > 90:
        order = "lat,lon" if crs.lat_first else "lon,lat"
        raise InvalidInput(
            f"bbox={value!r}: out of range for {crs.uri} (expected {order} in degrees)"
        )
    return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))


def _geometry_sql(crs: LayerCrs) -> str:
    # Authority axis order for EPSG:4490/4326 (Part 2); CRS84 and GCJ-02 are lon/lat.
    return "ST_FlipCoordinates(t.geom)" if crs.lat_first else "t.geom"


def _where(query: ItemsQuery, params: dict[str, Any]) -> str:
    the_layer = layer(query.collection)
    clauses = ["TRUE"]
    if query.bbox is not None:
        clauses.append("ST_Intersects(t.geom, ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4490))")
        params.update(zip(("xmin", "ymin", "xmax", "ymax"), query.bbox, strict=True))
    for name, value in query.filters.items():
        bind = f"f_{name}"
        clauses.append(the_layer.filters[name].sql.replace(":value", f":{bind}"))
        params[bind] = value
    return " AND ".join(clauses)


def items(session: Session, query: ItemsQuery) -> ItemsPage:
    """One page of current features matching ``query`` (ordered by seq, code)."""
    the_layer = layer(query.collection)
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidInput(f"limit={query.limit}: must be between 1 and {MAX_LIMIT}")
    if query.offset < 0:
        raise InvalidInput(f"offset={query.offset}: must be 0 or more")
    params: dict[str, Any] = {"limit": query.limit, "offset": query.offset, **family_params()}
    sql = load_sql("ogc_items").format(
        table=the_layer.id,
        geometry=_geometry_sql(query.crs),
        properties=property_sql(the_layer.columns),
        where=_where(query, params),
    )
    row = session.execute(text(sql), params).one()
    features = row.features
    if query.crs.gcj02:
        features = _shift_features(features)
    return ItemsPage(features=features, matched=int(row.matched), returned=int(row.returned))


def item(session: Session, collection: str, code: str, crs: LayerCrs = CRS84) -> str:
    """One current feature as GeoJSON text; ``NotFound`` naming the code otherwise."""
    page = items(session, ItemsQuery(collection, limit=1, filters={"code": code}, crs=crs))
    if page.returned == 0:
        raise NotFound(f"no current {collection} feature with id {code!r}")
    return page.features[1:-1]


def _shift_features(features: str) -> str:
    parsed = json.loads(features)
    for feature in parsed:
        feature["geometry"] = shift_geometry(feature["geometry"])
    return json.dumps(parsed, ensure_ascii=False)


def extent(session: Session, collection: str) -> BBox | None:
    """lon/lat bounds of the current features (None for an empty collection)."""
    table = layer(collection).id
    row = session.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            f"FROM (SELECT ST_Extent(t.geom) AS e FROM {table} AS t "
            "WHERE t.valid_to IS NULL) AS x"
        )
    ).one()
    if row[0] is None:
        return None
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
