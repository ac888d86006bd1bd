"""Make a Folium map load its JavaScript, CSS and fonts from our vendored copies.

Folium and its plugins point at CDNs; on the zone's intranet that is a blank page. Each
``JSCSSMixin`` element names its resources (``("leaflet", url)``); we replace them per instance
(never Folium's class-level lists, which every map in the process shares) with files from
``maps/assets/`` (see ``scripts/vendor_assets.sh`` and ``maps/assets/LICENSES.md``). A resource
we have not vendored is an error, not a silent CDN fallback.

Two outputs: links under an ``asset_base`` URL (the service mounts ``ASSET_DIR`` there), or a
standalone page with every script and stylesheet inlined and CSS images/fonts as ``data:`` URIs.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path, PurePosixPath

from branca.element import Element, Figure
from folium.elements import JSCSSMixin

log = logging.getLogger(__name__)

ASSET_DIR = Path(__file__).parent / "assets"
DEFAULT_ASSET_BASE = "/static/maps/"

#: Folium resource name -> file under ASSET_DIR; None drops a resource we do not use.
LOCAL_ASSETS: dict[str, str | None] = {
    # folium.Map
    "leaflet": "leaflet/dist/leaflet.js",
    "jquery": "jquery/dist/jquery.min.js",
    "bootstrap": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "awesome_markers": "awesome-markers/dist/leaflet.awesome-markers.min.js",
    "leaflet_css": "leaflet/dist/leaflet.css",
    "bootstrap_css": "bootstrap/dist/css/bootstrap.min.css",
    "awesome_markers_font_css": "fontawesome/css/all.min.css",
    "awesome_markers_css": "awesome-markers/dist/leaflet.awesome-markers.css",
    # Bootstrap 3 glyphicons and rotated awesome-markers: our icons are Font Awesome, unrotated.
    "glyphicons_css": None,
    "awesome_rotate_css": None,
    # plugins
    "markerclusterjs": "markercluster/dist/leaflet.markercluster.js",
    "markerclustercss": "markercluster/dist/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/dist/MarkerCluster.Default.css",
    "Control.Fullscreen.js": "fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "fullscreen/Control.FullScreen.css",
    "leaflet_measure_js": "measure/dist/leaflet-measure.min.js",
    "leaflet_measure_css": "measure/dist/leaflet-measure.css",
    "Control_MiniMap_js": "minimap/dist/Control.MiniMap.min.js",
    "Control_MiniMap_css": "minimap/dist/Control.MiniMap.min.css",
    "Leaflet.Search.js": "search/dist/leaflet-search.min.js",
    "Leaflet.Search.css": "search/dist/leaflet-search.min.css",
}

# Rendered inline instead of linked when standalone; never a real URL scheme.
_INLINE_PREFIX = "parkgeo-asset:/"
_SCRIPT_LINK = re.compile(r'<script src="(?P<url>[^"]+)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="(?P<url>[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<ref>.*?)(?P=q)\s*\)""")
# a later src: candidate such as `,url(x.ttf) format("truetype")` whose file we did not vendor
_FONT_FALLBACK = re.compile(
    r"""\s*,\s*url\((?P<q>['"]?)(?P<ref>[^'")]+)(?P=q)\)\s*format\([^)]*\)"""
)
_REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)


def set_asset_base(m: Element, asset_base: str | None) -> None:
    """Remember where the service serves ``ASSET_DIR`` for this map (None: the default)."""
    m._parkgeo_asset_base = asset_base or DEFAULT_ASSET_BASE  # type: ignore[attr-defined]


def asset_base_of(m: Element) -> str:
    """The asset base recorded by ``set_asset_base`` (the default if none was)."""
    return getattr(m, "_parkgeo_asset_base", DEFAULT_ASSET_BASE)


def localize(m: Element, asset_base: str) -> None:
    """Point every resource of ``m`` and its descendants at ``asset_base`` + vendored path.

    Raises ``ValueError`` naming the element and resource when one is not vendored, so adding
    a plugin without its assets fails in tests instead of loading from a CDN.
    """
    base = asset_base if asset_base.endswith("/") else asset_base + "/"
    for element in _walk(m):
        if not isinstance(element, JSCSSMixin):
            continue
        # assigning creates instance attributes; the class-level lists stay untouched
        element.default_js = _localized(element, element.default_js, base)
        element.default_css = _localized(element, element.default_css, base)


def render_offline(m: Element, *, standalone: bool, asset_base: str | None = None) -> str:
    """Render the map's full HTML page with no script or stylesheet from the internet.

    ``asset_base`` defaults to the one recorded with ``set_asset_base``.
    """
    asset_base = asset_base or asset_base_of(m)
    localize(m, _INLINE_PREFIX if standalone else asset_base)
    figure = m.get_root()
    if not isinstance(figure, Figure):
        raise TypeError("render a folium Map (or an element inside one)")
    for name, path in LOCAL_ASSETS.items():
        if path is None:  # left in the header by an earlier render without localize()
            figure.header._children.pop(name, None)
    html = figure.render()
    if standalone:
        html = _SCRIPT_LINK.sub(_inline_script, html)
        html = _CSS_LINK.sub(_inline_css, html)
    remote = remote_resources(html)
    if remote:
        raise RuntimeError(f"rendered map still loads from the network: {remote}")
    return html


def remote_resources(html: str) -> list[str]:
    """URLs of scripts and stylesheets in ``html`` that would be fetched over http(s)."""
    found = [m["url"] for m in _SCRIPT_LINK.finditer(html)]
    found += [m["url"] for m in _CSS_LINK.finditer(html)]
    return [url for url in found if _REMOTE.match(url)]


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _localized(
    element: Element, resources: list[tuple[str, str]], base: str
) -> list[tuple[str, str]]:
    out = []
    for name, url in resources:
        if name not in LOCAL_ASSETS:
            raise ValueError(
                f"{type(element).__name__} needs {name!r} ({url}) which is not vendored; "
                "add it to scripts/vendor_assets.sh and maps.offline.LOCAL_ASSETS"
            )
        path = LOCAL_ASSETS[name]
        if path is not None:
            out.append((name, base + path))
    return out


def _asset_path(url: str) -> Path:
    relative = PurePosixPath(url.removeprefix(_INLINE_PREFIX))
    path = (ASSET_DIR / relative).resolve()
    if not path.is_relative_to(ASSET_DIR.resolve()) or not path.is_file():
        raise FileNotFoundError(f"vendored asset {relative} is missing under {ASSET_DIR}")
    return path


def _inline_script(match: re.Match[str]) -> str:
    url = match["url"]
    if not url.startswith(_INLINE_PREFIX):
        return match[0]
    # a literal "</script" inside the code would end the element early
    code = _read_text(_asset_path(url)).replace("</script", "<\\/script")
    return f"<script>/* {url.removeprefix(_INLINE_PREFIX)} */\n{code}\n</script>"


def _inline_css(match: re.Match[str]) -> str:
    url = match["url"]
    if not url.startswith(_INLINE_PREFIX):
        return match[0]
    path = _asset_path(url)
    css = _css_with_data_uris(path)
    return f"<style>/* {url.removeprefix(_INLINE_PREFIX)} */\n{css}\n</style>"


@cache
def _css_with_data_uris(path: Path) -> str:
    """The stylesheet with each relative url() replaced by a data: URI of the vendored file."""
    css = _read_text(path)

    def drop_missing_fallback(match: re.Match[str]) -> str:
        return "" if not (path.parent / match["ref"]).is_file() else match[0]

    def embed(match: re.Match[str]) -> str:
        ref = match["ref"]
        if ref.startswith(("data:", "#")) or not ref:
            return match[0]
        target = (path.parent / ref.split("?")[0].split("#")[0]).resolve()
        if not target.is_file():
            log.debug("stylesheet %s refers to %s, which is not vendored", path.name, ref)
            return match[0]
        return f'url("{_data_uri(target)}")'

    css = _FONT_FALLBACK.sub(drop_missing_fallback, css)
    return _CSS_URL.sub(embed, css)


@cache
def _data_uri(path: Path) -> str:
    mime = {".woff2": "font/woff2", ".svg": "image/svg+xml"}.get(path.suffix)
    mime = mime or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


@cache
def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")
