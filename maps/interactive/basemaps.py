"""Basemaps of the interactive maps and the datum their overlays must be drawn in.

OpenStreetMap and Tianditu (CGCS2000, which equals WGS84 to well under a metre here) take
our EPSG:4490 coordinates as they are. Amap tiles are in GCJ-02, a few hundred metres off; Leaflet
cannot shift them, so the overlays are moved to GCJ-02 in Python instead (``to_datum``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo.chinese_datums import wgs84_to_gcj02
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

Basemap = Literal["osm", "tianditu", "amap", "none"]
Datum = Literal["wgs84", "gcj02"]
BASEMAPS: tuple[str, ...] = ("osm", "tianditu", "amap", "none")


@dataclass(frozen=True)
class Tiles:
    """One tile layer: URL template, Chinese name, attribution, subdomains, overlay or base."""

    url: str
    name: str
    attribution: str
    subdomains: str = "abc"
    overlay: bool = False
    max_zoom: int = 18


OSM = Tiles(
    url="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    name="OpenStreetMap 地图",
    attribution='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> 贡献者',
    max_zoom=19,
)
AMAP = Tiles(
    url="https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
    name="高德地图（GCJ-02）",
    attribution="&copy; 高德地图 AutoNavi",
    subdomains="1234",
)
_TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILECOL={x}&TILEROW={y}&TILEMATRIX={z}&tk={key}"
)
_TIANDITU_ATTRIBUTION = (
    '&copy; <a href="https://www.tianditu.gov.cn/">天地图</a> 国家地理信息公共服务平台'
)


def tianditu_tiles(key: str) -> tuple[Tiles, Tiles]:
    """Tianditu vector map (vec_w) and its Chinese annotation overlay (cva_w)."""
    vec = Tiles(
        url=_TIANDITU_URL.replace("{layer}", "vec").replace("{key}", key),
        name="天地图 矢量",
        attribution=_TIANDITU_ATTRIBUTION,
        subdomains="01234567",
    )
    cva = Tiles(
        url=_TIANDITU_URL.replace("{layer}", "cva").replace("{key}", key),
        name="天地图 注记",
        attribution=_TIANDITU_ATTRIBUTION,
        subdomains="01234567",
        overlay=True,
    )
    return vec, cva


def resolve_basemap(basemap: str, tianditu_key: str | None) -> tuple[list[Tiles], Datum]:
    """The tile layers of a basemap choice (first = shown) and the datum overlays must use.

    Tianditu without a key cannot load a single tile, so it is left out with a warning and
    OpenStreetMap is shown instead. On a WGS84 basemap the other WGS84 one is offered as an
    alternative; Amap is never mixed with them, since the overlays can only match one datum.
    """
    if basemap not in BASEMAPS:
        raise InvalidInput(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}")
    if basemap == "none":
        return [], "wgs84"
    if basemap == "amap":
        return [AMAP], "gcj02"
    tianditu: list[Tiles] = []
    if tianditu_key:
        tianditu = list(tianditu_tiles(tianditu_key))
    elif basemap == "tianditu":
        log.warning("basemap 'tianditu' needs a Tianditu key (tk); showing OpenStreetMap instead")
    elif basemap == "osm":
        log.info("no Tianditu key configured; the Tianditu basemap is not offered")
    if basemap == "tianditu" and tianditu:
        return [*tianditu, OSM], "wgs84"
    return [OSM, *tianditu], "wgs84"


def add_tiles(m: folium.Map, tiles: list[Tiles]) -> None:
    """Add tile layers; the first base layer and its overlays are shown, the rest selectable."""
    shown_base = False
    for t in tiles:
        show = t.overlay or not shown_base
        shown_base = shown_base or not t.overlay
        folium.TileLayer(
            tiles=t.url,
            name=t.name,
            attr=t.attribution,
            subdomains=t.subdomains,
            overlay=t.overlay,
            show=show,
            max_zoom=t.max_zoom,
        ).add_to(m)


def to_datum(frame: gpd.GeoDataFrame, datum: Datum) -> gpd.GeoDataFrame:
    """Coordinates of ``frame`` in the basemap's datum (a shifted copy for GCJ-02).

    The CRS label stays EPSG:4490 although GCJ-02 is not a CRS PROJ knows: the result only
    feeds the browser's Leaflet layers, never an area or a distance.
    """
    if datum == "wgs84":
        return frame

    def shift(coords: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    shifted = frame.copy()
    shifted["geometry"] = shapely.transform(frame.geometry.values, shift)
    return shifted
