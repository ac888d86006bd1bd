"""Vector tiles of the current layers (``/tiles/{collection}/{z}/{x}/{y}.mvt``) and TileJSON.

Tiles are on the WebMercatorQuad grid (the usual XYZ scheme of MapLibre, OpenLayers and
Leaflet plugins); the MVT layer inside each tile is named after the collection. Amap's own
SDK draws GCJ-02 and cannot use these; use the GeoJSON items with ``crs=gcj02`` there.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from boundaries import ogc
from boundaries import tiles as tile_store
from boundaries.layers import layer
from service.dependencies import CollectionPath, SessionDep
from service.etag import cached_response
from service.responses import NOT_MODIFIED, binary, errors

log = logging.getLogger(__name__)
router = APIRouter(prefix="/tiles", tags=["vector tiles"])

CACHE_CONTROL = "public, max-age=60"
# Documented, not enforced by FastAPI: the handler answers bad numbers 400, off-grid 404.
_WHOLE = {"pattern": "^[0-9]{1,8}$"}


@router.get(
    "/{collection}/{z}/{x}/{y}.mvt",
    summary="One Mapbox Vector Tile (WebMercatorQuad)",
    response_class=Response,
    responses={
        200: binary(tile_store.TILE_MEDIA_TYPE, description="The tile (may be empty)"),
        **NOT_MODIFIED,
        **errors(400, 404),
    },
)
def tile(
    request: Request,
    collection: CollectionPath,
    z: Annotated[str, Path(description="Zoom level, 0 to 22", json_schema_extra=_WHOLE)],
    x: Annotated[str, Path(description="Column, 0 to 2^z - 1", json_schema_extra=_WHOLE)],
    y: Annotated[
        str, Path(description="Row from the top (XYZ), 0 to 2^z - 1", json_schema_extra=_WHOLE)
    ],
    session: SessionDep,
) -> Response:
    """A tile with no feature is a valid empty tile (200, empty body). Bad numbers or zooms
    are 400; columns or rows outside the grid are 404."""
    the_layer = layer(collection)
    address = tile_store.parse_tile(z, x, y)
    content = tile_store.tile(session, the_layer.id, address)
    return cached_response(
        request, content, tile_store.TILE_MEDIA_TYPE, {"Cache-Control": CACHE_CONTROL}
    )


@router.get("/{collection}/tilejson.json", summary="TileJSON 3.0 of a layer", responses=errors(404))
def tilejson(request: Request, collection: CollectionPath, session: SessionDep) -> dict:
    """What MapLibre's ``{"type": "vector", "url": ...}`` source reads."""
    the_layer = layer(collection)
    root = str(request.base_url).rstrip("/")
    bounds = ogc.extent(session, the_layer.id) or (-180.0, -85.0511, 180.0, 85.0511)
    center = [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 10]
    return {
        "tilejson": "3.0.0",
        "name": the_layer.id,
        "description": the_layer.description,
        "attribution": "平顶山国家高新区 parkgeo (示意边界 schematic boundaries)",
        "scheme": "xyz",
        "tiles": [f"{root}/tiles/{the_layer.id}/{{z}}/{{x}}/{{y}}.mvt"],
        "minzoom": tile_store.MIN_ZOOM,
        "maxzoom": tile_store.MAX_ZOOM,
        "bounds": list(bounds),
        "center": center,
        "vector_layers": [
            {
                "id": the_layer.id,
                "description": the_layer.title,
                "fields": {name: name for name in the_layer.tile_columns},
            }
        ],
    }
