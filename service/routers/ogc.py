"""OGC API – Features (Part 1 core + Part 2 CRS) under ``/ogc``: the current parks, 宝丰
sections and radiation points, for QGIS, ArcGIS Pro, GDAL and web maps.

``crs`` / ``bbox-crs`` take CRS84 (default), EPSG:4490 (CGCS2000, lat/lon), EPSG:4326 (lat/lon)
or ``urn:parkgeo:def:crs:GCJ-02`` (alias ``gcj02``, for Amap-based front ends); responses say
which in ``Content-Crs``. JSON and HTML via ``f=json|html`` or ``Accept``. Items and features
carry an ETag and answer ``If-None-Match`` with 304.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from boundaries import ogc
from boundaries.layer_crs import CRS84_URI, EPSG4490_URI, OGC_CRS, resolve_crs
from boundaries.layers import LAYERS, Layer, layer
from geo.errors import InvalidInput
from service import ogc_html as html
from service.dependencies import CollectionPath, SessionDep
from service.etag import cached_response
from service.responses import (
    FEATURE,
    FEATURE_COLLECTION,
    HTML_PAGE,
    LINKS,
    NOT_MODIFIED,
    Responses,
    content,
    errors,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/ogc", tags=["OGC API – Features"])

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
_ITEMS_PARAMS = {"f", "bbox", "bbox-crs", "crs", "limit", "offset"}
_ITEM_PARAMS = {"f", "crs"}

FormatQuery = Annotated[
    str | None,
    Query(description="Response format: json or html. Default: from the Accept header (JSON)."),
]
CrsQuery = Annotated[
    str | None,
    Query(
        description=f"Output CRS. {CRS84_URI} (default, lon/lat); {EPSG4490_URI} (CGCS2000, "
        "lat/lon axis order as EPSG defines it); http://www.opengis.net/def/crs/EPSG/0/4326; "
        "urn:parkgeo:def:crs:GCJ-02 (alias gcj02: Amap/Tencent coordinates, lon/lat).",
    ),
]


_LINKED = {"type": "object", "required": ["links"], "properties": {"links": LINKS}}
_CONFORMANCE = {
    "type": "object",
    "required": ["conformsTo"],
    "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
}
_COLLECTIONS = {
    "type": "object",
    "required": ["collections", "links"],
    "properties": {"collections": {"type": "array", "items": _LINKED}, "links": LINKS},
}
_QUERYABLES = {"type": "object", "required": ["properties"]}


def _answers(
    *media: tuple[str, dict[str, Any]], etag: bool = False, missing: bool = True
) -> Responses:
    """``responses=``: JSON (or GeoJSON) and HTML, 400 for a bad ``f`` or parameter, 404."""
    return {
        200: content(*media, HTML_PAGE),
        **(NOT_MODIFIED if etag else {}),
        **errors(400, *((404,) if missing else ())),
    }


def _wants_html(request: Request, f: str | None) -> bool:
    if f is not None:
        if f.lower() in ("html",):
            return True
        if f.lower() in ("json", "geojson"):
            return False
        raise InvalidInput(f"f={f!r}: expected json or html")
    accept = request.headers.get("accept", "").lower()
    if "text/html" not in accept:
        return False
    return "json" not in accept or accept.index("text/html") < accept.index("json")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _link(href: str, rel: str, media: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media, "title": title}


def _self_links(request: Request, as_html: bool, json_type: str = JSON) -> list[dict[str, str]]:
    here = request.url.remove_query_params("f")
    json_url = str(here.include_query_params(f="json"))
    html_url = str(here.include_query_params(f="html"))
    if as_html:
        return [
            _link(html_url, "self", HTML, "this page"),
            _link(json_url, "alternate", json_type, "JSON"),
        ]
    return [
        _link(json_url, "self", json_type, "this document"),
        _link(html_url, "alternate", HTML, "HTML 网页"),
    ]


def _check_params(request: Request, allowed: set[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise InvalidInput(
            f"unknown query parameter {', '.join(map(repr, unknown))}; allowed here: "
            f"{', '.join(sorted(allowed))}"
        )


def _integer(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{name}={value!r}: expected a whole number") from None


def _json(body: dict[str, Any], media: str = JSON) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), media_type=media)


def _html(body: str) -> Response:
    return Response(body, media_type="text/html; charset=utf-8")


def _etagged(request: Request, body: str, media: str, headers: dict[str, str]) -> Response:
    """Items and features are revalidated on every use (``no-cache``) through their ETag."""
    headers = {**headers, "Cache-Control": "no-cache"}
    return cached_response(request, body.encode("utf-8"), media, headers)


@router.get(
    "",
    summary="Landing page (OGC API – Features)",
    response_class=Response,
    responses=_answers((JSON, _LINKED), missing=False),
)
@router.get("/", include_in_schema=False)
def landing(request: Request, f: FormatQuery = None) -> Response:
    """Links to the API description, the conformance classes and the collections."""
    as_html = _wants_html(request, f)
    base = _base(request)
    root = str(request.base_url).rstrip("/")
    body: dict[str, Any] = {
        "title": "平顶山国家高新区 地图图层 / parkgeo map layers",
        "description": "OGC API – Features for the parks, 宝丰 sections and radiation points "
        "of the 平顶山国家高新区 '一区多园' (current versions). Boundaries are schematic (示意).",
        "links": [
            *_self_links(request, as_html),
            _link(f"{root}/openapi.json", "service-desc", OPENAPI, "API definition (OpenAPI)"),
            _link(f"{root}/docs", "service-doc", HTML, "API documentation"),
            _link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
            _link(f"{base}/collections", "data", JSON, "Collections 图层列表"),
        ],
    }
    if as_html:
        return _html(
            html.page(
                "平顶山国家高新区 地图图层 (OGC API – Features)",
                html.paragraph(body["description"]),
                html.links(body["links"]),
            )
        )
    return _json(body)


@router.get(
    "/conformance",
    summary="Conformance classes",
    response_class=Response,
    responses=_answers((JSON, _CONFORMANCE), missing=False),
)
def conformance(request: Request, f: FormatQuery = None) -> Response:
    if _wants_html(request, f):
        items = "".join(f"<li>{html.value(uri)}</li>" for uri in CONFORMANCE)
        return _html(html.page("符合的标准类 Conformance", f"<ul>{items}</ul>"))
    return _json({"conformsTo": CONFORMANCE})


def _collection(request: Request, the_layer: Layer, extent: ogc.BBox | None) -> dict[str, Any]:
    base = f"{_base(request)}/collections/{the_layer.id}"
    body: dict[str, Any] = {
        "id": the_layer.id,
        "title": the_layer.title,
        "description": the_layer.description,
        "itemType": "feature",
        "crs": [crs.uri for crs in OGC_CRS],
        "storageCrs": EPSG4490_URI,
        "links": [
            _link(base, "self", JSON, the_layer.title),
            _link(f"{base}/items", "items", GEOJSON, f"{the_layer.title} features"),
            _link(f"{base}/items?f=html", "items", HTML, f"{the_layer.title} 要素 (HTML)"),
            _link(f"{base}/queryables", "queryables", "application/schema+json", "Filters"),
        ],
    }
    if extent is not None:
        body["extent"] = {"spatial": {"bbox": [list(extent)], "crs": CRS84_URI}}
    return body


@router.get(
    "/collections",
    summary="The collections",
    response_class=Response,
    responses=_answers((JSON, _COLLECTIONS), missing=False),
)
def collections(request: Request, session: SessionDep, f: FormatQuery = None) -> Response:
    as_html = _wants_html(request, f)
    listed = [_collection(request, item, ogc.extent(session, item.id)) for item in LAYERS.values()]
    if as_html:
        rows = [
            {
                "id": html.anchor(f"{c['links'][0]['href']}?f=html", c["id"]),
                "title": html.value(c["title"]),
                "items": html.anchor(c["links"][2]["href"], "要素 items"),
            }
            for c in listed
        ]
        return _html(
            html.page(
                "图层 Collections",
                html.table(rows, ["id", "title", "items"], ["编号 id", "名称 title", "要素 items"]),
            )
        )
    return _json({"collections": listed, "links": _self_links(request, as_html)})


@router.get(
    "/collections/{collection_id}",
    summary="One collection",
    response_class=Response,
    responses=_answers((JSON, _LINKED)),
)
def collection(
    request: Request, collection_id: CollectionPath, session: SessionDep, f: FormatQuery = None
) -> Response:
    the_layer = layer(collection_id)
    as_html = _wants_html(request, f)
    body = _collection(request, the_layer, ogc.extent(session, the_layer.id))
    if as_html:
        filters = [
            {"name": html.value(name), "about": html.value(item.description)}
            for name, item in the_layer.filters.items()
        ]
        return _html(
            html.page(
                the_layer.title,
                html.paragraph(the_layer.description),
                html.paragraph(f"范围 extent (CRS84): {body.get('extent', {})}"),
                "<h2>可用坐标系 CRS</h2><ul>"
                + "".join(f"<li>{html.value(c.uri)} — {html.value(c.label)}</li>" for c in OGC_CRS)
                + "</ul>",
                "<h2>筛选参数 filters</h2>"
                + html.table(filters, ["name", "about"], ["参数 parameter", "说明"]),
                html.links(body["links"]),
            )
        )
    body["links"] = [*body["links"], *_self_links(request, as_html)[1:]]
    return _json(body)


@router.get(
    "/collections/{collection_id}/queryables",
    summary="Filterable properties",
    response_class=Response,
    responses={200: content(("application/schema+json", _QUERYABLES)), **errors(404)},
)
def queryables(request: Request, collection_id: CollectionPath) -> Response:
    """The property filters ``/items`` accepts, as JSON Schema."""
    the_layer = layer(collection_id)
    body = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{_base(request)}/collections/{the_layer.id}/queryables",
        "type": "object",
        "title": the_layer.title,
        "properties": {
            name: {
                "title": html.LABELS.get(name, name),
                "description": item.description,
                "type": item.json_type,
            }
            for name, item in the_layer.filters.items()
        },
        "additionalProperties": False,
    }
    return _json(body, "application/schema+json")


@router.get(
    "/collections/{collection_id}/items",
    summary="Features of a collection",
    response_class=Response,
    responses=_answers((GEOJSON, FEATURE_COLLECTION), etag=True),
)
def items(
    request: Request,
    collection_id: CollectionPath,
    session: SessionDep,
    bbox: Annotated[
        str | None,
        Query(
            description="minx,miny,maxx,maxy in bbox-crs (default CRS84 lon/lat), e.g. "
            "113.3,33.6,113.5,33.8. In EPSG:4490/4326 the order is lat,lon."
        ),
    ] = None,
    bbox_crs: Annotated[
        str | None, Query(alias="bbox-crs", description="CRS of bbox; same choices as crs.")
    ] = None,
    crs: CrsQuery = None,
    limit: Annotated[
        str | None,
        Query(description="Features per page: 1 to 1000 (larger values give 1000), default 10."),
    ] = None,
    offset: Annotated[
        str | None, Query(description="Features to skip (paging), default 0.")
    ] = None,
    f: FormatQuery = None,
) -> Response:
    """Current features, ordered by seq. Property filters (exact match; ``industry`` and
    ``district`` match one entry of the list): parks: code, tier, district, industry, family,
    geometry_source; park_sections: code, park, zone_area, geometry_source; radiation_points:
    code, category, district, industry, family, batch, located. Unknown parameters are 400."""
    the_layer = layer(collection_id)
    _check_params(request, _ITEMS_PARAMS | set(the_layer.filters))
    as_html = _wants_html(request, f)
    out_crs = resolve_crs(crs)
    box = ogc.parse_bbox(bbox, resolve_crs(bbox_crs, parameter="bbox-crs")) if bbox else None
    if bbox is None and bbox_crs is not None:
        resolve_crs(bbox_crs, parameter="bbox-crs")
    raw_filters = {k: v for k, v in request.query_params.items() if k in the_layer.filters}
    query = ogc.ItemsQuery(
        collection=the_layer.id,
        limit=min(_integer("limit", limit, ogc.DEFAULT_LIMIT), ogc.MAX_LIMIT),
        offset=_integer("offset", offset, 0),
        bbox=box,
        filters=the_layer.check_filters(raw_filters),
        crs=out_crs,
    )
    page = ogc.items(session, query)
    links = _self_links(request, as_html, GEOJSON)
    base_url = request.url
    if query.offset + page.returned < page.matched:
        next_url = base_url.include_query_params(
            offset=query.offset + query.limit, limit=query.limit
        )
        links.append(_link(str(next_url), "next", GEOJSON, "下一页 next page"))
    if query.offset > 0:
        prev_url = base_url.include_query_params(
            offset=max(query.offset - query.limit, 0), limit=query.limit
        )
        links.append(_link(str(prev_url), "prev", GEOJSON, "上一页 previous page"))
    links.append(
        _link(f"{_base(request)}/collections/{the_layer.id}", "collection", JSON, the_layer.title)
    )
    headers = {"Content-Crs": out_crs.header}
    if as_html:
        return _etagged(request, _items_html(the_layer, page, query, links), "text/html", headers)
    meta = json.dumps(
        {"numberMatched": page.matched, "numberReturned": page.returned, "links": links},
        ensure_ascii=False,
    )
    body = '{"type": "FeatureCollection", "features": ' + page.features + ", " + meta[1:]
    return _etagged(request, body, GEOJSON, headers)


def _items_html(the_layer: Layer, page: ogc.ItemsPage, query: ogc.ItemsQuery, links: list) -> str:
    features = json.loads(page.features)
    columns = [
        c
        for c in (
            "code",
            "name",
            "tier",
            "park",
            "category",
            "district",
            "industries",
            "located",
            "geometry_source",
        )
        if c in the_layer.columns
    ]
    rows = [
        {
            "id": html.anchor(f"items/{feat['id']}?f=html", feat["id"]),
            **{c: html.value(feat["properties"].get(c)) for c in columns},
        }
        for feat in features
    ]
    paging = [link for link in links if link["rel"] in ("next", "prev", "collection")]
    return html.page(
        f"{the_layer.title}: 要素 features",
        html.paragraph(
            f"共 {page.matched} 个要素, 本页 {page.returned} 个 (offset {query.offset}); "
            f"坐标系 CRS: {query.crs.label}"
        ),
        html.table(rows, ["id", *columns], ["id", *(html.label(c) for c in columns)]),
        html.links(paging),
    )


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="One feature",
    response_class=Response,
    responses=_answers((GEOJSON, FEATURE), etag=True),
)
def item(
    request: Request,
    collection_id: CollectionPath,
    feature_id: Annotated[str, Path(description="Feature id: the code, e.g. gaoxin, rp-28")],
    session: SessionDep,
    crs: CrsQuery = None,
    f: FormatQuery = None,
) -> Response:
    the_layer = layer(collection_id)
    _check_params(request, _ITEM_PARAMS)
    as_html = _wants_html(request, f)
    out_crs = resolve_crs(crs)
    feature = ogc.item(session, the_layer.id, feature_id, out_crs)
    base = f"{_base(request)}/collections/{the_layer.id}"
    links = [
        *_self_links(request, as_html, GEOJSON),
        _link(base, "collection", JSON, the_layer.title),
    ]
    headers = {"Content-Crs": out_crs.header}
    if as_html:
        parsed = json.loads(feature)
        body = html.page(
            f"{the_layer.title}: {parsed['properties'].get('name', feature_id)}",
            html.properties_table(parsed["properties"]),
            html.paragraph(f"几何 geometry: {parsed['geometry']['type']} ({out_crs.label})"),
            html.links(links),
        )
        return _etagged(request, body, "text/html", headers)
    body = feature[:-1] + ', "links": ' + json.dumps(links, ensure_ascii=False) + "}"
    return _etagged(request, body, GEOJSON, headers)
