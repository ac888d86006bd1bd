"""``parkgeo locate``: one point (LON LAT), or a whole CSV/XLSX (FILE -o OUT)."""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from boundaries.locating import LocatingIndex, locate_points, locating_index
from boundaries.store import end_of_day
from boundaries.tables import (
    CHUNK_ROWS,
    Located,
    locate_table,
    read_table,
    table_format,
    write_table,
)
from geo.crs import parse_crs
from geo.errors import InvalidInput
from service.cli.app import app, console, err_console
from service.cli.context import session_scope
from service.settings import Settings

log = logging.getLogger(__name__)

_LABELS = {
    "inside": "在园区内 inside",
    "park": "园区 park",
    "section": "组团 section",
    "distance_m": "距边界 distance (m, +内/-外)",
    "nearest_park": "最近园区 nearest park",
    "near_edge": "靠近边界 near edge",
    "geometry_source": "边界来源 geometry",
    "warning": "警告 warning",
    "lon": "CGCS2000 经度 lon",
    "lat": "CGCS2000 纬度 lat",
}


@app.command("locate")
def locate(
    target: Annotated[str, typer.Argument(help="LON (or easting), or a CSV/XLSX file.")],
    lat: Annotated[
        str | None, typer.Argument(help="LAT (or northing) when locating one point.")
    ] = None,
    crs: Annotated[
        str | None,
        typer.Option(help="wgs84 (default), cgcs2000, gcj02, bd09, EPSG:4547, EPSG:4526, …"),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Annotated file to write.")
    ] = None,
    x_col: Annotated[str | None, typer.Option(help="Column of lon/easting.")] = None,
    y_col: Annotated[str | None, typer.Option(help="Column of lat/northing.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (one point).")] = False,
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Use the zone as it was on that day."),
    ] = None,
) -> None:
    """Which park and 组团 a point is in, and how far from the edge.

    parkgeo locate 113.11 33.86 [--crs gcj02] [--json]
    parkgeo locate 企业名单.xlsx -o 企业名单_located.xlsx [--x-col 经度 --y-col 纬度]
    """
    parsed = parse_crs(crs)
    instant = end_of_day(as_of.date()) if as_of else None
    source = Path(target)
    if lat is None and not source.is_file():
        raise InvalidInput(
            f"{target!r} is not a file; give LON LAT for one point, or an existing CSV/XLSX."
        )
    with session_scope(Settings()) as session:
        index = locating_index(session, instant)
    if lat is None:
        _locate_file(source, output, index, parsed.name, x_col, y_col)
    else:
        _locate_point(target, lat, index, parsed, as_json)


def _locate_point(lon: str, lat: str, index: LocatingIndex, parsed: Any, as_json: bool) -> None:
    try:
        x, y = float(lon), float(lat)
    except ValueError:
        raise InvalidInput(f"LON and LAT must be numbers; got {lon!r} {lat!r}.") from None
    record = locate_points(index, [x], [y], parsed).record(0)
    if record["inside"] is None:
        raise InvalidInput(f"cannot locate {lon} {lat}: {record['warning']}")
    record["note"] = index.note(record["park"] or record["nearest_park"])
    record["crs"] = parsed.name
    if as_json:
        console.print_json(json.dumps(record, ensure_ascii=False))
        return
    table = RichTable(show_header=False, title=f"定位 locate ({parsed.name} {lon}, {lat})")
    table.add_column(style="bold")
    table.add_column()
    for key, label in _LABELS.items():
        value = record[key]
        if key == "park" and value:
            value = f"{value}  {record['park_name']}"
        if key == "section" and value:
            value = f"{value}  {record['section_name']}"
        if key == "nearest_park" and value:
            value = f"{value}  {index.park_names.get(value, '')}"
        if key == "inside":
            value = "[green]是 yes[/]" if value else "[yellow]否 no[/]"
        if key == "warning" and value:
            value = f"[bold red]{value}[/]"
        table.add_row(label, "—" if value is None else str(value))
    console.print(table)
    if record["note"]:
        console.print(f"[yellow]注意 note:[/] {record['note']}", highlight=False)


def _locate_file(
    source: Path,
    output: Path | None,
    index: LocatingIndex,
    crs: str,
    x_col: str | None,
    y_col: str | None,
) -> None:
    if output is None:
        raise InvalidInput("give the annotated file to write with -o OUT (e.g. -o out.csv).")
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {source}: {exc.strerror}") from None
    table = read_table(data, source.name)
    out_format = _output_format(output, table.format)
    with Progress(
        TextColumn("定位 locating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=len(data) < 1_000_000,
    ) as progress:
        task = progress.add_task("rows", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        located = locate_table(table, index, crs=crs, x_col=x_col, y_col=y_col, progress=report)
        progress.update(task, description="写出 writing")
        body = write_table(table, located, out_format)
    try:
        output.write_bytes(body)
    except OSError as exc:
        raise InvalidInput(f"cannot write {output}: {exc.strerror}") from None
    _summary(located, index, output)


def _output_format(output: Path, default: str) -> str:
    try:
        return table_format(output.name)
    except InvalidInput:
        return default


def _summary(located: Located, index: LocatingIndex, output: Path) -> None:
    answers = located.answers
    n = len(answers)
    per_park = Counter(p for p in answers.park.tolist() if p is not None)
    warned = sum(1 for w in answers.warning.tolist() if w is not None)
    unanswered = sum(1 for v in answers.inside.tolist() if v is None)
    table = RichTable(title=f"{n} 行 rows → {output}  (x={located.x_col}, y={located.y_col})")
    table.add_column("园区 park")
    table.add_column("在内 inside", justify="right")
    for code in index.locator.park_codes:
        table.add_row(f"{code} {index.park_names.get(code, '')}", str(per_park.get(code, 0)))
    table.add_row("园区外 outside", str(n - sum(per_park.values()) - unanswered))
    table.add_row("无法定位 no answer", str(unanswered))
    console.print(table)
    console.print(f"警告 warnings: {warned} 行 rows", highlight=False)
    notes = {note for code in index.locator.park_codes if (note := index.note(code))}
    for note in sorted(notes)[:1]:
        console.print(f"[yellow]注意 note:[/] {note}", highlight=False)
    log.debug("chunks of %d rows", CHUNK_ROWS)
