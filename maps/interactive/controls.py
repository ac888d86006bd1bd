"""Leaflet controls the Folium plugins do not cover: HTML panels, name search across layers,
the park minimap, a metric scale, page style and click-to-locate.

Each is a small ``MacroElement`` with its own template, so the service and the standalone file
render them identically; resources are declared by name and localized by ``maps.offline``.
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from maps.interactive.basemaps import Datum, Tiles

FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"WenQuanYi Micro Hei", sans-serif'
)

PAGE_CSS = """
.leaflet-container { background: #eef1f4; font-family: %(font)s; }
.leaflet-container .leaflet-control, .leaflet-popup-content { font-family: %(font)s; }
.pg-panel { background: rgba(255,255,255,.94); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); font-size: 12px; line-height: 1.45; color: #222; }
.pg-panel h5 { font-size: 13px; font-weight: 700; margin: 4px 0 3px; }
.pg-panel h5:first-child { margin-top: 0; }
.pg-legend-row { display: flex; align-items: center; gap: 6px; margin: 2px 0; white-space: nowrap; }
.pg-swatch { display: inline-block; width: 18px; height: 12px; border-radius: 2px;
  border: 2px solid var(--c); background: color-mix(in srgb, var(--c) 45%%, transparent); }
.pg-topcenter { position: absolute; top: 10px; left: 50%%; transform: translateX(-50%%);
  z-index: 1000; text-align: center; pointer-events: auto; max-width: 60%%; }
.pg-title { font-size: 16px; font-weight: 700; }
.pg-schematic { color: #9a3412; background: #fff7ed; border: 1px solid #fdba74;
  border-radius: 4px; padding: 2px 8px; margin-top: 4px; font-size: 12px; display: inline-block; }
.pg-pin { width: 26px; height: 26px; border-radius: 50%%; background: var(--c); color: #fff;
  border: 2px solid #fff; box-shadow: 0 1px 4px rgba(0,0,0,.5); display: flex;
  align-items: center; justify-content: center; font-size: 12px; }
.pg-pin-icon { display: inline-flex; width: 18px; height: 18px; border-radius: 50%%;
  background: var(--c); color: #fff; align-items: center; justify-content: center;
  font-size: 10px; }
.pg-cluster { border-radius: 50%%; background: color-mix(in srgb, var(--c) 35%%, transparent); }
.pg-cluster div { width: 30px; height: 30px; margin: 5px; border-radius: 50%%; background: var(--c);
  color: #fff; font-weight: 700; display: flex; align-items: center; justify-content: center; }
.pg-label { background: transparent; border: none; }
.pg-label span { display: inline-block; transform: translate(-50%%, -50%%); white-space: nowrap;
  font-size: 13px; font-weight: 700; color: #1f2937;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; }
.pg-label.pg-section span { font-size: 11px; font-weight: 600; color: #374151; }
.pg-label.pg-above span { transform: translate(-50%%, -140%%); }
.pg-popup h4 { font-size: 15px; font-weight: 700; margin: 0 0 6px; }
.pg-popup table { border-collapse: collapse; font-size: 12px; }
.pg-popup th { white-space: nowrap; color: #555; font-weight: 600; padding: 2px 8px 2px 0;
  vertical-align: top; }
.pg-popup td { padding: 2px 0; vertical-align: top; }
.pg-popup details { margin-top: 6px; font-size: 12px; }
.pg-popup details p { margin: 4px 0 0; max-height: 120px; overflow: auto; }
.pg-note { color: #666; font-size: 11px; }
.pg-badge { border-radius: 3px; padding: 0 4px; color: #fff; font-size: 11px; }
.pg-badge.pg-schematic, .pg-badge.pg-surveyed { display: inline; margin: 0; border: none; }
.pg-badge.pg-schematic { background: #ea580c; color: #fff; }
.pg-badge.pg-surveyed { background: #15803d; }
.pg-matrix { border-collapse: collapse; font-size: 11px; margin-top: 4px; line-height: 1.25; }
.pg-matrix th, .pg-matrix td { border: 1px solid #d1d5db; padding: 1px 5px; text-align: center; }
.pg-matrix th.pg-family { text-align: left; color: #fff; background: var(--c); }
.pg-matrix th.pg-park { writing-mode: vertical-rl; text-orientation: upright; padding: 4px 1px;
  vertical-align: bottom; letter-spacing: -1px; font-weight: 600; }
.pg-matrix td.pg-term { text-align: left; white-space: nowrap; }
.pg-matrix td.pg-yes { color: var(--c); font-weight: 700; }
.pg-panel summary { font-weight: 700; font-size: 13px; cursor: pointer; }
.leaflet-control-layers-list { font-size: 12px; }
.leaflet-control-layers-overlays label span { white-space: nowrap; }
.leaflet-control-search .search-input { font-family: %(font)s; }
.pg-locate b { font-size: 14px; }
""" % {"font": FONT_STACK}  # noqa: UP031  (CSS is full of braces; %-format keeps it readable)


class PageStyle(MacroElement):
    """The shared CSS of parkgeo maps (panels, pins, labels, popups), in the page header."""

    _template = Template(
        """{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"""
    )

    def __init__(self, css: str = PAGE_CSS) -> None:
        super().__init__()
        self._name = "PageStyle"
        self.css = css


class HtmlControl(MacroElement):
    """A panel of our own HTML (legend, note, matrix) as a Leaflet control.

    ``position`` is a Leaflet corner, or ``"topcenter"`` for a banner centred over the map.
    Clicks and scrolls inside do not reach the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.corner|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- if this.position == "topcenter" %}
        {{ this._parent.get_name() }}.getContainer().appendChild(
            {{ this.get_name() }}.getContainer());
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str = "bottomleft", css_class: str = "") -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html = html
        self.position = position
        self.corner = "topleft" if position == "topcenter" else position
        classes = ["pg-panel", css_class, "pg-topcenter" if position == "topcenter" else ""]
        self.css_class = " ".join(c for c in classes if c)


class MetricScale(MacroElement):
    """A metric-only scale bar (the default also shows miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160, position: 'bottomleft'})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class NameSearch(JSCSSMixin, MacroElement):
    """Search parks, sections and radiation points by name (leaflet-search over many layers).

    folium's ``Search`` indexes one layer and adds it to the map; here the records are read
    from several layers on each search (features with ``search_name`` in their properties,
    markers with ``searchName`` in their options), matching anywhere in the name. A hit zooms
    to the shape (or opens its marker cluster) and opens its popup.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map) {
            var groups = [{% for layer in this.layers %}{{ layer.get_name() }}, {% endfor %}];
            function records() {
                var found = {};
                function visit(layer, cluster) {
                    var props = layer.feature && layer.feature.properties;
                    var name = (props && props.search_name) ||
                        (layer.options && layer.options.searchName);
                    if (name && (layer.getBounds || layer.getLatLng)) {
                        var at = layer.getBounds ? layer.getBounds().getCenter()
                            : layer.getLatLng();
                        at.layer = layer;
                        at.cluster = cluster;
                        found[name] = at;
                    }
                    if (layer.getLayers) {
                        var inner = layer.zoomToShowLayer ? layer : cluster;
                        layer.getLayers().forEach(function (child) { visit(child, inner); });
                    }
                }
                groups.forEach(function (group) { visit(group, null); });
                return found;
            }
            var control = new L.Control.Search({
                sourceData: function (text, callback) {
                    callback(records());
                    return {abort: function () {}};
                },
                formatData: function (found) { return found; },
                initial: false,
                marker: false,
                collapsed: {{ this.collapsed|tojson }},
                position: {{ this.position|tojson }},
                textPlaceholder: {{ this.placeholder|tojson }},
                textErr: '未找到',
                textCancel: '取消',
                moveToLocation: function () {}
            });
            control.on('search:locationfound', function (e) {
                var layer = e.layer || (e.latlng && e.latlng.layer);
                if (!layer) { return; }
                var show = function () { if (layer.openPopup) { layer.openPopup(); } };
                if (!map.hasLayer(layer) && e.latlng.cluster && map.hasLayer(e.latlng.cluster)) {
                    e.latlng.cluster.zoomToShowLayer(layer, show);
                } else if (layer.getBounds) {
                    map.fitBounds(layer.getBounds(), {maxZoom: 14});
                    show();
                } else {
                    map.setView(layer.getLatLng(), Math.max(map.getZoom(), 14));
                    show();
                }
            });
            map.addControl(control);
            return control;
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    default_js = [  # noqa: RUF012  (folium's JSCSSMixin API is a class-level list)
        (
            "Leaflet.Search.js",
            "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.js",
        )
    ]
    default_css = [  # noqa: RUF012
        (
            "Leaflet.Search.css",
            "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.css",
        )
    ]

    def __init__(
        self,
        layers: list[Layer],
        *,
        placeholder: str = "搜索园区、组团或单位名称",
        position: str = "topleft",
        collapsed: bool = True,
    ) -> None:
        super().__init__()
        self._name = "NameSearch"
        self.layers = layers
        self.placeholder = placeholder
        self.position = position
        self.collapsed = collapsed


class ParkMiniMap(JSCSSMixin, MacroElement):
    """Overview minimap: the basemap tiles (if any) plus the park outlines.

    With basemap "none" folium's MiniMap would still fetch OpenStreetMap tiles; the outlines
    keep the overview useful without any tiles.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new L.Control.MiniMap(
            L.layerGroup([
                {%- for t in this.tiles %}
                L.tileLayer({{ t.url|tojson }}, {subdomains: {{ t.subdomains|tojson }},
                    attribution: ''}),
                {%- endfor %}
                L.geoJSON({{ this.outline|tojson }}, {
                    interactive: false,
                    style: function (f) { return f.properties.style; }
                })
            ]),
            {{ this.options|tojavascript }}
        );
        {{ this._parent.get_name() }}.addControl({{ this.get_name() }});
        {% endmacro %}
        """
    )

    default_js = [  # noqa: RUF012  (folium's JSCSSMixin API is a class-level list)
        (
            "Control_MiniMap_js",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js",
        )
    ]
    default_css = [  # noqa: RUF012
        (
            "Control_MiniMap_css",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css",
        )
    ]

    def __init__(self, outline: dict[str, Any], tiles: list[Tiles]) -> None:
        super().__init__()
        self._name = "ParkMiniMap"
        self.outline = outline
        self.tiles = [t for t in tiles if not t.overlay][:1]
        self.options = {
            "position": "bottomright",
            "toggleDisplay": True,
            "zoomLevelOffset": -3,
            "width": 170,
            "height": 150,
            "strings": {"hideText": "隐藏鹰眼图", "showText": "显示鹰眼图"},
        }


# GCJ-02 inverse in the browser: Amap clicks arrive in GCJ-02, the locate service wants WGS84.
# Same formula and Krasovsky constants as geo.chinese_datums; iterative like its inverse.
_GCJ02_JS = """
function pgOutOfChina(lon, lat) {
    return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}
function pgGcjDelta(lon, lat) {
    var PI = Math.PI, a = 6378245.0, ee = 0.00669342162296594323;
    var x = lon - 105.0, y = lat - 35.0;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y +
        0.2 * Math.sqrt(Math.abs(x));
    dLat += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    dLat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    dLat += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dLon += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    dLon += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    dLon += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var radLat = lat / 180.0 * PI, magic = Math.sin(radLat);
    magic = 1 - ee * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * PI);
    dLon = (dLon * 180.0) / (a / sqrtMagic * Math.cos(radLat) * PI);
    return [dLon, dLat];
}
function pgWgs84ToGcj02(lon, lat) {
    if (pgOutOfChina(lon, lat)) { return [lon, lat]; }
    var d = pgGcjDelta(lon, lat);
    return [lon + d[0], lat + d[1]];
}
function pgGcj02ToWgs84(glon, glat) {
    if (pgOutOfChina(glon, glat)) { return [glon, glat]; }
    var lon = glon, lat = glat;
    for (var i = 0; i < 30; i++) {
        var g = pgWgs84ToGcj02(lon, lat), dx = g[0] - glon, dy = g[1] - glat;
        lon -= dx; lat -= dy;
        if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) { break; }
    }
    return [lon, lat];
}
"""


class LocateOnClick(MacroElement):
    """A click on empty map asks the service's locate endpoint and shows its answer.

    Clicks on parks, sections and points open their own popups instead (those layers do not
    bubble clicks). On the Amap basemap the click is in GCJ-02 and is converted back to WGS84
    before asking, since the service is asked with ``crs=wgs84``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- if this.datum == "gcj02" %}{{ this.gcj02_js }}{% endif %}
        var {{ this.get_name() }} = (function (map) {
            var url = {{ this.url|tojson }};
            function esc(s) {
                return String(s).replace(/[&<>"']/g, function (c) {
                    return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
                });
            }
            function nameOf(v) {
                if (v === null || v === undefined) { return null; }
                return typeof v === 'object' ? (v.name || v.short_name || v.code) : String(v);
            }
            function distance(m) {
                return m >= 1000 ? (m / 1000).toFixed(2) + ' 公里' : Math.round(m) + ' 米';
            }
            function answer(d, lon, lat) {
                var park = nameOf(d.park), section = nameOf(d.section), html;
                if (d.inside) {
                    html = '<b>位于 ' + esc(park || '园区') +
                        (section ? ' · ' + esc(section) : '') +
                        '</b>';
                } else {
                    html = '<b>不在任何园区范围内</b>';
                    if (d.distance_m !== null && d.distance_m !== undefined) {
                        html += '<br>距最近园区' + (park ? '（' + esc(park) + '）' : '') + '约 ' +
                            distance(d.distance_m);
                    }
                }
                return '<div class="pg-locate">' + html + '<br><span class="pg-note">WGS84 ' +
                    lon.toFixed(6) + ', ' + lat.toFixed(6) + '</span></div>';
            }
            function locate(e) {
                var lon = e.latlng.lng, lat = e.latlng.lat;
                {%- if this.datum == "gcj02" %}
                var w = pgGcj02ToWgs84(lon, lat); lon = w[0]; lat = w[1];
                {%- endif %}
                var popup = L.popup().setLatLng(e.latlng).setContent('查询中…').openOn(map);
                var query = (url.indexOf('?') >= 0 ? '&' : '?') + 'lon=' + lon.toFixed(7) +
                    '&lat=' + lat.toFixed(7) + '&crs=wgs84';
                fetch(url + query, {headers: {Accept: 'application/json'}})
                    .then(function (r) {
                        if (!r.ok) { throw new Error('HTTP ' + r.status); }
                        return r.json();
                    })
                    .then(function (d) { popup.setContent(answer(d, lon, lat)); })
                    .catch(function (err) {
                        popup.setContent('<b>定位查询失败</b><br>' + esc(err.message || err));
                    });
            }
            map.on('click', locate);
            return {locate: locate};
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, url: str, datum: Datum) -> None:
        super().__init__()
        self._name = "LocateOnClick"
        self.url = url
        self.datum = datum
        self.gcj02_js = _GCJ02_JS
