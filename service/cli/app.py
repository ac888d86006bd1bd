"""The typer application object and the consoles every command prints to."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="parkgeo",
    help='平顶山国家高新区"一区多园" geospatial tools: database, checks, locate, maps, figures.',
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)
