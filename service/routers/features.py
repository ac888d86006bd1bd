"""The register as GeoJSON: parks, 宝丰's sections, radiation points."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from boundaries.store import feature_collection_json, feature_json
from service.dependencies import AsOfDep, SessionDep

router = APIRouter(tags=["register"])

GEOJSON = "application/geo+json"
CodePath = Annotated[str, Path(description="Stable code, e.g. gaoxin, baofeng-yangzhuang, rp-01")]


def _geojson(body: str) -> Response:
    return Response(content=body, media_type=GEOJSON)


@router.get("/parks", summary="All parks (GeoJSON FeatureCollection)")
def parks(session: SessionDep, as_of: AsOfDep) -> Response:
    """Seven parks with register attributes, measured area and provenance."""
    return _geojson(feature_collection_json(session, "parks", as_of=as_of))


@router.get("/parks/{code}", summary="One park (GeoJSON Feature)")
def park(code: CodePath, session: SessionDep, as_of: AsOfDep) -> Response:
    return _geojson(feature_json(session, "parks", code, as_of=as_of))


@router.get("/park-sections", summary="宝丰's four 组团 (GeoJSON FeatureCollection)")
def sections(session: SessionDep, as_of: AsOfDep) -> Response:
    return _geojson(feature_collection_json(session, "park_sections", as_of=as_of))


@router.get("/park-sections/{code}", summary="One section (GeoJSON Feature)")
def section(code: CodePath, session: SessionDep, as_of: AsOfDep) -> Response:
    return _geojson(feature_json(session, "park_sections", code, as_of=as_of))


@router.get("/radiation-points", summary="The 34 radiation points (GeoJSON FeatureCollection)")
def radiation_points(session: SessionDep, as_of: AsOfDep) -> Response:
    """Points carry ``located`` and ``location_precision_m``: many are placed by district only."""
    return _geojson(feature_collection_json(session, "radiation_points", as_of=as_of))


@router.get("/radiation-points/{code}", summary="One radiation point (GeoJSON Feature)")
def radiation_point(code: CodePath, session: SessionDep, as_of: AsOfDep) -> Response:
    return _geojson(feature_json(session, "radiation_points", code, as_of=as_of))
