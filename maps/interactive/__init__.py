"""Interactive (Leaflet/Folium) maps of the zone that work on an intranet.

``layout_map`` and ``industry_map`` build a ``folium.Map`` from ``boundaries.frames.Frames``;
``render_html`` turns it into one HTML page whose scripts and stylesheets come either from
``asset_base`` (the service mounts ``ASSET_DIR`` there) or are inlined (standalone file).
"""

from __future__ import annotations

import folium

from maps.interactive.basemaps import BASEMAPS
from maps.interactive.industry import industry_map
from maps.interactive.layout import layout_map
from maps.offline import ASSET_DIR, DEFAULT_ASSET_BASE, remote_resources, render_offline

__all__ = [
    "ASSET_DIR",
    "BASEMAPS",
    "DEFAULT_ASSET_BASE",
    "industry_map",
    "layout_map",
    "remote_resources",
    "render_html",
]


def render_html(m: folium.Map, *, standalone: bool) -> str:
    """The map as one HTML page; no script or stylesheet is ever loaded from http(s).

    ``standalone=True`` inlines every script and stylesheet (fonts and images as data: URIs),
    so the file opens with no network at all. ``standalone=False`` links them under the
    ``asset_base`` given when the map was built.
    """
    return render_offline(m, standalone=standalone)
