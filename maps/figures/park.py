"""园区范围图: one park (宝丰 with its four 组团) with its 四至 written along its sides.

The 四至 are the seed's words for the four limits; writing them outside the matching side of
the outline lets a planner check the drawn shape against the text at a glance.
"""

from __future__ import annotations

from matplotlib.colors import to_rgba
from matplotlib.transforms import Bbox

from maps.figures.context import Context
from maps.figures.furniture import HALO
from maps.figures.labels import place_label
from maps.figures.panel import swatch, text_width_em, wrap
from maps.figures.points import data_per_point
from maps.style import TIER_COLORS

DEFAULT_TITLE = "{name}空间范围{kind}图"
SIDE_INK = "#6b3a12"
NEIGHBOUR = "#c9c9c9"
#: side -> (Chinese prefix, offset direction, text rotation, ha, va)
SIDES = {
    "north": ("北至", (0, 1), 0, "center", "bottom"),
    "south": ("南至", (0, -1), 0, "center", "top"),
    "east": ("东至", (1, 0), -90, "left", "center"),
    "west": ("西至", (-1, 0), 90, "right", "center"),
}


def draw(ctx: Context) -> None:
    ax, s = ctx.ax, ctx.s
    park = ctx.parks[ctx.parks["code"] == ctx.code].iloc[0]
    sections = ctx.sections[ctx.sections["park"] == ctx.code]
    colour = TIER_COLORS.get(park["tier"], "#999999")
    ctx.fit(park.geometry.bounds, pad=0.13 if len(sections) else 0.3)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    neighbours = ctx.parks[(ctx.parks["code"] != ctx.code)].cx[x0:x1, y0:y1]
    ctx.shown = [ctx.parks[ctx.parks["code"] == ctx.code], sections, neighbours]
    if len(neighbours):
        neighbours.plot(
            ax=ax, facecolor=NEIGHBOUR, edgecolor="#9a9a9a", linewidth=0.6 * s, zorder=3
        )
        for row in neighbours.itertuples():
            p = row.geometry.representative_point()
            fx, fy = (p.x - x0) / (x1 - x0), (p.y - y0) / (y1 - y0)
            if not (0.1 < fx < 0.9 and 0.06 < fy < 0.94):
                continue
            ax.text(
                p.x,
                p.y,
                row.short_name,
                ha="center",
                va="center",
                fontsize=7.5 * s,
                color="#666666",
                path_effects=HALO,
                zorder=4,
                clip_on=True,
            )

    pieces = sections if len(sections) else ctx.parks[ctx.parks["code"] == ctx.code]
    zones = list(dict.fromkeys(sections["zone_area"])) if len(sections) else []
    for row in pieces.itertuples():
        alpha = 0.5 if not zones or zones.index(row.zone_area) == 0 else 0.26
        ax.fill(
            *_rings(row.geometry),
            facecolor=to_rgba(colour, alpha),
            edgecolor=colour,
            linewidth=1.3 * s,
            zorder=5,
        )
    boxes = {}
    for row in pieces.itertuples():
        (a, b), (c, d) = ax.transData.transform([row.geometry.bounds[:2], row.geometry.bounds[2:]])
        boxes[row.code] = Bbox.from_extents(a, b, c, d)
        ctx.obstacles.soft.append(boxes[row.code])
    _label_pieces(ctx, park, sections, boxes)
    for row in pieces.itertuples():
        _write_sides(ctx, row, boxes[row.code])

    kind = "示意" if ctx.schematic else ""
    ctx.default_title = DEFAULT_TITLE.format(name=park["name"], kind=kind)
    ctx.caption = _caption(park, sections)
    _panel(ctx, park, sections, zones, colour, len(neighbours) > 0)


def _rings(shape) -> list:
    """x, y sequences of every exterior ring, for ``Axes.fill`` (holes are not expected)."""
    polygons = getattr(shape, "geoms", [shape])
    out: list = []
    for polygon in polygons:
        xs, ys = polygon.exterior.xy
        out.extend([list(xs), list(ys)])
    return out


def _write_sides(ctx: Context, row, own) -> None:
    """Write ``bound_east`` etc. just outside the matching side of the shape's box.

    Every text runs along its side (east and west turned 90°, as road names on a map are), so
    it needs little room across the gap to a neighbouring 组团; it may slide along its side to
    stay clear of other texts (宝丰's two western 组团 nearly touch).
    """
    ax, s = ctx.ax, ctx.s
    font = 6.8 * s
    unit = data_per_point(ax)
    bx0, by0, bx1, by1 = row.geometry.bounds
    w_pt, h_pt = (bx1 - bx0) / unit, (by1 - by0) / unit
    gap = 3.5 * s
    for side, (prefix, (dx, dy), rotation, ha, va) in SIDES.items():
        text = getattr(row, f"bound_{side}", "") or ""
        if not text:
            continue
        label = f"{prefix}{text}"
        width_em = max((w_pt if dy else h_pt) * 1.15, 8 * font) / font
        lines = wrap(label, width_em) if text_width_em(label) > width_em else [label]
        x = {"east": bx1, "west": bx0}.get(side, (bx0 + bx1) / 2)
        y = {"north": by1, "south": by0}.get(side, (by0 + by1) / 2)
        if dy:
            slide = [(f * w_pt, dy * (gap + extra)) for extra in (0, 9) for f in (0, -0.3, 0.3)]
        else:
            slide = [(dx * (gap + extra), f * h_pt) for extra in (0, 9) for f in (0, 0.3, -0.3)]
        candidates = [(ox, oy, ha, va) for ox, oy in slide]
        place_label(
            ax,
            ctx.renderer,
            "\n".join(lines),
            (x, y),
            ctx.obstacles,
            fontsize=font,
            candidates=candidates,
            own=own,
            color=SIDE_INK,
            linespacing=1.15,
            rotation=rotation,
            multialignment="center",
        )


def _label_pieces(ctx: Context, park, sections, boxes) -> None:
    renderer = ctx.renderer
    if len(sections):
        for row in sections.itertuples():
            p = row.geometry.representative_point()
            text = f"{row.name}\n{row.measured_area_km2:.2f} km²"
            place_label(
                ctx.ax,
                renderer,
                text,
                (p.x, p.y),
                ctx.obstacles,
                own=boxes[row.code],
                fontsize=8.5 * ctx.s,
                fontweight="bold",
                linespacing=1.2,
            )
        return
    p = park.geometry.representative_point()
    place_label(
        ctx.ax,
        renderer,
        f"{park['short_name']}\n{park['measured_area_km2']:.2f} km²",
        (p.x, p.y),
        ctx.obstacles,
        own=boxes[park["code"]],
        fontsize=10 * ctx.s,
        fontweight="bold",
        linespacing=1.2,
    )


def _caption(park, sections) -> str:
    text = (
        f"图注：{park['name']}申报面积 {park['declared_area_km2']:.2f} km²，"
        f"本图边界量算面积 {park['measured_area_km2']:.2f} km²（CGCS2000 椭球面积）"
    )
    if len(sections):
        parts = "、".join(f"{r.name} {r.measured_area_km2:.2f} km²" for r in sections.itertuples())
        text += f"；其中{parts}"
    return text + "。"


def _panel(ctx: Context, park, sections, zones: list[str], colour: str, neighbours: bool) -> None:
    panel = ctx.panel
    panel.heading(park["name"])
    panel.add(f"层次：{park['tier']}；所在：{park['district']}")
    panel.add(f"申报面积：{park['declared_area_km2']:.2f} km²")
    panel.add(f"量算面积：{park['measured_area_km2']:.2f} km²（{_source_zh(park)}，椭球面积）")
    panel.add("主导产业：" + "、".join(park["industries"]))
    panel.heading("图例")
    if zones:
        for i, zone in enumerate(zones):
            panel.add(f"{zone}组团", swatch(to_rgba(colour, 0.5 if i == 0 else 0.26), edge=colour))
    else:
        panel.add(f"园区范围（{park['tier']}）", swatch(to_rgba(colour, 0.5), edge=colour))
    if neighbours:
        panel.add("相邻园区", swatch(NEIGHBOUR, edge="#9a9a9a"))
    panel.add("东至/西至/南至/北至：附件1所列四至，标于相应一侧", color=SIDE_INK)
    panel.heading("四至范围（附件1原文）")
    panel.add(str(park["boundary_text"]), size=0.92, color="#333333")


def _source_zh(park) -> str:
    return {"schematic": "示意边界", "surveyed": "勘测边界"}.get(park["geometry_source"], "边界")
