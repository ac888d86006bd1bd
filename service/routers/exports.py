"""``GET /export/{collection}.{format}``: the current layer as a file to download.

Formats: gpkg, shp (zipped, with .prj and a UTF-8 .cpg), kml, geojson, csv (WKT geometry,
UTF-8 with BOM for Excel). ``crs``: EPSG:4490 (default), CRS84, EPSG:4326, gcj02 or a
projected EPSG code such as 4547. Files are built in a temporary folder and removed after.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from boundaries.exports import FORMATS, export_bytes, export_crs, export_format
from boundaries.layers import layer
from geo.errors import InvalidInput
from service.dependencies import SessionDep
from service.responses import binary, errors

log = logging.getLogger(__name__)
router = APIRouter(tags=["exports"])


def _split(filename: str) -> tuple[str, str]:
    name, dot, fmt = filename.rpartition(".")
    if not dot or not name or not fmt:
        raise InvalidInput(
            f"{filename!r}: expected COLLECTION.FORMAT, e.g. parks.gpkg or radiation_points.csv"
        )
    if any(char in name for char in "/\\:") or ".." in name or name.startswith("."):
        raise InvalidInput(f"{filename!r} is not a collection name")
    return name.replace("-", "_"), fmt


@router.get(
    "/export/{filename}",
    summary="Download a layer as GeoPackage, Shapefile (zip), KML, GeoJSON or CSV",
    response_class=Response,
    responses={
        200: binary(*dict.fromkeys(f.media_type for f in FORMATS.values())),
        **errors(400, 404),
    },
)
def export(
    filename: Annotated[
        str,
        Path(
            description="COLLECTION.FORMAT: parks, park_sections or radiation_points . "
            "gpkg, shp, kml, geojson or csv, e.g. parks.gpkg",
            examples=["parks.gpkg", "park_sections.shp", "radiation_points.csv"],
        ),
    ],
    session: SessionDep,
    crs: Annotated[
        str | None,
        Query(
            description="EPSG:4490 (default), CRS84, EPSG:4326, gcj02 (Amap) or an EPSG code "
            "such as 4547 (CGCS2000 Gauss-Krüger CM 114°E). KML is always lon/lat."
        ),
    ] = None,
) -> Response:
    name, fmt_name = _split(filename)
    the_layer = layer(name)
    fmt = export_format(fmt_name)
    target_crs = export_crs(crs)
    content, download = export_bytes(session, the_layer.id, fmt, target_crs)
    return Response(
        content,
        media_type=fmt.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{download}"',
            "Content-Crs": f"<{target_crs.uri}>",
        },
    )
