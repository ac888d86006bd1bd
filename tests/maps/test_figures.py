"""Layout figures: every kind in every format, Chinese text, sizes, scale bar, 示意, errors."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import warnings

import geopandas as gpd
import pytest
from matplotlib.patches import Rectangle
from PIL import Image
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Point, box

from boundaries.frames import Frames, bundled_frames
from geo.errors import DependencyMissing, InvalidInput, NotFound
from maps.figures import FORMATS, build_figure, render_figure
from maps.figures.furniture import SCALEBAR_GID, SCALEBAR_LABEL_GID, STAMP_GID
from maps.figures.sheet import PAPER_MM
from maps.fonts import cjk_context, cjk_family

CASES = [("overview", None), ("industry", None), ("park", "gaoxin"), ("park", "baofeng")]


@pytest.fixture(scope="module")
def frames() -> Frames:
    return bundled_frames()


def fake_frames(source: str = "schematic") -> Frames:
    """Two parks (one in two 组团) and three points, with the contract's columns."""
    provenance = {
        "geometry_source": source,
        "provenance": "test",
        "provenance_date": "2024-05-01",
        "precision_m": 50,
    }
    sides = {
        "bound_east": "东环路",
        "bound_west": "西环路",
        "bound_south": "南环路",
        "bound_north": "北环路",
    }
    a = box(113.30, 33.70, 113.36, 33.74)
    s1, s2 = box(113.05, 33.85, 113.07, 33.87), box(113.00, 33.83, 113.02, 33.85)
    parks = gpd.GeoDataFrame(
        [
            {
                "code": "alpha",
                "seq": 1,
                "name": "甲高新技术产业开发区",
                "short_name": "甲园",
                "tier": "原空间范围",
                "declared_area_km2": 24.8,
                "measured_area_km2": 24.8,
                "district": "新华区",
                "boundary_text": "东至东环路，西至西环路",
                **sides,
                "industries": ["装备制造", "化工"],
                "families": ["equipment", "chemicals"],
                **provenance,
                "geometry": a,
            },
            {
                "code": "beta",
                "seq": 2,
                "name": "乙高新技术产业开发区",
                "short_name": "乙园",
                "tier": "新增空间范围",
                "declared_area_km2": 9.0,
                "measured_area_km2": 9.2,
                "district": "宝丰县",
                "boundary_text": "见组团",
                **sides,
                "industries": ["医药"],
                "families": ["biopharma"],
                **provenance,
                "geometry": MultiPolygon([s1, s2]),
            },
        ],
        crs="EPSG:4490",
    )
    sections = gpd.GeoDataFrame(
        [
            {
                "code": "beta-east",
                "park": "beta",
                "seq": 1,
                "zone_area": "片区1(东区)",
                "name": "东组团",
                "boundary_text": "",
                **sides,
                "measured_area_km2": 4.6,
                **provenance,
                "geometry": s1,
            },
            {
                "code": "beta-west",
                "park": "beta",
                "seq": 2,
                "zone_area": "片区2(西区)",
                "name": "西组团",
                "boundary_text": "",
                **sides,
                "measured_area_km2": 4.6,
                **provenance,
                "geometry": s2,
            },
        ],
        crs="EPSG:4490",
    )
    points = gpd.GeoDataFrame(
        [
            {
                "code": "rp-01",
                "seq": 1,
                "name": "甲机械有限公司",
                "category": "enterprise",
                "district": "新华区",
                "batch": 1,
                "industries": ["装备制造"],
                "families": ["equipment"],
                "located": True,
                "location_precision_m": 300.0,
                "location_note": "",
                "geometry": Point(113.28, 33.75),
            },
            {
                "code": "rp-02",
                "seq": 2,
                "name": "乙学院",
                "category": "university",
                "district": "新华区",
                "batch": 1,
                "industries": [],
                "families": [],
                "located": True,
                "location_precision_m": 5000.0,
                "location_note": "",
                "geometry": Point(113.20, 33.76),
            },
            {
                "code": "rp-03",
                "seq": 3,
                "name": "丙未定位科技有限公司",
                "category": "enterprise",
                "district": "",
                "batch": 1,
                "industries": [],
                "families": [],
                "located": False,
                "location_precision_m": 15000.0,
                "location_note": "",
                "geometry": Point(113.3, 33.74),
            },
        ],
        crs="EPSG:4490",
    )
    return Frames(parks=parks, sections=sections, points=points)


def _render(frames: Frames, kind: str, code: str | None, **kw) -> bytes:
    """Render with every warning recorded; fail on any missing glyph."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = render_figure(frames, kind, code=code, **kw)
    missing = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
    assert not missing, missing
    return data


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("kind", "code"), CASES)
def test_each_figure_renders_in_each_format_without_missing_glyphs(frames, kind, code, fmt):
    data = _render(frames, kind, code, fmt=fmt, dpi=72)
    magic = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<?xml"}[fmt]
    assert data.startswith(magic)


@pytest.mark.parametrize("paper", list(PAPER_MM))
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_png_has_the_pixel_size_and_dpi_of_the_paper(frames, paper, orientation):
    dpi = 100
    data = _render(frames, "overview", None, paper=paper, orientation=orientation, dpi=dpi)
    short, long = (mm / 25.4 * dpi for mm in PAPER_MM[paper])
    expected = (long, short) if orientation == "landscape" else (short, long)
    image = Image.open(io.BytesIO(data))
    assert abs(image.size[0] - expected[0]) < 1 and abs(image.size[1] - expected[1]) < 1
    assert image.info["dpi"] == pytest.approx((dpi, dpi), abs=0.01)


def test_a4_at_300_dpi_is_the_standard_pixel_size(frames):
    image = Image.open(io.BytesIO(_render(frames, "park", "gaoxin", dpi=300)))
    assert image.size in {(3507, 2480), (3508, 2480)}


def test_sheet_size_is_exact_in_inches(frames):
    with cjk_context():
        figure = build_figure(frames, "industry", paper="A3", orientation="portrait", dpi=72)
    assert tuple(figure.get_size_inches()) == pytest.approx((297 / 25.4, 420 / 25.4))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize(("kind", "code"), CASES)
def test_pdf_text_contains_the_chinese_park_names(frames, kind, code):
    pdf = _render(frames, kind, code, fmt="pdf", dpi=72)
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    text = re.sub(r"\s+", "", text)
    parks = frames.parks if kind != "park" else frames.parks[frames.parks["code"] == code]
    for name in parks["name"]:
        assert name in text
    assert "示意" in text


def _scalebar(figure):
    ax = figure.axes[1]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == SCALEBAR_GID]
    labels = [t for t in ax.texts if t.get_gid() == SCALEBAR_LABEL_GID]
    assert len(bars) == 1 and len(labels) == 1
    number, unit = re.fullmatch(r"([\d.]+) (千米|米)", labels[0].get_text()).groups()
    return ax, bars[0], float(number) * (1000 if unit == "千米" else 1)


@pytest.mark.parametrize(("kind", "code"), CASES)
def test_scale_bar_length_matches_the_ground_distance(frames, kind, code):
    """Two known points: their ground (geodesic) distance vs their EPSG:4547 distance gives
    the axis scale; the bar drawn in axis units must equal its label times that scale."""
    with cjk_context():
        figure = build_figure(frames, kind, code=code, dpi=72)
    ax, bar, label_m = _scalebar(figure)
    parks = frames.parks.set_index("code")
    a = parks.loc["gaoxin"].geometry.centroid
    b = parks.loc["baofeng"].geometry.centroid
    ground = Geod(ellps="GRS80").inv(a.x, a.y, b.x, b.y)[2]
    to_plot = Transformer.from_crs("EPSG:4490", "EPSG:4547", always_xy=True)
    (ax_, ay), (bx, by) = to_plot.transform(a.x, a.y), to_plot.transform(b.x, b.y)
    axis_per_ground = ((bx - ax_) ** 2 + (by - ay) ** 2) ** 0.5 / ground
    assert bar.get_width() == pytest.approx(label_m * axis_per_ground, rel=0.02)
    x0, x1 = ax.get_xlim()
    assert 200_000 < x0 < x1 < 800_000  # metres of EPSG:4547, not degrees


def test_missing_cjk_font_raises_dependency_missing(frames):
    with pytest.raises(DependencyMissing, match="fonts-noto-cjk"):
        cjk_family(("No Such CJK Font", "Another Absent Font"))
    with pytest.raises(DependencyMissing, match="make setup"):
        render_figure(frames, "overview", fonts=("No Such CJK Font",))


def test_found_font_is_a_simplified_chinese_family():
    assert cjk_family() in {
        "Noto Sans CJK SC",
        "Noto Serif CJK SC",
        "WenQuanYi Micro Hei",
        "WenQuanYi Zen Hei",
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"kind": "map"}, InvalidInput, "overview, industry, park"),
        ({"kind": "overview", "fmt": "jpg"}, InvalidInput, "png, svg, pdf"),
        ({"kind": "overview", "paper": "A5"}, InvalidInput, "A4, A3"),
        ({"kind": "overview", "orientation": "sideways"}, InvalidInput, "landscape, portrait"),
        ({"kind": "overview", "dpi": 5}, InvalidInput, "50 to 1200"),
        ({"kind": "park"}, InvalidInput, "gaoxin"),
        ({"kind": "park", "code": "nowhere"}, NotFound, "baofeng"),
        ({"kind": "industry", "code": "gaoxin"}, InvalidInput, "no park code"),
    ],
)
def test_bad_requests_name_the_value_and_the_accepted_ones(frames, kwargs, error, needle):
    with pytest.raises(error, match=needle) as info:
        render_figure(frames, **kwargs)
    bad = kwargs.get("code") or next((v for k, v in kwargs.items() if k != "kind"), None)
    if kwargs != {"kind": "park"}:
        assert repr(bad if bad is not None else kwargs["kind"]) in info.value.message


def _texts(figure) -> list[str]:
    return [t.get_text() for ax in figure.axes for t in ax.texts]


@pytest.mark.parametrize(
    ("kind", "code"), [("overview", None), ("industry", None), ("park", "beta")]
)
def test_schematic_stamp_only_when_geometry_is_schematic(kind, code):
    with cjk_context():
        schematic = build_figure(fake_frames("schematic"), kind, code=code, dpi=72)
        surveyed = build_figure(fake_frames("surveyed"), kind, code=code, dpi=72)
    stamps = [t for t in schematic.axes[1].texts if t.get_gid() == STAMP_GID]
    assert stamps and "示" in stamps[0].get_text()
    assert not [t for t in surveyed.axes[1].texts if t.get_gid() == STAMP_GID]
    assert "示意" not in "".join(t.get_text() for t in surveyed.axes[0].texts)  # title


def test_unlocated_points_are_listed_not_drawn():
    with cjk_context():
        figure = build_figure(fake_frames(), "overview", dpi=72)
    map_texts = [t.get_text() for t in figure.axes[1].texts]
    assert "1" in map_texts and "2" in map_texts and "3" not in map_texts
    panel = "".join(t.get_text() for t in figure.axes[2].texts)
    assert "未定位" in panel and "丙未定位科技有限公司" in panel
    assert "空心" in panel  # the legend says what an open symbol means


def test_industry_figure_shows_every_family_of_a_multi_family_park():
    from matplotlib.colors import to_hex

    from maps.style import FAMILY_COLORS

    with cjk_context():
        figure = build_figure(fake_frames(), "industry", dpi=72)
    faces = {to_hex(c) for coll in figure.axes[1].collections for c in coll.get_facecolor()}
    for family in ("equipment", "chemicals", "biopharma"):
        assert FAMILY_COLORS[family] in faces


def test_park_figure_writes_the_four_bounds_and_both_areas():
    with cjk_context():
        figure = build_figure(fake_frames(), "park", code="beta", dpi=72)
    texts = "".join(_texts(figure)).replace("\n", "")
    for side in ("东至东环路", "西至西环路", "南至南环路", "北至北环路"):
        assert side in texts
    assert "申报面积 9.00 km²" in texts and "量算面积 9.20 km²" in texts
    assert "东组团" in texts and "西组团" in texts
