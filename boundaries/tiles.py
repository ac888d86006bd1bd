"""Mapbox Vector Tiles of the current features, on the WebMercatorQuad grid, made by PostGIS.

Encoding happens inside PostGIS (``ST_AsMVTGeom`` + ``ST_AsMVT``); Python only checks the tile
address. A tile with no feature is an empty (valid) tile, not an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from sqlalchemy import text
from sqlalchemy.orm import Session

from boundaries.layers import layer, property_sql
from boundaries.sql import load_sql
from geo.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

MIN_ZOOM = 0
MAX_ZOOM = 22
EXTENT = 4096
BUFFER = 64
TILE_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


@cache
def _sql(collection: str) -> str:
    the_layer = layer(collection)
    return load_sql("tile").format(
        table=the_layer.id, properties=property_sql(the_layer.tile_columns, tile=True)
    )


@dataclass(frozen=True)
class TileAddress:
    z: int
    x: int
    y: int


def parse_tile(z: str, x: str, y: str) -> TileAddress:
    """Check a z/x/y path: non-integers and zooms out of range are ``InvalidInput`` (400);
    columns or rows outside the grid at that zoom are ``NotFound`` (404)."""
    try:
        zi, xi, yi = int(z), int(x), int(y)
    except ValueError:
        raise InvalidInput(f"tile {z}/{x}/{y}: z, x and y must be integers") from None
    if not MIN_ZOOM <= zi <= MAX_ZOOM:
        raise InvalidInput(f"tile {z}/{x}/{y}: zoom must be between {MIN_ZOOM} and {MAX_ZOOM}")
    size = 2**zi
    if not (0 <= xi < size and 0 <= yi < size):
        raise NotFound(
            f"tile {z}/{x}/{y} is outside the WebMercatorQuad grid: "
            f"at zoom {zi}, x and y go from 0 to {size - 1}"
        )
    return TileAddress(zi, xi, yi)


def tile(session: Session, collection: str, address: TileAddress) -> bytes:
    """The MVT bytes of one tile; the layer inside is named after the collection."""
    params = {
        "z": address.z,
        "x": address.x,
        "y": address.y,
        "margin": BUFFER / EXTENT,
        "extent": EXTENT,
        "buffer": BUFFER,
        "layer": layer(collection).id,
    }
    return bytes(session.execute(text(_sql(collection)), params).scalar_one())
