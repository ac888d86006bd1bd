"""A project-local PostgreSQL + PostGIS cluster: the embedded default database.

Planners should not have to install or configure a database to try parkgeo. This module runs
the system's PostgreSQL binaries against a data directory inside the project (``.parkgeo/``),
listening on 127.0.0.1 only, with a generated password kept in a 0600 file next to it.

PostgreSQL refuses to run as root, so as root every server command runs as the ``postgres``
user through ``runuser``; the directories are created by us and handed over to that user.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from geo.errors import DatabaseUnavailable, DependencyMissing

log = logging.getLogger(__name__)

SUPERUSER = "parkgeo"
DATABASE = "parkgeo"
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "max_connections": "100",
    "shared_buffers": "'128MB'",
}


@dataclass(frozen=True)
class EmbeddedCluster:
    """A cluster in ``root`` (its data in ``root/pg``) listening on 127.0.0.1:``port``."""

    root: Path
    port: int = 55432
    pg_bin: Path | None = None
    fsync: bool = True

    @property
    def data_dir(self) -> Path:
        return self.root / "pg"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    def url(self, database: str = DATABASE) -> URL:
        """SQLAlchemy URL of the cluster (psycopg 3 driver)."""
        return URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            password=self.password_file.read_text().strip(),
            host="127.0.0.1",
            port=self.port,
            database=database,
        )

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        result = self._run([self._bin("pg_ctl"), "status", "-D", str(self.data_dir)], check=False)
        return result.returncode == 0

    def up(self) -> None:
        """Initialise if needed, start if stopped, and make sure the database exists."""
        if not self.is_initialised():
            self._initdb()
        if not self.is_running():
            self._start()
        self._ensure_database()

    def down(self) -> None:
        """Stop the server (fast shutdown); a no-op when it is not running."""
        if self.is_running():
            self._run([self._bin("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"])
            log.info("embedded PostgreSQL stopped")

    def status(self) -> str:
        if not self.is_initialised():
            return f"not initialised ({self.data_dir})"
        state = "running" if self.is_running() else "stopped"
        return f"{state} on 127.0.0.1:{self.port} ({self.data_dir})"

    def destroy(self) -> None:
        """Stop and delete the cluster; used by test sessions on throwaway clusters."""
        self.down()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- steps -------------------------------------------------------------------------

    def _initdb(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # our own folder: the server user must be able to enter it
        self._check_reachable()
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        password = secrets.token_urlsafe(24)
        self.password_file.write_text(password + "\n")
        self.password_file.chmod(0o600)
        pwfile = self.root / ".initpw"
        pwfile.write_text(password + "\n")
        self._hand_over(self.data_dir, pwfile)
        try:
            self._run(
                [
                    self._bin("initdb"),
                    "-D", str(self.data_dir),
                    "-U", SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=peer",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)
        settings = dict(SERVER_SETTINGS, port=str(self.port))
        if not self.fsync:
            settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        with (self.data_dir / "postgresql.auto.conf").open("a") as conf:
            for key, value in settings.items():
                conf.write(f"{key} = {value}\n")
        log.info("embedded PostgreSQL initialised in %s", self.data_dir)

    def _start(self) -> None:
        if _port_in_use(self.port):
            raise DatabaseUnavailable(
                f"port {self.port} on 127.0.0.1 is taken by another program; "
                "set PARKGEO_EMBEDDED_PORT to a free port"
            )
        self._run(
            [
                self._bin("pg_ctl"), "start", "-D", str(self.data_dir), "-w", "-t", "60",
                "-l", str(self.log_file),
            ]
        )  # fmt: skip
        log.info("embedded PostgreSQL started on 127.0.0.1:%d", self.port)

    def _ensure_database(self) -> None:
        import psycopg  # local import: only needed here, keeps module import light

        admin = self.url("postgres").set(drivername="postgresql")
        conninfo = admin.render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
        target = self.url().set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    # --- helpers -----------------------------------------------------------------------

    def _check_reachable(self) -> None:
        """As root the server runs as ``postgres``, which must be able to enter every parent."""
        if os.geteuid() != 0:
            return
        probe = subprocess.run(
            ["runuser", "-u", "postgres", "--", "test", "-x", str(self.root)], check=False
        )
        if probe.returncode != 0:
            raise DatabaseUnavailable(
                f"the postgres user cannot enter {self.root} (a parent folder is private); "
                "set PARKGEO_DATA_DIR to a folder under a world-readable path"
            )

    def _bin(self, name: str) -> str:
        folder = self.pg_bin or find_pg_bin()
        return str(folder / name)

    def _hand_over(self, *paths: Path) -> None:
        if os.geteuid() == 0:
            for path in paths:
                shutil.chown(path, "postgres", "postgres")

    def _run(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, check=False, cwd="/")
        if check and result.returncode != 0:
            tail = self._log_tail()
            raise DatabaseUnavailable(
                f"{Path(argv[4] if argv[0] == 'runuser' else argv[0]).name} failed "
                f"(exit {result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
                + (f"\nserver log:\n{tail}" if tail else "")
            )
        return result

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def find_pg_bin() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has ``initdb`` and PostGIS."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        reverse=True,
    )
    for initdb in candidates:
        version = initdb.parent.parent.name
        if Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
            return initdb.parent
    raise DependencyMissing(
        "PostgreSQL with PostGIS was not found. Run `make setup` "
        "(or `apt-get install postgresql-15-postgis-3`), or set PARKGEO_DATABASE_URL "
        "to an external PostGIS."
    )


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for throwaway test clusters)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_accepting(cluster: EmbeddedCluster, timeout_s: float = 30.0) -> None:
    """Block until the server accepts connections (after a restart in fault tests)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if _port_in_use(cluster.port):
            return
        time.sleep(0.1)
    raise DatabaseUnavailable(f"PostgreSQL did not come up on port {cluster.port}")
