"""Label placement that keeps labels off each other, off point symbols and off the furniture.

A greedy search over a few candidate offsets per label, scored by overlap in display space;
enough for a dozen park labels, and deterministic so the same data gives the same figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from maps.figures.furniture import HALO, INK

#: candidate offsets in points (dx, dy, ha, va): centre, then around the anchor
AROUND: tuple[tuple[float, float, str, str], ...] = (
    (0, 0, "center", "center"),
    (0, 14, "center", "bottom"),
    (0, -14, "center", "top"),
    (14, 0, "left", "center"),
    (-14, 0, "right", "center"),
    (12, 12, "left", "bottom"),
    (-12, 12, "right", "bottom"),
    (12, -12, "left", "top"),
    (-12, -12, "right", "top"),
    (0, 30, "center", "bottom"),
    (0, -30, "center", "top"),
    (30, 0, "left", "center"),
    (-30, 0, "right", "center"),
)


@dataclass
class Obstacles:
    """Display-space boxes labels must avoid (hard) or should rather avoid (soft)."""

    hard: list[Bbox] = field(default_factory=list)
    soft: list[Bbox] = field(default_factory=list)


def overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def place_label(
    ax: Axes,
    renderer: RendererBase,
    text: str,
    xy: tuple[float, float],
    obstacles: Obstacles,
    *,
    fontsize: float,
    candidates: Sequence[tuple[float, float, str, str]] = AROUND,
    own: Bbox | None = None,
    **text_kw: object,
) -> Annotation:
    """Place ``text`` near ``xy`` (data units) where it overlaps least; record its box.

    ``own`` is the display box of the labelled feature: overlapping it is free.
    """
    frame = ax.get_window_extent(renderer)
    text_kw = {"color": INK, **text_kw}
    best: tuple[float, int, Annotation] | None = None
    for rank, (dx, dy, ha, va) in enumerate(candidates):
        far = abs(dx) + abs(dy) > 20
        label = ax.annotate(
            text,
            xy,
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            path_effects=HALO,
            zorder=25,
            arrowprops={
                "arrowstyle": "-",
                "color": "#666666",
                "linewidth": 0.5,
                "shrinkA": 0,
                "shrinkB": 0,
            }
            if far
            else None,
            **text_kw,
        )
        box = label.get_window_extent(renderer).expanded(1.06, 1.12)
        outside = box.width * box.height - overlap(box, frame)
        cost = 20 * outside + 10 * sum(overlap(box, o) for o in obstacles.hard)
        cost += 3 * sum(overlap(box, o) for o in obstacles.soft if own is None or o is not own)
        clear = cost == 0
        cost += rank * 2.0
        if best is None or cost < best[0]:
            if best is not None:
                best[2].remove()
            best = (cost, rank, label)
        else:
            label.remove()
        if clear:
            break
    assert best is not None
    obstacles.hard.append(best[2].get_window_extent(renderer))
    return best[2]
