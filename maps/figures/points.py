"""Radiation points on a figure: which to draw, where (spread when stacked) and how.

Only geocoded points (``located``) are drawn. A point located only to its district (precision
coarser than ``PRECISE_M``) gets an open symbol so nobody reads it as a factory gate; points
that sit on a placeholder are listed in the panel instead of drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.transforms import Bbox

PRECISE_M: Final[float] = 2000.0
MARKER_PT: Final[float] = 9.5


@dataclass(frozen=True)
class Placed:
    """A drawn point: its row, true position and drawn (maybe spread) position, data units."""

    row: dict
    true_xy: tuple[float, float]
    xy: tuple[float, float]

    @property
    def precise(self) -> bool:
        return is_precise(self.row)


def is_precise(row: dict) -> bool:
    """Located to the site (not only to its district): precision known and within PRECISE_M."""
    precision = row.get("location_precision_m")
    return precision is not None and float(precision) <= PRECISE_M


def split_located(points: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(located, not located) in seq order."""
    located = points["located"].astype(bool)
    ordered = points.assign(_located=located).sort_values("seq")
    return (
        ordered[ordered["_located"]].drop(columns="_located"),
        ordered[~ordered["_located"]].drop(columns="_located"),
    )


def data_per_point(ax: Axes) -> float:
    """Data units (metres) per typographic point on this axes; limits must be final."""
    (x0, x1) = ax.get_xlim()
    return (x1 - x0) / (ax.get_position().width * ax.figure.get_figwidth() * 72)


def spread(points: gpd.GeoDataFrame, ax: Axes, marker_pt: float) -> list[Placed]:
    """Give every point its own spot: symbols closer than their size are pushed apart.

    A few hundred rounds of pairwise repulsion with a weak pull home; deterministic. A moved
    symbol keeps a leader line to a dot at its true position, so spreading never hides where
    the data says the point is.
    """
    unit = data_per_point(ax)
    gap = marker_pt * 1.12 * unit
    rows = points.to_dict("records")
    home = np.array([(geom.x, geom.y) for geom in points.geometry], dtype=float).reshape(-1, 2)
    pos = home.copy()
    n = len(pos)
    # deterministic nudge so coincident points separate in a fan, not along one line
    fan = np.arange(n) * 2.39996  # golden angle
    pos += np.c_[np.cos(fan), np.sin(fan)] * 1e-3 * gap
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    for step in range(400):
        d = pos[None, :, :] - pos[:, None, :]  # d[i, j] = pos[j] - pos[i]
        dist = np.hypot(d[..., 0], d[..., 1])
        close = upper & (dist < gap)
        if not close.any() and step >= 150:
            break
        safe = np.where(dist > 0, dist, 1.0)
        push = np.where(close, (gap - dist) / 2 * 1.02 / safe, 0.0)[..., None] * d
        pos += -push.sum(axis=1) + push.sum(axis=0)
        if step < 150:
            pos += (home - pos) * 0.02
    return [
        Placed(
            rows[i], (float(home[i, 0]), float(home[i, 1])), (float(pos[i, 0]), float(pos[i, 1]))
        )
        if float(np.hypot(*(pos[i] - home[i]))) > 0.25 * gap
        else Placed(
            rows[i], (float(home[i, 0]), float(home[i, 1])), (float(home[i, 0]), float(home[i, 1]))
        )
        for i in range(n)
    ]


def draw_placed(
    ax: Axes,
    placed: list[Placed],
    style: Callable[[Placed], dict],
    marker_pt: float,
    label_color: Callable[[Placed], str],
) -> None:
    """Draw leaders, the symbol from ``style(p)`` (Line2D kwargs) and the seq number inside."""
    draw_leaders(ax, placed)
    for p in placed:
        kw = {"markersize": marker_pt, "linestyle": "none", "zorder": 20, **style(p)}
        ax.add_line(Line2D([p.xy[0]], [p.xy[1]], **kw))
        number(ax, p, marker_pt, label_color(p))


def number(ax: Axes, p: Placed, marker_pt: float, color: str, halo: bool = False) -> None:
    """The point's seq number centred on its symbol (the panel lists the names)."""
    ax.text(
        p.xy[0],
        p.xy[1],
        str(p.row["seq"]),
        ha="center",
        va="center",
        fontsize=marker_pt * 0.52,
        fontweight="bold",
        color=color,
        zorder=21,
        path_effects=[patheffects.withStroke(linewidth=1.6, foreground="white")] if halo else None,
    )


def draw_leaders(ax: Axes, placed: list[Placed]) -> None:
    """Thin lines from spread symbols back to a dot at the true position."""
    for p in placed:
        if p.xy != p.true_xy:
            ax.add_line(
                Line2D(
                    [p.true_xy[0], p.xy[0]],
                    [p.true_xy[1], p.xy[1]],
                    color="#555555",
                    linewidth=0.45,
                    zorder=18,
                )
            )
            ax.add_line(
                Line2D(
                    [p.true_xy[0]],
                    [p.true_xy[1]],
                    marker="o",
                    markersize=1.8,
                    color="#333333",
                    linestyle="none",
                    zorder=18,
                )
            )


def pie_markers(
    ax: Axes, xy: tuple[float, float], colors: list[str], marker_pt: float, **kw: object
) -> None:
    """A round symbol split into equal wedges, one per colour (a point in several families).

    Each wedge spans at least 90°, so matplotlib's marker normalisation (by the largest
    coordinate) keeps every wedge at the same radius.
    """
    n = len(colors)
    for i, colour in enumerate(colors):
        theta1 = 90 + 360 * i / n
        path = Path.wedge(theta1, theta1 + 360 / n) if n > 1 else Path.unit_circle()
        ax.add_line(
            Line2D(
                [xy[0]],
                [xy[1]],
                marker=path,
                markersize=marker_pt,
                markerfacecolor=colour,
                markeredgecolor="white",
                markeredgewidth=0.4,
                linestyle="none",
                zorder=20,
                **kw,
            )
        )


def display_boxes(
    ax: Axes, renderer: RendererBase, placed: list[Placed], marker_pt: float
) -> list[Bbox]:
    """Display-space boxes of the drawn symbols, for label placement."""
    half = marker_pt / 72 * ax.figure.dpi / 2
    boxes = []
    for p in placed:
        x, y = ax.transData.transform(p.xy)
        boxes.append(Bbox.from_extents(x - half, y - half, x + half, y + half))
    return boxes
