"""总体布局图: every park and 宝丰's 组团 at their positions, by tier, with the radiation points."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.colors import to_rgba

from maps.figures import layers
from maps.figures.context import Context
from maps.figures.panel import line_symbol, marker, swatch
from maps.figures.points import (
    MARKER_PT,
    PRECISE_M,
    Placed,
    display_boxes,
    draw_placed,
    is_precise,
    split_located,
    spread,
)
from maps.style import CATEGORY_STYLE, TIER_COLORS

DEFAULT_TITLE = "平顶山国家高新区“一区多园”空间布局{kind}图"


def draw(ctx: Context) -> None:
    ax, s = ctx.ax, ctx.s
    ctx.shown = [ctx.parks, ctx.sections]
    bounds, outside = layers.zone_extent(ctx)
    ctx.fit(bounds, pad=0.07)
    for tier, group in ctx.parks.groupby("tier"):
        colour = TIER_COLORS.get(str(tier), "#999999")
        group.plot(
            ax=ax, facecolor=to_rgba(colour, 0.42), edgecolor=colour, linewidth=1.1 * s, zorder=5
        )
    layers.section_outlines(ctx)
    boxes = layers.park_boxes(ctx)

    located, unlocated = split_located(ctx.points)
    near = located[~located.index.isin(outside.index)]
    marker_pt = MARKER_PT * s
    placed = spread(near, ax, marker_pt)
    draw_placed(ax, placed, _style, marker_pt, _number_colour)
    ctx.obstacles.hard.extend(display_boxes(ax, ctx.renderer, placed, marker_pt))
    layers.locator_inset(ctx, outside, lambda inset, pts: _inset_points(inset, pts, s))

    layers.label_parks(ctx, boxes, lambda row: row.short_name, fontsize=8.6)
    layers.label_sections(ctx, fontsize=6.4)
    ctx.default_title = DEFAULT_TITLE.format(kind="示意" if ctx.schematic else "")
    _panel(ctx, placed, unlocated, outside)


def _style(p: Placed) -> dict:
    colour = CATEGORY_STYLE[p.row["category"]][1]
    if p.precise:
        return {
            "marker": "o",
            "markerfacecolor": colour,
            "markeredgecolor": "white",
            "markeredgewidth": 0.6,
        }
    return {
        "marker": "o",
        "markerfacecolor": "white",
        "markeredgecolor": colour,
        "markeredgewidth": 1.3,
    }


def _number_colour(p: Placed) -> str:
    return "white" if p.precise else CATEGORY_STYLE[p.row["category"]][1]


def _inset_points(inset: Axes, points, s: float) -> None:
    for row in points.itertuples():
        colour = CATEGORY_STYLE[row.category][1]
        face = colour if is_precise(row._asdict()) else "white"
        inset.plot(
            [row.geometry.x],
            [row.geometry.y],
            marker="o",
            markersize=4.5 * s,
            markerfacecolor=face,
            markeredgecolor=colour,
            markeredgewidth=1.0,
            linestyle="none",
        )


def _panel(ctx: Context, placed: list[Placed], unlocated, outside) -> None:
    panel = ctx.panel
    panel.heading("图例")
    for tier, colour in TIER_COLORS.items():
        parks = ctx.parks[ctx.parks["tier"] == tier]
        if len(parks):
            km2 = parks["declared_area_km2"].sum()
            panel.add(
                f"{tier}（{len(parks)} 个园区，申报 {km2:.2f} km²）",
                swatch(to_rgba(colour, 0.42), edge=colour),
            )
    if len(ctx.sections):
        panel.add("组团界线（宝丰高新区）", line_symbol("#888888", 1.0, (0, (3, 2))))
    used = [c for c in CATEGORY_STYLE if c in set(ctx.points["category"])]
    for category in used:
        label, colour, _ = CATEGORY_STYLE[category]
        panel.add(f"辐射点·{label}", marker(colour, "white", label="n"))
    panel.add(
        f"实心：已定位（精度 ≤ {PRECISE_M / 1000:g} km）；空心：仅定位到区县，非准确厂址",
        marker("white", "#555555", label="n"),
    )
    panel.add("重合点散开排列，细线指向数据位置", line_symbol("#555555", 0.6))

    panel.heading("园区")
    for row in ctx.parks.itertuples():
        colour = TIER_COLORS.get(row.tier, "#999999")
        panel.add(
            f"{row.name}（{row.declared_area_km2:.2f} km²）",
            swatch(to_rgba(colour, 0.42), edge=colour),
        )

    panel.heading("辐射点（图中编号）")
    shown = sorted([p.row for p in placed] + outside.to_dict("records"), key=lambda r: r["seq"])
    for row in shown:
        label, colour, _ = CATEGORY_STYLE[row["category"]]
        filled = is_precise(row)
        panel.add(
            f"{row['name']}" + ("（见区位图）" if row["code"] in set(outside["code"]) else ""),
            marker(
                colour if filled else "white", "white" if filled else colour, label=str(row["seq"])
            ),
        )
    layers.unlocated_note(ctx, unlocated)
