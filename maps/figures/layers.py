"""Layers the zone-wide figures (overview, industry) share: extent, 组团, labels, inset, notes."""

from __future__ import annotations

import geopandas as gpd
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from maps.figures.context import RESERVED, Context, fit_axes
from maps.figures.furniture import HALO, INK
from maps.figures.labels import overlap, place_label
from maps.figures.points import split_located

#: a located point further than this from every park goes to the locator inset
FAR_M = 15_000.0


def zone_extent(ctx: Context) -> tuple[tuple[float, float, float, float], gpd.GeoDataFrame]:
    """Bounds of the parks and the located points near them; and the points left outside."""
    located, _ = split_located(ctx.points)
    zone = ctx.parks.union_all()
    near = located.geometry.distance(zone) <= FAR_M
    x0, y0, x1, y1 = ctx.parks.total_bounds
    if near.any():
        px0, py0, px1, py1 = located[near].total_bounds
        x0, y0, x1, y1 = min(x0, px0), min(y0, py0), max(x1, px1), max(y1, py1)
    return (x0, y0, x1, y1), located[~near]


def section_outlines(ctx: Context, linewidth: float = 0.6) -> None:
    """宝丰's 组团 as thin white lines inside its fill, so the four pieces read as one park."""
    if len(ctx.sections):
        ctx.sections.boundary.plot(
            ax=ctx.ax, color="white", linewidth=linewidth * ctx.s, linestyle=(0, (3, 2)), zorder=6
        )


def park_boxes(ctx: Context) -> dict[str, Bbox]:
    """Display boxes of the parks (soft obstacles: a label may sit on its own park)."""
    boxes = {}
    for row in ctx.parks.itertuples():
        x0, y0, x1, y1 = row.geometry.bounds
        (a, b), (c, d) = ctx.ax.transData.transform([(x0, y0), (x1, y1)])
        boxes[row.code] = Bbox.from_extents(a, b, c, d)
        ctx.obstacles.soft.append(boxes[row.code])
    return boxes


def label_parks(ctx: Context, boxes: dict[str, Bbox], text_of, fontsize: float) -> None:
    """Label every park at a good spot near its representative point."""
    renderer = ctx.renderer
    order = ctx.parks.assign(_area=ctx.parks.area).sort_values("_area")
    for row in order.itertuples():
        anchor = row.geometry.representative_point()
        if row.geometry.geom_type == "MultiPolygon":
            # label 宝丰 at the centre of its largest piece, the others carry 组团 names
            anchor = max(row.geometry.geoms, key=lambda g: g.area).representative_point()
        place_label(
            ctx.ax,
            renderer,
            text_of(row),
            (anchor.x, anchor.y),
            ctx.obstacles,
            fontsize=fontsize * ctx.s,
            own=boxes[row.code],
            fontweight="bold",
            linespacing=1.15,
        )


def label_sections(ctx: Context, fontsize: float) -> None:
    """Small 组团 names next to 宝丰's pieces."""
    renderer = ctx.renderer
    for row in ctx.sections.itertuples():
        anchor = row.geometry.representative_point()
        place_label(
            ctx.ax,
            renderer,
            row.name,
            (anchor.x, anchor.y),
            ctx.obstacles,
            fontsize=fontsize * ctx.s,
            candidates=_SECTION_SPOTS,
            color="#333333",
        )


_SECTION_SPOTS = (
    (0, -10, "center", "top"),
    (0, 10, "center", "bottom"),
    (10, 0, "left", "center"),
    (-10, 0, "right", "center"),
    (0, -24, "center", "top"),
    (0, 24, "center", "bottom"),
    (24, 0, "left", "center"),
    (-24, 0, "right", "center"),
)


#: where the locator may go (axes fractions), tried in this order
_INSET_SPOTS = ((0.735, 0.02), (0.015, 0.16), (0.735, 0.56), (0.015, 0.58))
_INSET_SIZE = (0.25, 0.34)


def locator_inset(ctx: Context, outside: gpd.GeoDataFrame, draw_points) -> None:
    """A small map of the whole zone for points that lie far outside the main map.

    The main map stays at a scale where the parks are legible; the inset shows where the far
    points are relative to it (a red rectangle marks the main map). It goes to the emptiest
    corner of the main map.
    """
    if outside.empty:
        return
    ax = ctx.ax
    w, h = _INSET_SIZE
    features = [*ctx.obstacles.soft, *ctx.obstacles.hard[len(RESERVED) :]]

    def crowding(spot: tuple[float, float]) -> float:
        (a, b), (c, d) = ax.transAxes.transform([spot, (spot[0] + w, spot[1] + h)])
        box = Bbox.from_extents(a, b, c, d)
        return sum(overlap(box, f) for f in features)

    x, y = min(_INSET_SPOTS, key=crowding)
    inset = ax.inset_axes((x, y, w, h))
    inset.set_zorder(35)
    (mx0, mx1), (my0, my1) = ax.get_xlim(), ax.get_ylim()
    x0, y0, x1, y1 = ctx.points[ctx.points["located"].astype(bool)].total_bounds
    fit_axes(inset, (min(x0, mx0), min(y0, my0), max(x1, mx1), max(y1, my1)), pad=0.1)
    ctx.parks.plot(ax=inset, color="#8a8a8a", linewidth=0)
    inset.add_patch(
        Rectangle(
            (mx0, my0), mx1 - mx0, my1 - my0, fill=False, edgecolor="#c0392b", linewidth=0.8 * ctx.s
        )
    )
    draw_points(inset, outside)
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_facecolor("white")
    for spine in inset.spines.values():
        spine.set_linewidth(0.7 * ctx.s)
        spine.set_color(INK)
    inset.set_title("区位关系（红框为主图范围）", fontsize=6.3 * ctx.s, pad=2.5, color=INK)
    for district, group in outside.groupby("district"):
        gx, gy = group.geometry.x.mean(), group.geometry.y.mean()
        inset.annotate(
            str(district).rstrip("?？") or "图外",
            (gx, gy),
            xytext=(0, -7),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=6.3 * ctx.s,
            color=INK,
            path_effects=HALO,
        )
    (a, b), (c, d) = ax.transAxes.transform([(x - 0.01, y - 0.01), (x + w + 0.01, y + h + 0.06)])
    ctx.obstacles.hard.append(Bbox.from_extents(a, b, c, d))


def unlocated_note(ctx: Context, unlocated: gpd.GeoDataFrame) -> None:
    """Points without a geocode: listed, never drawn as a site."""
    if unlocated.empty:
        return
    ctx.panel.heading(f"未定位辐射点（{len(unlocated)} 处，未上图）")
    names = "；".join(f"{row.seq} {row.name}" for row in unlocated.itertuples())
    ctx.panel.add(names, color="#444444", size=0.9)
