"""``parkgeo import``, ``history``, ``retire`` and ``points update``: the local admin tools.

The CLI runs on the machine that holds the database, so it needs no token: changes are
attributed to ``--as NAME`` or the operating-system user.
"""

from __future__ import annotations

import getpass
import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from boundaries import edits
from boundaries.history import History, history
from boundaries.imports import BoundaryRejected, ImportReport, import_boundary, read_point_updates
from boundaries.store import COLLECTIONS
from geo.errors import NotFound
from service.cli.app import app, console, err_console
from service.cli.context import session_scope
from service.settings import Settings

log = logging.getLogger(__name__)

points_app = typer.Typer(help="Radiation points: bulk coordinate updates.")
app.add_typer(points_app, name="points")

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Name recorded as who made the change (default: your user name)."),
]
CommentOption = Annotated[
    str | None, typer.Option("--comment", "-m", help="Why the change is made (required).")
]


def _who(name: str | None) -> str:
    return name or getpass.getuser()


@app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="Boundary file: GeoJSON, .shp/.zip, .gpkg, .kml/.kmz, .dxf, 界址点 .csv/.xlsx."
        ),
    ],
    park: Annotated[str, typer.Option("--park", help="Park code, e.g. zhanhe.")],
    section: Annotated[
        str | None, typer.Option("--section", help="Section code, when the file is a 组团.")
    ] = None,
    crs: Annotated[
        str | None,
        typer.Option("--crs", help="CRS of the coordinates; wins over the file and detection."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print the report; write nothing.")
    ] = False,
    repair: Annotated[
        bool, typer.Option("--repair", help="Repair an invalid geometry instead of refusing.")
    ] = False,
    comment: CommentOption = None,
    as_name: AsOption = None,
    precision_m: Annotated[
        float | None, typer.Option("--precision", min=0.001, help="Survey precision, metres.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import a surveyed boundary. Prints what was assumed and the checks; exit 1 when the
    checks refuse it (nothing written), 2 for bad input."""
    with session_scope(Settings()) as session:
        try:
            with edits.transaction(session):
                report = import_boundary(
                    session,
                    file,
                    park=park,
                    section=section,
                    crs=crs,
                    dry_run=dry_run,
                    repair=repair,
                    comment=comment,
                    changed_by=_who(as_name),
                    precision_m=precision_m,
                )
        except BoundaryRejected as exc:
            _show(exc.report, as_json)
            err_console.print(f"[bold red]未导入 / not imported:[/] {exc.message}", highlight=False)
            raise typer.Exit(1) from None
    _show(report, as_json)
    if report.written:
        console.print(
            f"[green]已导入 / imported:[/] {report.target.kind} {report.target.code} "
            f"version {report.version} (surveyed)"
        )
    else:
        console.print("[yellow]试运行 / dry run:[/] nothing was written")


def _show(report: ImportReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    console.print(
        f"[bold]{report.file}[/] ({report.format}) -> {report.target.kind} "
        f"[bold]{report.target.code}[/] ({report.target.name})",
        highlight=False,
    )
    console.print(
        f"坐标系 / CRS: [bold]{report.crs.crs}[/] {report.crs.name} — {report.crs.source}: "
        f"{report.crs.reason}",
        highlight=False,
    )
    for note in report.notes:
        console.print(f"  · {note}", highlight=False)
    console.print(render_report(report))
    for warning in report.warnings:
        console.print(f"[yellow]注意 / warning:[/] {warning}", highlight=False)
    for failure in report.failures:
        console.print(f"[bold red]未通过 / failed:[/] {failure}", highlight=False)


def _yes(flag: bool | None) -> str:
    if flag is None:
        return "—"
    return "[green]是 yes[/]" if flag else "[bold red]否 no[/]"


def _num(value: float | None, fmt: str = ".4f") -> str:
    return "—" if value is None else format(value, fmt)


def render_report(report: ImportReport) -> Table:
    """The pre-write report as a two-column rich table."""
    table = Table(title="导入检查 / import report", show_header=False)
    table.add_column("item")
    table.add_column("value")
    table.add_row(
        "features / parts / rings / vertices",
        f"{report.features} / {report.parts} / {report.rings} / {report.vertices}",
    )
    validity = _yes(report.valid)
    if report.invalid_reason:
        validity += f" ({report.invalid_reason})" + (" — repaired" if report.repaired else "")
    table.add_row("valid 有效", validity)
    table.add_row("measured km² (ellipsoidal)", _num(report.measured_km2))
    table.add_row("planar km² (EPSG:4547)", _num(report.planar_km2))
    table.add_row("declared km² 规划面积", _num(report.declared_km2, ".2f"))
    if report.diff_km2 is not None:
        table.add_row(
            "difference",
            f"{report.diff_km2:+.4f} km² ({report.diff_pct:+.3f} %), tolerance "
            f"±{report.tolerance_km2:.4f}: {_yes(report.area_ok)}",
        )
    table.add_row(
        "stored now",
        f"{report.current_km2:.4f} km² ({report.target.current_source}, version "
        f"{report.target.current_version}); change {report.change_km2:+.4f} km²",
    )
    table.add_row("in Pingdingshan area", f"{_yes(report.in_pingdingshan)} ({report.bounds})")
    overlaps = ", ".join(
        f"{o.code} ({o.geometry_source}) {o.overlap_km2:.4f} km²" for o in report.overlaps
    )
    table.add_row("overlaps other parks", overlaps or "none")
    if report.within_park is not None:
        table.add_row(
            f"inside park {report.target.park}",
            f"{_yes(report.within_park)} ({report.outside_park_km2:.4f} km² outside)",
        )
    return table


@app.command("history")
def history_command(
    code: Annotated[str, typer.Argument(help="Park, section or radiation-point code.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List every version of a member: when, who, why, source, area and its change."""
    with session_scope(Settings()) as session:
        result = history(session, code)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    console.print(render_history(result))
    _print_reasons(result)


def render_history(result: History) -> Table:
    """Versions as a table that fits 80 columns (the reasons are printed below it)."""
    points = result.collection == "radiation_points"
    table = Table(title=f"{COLLECTIONS[result.collection]} {result.code}: 历史 / history")
    for column in ("v", "event", "from", "by"):
        table.add_column(column, no_wrap=True)
    if points:
        table.add_column("lon, lat", no_wrap=True)
        table.add_column("moved m", justify="right", no_wrap=True)
    else:
        table.add_column("source", no_wrap=True)
        table.add_column("km²", justify="right", no_wrap=True)
        table.add_column("Δ km²", justify="right", no_wrap=True)
    for v in result.versions:
        event = f"{v.event}*" if v.current else v.event
        row = [str(v.version), event, f"{v.valid_from:%Y-%m-%d %H:%M}", v.changed_by]
        if points:
            row += [f"{v.lon:.5f}, {v.lat:.5f}", _num(v.moved_m, ".1f")]
        else:
            row += [
                v.geometry_source or "",
                _num(v.area_km2, ".3f"),
                _num(v.area_change_km2, "+.3f"),
            ]
        table.add_row(*row)
    table.caption = "* current version; times are when each version took effect"
    return table


def _print_reasons(result: History) -> None:
    """Why each version was made, below the table: free text does not fit in a column."""
    for v in result.versions:
        console.print(
            f"  v{v.version} {v.event} — {v.changed_by}: {v.change_note}", highlight=False
        )


def _collection_of(session: object, code: str) -> str:
    """The collection whose current members include ``code`` (NotFound says if retired)."""
    for collection in COLLECTIONS:
        try:
            edits.current(session, collection, code)  # type: ignore[arg-type]
            return collection
        except NotFound as exc:
            if "retired" in exc.message:
                raise
    raise NotFound(f"no current park, section or radiation point with code {code!r}")


@app.command("retire")
def retire_command(
    code: Annotated[str, typer.Argument(help="Park, section or radiation-point code.")],
    comment: CommentOption = None,
    as_name: AsOption = None,
) -> None:
    """Retire a member (close its current version; nothing is deleted)."""
    change = edits.Change(_who(as_name), comment or "")
    with session_scope(Settings()) as session, edits.transaction(session):
        collection = _collection_of(session, code)
        row = edits.retire(session, collection, code, change)
        when = f"{row.valid_to:%Y-%m-%d %H:%M}"
    console.print(f"[green]已退出 / retired:[/] {code} at {when} by {change.changed_by}")


@points_app.command("update")
def points_update(
    file: Annotated[Path, typer.Argument(help="CSV/XLSX with code, lon, lat, crs, precision.")],
    comment: CommentOption = None,
    crs: Annotated[
        str | None, typer.Option("--crs", help="CRS for rows without a crs column (gcj02…).")
    ] = None,
    as_name: AsOption = None,
) -> None:
    """Move radiation points from a coordinate file, all or nothing (GCJ-02/BD-09 converted)."""
    change = edits.Change(_who(as_name), comment or "")
    updates = read_point_updates(file, default_crs=crs)
    with session_scope(Settings()) as session, edits.transaction(session):
        rows = edits.bulk_update_points(session, updates, change, source=file.name)
        codes = [row.code for row in rows]
    console.print(f"[green]已更新 / updated:[/] {len(codes)} points: {', '.join(codes)}")
