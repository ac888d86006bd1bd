"""Paper sizes and where the title, map, side panel and footer sit on the sheet.

Everything is laid out in inches so that a figure looks the same at 150 or 600 dpi; the axes
positions are fractions of the sheet computed from those inches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from matplotlib.axes import Axes
from matplotlib.figure import Figure

MM_PER_INCH: Final[float] = 25.4

#: ISO 216 sizes in millimetres, (short side, long side).
PAPER_MM: Final[dict[str, tuple[int, int]]] = {"A4": (210, 297), "A3": (297, 420)}
ORIENTATIONS: Final[tuple[str, ...]] = ("landscape", "portrait")

_MARGIN = 0.4
_TITLE = 0.72
_FOOTER = 0.82
_GAP = 0.22


@dataclass(frozen=True)
class Sheet:
    """A sheet of paper: its size in inches and a type scale (A3 prints larger text)."""

    paper: str
    orientation: str

    @property
    def size_in(self) -> tuple[float, float]:
        short, long = (mm / MM_PER_INCH for mm in PAPER_MM[self.paper])
        return (long, short) if self.landscape else (short, long)

    @property
    def landscape(self) -> bool:
        return self.orientation == "landscape"

    @property
    def scale(self) -> float:
        """Multiplier for font and symbol sizes; 1 on A4."""
        return 1.0 if self.paper == "A4" else 1.3


@dataclass(frozen=True)
class Frame:
    """The axes of one figure: the map, the side panel (legend and keys), the whole sheet."""

    figure: Figure
    map_ax: Axes
    panel_ax: Axes
    sheet_ax: Axes
    panel_columns: int


def make_frame(figure: Figure, sheet: Sheet) -> Frame:
    """Create the map, panel and sheet axes for ``sheet`` on ``figure``."""
    width, height = sheet.size_in
    s = sheet.scale
    margin, title, footer, gap = _MARGIN * s, _TITLE * s, _FOOTER * s, _GAP * s
    body_bottom = footer
    body_top = height - title
    if sheet.landscape:
        panel_w = min(3.4 * s, width * 0.3)
        map_box = (margin, body_bottom, width - 2 * margin - panel_w - gap, body_top - body_bottom)
        panel_box = (width - margin - panel_w, body_bottom, panel_w, body_top - body_bottom)
        columns = 1
    else:
        panel_h = (body_top - body_bottom) * 0.36
        map_h = body_top - body_bottom - panel_h - gap
        map_box = (margin, body_bottom + panel_h + gap, width - 2 * margin, map_h)
        panel_box = (margin, body_bottom, width - 2 * margin, panel_h)
        columns = 2
    sheet_ax = figure.add_axes((0, 0, 1, 1))
    sheet_ax.set_axis_off()
    sheet_ax.set_xlim(0, width)
    sheet_ax.set_ylim(0, height)
    map_ax = figure.add_axes(_fraction(map_box, width, height))
    panel_ax = figure.add_axes(_fraction(panel_box, width, height))
    panel_ax.set_axis_off()
    panel_ax.set_xlim(0, panel_box[2])
    panel_ax.set_ylim(0, panel_box[3])
    return Frame(figure, map_ax, panel_ax, sheet_ax, columns)


def _fraction(
    box: tuple[float, float, float, float], width: float, height: float
) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return (x / width, y / height, w / width, h / height)
