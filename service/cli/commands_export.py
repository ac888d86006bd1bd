"""``parkgeo export``: write a current layer to a GeoPackage, Shapefile zip, KML, GeoJSON or CSV."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from boundaries.exports import FORMATS, export_crs, export_format, export_frame, write_export
from boundaries.layers import LAYERS, layer
from geo.errors import InvalidInput
from service.cli.app import app, console
from service.cli.context import session_scope
from service.settings import Settings

log = logging.getLogger(__name__)


def _format_from_suffix(output: Path) -> str:
    name = output.name.lower()
    for fmt in FORMATS.values():
        if name.endswith(fmt.suffix):
            return fmt.name
    if name.endswith(".shp"):
        raise InvalidInput("the Shapefile export is a zip: use -o NAME.shp.zip")
    raise InvalidInput(
        f"cannot tell the format from {output.name!r}: give -f ({', '.join(FORMATS)})"
    )


@app.command("export")
def export(
    collection: Annotated[str, typer.Argument(help=f"One of: {', '.join(LAYERS)}.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help=f"{', '.join(FORMATS)} (default: from -o's suffix)."),
    ] = None,
    crs: Annotated[
        str | None,
        typer.Option(help="EPSG:4490 (default), CRS84, EPSG:4326, gcj02, or e.g. EPSG:4547."),
    ] = None,
) -> None:
    """Export the current features of a layer (Chinese text kept; shp is zipped with .cpg)."""
    the_layer = layer(collection.replace("-", "_"))
    chosen = export_format(fmt or _format_from_suffix(output))
    if chosen.name == "shp" and output.suffix.lower() == ".shp":
        raise InvalidInput("the Shapefile export is a zip: use -o NAME.shp.zip")
    target_crs = export_crs(crs)
    if not output.parent.exists():
        raise InvalidInput(f"folder {str(output.parent)!r} does not exist")
    with session_scope(Settings()) as session:
        frame = export_frame(session, the_layer.id, target_crs)
    with tempfile.TemporaryDirectory(prefix="parkgeo-export-") as folder:
        written = write_export(frame, the_layer.id, chosen, Path(folder))
        shutil.copyfile(written, output)
    console.print(
        f"已导出 / exported {len(frame)} {the_layer.id} → {output} "
        f"({chosen.name}, {target_crs.label})"
    )
