"""``parkgeo check``: declared against measured areas, and the integrity of the boundaries."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from boundaries.checks import (
    DEFAULT_TOLERANCE_KM2,
    DEFAULT_TOLERANCE_REL,
    MAX_TOLERANCE_KM2,
    AreaReport,
    ParkArea,
    SumCheck,
    run_area_checks,
)
from boundaries.store import end_of_day
from service.cli.app import app, console
from service.cli.context import session_scope
from service.settings import Settings

log = logging.getLogger(__name__)

OK = "[green]通过 ok[/]"
FAIL = "[bold red]未通过 FAIL[/]"


@app.command("check")
def check(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (for machines).")
    ] = False,
    tolerance_km2: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=MAX_TOLERANCE_KM2,
            help="Absolute tolerance in km² (declared figures are rounded to 0.01 km²).",
        ),
    ] = DEFAULT_TOLERANCE_KM2,
    tolerance_pct: Annotated[
        float,
        typer.Option(min=0.0, max=100.0, help="Relative tolerance, % of the declared figure."),
    ] = DEFAULT_TOLERANCE_REL * 100,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Check the zone as it was at the end of that day (Beijing time).",
        ),
    ] = None,
) -> None:
    """Check stored areas against the declared register: parks, tiers, total, overlaps,
    validity, sections. Exit code 0 when everything passes, 1 when any check fails."""
    instant = end_of_day(as_of.date()) if as_of else None
    with session_scope(Settings()) as session:
        report = run_area_checks(
            session,
            tolerance_km2=tolerance_km2,
            tolerance_rel=tolerance_pct / 100,
            as_of=instant,
        )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    raise typer.Exit(0 if report.ok else 1)


def _km2(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.3f}"


def _status(ok: bool, reason: str = "") -> str:
    return OK if ok else f"{FAIL} {reason}".rstrip()


def _print_report(report: AreaReport) -> None:
    when = f", as of {report.as_of:%Y-%m-%d %H:%M %Z}" if report.as_of else ""
    table = Table(
        title=f"面积核查 / area check, km²{when}",
        caption="实测 Measured = CGCS2000 椭球面积 (ellipsoidal, GRS80); 投影 Planar = "
        "高斯-克吕格 EPSG:4547, for reference. "
        f"容差 Tol. = max({report.tolerance_km2:g} km², {report.tolerance_rel * 100:g} %)",
    )
    table.add_column("园区\nPark", overflow="fold")
    for header in ("规划\nDeclared", "实测\nMeasured", "投影\nPlanar", "差值\nDiff"):
        table.add_column(header, justify="right")
    table.add_column("差值 %\nDiff %", justify="right")
    table.add_column("容差\nTol.", justify="right")
    table.add_column("状态\nStatus")
    for tier in report.tiers:
        for park in (p for p in report.parks if p.tier == tier.tier):
            _add_park_row(table, park)
        _add_sum_row(table, tier)
        table.add_section()
    _add_sum_row(table, report.total)
    console.print(table)
    _print_integrity(report)
    for warning in report.warnings:
        console.print(f"[yellow]注意 / note:[/] {warning}", highlight=False)
    if report.ok:
        console.print("[bold green]全部通过 / all checks passed[/]")
    else:
        console.print(f"[bold red]未通过 / {len(report.failures)} check(s) failed:[/]")
        for failure in report.failures:
            console.print(f"  [red]✗[/] {failure}", highlight=False)


def _add_park_row(table: Table, park: ParkArea) -> None:
    notes = [] if park.area_ok else ["area"]
    notes += [] if park.valid else ["invalid"]
    notes += ["empty"] if park.empty else []
    table.add_row(
        f"{park.short_name} {park.code}",
        _km2(park.declared_km2, 2),
        _km2(park.measured_km2),
        _km2(park.planar_km2),
        f"{park.diff_km2:+.3f}",
        _pct(park.diff_pct),
        _km2(park.tolerance_km2),
        _status(park.ok, " ".join(notes)),
        style=None if park.ok else "red",
    )


def _add_sum_row(table: Table, check: SumCheck) -> None:
    name = "合计 Total" if check.tier == "total" else f"小计 {check.tier}"
    declared = _km2(check.declared_km2, 2)
    if check.declared_km2 is None or abs(check.parts_sum_km2 - check.declared_km2) > 1e-9:
        declared += f" (parts {check.parts_sum_km2:.2f})"
    notes = [] if check.area_ok else ["area"]
    notes += [] if check.register_ok else ["register 登记不符"]
    table.add_row(
        f"[bold]{name}[/]",
        declared,
        _km2(check.measured_km2),
        "",
        f"{check.diff_km2:+.3f}",
        _pct(check.diff_pct),
        _km2(check.tolerance_km2),
        _status(check.ok, " ".join(notes)),
        style=None if check.ok else "red",
    )


def _print_integrity(report: AreaReport) -> None:
    if report.overlaps:
        overlaps = Table(title="园区重叠 / overlapping parks", title_style="bold red")
        overlaps.add_column("园区 A")
        overlaps.add_column("园区 B")
        overlaps.add_column("重叠 Overlap km²", justify="right")
        for pair in report.overlaps:
            overlaps.add_row(pair.a, pair.b, f"{pair.overlap_km2:.4f}", style="red")
        console.print(overlaps)
    else:
        console.print("园区重叠 / overlaps: [green]无 none[/]")
    if report.invalid:
        invalid = Table(title="无效几何 / invalid geometries", title_style="bold red")
        invalid.add_column("类型 Kind")
        invalid.add_column("编码 Code")
        invalid.add_column("原因 Reason")
        for item in report.invalid:
            invalid.add_row(item.kind, item.code, item.reason, style="red")
        console.print(invalid)
    else:
        console.print("无效几何 / invalid geometries: [green]无 none[/]")
    if report.empty:
        codes = ", ".join(f"{e.kind} {e.code}" for e in report.empty)
        console.print(f"空几何 / empty geometries: [bold red]{codes}[/]", highlight=False)
    if report.sections_within:
        sections = Table(title="组团 / sections")
        sections.add_column("组团 Section", overflow="fold")
        sections.add_column("园区 Park")
        sections.add_column("面积 Area km²", justify="right")
        sections.add_column("园区外 Outside km²", justify="right")
        sections.add_column("状态 Status")
        for section in report.sections_within:
            reason = "" if section.park_found else "park missing"
            sections.add_row(
                f"{section.name} ({section.code})",
                section.park,
                _km2(section.area_km2),
                f"{section.outside_km2:.4f}",
                _status(section.ok, reason),
                style=None if section.ok else "red",
            )
        console.print(sections)
    for cover in report.sections_coverage:
        line = (
            f"组团合计 / sections of {cover.park}: park {cover.park_km2:.3f} km², union of "
            f"sections {cover.sections_union_km2:.3f} km², difference {cover.difference_km2:.4f}"
            f" km² (tolerance {cover.tolerance_km2:.3f}) "
        )
        console.print(line + _status(cover.ok), highlight=False)
