"""The side panel: legend, park list and point keys, flowed into columns.

matplotlib's ``Legend`` cannot hold numbered keys, wrapped paragraphs and striped swatches
together, so the panel is a small flow layout in inches. If the content does not fit, the
whole panel is laid out again with a smaller type size rather than spilling onto the map.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

#: draws a symbol centred at (x, y) inches in the panel, with the given em size in points
SymbolFn = Callable[[Axes, float, float, float], None]

INK = "#222222"
MUTED = "#555555"


def text_width_em(text: str) -> float:
    """Approximate printed width of ``text`` in ems (CJK full width, Latin about half)."""
    width = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            width += 1.0
        elif ch == " ":
            width += 0.3
        else:
            width += 0.56
    return width


def wrap(text: str, width_em: float) -> list[str]:
    """Greedy wrap by printed width; breaks anywhere, which is right for Chinese."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in paragraph:
            if line and text_width_em(line + ch) > width_em:
                lines.append(line)
                line = ch.lstrip()
            else:
                line += ch
        lines.append(line)
    return lines


@dataclass
class Item:
    """One panel row: optional symbol on the left, wrapped text to its right."""

    text: str
    symbol: SymbolFn | None = None
    heading: bool = False
    size: float = 1.0  # relative type size
    color: str = INK
    space_before: float = 0.0  # in lines

    def lines(self, font: float, width_in: float) -> list[str]:
        indent = 1.9 if self.symbol else 0.0
        width_em = (width_in * 72 / (font * self.size)) - indent
        return wrap(self.text, width_em * 0.97)


@dataclass
class Panel:
    """Items flowed top to bottom, column after column, in a panel axes measured in inches."""

    items: list[Item] = field(default_factory=list)

    def add(self, text: str, symbol: SymbolFn | None = None, **kw: object) -> None:
        self.items.append(Item(text, symbol, **kw))  # type: ignore[arg-type]

    def heading(self, text: str) -> None:
        self.items.append(
            Item(text, heading=True, size=1.12, space_before=0.6 if self.items else 0)
        )

    def draw(self, ax: Axes, columns: int, font: float, min_font: float) -> float:
        """Draw with the largest type size (down to ``min_font``) that fits; return it."""
        width, height = ax.get_xlim()[1], ax.get_ylim()[1]
        col_w = (width - 0.15 * (columns - 1)) / columns
        size = font
        while size > min_font and not self._fits(columns, size, col_w, height):
            size *= 0.94
        self._place(ax, columns, size, col_w, height, draw=True)
        return size

    def _fits(self, columns: int, font: float, col_w: float, height: float) -> bool:
        return self._place(None, columns, font, col_w, height, draw=False)

    def _place(
        self, ax: Axes | None, columns: int, font: float, col_w: float, height: float, draw: bool
    ) -> bool:
        col, y = 0, height
        for item in self.items:
            line_h = font * item.size * 1.42 / 72
            lines = item.lines(font, col_w)
            need = line_h * (len(lines) + (item.space_before if y < height else 0))
            if y - need < 0:
                col, y = col + 1, height
                if col >= columns:
                    return False
                need = line_h * len(lines)
            if y < height:
                y -= line_h * item.space_before
            if draw and ax is not None:
                self._draw_item(ax, item, lines, col * (col_w + 0.15), y, font, line_h)
            y -= line_h * len(lines)
        return True

    @staticmethod
    def _draw_item(
        ax: Axes, item: Item, lines: Sequence[str], x: float, y: float, font: float, line_h: float
    ) -> None:
        em = font * item.size / 72
        text_x = x + (1.9 * em if item.symbol else 0)
        if item.symbol:
            item.symbol(ax, x + 0.85 * em, y - line_h / 2, font * item.size)
        ax.text(
            text_x,
            y - line_h / 2,
            "\n".join(lines),
            ha="left",
            va="center" if len(lines) == 1 else "top",
            fontsize=font * item.size,
            color=item.color,
            fontweight="bold" if item.heading else "normal",
            linespacing=1.42,
        )
        if len(lines) > 1:
            # a multi-line text starts at the top of its first line
            ax.texts[-1].set_y(y - line_h * 0.18)


def swatch(face: object, edge: object = INK, hatch: str | None = None) -> SymbolFn:
    """A small filled rectangle; a list of colours gives stripes (a multi-industry park)."""
    faces = list(face) if isinstance(face, list) else [face]

    def draw(ax: Axes, x: float, y: float, em_pt: float) -> None:
        em = em_pt / 72
        w, h = 1.5 * em, 0.95 * em
        for i, colour in enumerate(faces):
            ax.add_patch(
                Rectangle(
                    (x - w / 2 + i * w / len(faces), y - h / 2),
                    w / len(faces),
                    h,
                    facecolor=colour,
                    edgecolor="none",
                    hatch=hatch,
                )
            )
        ax.add_patch(
            Rectangle((x - w / 2, y - h / 2), w, h, fill=False, edgecolor=edge, linewidth=0.7)
        )

    return draw


def marker(
    face: str, edge: str, shape: str = "o", label: str | None = None, size: float = 1.0
) -> SymbolFn:
    """A point symbol, optionally with a number inside (the map's point keys)."""

    def draw(ax: Axes, x: float, y: float, em_pt: float) -> None:
        ms = em_pt * 1.25 * size
        ax.add_line(
            Line2D(
                [x],
                [y],
                marker=shape,
                markersize=ms,
                markerfacecolor=face,
                markeredgecolor=edge,
                markeredgewidth=0.9,
                linestyle="none",
            )
        )
        if label:
            ax.text(
                x,
                y,
                label,
                ha="center",
                va="center",
                fontsize=em_pt * 0.62,
                color="white" if face not in ("white", "none") else edge,
                fontweight="bold",
            )

    return draw


def line_symbol(color: str, width: float = 1.2, style: str = "-") -> SymbolFn:
    """A short line (outlines, leader lines)."""

    def draw(ax: Axes, x: float, y: float, em_pt: float) -> None:
        em = em_pt / 72
        ax.add_line(
            Line2D(
                [x - 0.75 * em, x + 0.75 * em],
                [y, y],
                color=color,
                linewidth=width,
                linestyle=style,
            )
        )

    return draw


HALO = [patheffects.withStroke(linewidth=2.0, foreground="white")]
