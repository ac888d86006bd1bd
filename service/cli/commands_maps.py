"""``parkgeo map`` (interactive HTML) and ``parkgeo figure`` (print figures)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from boundaries.store import end_of_day, frames
from geo.errors import InvalidInput
from maps.figures import render_figure
from maps.interactive import industry_map, layout_map, render_html
from service.cli.app import app, console
from service.cli.context import session_scope
from service.settings import Settings

AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Show the zone as it was on that day."),
]


@app.command("map")
def map_command(
    kind: Annotated[str, typer.Argument(help="layout (空间布局) or industry (产业分布).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")],
    basemap: Annotated[str, typer.Option(help="osm, tianditu, amap or none.")] = "osm",
    as_of: AsOfOption = None,
) -> None:
    """Write a standalone interactive map (works offline: every asset is inlined)."""
    builders = {"layout": layout_map, "industry": industry_map}
    if kind not in builders:
        raise InvalidInput(f"unknown map {kind!r}; choose layout or industry")
    settings = Settings()
    key = settings.tianditu_key.get_secret_value() if settings.tianditu_key else None
    with session_scope(settings) as session:
        data = frames(session, as_of=_instant(as_of))
    html = render_html(builders[kind](data, basemap=basemap, tianditu_key=key), standalone=True)
    output.write_text(html, encoding="utf-8")
    console.print(f"已写出 / written: {output} ({len(html) / 1e6:.1f} MB)")


@app.command("figure")
def figure_command(
    kind: Annotated[str, typer.Argument(help="overview, industry or park.")],
    code: Annotated[str | None, typer.Argument(help="Park code for kind=park.")] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="File to write: .png, .svg or .pdf.")
    ] = Path("figure.png"),
    paper: Annotated[str, typer.Option(help="A4 or A3.")] = "A4",
    orientation: Annotated[str, typer.Option(help="landscape or portrait.")] = "landscape",
    dpi: Annotated[int, typer.Option(min=72, max=1200, help="Resolution (PNG).")] = 300,
    title: Annotated[str | None, typer.Option(help="Title; default depends on kind.")] = None,
    as_of: AsOfOption = None,
) -> None:
    """Write a print-ready layout figure with Chinese labels."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise InvalidInput(f"output must end in .png, .svg or .pdf, not {output.name!r}")
    with session_scope(Settings()) as session:
        data = frames(session, as_of=_instant(as_of))
    body = render_figure(
        data,
        kind,
        code=code,
        fmt=fmt,
        paper=paper,
        orientation=orientation,
        dpi=dpi,
        title=title,
        as_of=as_of.date().isoformat() if as_of else None,
    )
    output.write_bytes(body)
    console.print(f"已写出 / written: {output} ({len(body) / 1e3:.0f} kB)")


def _instant(day: datetime | None) -> datetime | None:
    return end_of_day(date(day.year, day.month, day.day)) if day else None
