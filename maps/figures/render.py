"""The one entry point for figures: validate the request, draw, and encode to bytes.

Built on explicit ``Figure`` objects (no pyplot), with the CJK font applied in an
``rc_context``. rcParams are process-global, so renders are serialised by a lock: a web server
may call this from several threads, and a 300 dpi A4 render takes about a second.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo.errors import InvalidInput, NotFound
from maps.figures import industry, overview, park
from maps.figures.context import Context
from maps.figures.sheet import ORIENTATIONS, PAPER_MM, Sheet, make_frame
from maps.fonts import CJK_FAMILIES, cjk_context

if TYPE_CHECKING:
    from boundaries.frames import Frames

log = logging.getLogger(__name__)

KINDS: Final[tuple[str, ...]] = ("overview", "industry", "park")
FORMATS: Final[tuple[str, ...]] = ("png", "svg", "pdf")
PAPERS: Final[tuple[str, ...]] = tuple(PAPER_MM)
MEDIA_TYPES: Final[dict[str, str]] = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}
_DRAW: Final[dict[str, Callable[[Context], None]]] = {
    "overview": overview.draw,
    "industry": industry.draw,
    "park": park.draw,
}
_render_lock = threading.Lock()


def render_figure(
    frames: Frames,
    kind: str,
    *,
    code: str | None = None,
    fmt: str = "png",
    paper: str = "A4",
    orientation: str = "landscape",
    dpi: int = 300,
    title: str | None = None,
    as_of: str | None = None,
    fonts: tuple[str, ...] = CJK_FAMILIES,
) -> bytes:
    """Render a layout figure of the zone and return the encoded file.

    Parameters
    ----------
    frames : boundaries.frames.Frames
        Parks, sections and radiation points in EPSG:4490 (bundled or from the store).
    kind : {"overview", "industry", "park"}
        ``park`` needs ``code`` (e.g. ``gaoxin``, ``baofeng``).
    fmt : {"png", "svg", "pdf"}
    paper, orientation : A4 or A3, landscape or portrait; the sheet is exactly that size.
    dpi : raster resolution (PNG; also embedded images in PDF/SVG), 300 by default.
    title : replaces the default Chinese title.
    as_of : the date printed as 制图日期 (YYYY-MM-DD); defaults to the newest
        provenance date of the drawn geometry, so the same data gives the same figure.

    Raises ``InvalidInput`` for an unknown kind, format, paper, orientation or dpi and
    ``NotFound`` for an unknown park code (or no parks at all); both messages list the
    accepted values.
    """
    _check_choice("format", fmt, FORMATS)
    with _render_lock, cjk_context(fonts):
        figure = build_figure(
            frames,
            kind,
            code=code,
            paper=paper,
            orientation=orientation,
            dpi=dpi,
            title=title,
            as_of=as_of,
        )
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt, figure))
    log.info("rendered %s figure (%s, %s %s, %d dpi)", kind, fmt, paper, orientation, dpi)
    return buffer.getvalue()


def build_figure(
    frames: Frames,
    kind: str,
    *,
    code: str | None = None,
    paper: str = "A4",
    orientation: str = "landscape",
    dpi: int = 300,
    title: str | None = None,
    as_of: str | None = None,
) -> Figure:
    """Draw the figure without encoding it (tests inspect its artists).

    Must run inside :func:`maps.fonts.cjk_context`, as :func:`render_figure` does.
    """
    _check_choice("kind", kind, KINDS)
    _check_choice("paper", paper, PAPERS)
    _check_choice("orientation", orientation, ORIENTATIONS)
    if not isinstance(dpi, int) or not 50 <= dpi <= 1200:
        raise InvalidInput(f"dpi {dpi!r} is out of range; use a whole number from 50 to 1200")
    if frames.parks.empty:  # e.g. an as_of before the register was loaded: nothing to place
        raise NotFound("没有可绘制的园区 / no parks to draw on that date; try a later as_of")
    if kind == "park":
        codes = list(frames.parks["code"])
        if not code:
            raise InvalidInput("the park figure needs a park code; one of: " + ", ".join(codes))
        if code not in codes:
            raise NotFound(f"unknown park code {code!r}; known codes: " + ", ".join(codes))
    elif code is not None:
        raise InvalidInput(f"the {kind} figure takes no park code (got {code!r})")
    sheet = Sheet(paper, orientation)
    figure = Figure(figsize=sheet.size_in, dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)  # text extents for label placement come from the Agg renderer
    context = Context.create(
        frames, make_frame(figure, sheet), sheet, code=code, title=title, as_of=as_of
    )
    _DRAW[kind](context)
    context.finish()
    return figure


def _check_choice(what: str, value: object, accepted: tuple[str, ...]) -> None:
    if value not in accepted:
        raise InvalidInput(f"unknown {what} {value!r}; accepted: " + ", ".join(accepted))


def _metadata(fmt: str, figure: Figure) -> dict[str, str | None]:
    """Fixed metadata so identical data gives byte-identical PDF/SVG files."""
    title = getattr(figure, "parkgeo_title", "")
    if fmt == "pdf":
        return {"Title": title, "Creator": "parkgeo", "Producer": "parkgeo", "CreationDate": None}
    if fmt == "svg":
        return {"Title": title, "Creator": "parkgeo", "Date": None}
    return {"Title": title, "Software": "parkgeo"}
