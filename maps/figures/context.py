"""What one figure is being drawn from and onto, plus the steps every figure shares.

A figure module fills the map and adds panel items; :meth:`Context.finish` then adds the
furniture every figure must have (scale bar, north arrow, 示意, title, source line, panel).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.transforms import Bbox

from maps.figures import furniture
from maps.figures.labels import Obstacles
from maps.figures.panel import Panel
from maps.figures.projection import CRS_NOTE, to_plot_crs
from maps.figures.sheet import Frame, Sheet
from maps.style import SCHEMATIC_NOTE

SOURCE_NOTE = (
    "数据来源：园区名称、层次、申报面积、四至与主导产业据《平顶山国家高新技术产业开发区"
    "“一区多园”联动发展管理办法（征求意见稿）》附件1；辐射点名单据附件2。"
)
MAP_BACKGROUND = "#f6f6f2"
#: map corners the furniture takes (axes fractions): scale bar, north arrow, 示意 stamp
RESERVED = ((0, 0, 0.34, 0.14), (0.88, 0.78, 1, 1), (0, 0.9, 0.14, 1))
GEOMETRY_SOURCE_ZH = {"schematic": "示意边界", "surveyed": "勘测边界"}


@dataclass
class Context:
    """The projected data, the sheet and its axes, and what the figure module decided."""

    frame: Frame
    sheet: Sheet
    parks: gpd.GeoDataFrame
    sections: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    code: str | None
    title: str | None
    as_of: str | None
    panel: Panel = field(default_factory=Panel)
    obstacles: Obstacles = field(default_factory=Obstacles)
    shown: list[gpd.GeoDataFrame] = field(default_factory=list)
    default_title: str = ""
    notes: list[str] = field(default_factory=list)
    caption: str = ""

    @classmethod
    def create(
        cls,
        frames,
        frame: Frame,
        sheet: Sheet,
        *,
        code: str | None,
        title: str | None,
        as_of: str | None,
    ) -> Context:
        return cls(
            frame=frame,
            sheet=sheet,
            parks=to_plot_crs(frames.parks).sort_values("seq"),
            sections=to_plot_crs(frames.sections).sort_values(["park", "seq"]),
            points=to_plot_crs(frames.points).sort_values("seq"),
            code=code,
            title=title,
            as_of=as_of,
        )

    @property
    def ax(self):
        return self.frame.map_ax

    @property
    def s(self) -> float:
        return self.sheet.scale

    @property
    def renderer(self) -> RendererBase:
        return self.frame.figure.canvas.get_renderer()

    @property
    def schematic(self) -> bool:
        """True when any drawn boundary is schematic (then the figure must say 示意)."""
        return any((f["geometry_source"] == "schematic").any() for f in self.shown if len(f))

    def fit(self, bounds: tuple[float, float, float, float], pad: float = 0.06) -> None:
        """Show ``bounds`` (data units) with a margin, widened to the map box's shape."""
        fit_axes(self.ax, bounds, pad)
        self.ax.set_facecolor(MAP_BACKGROUND)
        for spine in self.ax.spines.values():
            spine.set_linewidth(0.9 * self.s)
            spine.set_color(furniture.INK)
        self._reserve_furniture()

    def _reserve_furniture(self) -> None:
        """Keep labels out of the corners the furniture will take."""
        t = self.ax.transAxes
        for x0, y0, x1, y1 in RESERVED:
            (a, b), (c, d) = t.transform((x0, y0)), t.transform((x1, y1))
            self.obstacles.hard.append(Bbox.from_extents(a, b, c, d))

    def finish(self) -> None:
        """Add the furniture every figure carries, then the panel."""
        ax, s = self.ax, self.s
        ax.set_xlabel("")
        ax.set_ylabel("")
        furniture.scale_bar(ax, s)
        furniture.north_arrow(ax, s)
        if self.schematic:
            furniture.schematic_stamp(ax, s)
        width, height = self.sheet.size_in
        text = self.title or self.default_title
        furniture.title(self.frame.sheet_ax, text, width, height, s)
        self.frame.figure.parkgeo_title = text  # type: ignore[attr-defined]
        furniture.footer(self.frame.sheet_ax, self.caption, self.source_lines(), width, s)
        self.panel.draw(self.frame.panel_ax, self.frame.panel_columns, 8.2 * s, 5.0 * s)

    def source_lines(self) -> list[str]:
        """Provenance of what is drawn (schematic or surveyed, date, precision), CRS, date."""
        shown = pd.concat([f.drop(columns="geometry") for f in self.shown if len(f)])
        dates = shown["provenance_date"].map(_day)
        parts = []
        for (source, date), group in shown.assign(_day=dates).groupby(["geometry_source", "_day"]):
            precision = pd.to_numeric(group["precision_m"], errors="coerce").max()
            label = GEOMETRY_SOURCE_ZH.get(str(source), str(source))
            bit = f"{label}（{source}）{len(group)} 处，{date}"
            if pd.notna(precision):
                bit += f"，精度约 ±{precision:,.0f} 米"
            parts.append(bit)
        as_of = self.as_of or max(dates)
        lines = [SOURCE_NOTE, "园区边界：" + "；".join(parts) + "。"]
        if self.schematic:
            lines[-1] += SCHEMATIC_NOTE + "。"
        lines.extend(self.notes)
        lines.append(f"{CRS_NOTE}；面积为 CGCS2000 椭球面积。制图日期：{as_of}。")
        return lines


def _day(value: object) -> str:
    """A provenance date as YYYY-MM-DD, whether it arrives as text, date or Timestamp."""
    return str(pd.Timestamp(value).date()) if pd.notna(value) else "日期不详"


def fit_axes(ax: Axes, bounds: tuple[float, float, float, float], pad: float) -> None:
    """Set equal-aspect limits showing ``bounds`` that exactly fill the axes box.

    Fixing the limits ourselves (rather than ``adjustable="datalim"``) keeps the scale bar and
    the label placement working on the final limits.
    """
    x0, y0, x1, y1 = bounds
    w, h = max(x1 - x0, 1.0) * (1 + 2 * pad), max(y1 - y0, 1.0) * (1 + 2 * pad)
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    aspect = (box.width * fig_w) / (box.height * fig_h)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
