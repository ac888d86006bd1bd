"""主导产业布局图: parks by leading-industry family, radiation points by industry.

A park in several families is filled with diagonal stripes, one colour per family, so every
family stays visible at any size (hatching alone would need a legend per pattern); its label
also lists the seed's industry terms.
"""

from __future__ import annotations

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from boundaries.industries import FAMILIES
from maps.figures import layers
from maps.figures.context import Context
from maps.figures.panel import marker, swatch
from maps.figures.points import (
    MARKER_PT,
    PRECISE_M,
    Placed,
    data_per_point,
    display_boxes,
    draw_leaders,
    is_precise,
    number,
    pie_markers,
    split_located,
    spread,
)
from maps.style import FAMILY_COLORS

DEFAULT_TITLE = "平顶山国家高新区“一区多园”主导产业布局{kind}图"
UNKNOWN = "#9e9e9e"
STRIPE_PT = 4.2


def draw(ctx: Context) -> None:
    ax, s = ctx.ax, ctx.s
    ctx.shown = [ctx.parks, ctx.sections]
    bounds, outside = layers.zone_extent(ctx)
    ctx.fit(bounds, pad=0.07)
    stripe = STRIPE_PT * s * data_per_point(ax)
    for row in ctx.parks.itertuples():
        _fill_families(ax, row.geometry, list(row.families), stripe)
    ctx.parks.boundary.plot(ax=ax, color="#333333", linewidth=0.8 * s, zorder=6)
    layers.section_outlines(ctx)
    boxes = layers.park_boxes(ctx)

    located, unlocated = split_located(ctx.points)
    near = located[~located.index.isin(outside.index)]
    marker_pt = MARKER_PT * s
    placed = spread(near, ax, marker_pt)
    draw_leaders(ax, placed)
    for p in placed:
        _symbol(ax, p.xy, list(p.row["families"]), p.precise, marker_pt)
        number(ax, p, marker_pt, "#111111", halo=True)
    ctx.obstacles.hard.extend(display_boxes(ax, ctx.renderer, placed, marker_pt))
    layers.locator_inset(ctx, outside, lambda inset, pts: _inset_points(inset, pts, s))

    layers.label_parks(ctx, boxes, _label, fontsize=8.0)
    layers.label_sections(ctx, fontsize=6.2)
    ctx.default_title = DEFAULT_TITLE.format(kind="示意" if ctx.schematic else "")
    _panel(ctx, placed, unlocated, outside)


def _label(row) -> str:
    return f"{row.short_name}\n" + "、".join(row.industries)


def _fill_families(ax: Axes, shape: BaseGeometry, families: list[str], width: float) -> None:
    """Fill ``shape`` with one colour, or with 45° stripes cycling through the families."""
    colours = [FAMILY_COLORS.get(f, UNKNOWN) for f in families] or [UNKNOWN]
    if len(colours) == 1:
        gpd.GeoSeries([shape]).plot(ax=ax, color=colours[0], alpha=0.85, linewidth=0, zorder=5)
        return
    x0, y0, x1, y1 = shape.bounds
    # bands of constant (x + y): each band is a parallelogram spanning the bbox
    lo, hi = x0 + y0, x1 + y1
    span = y1 - y0 + x1 - x0
    bands: dict[int, list[BaseGeometry]] = {i: [] for i in range(len(colours))}
    k = 0
    start = lo - width * 0.5
    while start < hi:
        end = start + width
        band = Polygon(
            [
                (start - y0 - span, y0 + span),
                (end - y0 - span, y0 + span),
                (end - y0 + span, y0 - span),
                (start - y0 + span, y0 - span),
            ]
        )
        # the band is the strip start <= x + y < end, widened along its own direction
        piece = shape.intersection(band)
        if not piece.is_empty:
            bands[k % len(colours)].append(piece)
        start, k = end, k + 1
    for i, pieces in bands.items():
        if pieces:
            gpd.GeoSeries(pieces).plot(ax=ax, color=colours[i], alpha=0.85, linewidth=0, zorder=5)


def _symbol(ax: Axes, xy, families: list[str], precise: bool, size: float) -> None:
    """Pie glyph of the point's families; district-only positions get an open ring around it."""
    colours = [FAMILY_COLORS.get(f, UNKNOWN) for f in families] or [UNKNOWN]
    if precise:
        pie_markers(ax, xy, colours, size)
        return
    ax.add_line(
        Line2D(
            [xy[0]],
            [xy[1]],
            marker="o",
            markersize=size,
            markerfacecolor="white",
            markeredgecolor="#333333",
            markeredgewidth=0.9,
            linestyle="none",
            zorder=19,
        )
    )
    pie_markers(ax, xy, colours, size * 0.62)


def _inset_points(inset: Axes, points, s: float) -> None:
    for row in points.itertuples():
        colours = [FAMILY_COLORS.get(f, UNKNOWN) for f in row.families] or [UNKNOWN]
        inset.plot(
            [row.geometry.x],
            [row.geometry.y],
            marker="o",
            markersize=4.5 * s,
            markerfacecolor=colours[0],
            markeredgecolor="#333333",
            markeredgewidth=0.6,
            linestyle="none",
        )


def _pie_symbol(colours: list[str], precise: bool = True):
    def draw_symbol(ax: Axes, x: float, y: float, em_pt: float) -> None:
        if not precise:
            ax.add_line(
                Line2D(
                    [x],
                    [y],
                    marker="o",
                    markersize=em_pt * 1.25,
                    markerfacecolor="white",
                    markeredgecolor="#333333",
                    markeredgewidth=0.9,
                    linestyle="none",
                )
            )
        pie_markers(ax, (x, y), colours, em_pt * (1.25 if precise else 0.78))

    return draw_symbol


def _panel(ctx: Context, placed: list[Placed], unlocated, outside) -> None:
    panel = ctx.panel
    panel.heading("图例")
    for code, label in FAMILIES.items():
        panel.add(label, swatch(FAMILY_COLORS[code], edge="#333333"))
    panel.add(
        "多类产业园区：斜条纹依次为各类颜色",
        swatch([FAMILY_COLORS["equipment"], FAMILY_COLORS["materials"]], edge="#333333"),
    )
    panel.add(
        "辐射点：按产业类别着色，多类者分扇形",
        _pie_symbol([FAMILY_COLORS["equipment"], FAMILY_COLORS["chemicals"]]),
    )
    panel.add("辐射点：产业未注明", marker(UNKNOWN, "white"))
    panel.add(
        f"外加空心圈：仅定位到区县（精度 > {PRECISE_M / 1000:g} km），非准确厂址",
        _pie_symbol([FAMILY_COLORS["equipment"]], precise=False),
    )

    panel.heading("园区主导产业")
    for row in ctx.parks.itertuples():
        colours = [FAMILY_COLORS.get(f, UNKNOWN) for f in row.families] or [UNKNOWN]
        panel.add(
            f"{row.name}：" + "、".join(row.industries),
            swatch(colours if len(colours) > 1 else colours[0], edge="#333333"),
        )

    panel.heading("辐射点（图中编号）")
    rows = sorted([p.row for p in placed] + outside.to_dict("records"), key=lambda r: r["seq"])
    far = set(outside["code"])
    for row in rows:
        colours = [FAMILY_COLORS.get(f, UNKNOWN) for f in row["families"]] or [UNKNOWN]
        terms = "、".join(row["industries"]) or "产业未注明"
        where = "，见区位图" if row["code"] in far else ""
        panel.add(
            f"{row['seq']} {row['name']}（{terms}{where}）", _pie_symbol(colours, is_precise(row))
        )
    layers.unlocated_note(ctx, unlocated)
