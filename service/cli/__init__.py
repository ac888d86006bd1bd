"""The ``parkgeo`` command. ``main`` turns errors into a message and an exit code:
0 success, 1 a failed check or operation, 2 a usage error or bad input."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import click
import typer
from rich.logging import RichHandler
from sqlalchemy.exc import OperationalError

from geo.errors import InvalidInput, NotFound, ParkgeoError
from service.cli import (
    commands_check,  # noqa: F401  (registers commands)
    commands_db,  # noqa: F401  (registers commands)
    commands_export,  # noqa: F401  (registers commands)
    commands_import,  # noqa: F401  (registers commands)
    commands_locate,  # noqa: F401  (registers commands)
    commands_maps,  # noqa: F401  (registers commands)
)
from service.cli.app import app, console, err_console
from service.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["app", "console", "main", "run"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (for tests and ``run``)."""
    try:
        result = app(args=argv, prog_name="parkgeo", standalone_mode=False)
    except (click.exceptions.Abort, typer.Abort):
        err_console.print("已取消 / aborted")
        return 1
    except (click.ClickException, typer.TyperException) as exc:
        # typer >= 0.2x vendors click: its usage errors are not click.ClickException.
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            err_console.print(f"错误 / error: {exc.format_message()}", highlight=False)
        return exc.exit_code
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        err_console.print(
            f"[bold red]错误 / error:[/] cannot reach the database: {reason}", highlight=False
        )
        return 1
    except ParkgeoError as exc:
        err_console.print(f"[bold red]错误 / error:[/] {exc.message}", highlight=False)
        return 2 if isinstance(exc, InvalidInput | NotFound) else 1
    return result if isinstance(result, int) else 0


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug details.")] = False,
) -> None:
    """平顶山国家高新区"一区多园" geospatial tools."""
    configure_logging("DEBUG" if verbose else Settings().log_level)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False, rich_tracebacks=False)],
        force=True,
    )
