"""``parkgeo db``, ``parkgeo load`` and ``parkgeo serve``."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer
import uvicorn

from boundaries.loader import migrate_and_load
from service.app import create_app
from service.cli.app import app, console
from service.cli.context import prepare_database
from service.cli.workers import serve_workers
from service.database import database_url, embedded_cluster, make_engine
from service.settings import Settings

log = logging.getLogger(__name__)

db_app = typer.Typer(help="The embedded PostgreSQL + PostGIS cluster (.parkgeo/).")
app.add_typer(db_app, name="db")


def _embedded_only(settings: Settings) -> None:
    if not settings.uses_embedded_db:
        console.print(
            "PARKGEO_DATABASE_URL is set: parkgeo uses that database and manages none locally."
        )
        raise typer.Exit(0)


@db_app.command("up")
def db_up() -> None:
    """Initialise (first time) and start the embedded database."""
    settings = Settings()
    _embedded_only(settings)
    cluster = embedded_cluster(settings)
    cluster.up()
    console.print(f"数据库 / database: {cluster.status()}")


@db_app.command("down")
def db_down() -> None:
    """Stop the embedded database (the data stays in the data directory)."""
    settings = Settings()
    _embedded_only(settings)
    cluster = embedded_cluster(settings)
    cluster.down()
    console.print(f"数据库 / database: {cluster.status()}")


@db_app.command("status")
def db_status() -> None:
    """Say whether the embedded database is initialised and running."""
    settings = Settings()
    _embedded_only(settings)
    console.print(f"数据库 / database: {embedded_cluster(settings).status()}")


@app.command("load")
def load() -> None:
    """Migrate the schema and load the bundled dataset (idempotent)."""
    settings = Settings()
    engine = make_engine(database_url(settings))
    try:
        report = migrate_and_load(engine)
    finally:
        engine.dispose()
    console.print(
        f"已载入 / loaded: {report.parks} parks, {report.sections} sections, "
        f"{report.points} radiation points, {report.declarations} declarations "
        "(records already present are left unchanged)"
    )


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Serve the API (starting the embedded database when no URL is configured)."""
    settings = Settings()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    log_level = settings.log_level.lower()  # WARNING and above: no access log
    prepare_database(settings).dispose()
    console.print(f"parkgeo: http://{host}:{port}/docs  (Ctrl+C to stop)")
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)
        return
    # Worker processes build their own app from the environment: hand them the URL.
    os.environ["PARKGEO_DATABASE_URL"] = database_url(settings).render_as_string(
        hide_password=False
    )
    serve_workers("service.app:create_app", host, port, workers, log_level)
