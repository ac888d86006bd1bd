"""The register as GeoJSON: parks, 宝丰's sections, radiation points."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from boundaries.store import feature_collection_json, feature_json
from service.dependencies import AsOfDep, SessionDep
from service.responses import (
    FEATURE,
    FEATURE_COLLECTION,
    GEOJSON,
    Responses,
    content,
    errors,
)

router = APIRouter(tags=["register"])

CodePath = Annotated[
    str,
    Path(
        description="Stable code, e.g. gaoxin, baofeng-yangzhuang, rp-01",
        examples=["gaoxin", "baofeng-yangzhuang", "rp-01"],
    ),
]
COLLECTION: Responses = {200: content((GEOJSON, FEATURE_COLLECTION))}
ONE: Responses = {200: content((GEOJSON, FEATURE)), **errors(404)}


def _geojson(body: str) -> Response:
    return Response(content=body, media_type=GEOJSON)


@router.get(
    "/parks",
    response_class=Response,
    responses=COLLECTION,
    summary="All parks (GeoJSON FeatureCollection)",
)
def parks(session: SessionDep, as_of: AsOfDep) -> Response:
    """Seven parks with register attributes, measured area and provenance."""
    return _geojson(feature_collection_json(session, "parks", as_of=as_of))


@router.get(
    "/parks/{code}", response_class=Response, responses=ONE, summary="One park (GeoJSON Feature)"
)
def park(code: CodePath, session: SessionDep, as_of: AsOfDep) -> Response:
    return _geojson(feature_json(session, "parks", code, as_of=as_of))


@router.get(
    "/park-sections",
    response_class=Response,
    responses=COLLECTION,
    summary="宝丰's four 组团 (GeoJSON FeatureCollection)",
)
def sections(session: SessionDep, as_of: AsOfDep) -> Response:
    return _geojson(feature_collection_json(session, "park_sections", as_of=as_of))


@router.get(
    "/park-sections/{code}",
    response_class=Response,
    responses=ONE,
    summary="One section (GeoJSON Feature)",
)
def section(code: CodePath, session: SessionDep, as_of: AsOfDep) -> Response:
    return _geojson(feature_json(session, "park_sections", code, as_of=as_of))


@router.get(
    "/radiation-points",
    response_class=Response,
    responses=COLLECTION,
    summary="The 34 radiation points (GeoJSON FeatureCollection)",
)
def radiation_points(session: SessionDep, as_of: AsOfDep) -> Response:
    """Points carry ``located`` and ``location_precision_m``: many are placed by district only."""
    return _geojson(feature_collection_json(session, "radiation_points", as_of=as_of))


@router.get(
    "/radiation-points/{code}",
    response_class=Response,
    responses=ONE,
    summary="One radiation point (GeoJSON Feature)",
)
def radiation_point(code: CodePath, session: SessionDep, as_of: AsOfDep) -> Response:
    return _geojson(feature_json(session, "radiation_points", code, as_of=as_of))
