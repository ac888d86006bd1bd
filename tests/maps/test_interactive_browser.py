"""The interactive maps in a real headless Chromium, with every request off localhost blocked.

Debian's chromium driven by Playwright (never ``playwright install``). The pages are served from
127.0.0.1: the standalone file alone, and the linked page with ``maps/assets`` mounted at
/static/maps/ the way the service mounts it.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from boundaries.frames import Frames, bundled_frames
from geo.chinese_datums import gcj02_to_wgs84
from maps.interactive import ASSET_DIR, industry_map, layout_map, render_html

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "maps"
VIEWPORT = {"width": 1400, "height": 900}
LOCATE_PATH = "/locate"
# 1x1 transparent PNG for tile requests in the Amap test (tiles cannot load offline)
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

# Walk the layers on the map (recursing into groups and clusters); count distinct codes of
# what was drawn, by kind, and the parks per industry family.
COUNT_JS = """
() => {
    const name = Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map);
    const map = window[name];
    const seen = {park: new Set(), section: new Set(), point: new Set()};
    const families = {};
    const visit = (layer) => {
        const p = layer.feature && layer.feature.properties;
        const kind = (p && p.kind) || (layer.options && layer.options.parkgeoKind);
        const code = (p && p.code) || (layer.options && layer.options.parkgeoCode);
        if (kind in seen && code) { seen[kind].add(code); }
        if (kind === 'park' && p.family) {
            (families[p.family] = families[p.family] || new Set()).add(code);
        }
        if (layer.getLayers) { layer.getLayers().forEach(visit); }
    };
    Object.values(map._layers).forEach(visit);
    const out = {families: {}};
    for (const k in seen) { out[k] = [...seen[k]].sort(); }
    for (const f in families) { out.families[f] = [...families[f]].sort(); }
    return out;
}
"""
MAP_JS = "Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)"


@pytest.fixture(scope="module")
def frames() -> Frames:
    return bundled_frames()


@pytest.fixture(scope="module")
def site(tmp_path_factory, frames) -> Iterator[str]:
    """A 127.0.0.1 server with both pages of both maps and the assets at /static/maps/."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(ASSET_DIR, root / "static" / "maps")
    pages = {
        "layout": lambda: layout_map(frames, basemap="none"),
        "industry": lambda: industry_map(frames, basemap="none"),
        "locate": lambda: layout_map(frames, basemap="none", locate_url=LOCATE_PATH),
        "locate-amap": lambda: layout_map(frames, basemap="amap", locate_url=LOCATE_PATH),
    }
    for name, build in pages.items():
        (root / f"{name}.html").write_text(render_html(build(), standalone=True), "utf-8")
        linked = render_html(build(), standalone=False)
        (root / f"{name}-linked.html").write_text(linked, "utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A page with offsite requests blocked and console errors / page errors recorded."""

    def __init__(self, browser, site: str) -> None:
        self.site = site
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda msg: self.errors.append(msg.text) if msg.type == "error" else None,
        )
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.route("**/*", self._route)

    def _route(self, route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("data", "file", "blob") or url.hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, name: str):
        self.page.goto(f"{self.site}/{name}.html")
        self.page.wait_for_function(f"() => !!({MAP_JS})")
        self.page.wait_for_timeout(400)  # let fitBounds and the marker clusters settle
        return self.page

    def click_at(self, lon: float, lat: float) -> None:
        point = self.page.evaluate(
            f"([lat, lon]) => {{ const m = window[{MAP_JS}];"
            " const p = m.latLngToContainerPoint([lat, lon]);"
            " const r = m.getContainer().getBoundingClientRect();"
            " return [p.x + r.left, p.y + r.top]; }",
            [lat, lon],
        )
        self.page.mouse.click(point[0], point[1])


@pytest.fixture
def page(browser, site):
    opened = Page(browser, site)
    yield opened
    opened.context.close()
    assert opened.errors == [], f"console/page errors: {opened.errors}"


@pytest.mark.parametrize("suffix", ["", "-linked"], ids=["standalone", "linked"])
@pytest.mark.parametrize("name", ["layout", "industry"])
def test_page_draws_every_park_section_and_point(page, frames, name, suffix):
    drawn = page.open(name + suffix).evaluate(COUNT_JS)
    assert drawn["park"] == sorted(frames.parks["code"])
    assert len(drawn["section"]) == 4
    assert len(drawn["point"]) == 34
    assert page.blocked == [], "a page asked for something off localhost"
    if not suffix:
        DOCS.mkdir(parents=True, exist_ok=True)
        page.page.wait_for_timeout(600)
        page.page.screenshot(path=str(DOCS / f"{name}.png"))


def test_switching_an_industry_layer_off_removes_its_parks(page, frames):
    p = page.open("industry")
    before = p.evaluate(COUNT_JS)
    families = dict(zip(frames.parks["code"], frames.parks["families"], strict=True))
    chemicals = sorted(code for code, fams in families.items() if "chemicals" in fams)
    assert before["families"]["chemicals"] == chemicals and chemicals
    label = p.locator(".leaflet-control-layers-overlays label", has_text="化工类")
    label.locator("input").uncheck()
    after = p.evaluate(COUNT_JS)
    assert "chemicals" not in after["families"]
    assert after["families"]["equipment"] == before["families"]["equipment"]
    only_chemicals = {code for code, fams in families.items() if list(fams) == ["chemicals"]}
    assert set(after["park"]) == set(before["park"]) - only_chemicals
    label.locator("input").check()
    assert p.evaluate(COUNT_JS)["families"]["chemicals"] == chemicals


@pytest.mark.parametrize("name", ["layout", "industry-linked"])
def test_click_inside_a_park_shows_its_name(page, frames, name):
    park = frames.parks.sort_values("measured_area_km2").iloc[-1]
    inside = park.geometry.representative_point()
    p = page.open(name)
    page.click_at(inside.x, inside.y)
    popup = p.locator(".leaflet-popup-content")
    popup.wait_for(timeout=3000)
    assert park["name"] in popup.inner_text()


@pytest.mark.parametrize("name", ["locate", "locate-amap"])
def test_click_outside_parks_asks_locate_in_wgs84(page, name):
    asked: list[str] = []

    def answer(route) -> None:
        asked.append(route.request.url)
        body = {
            "inside": False,
            "park": {"code": "gaoxin", "name": "平顶山高新技术产业开发区"},
            "section": None,
            "distance_m": 1234.5,
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    p = page.page
    p.route(f"**{LOCATE_PATH}?**", answer)
    if name == "locate-amap":  # tiles cannot load offline: answer them with a blank image
        p.route(
            "**/*autonavi.com/**", lambda r: r.fulfill(body=BLANK_PNG, content_type="image/png")
        )
    page.open(name)
    # an empty spot: bottom centre of the fitted view holds no park and no circle outline
    clicked = p.evaluate(
        f"() => {{ const m = window[{MAP_JS}]; const s = m.getSize();"
        " const ll = m.containerPointToLatLng([s.x * 0.5, s.y * 0.93]);"
        " return [ll.lng, ll.lat, s.x * 0.5, s.y * 0.93]; }"
    )
    p.mouse.click(clicked[2], clicked[3])
    popup = p.locator(".leaflet-popup-content", has_text="不在任何园区范围内")
    popup.wait_for(timeout=3000)
    assert "1.23 公里" in popup.inner_text()
    assert len(asked) == 1
    query = parse_qs(urlparse(asked[0]).query)
    assert query["crs"] == ["wgs84"]
    lon, lat = float(query["lon"][0]), float(query["lat"][0])
    expected = gcj02_to_wgs84(clicked[0], clicked[1]) if name == "locate-amap" else clicked[:2]
    assert (lon, lat) == pytest.approx(expected, abs=2e-7)
