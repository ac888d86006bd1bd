"""Interactive maps (``/maps/...``) and print figures (``/figures/...``).

Both draw from ``boundaries.store.frames``; the rendering lives in ``maps``. Map assets
(Leaflet, jQuery, plugins) are served from ``/static/maps/`` so pages work on an intranet.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from boundaries.store import end_of_day, frames
from maps.figures import render_figure
from maps.interactive import DEFAULT_ASSET_BASE, industry_map, layout_map, render_html
from service.dependencies import AsOfDayQuery, AsOfDep, SessionDep, SettingsDep
from service.responses import HTML_PAGE, Responses, binary, content, errors

router = APIRouter(tags=["maps"])

Basemap = Annotated[
    Literal["osm", "tianditu", "amap", "none"],
    Query(
        description="Basemap: OpenStreetMap, Tianditu (CGCS2000; needs PARKGEO_TIANDITU_KEY), "
        "Amap (GCJ-02: overlays are shifted to match), or none."
    ),
]
FIGURE_MEDIA = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def _key(settings: SettingsDep) -> str | None:
    return settings.tianditu_key.get_secret_value() if settings.tianditu_key else None


# response_class=Response: with HTMLResponse, FastAPI would document the JSON errors as HTML.
PAGE: Responses = {200: content(HTML_PAGE)}


@router.get(
    "/maps/layout", response_class=Response, responses=PAGE, summary="Spatial layout map (HTML)"
)
def layout_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    as_of: AsOfDep,
    basemap: Basemap = "osm",
) -> HTMLResponse:
    """Parks by tier, 宝丰's 组团, radiation points by category; a click asks ``/locate``."""
    m = layout_map(
        frames(session, as_of=as_of),
        basemap=basemap,
        tianditu_key=_key(settings),
        asset_base=DEFAULT_ASSET_BASE,
        locate_url=request.scope.get("root_path", "") + "/locate",
    )
    return HTMLResponse(render_html(m, standalone=False))


@router.get(
    "/maps/industry", response_class=Response, responses=PAGE, summary="Industry map (HTML)"
)
def industry_page(
    session: SessionDep, settings: SettingsDep, as_of: AsOfDep, basemap: Basemap = "osm"
) -> HTMLResponse:
    """One switchable layer per industry family, with the industry × park matrix."""
    m = industry_map(
        frames(session, as_of=as_of),
        basemap=basemap,
        tianditu_key=_key(settings),
        asset_base=DEFAULT_ASSET_BASE,
    )
    return HTMLResponse(render_html(m, standalone=False))


@router.get(
    "/figures/{kind}.{fmt}",
    summary="Print-ready layout figure (PNG, SVG or PDF)",
    response_class=Response,
    responses={200: binary(*FIGURE_MEDIA.values()), **errors(400, 404)},
)
def figure(
    kind: Literal["overview", "industry", "park"],
    fmt: Literal["png", "svg", "pdf"],
    session: SessionDep,
    as_of: AsOfDayQuery = None,
    code: Annotated[
        str | None, Query(description="Park code for kind=park, e.g. gaoxin or baofeng.")
    ] = None,
    paper: Annotated[Literal["A4", "A3"], Query(description="Paper size.")] = "A4",
    orientation: Annotated[
        Literal["landscape", "portrait"], Query(description="Page orientation.")
    ] = "landscape",
    dpi: Annotated[int, Query(ge=72, le=600, description="Resolution of PNG output.")] = 300,
    title: Annotated[
        str | None, Query(max_length=80, description="Title; default depends on the kind.")
    ] = None,
) -> Response:
    body = render_figure(
        frames(session, as_of=end_of_day(as_of) if as_of else None),
        kind,
        code=code,
        fmt=fmt,
        paper=paper,
        orientation=orientation,
        dpi=dpi,
        title=title,
        as_of=as_of.isoformat() if as_of else None,
    )
    name = f"{kind}-{code}.{fmt}" if code else f"{kind}.{fmt}"
    return Response(
        body,
        media_type=FIGURE_MEDIA[fmt],
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
