"""Map furniture: scale bar, north arrow, 示意 stamp, title and the source/date line.

The scale bar is drawn in data units (EPSG:4547 metres) and corrected by the grid scale factor,
so its drawn length is the ground length its label states.
"""

from __future__ import annotations

import math
from typing import Final

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle

from maps.figures.projection import convergence_deg, grid_scale

SCALEBAR_GID: Final[str] = "scalebar"
SCALEBAR_LABEL_GID: Final[str] = "scalebar-label"
STAMP_GID: Final[str] = "schematic-stamp"
NORTH_GID: Final[str] = "north-arrow"

#: height of the bottom band (inches on A4) holding caption and source lines
FOOTER_IN: Final[float] = 0.82
HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]
INK = "#222222"


def nice_length_m(ground_width_m: float, fraction: float = 0.22) -> float:
    """A 1-2-5 round length close to ``fraction`` of the map's ground width."""
    target = ground_width_m * fraction
    exponent = math.floor(math.log10(target))
    return max(
        (step * 10**exponent for step in (1, 2, 5, 10) if step * 10**exponent <= target),
        default=10**exponent,
    )


def format_length(metres: float) -> str:
    """'500 米' below a kilometre, '5 千米' or '2.5 千米' above."""
    if metres < 1000:
        return f"{metres:g} 米"
    return f"{metres / 1000:g} 千米"


def scale_bar(ax: Axes, scale: float = 1.0) -> float:
    """Draw a four-segment scale bar in the lower-left of ``ax``; return its ground length (m).

    Call after the axes limits are final.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    width, height = x1 - x0, y1 - y0
    bar_x, bar_y = x0 + 0.035 * width, y0 + 0.045 * height
    k = grid_scale(bar_x + width * 0.1, bar_y)
    ground = nice_length_m(width / k)
    drawn = ground * k
    bar_h = height * 0.008
    backdrop = FancyBboxPatch(
        (bar_x - 0.012 * width, bar_y - 0.032 * height),
        drawn + 0.05 * width,
        0.075 * height,
        boxstyle="round,pad=0,rounding_size=0",
        facecolor="white",
        edgecolor="none",
        alpha=0.8,
        zorder=30,
    )
    ax.add_patch(backdrop)
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (bar_x + i * drawn / 4, bar_y),
                drawn / 4,
                bar_h,
                facecolor=INK if i % 2 == 0 else "white",
                edgecolor=INK,
                linewidth=0.6 * scale,
                zorder=31,
            )
        )
    outline = Rectangle(
        (bar_x, bar_y), drawn, bar_h, fill=False, edgecolor=INK, linewidth=0.8 * scale, zorder=32
    )
    outline.set_gid(SCALEBAR_GID)
    ax.add_patch(outline)
    font = 7 * scale
    unit = 1000 if ground >= 1000 else 1
    for frac, text in ((0, "0"), (0.5, f"{ground / 2 / unit:g}"), (1, format_length(ground))):
        label = ax.text(
            bar_x + frac * drawn,
            bar_y + bar_h * 1.8,
            text,
            ha="center",
            va="bottom",
            fontsize=font,
            color=INK,
            zorder=33,
        )
    label.set_gid(SCALEBAR_LABEL_GID)
    return ground


def north_arrow(ax: Axes, scale: float = 1.0) -> None:
    """A north arrow in the upper-right of ``ax``, turned to true north at the map centre."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    angle = math.radians(convergence_deg((x0 + x1) / 2, (y0 + y1) / 2))
    cx, cy = 0.945, 0.885
    ratio = ax.bbox.width / ax.bbox.height  # keep the arrow undistorted in axes fractions
    size = 0.045 * scale

    def at(dx: float, dy: float) -> tuple[float, float]:
        rx = dx * math.cos(angle) + dy * math.sin(angle)
        ry = -dx * math.sin(angle) + dy * math.cos(angle)
        return (cx + rx * size / ratio, cy + ry * size)

    left = Polygon(
        [at(0, 1), at(-0.42, -0.7), at(0, -0.35)],
        closed=True,
        facecolor="white",
        edgecolor=INK,
        linewidth=0.8 * scale,
        transform=ax.transAxes,
        zorder=40,
    )
    right = Polygon(
        [at(0, 1), at(0.42, -0.7), at(0, -0.35)],
        closed=True,
        facecolor=INK,
        edgecolor=INK,
        linewidth=0.8 * scale,
        transform=ax.transAxes,
        zorder=40,
    )
    right.set_gid(NORTH_GID)
    ax.add_patch(left)
    ax.add_patch(right)
    nx, ny = at(0, 1.55)
    ax.text(
        nx,
        ny,
        "北",
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=10 * scale,
        fontweight="bold",
        color=INK,
        zorder=40,
        path_effects=HALO,
    )


def schematic_stamp(ax: Axes, scale: float = 1.0) -> None:
    """The 示意 mark in the upper-left corner: the boundaries are not surveyed."""
    stamp = ax.text(
        0.018,
        0.975,
        "示 意",
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=13 * scale,
        fontweight="bold",
        color="#c0392b",
        zorder=45,
        bbox={
            "boxstyle": "square,pad=0.35",
            "facecolor": "white",
            "edgecolor": "#c0392b",
            "linewidth": 1.4 * scale,
        },
    )
    stamp.set_gid(STAMP_GID)


def title(sheet_ax: Axes, text: str, width_in: float, height_in: float, scale: float) -> None:
    """The sheet title, centred in the top band."""
    sheet_ax.text(
        width_in / 2,
        height_in - 0.38 * scale,
        text,
        ha="center",
        va="center",
        fontsize=17 * scale,
        fontweight="bold",
        color=INK,
    )


def footer(sheet_ax: Axes, caption: str, lines: list[str], width_in: float, scale: float) -> None:
    """The caption (if any) and the source/date lines in the bottom band, wrapped to width."""
    from maps.figures.panel import wrap

    top = FOOTER_IN * scale - 0.1 * scale
    left = 0.4 * scale
    font = 6.6 * scale
    width_em = (width_in - 2 * left) * 72 / font * 0.97
    if caption:
        cap_font = 7.6 * scale
        cap_lines = wrap(caption, (width_in - 2 * left) * 72 / cap_font * 0.97)
        sheet_ax.text(
            left,
            top,
            "\n".join(cap_lines),
            ha="left",
            va="top",
            fontsize=cap_font,
            color=INK,
            linespacing=1.35,
        )
        top -= len(cap_lines) * cap_font * 1.35 / 72
    wrapped = [part for line in lines for part in wrap(line, width_em)]
    sheet_ax.text(
        left,
        top,
        "\n".join(wrapped),
        ha="left",
        va="top",
        fontsize=font,
        color="#444444",
        linespacing=1.4,
    )
