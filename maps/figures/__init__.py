"""Print-ready layout figures (PNG, SVG, PDF) for the zone's industry plan.

One entry point, :func:`render_figure`, used by the CLI (``parkgeo figure``) and the web route
(``GET /figures/{kind}.{fmt}``).
"""

from maps.figures.render import FORMATS, KINDS, PAPERS, build_figure, render_figure

__all__ = ["FORMATS", "KINDS", "PAPERS", "build_figure", "render_figure"]
