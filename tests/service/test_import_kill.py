"""An import killed midway (SIGKILL) leaves the previous boundary and its history intact.

The kill must land while the import's transaction is open and has already written. So the
test makes it wait there: its own open transaction holds, uncommitted, a parks row with the
id the import's new version will draw from the sequence. The import closes the current
zhanhe version, then its INSERT waits for the test's transaction (seen in ``pg_locks``),
and the ``parkgeo import`` process is killed at that moment. Once the blocker is rolled
back, PostgreSQL finds the client gone and rolls the import back: nothing is committed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, Row, create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from tests.boundaries import survey_files as sf

PARKGEO = Path(sys.executable).with_name("parkgeo")
DEADLINE_S = 20
T = TypeVar("T")

# The import's backend, waiting for a lock in the test's database, and its transaction id.
_WAITING = """
SELECT a.pid, a.backend_xid::text AS xid FROM pg_stat_activity AS a
WHERE a.datname = current_database() AND a.application_name = 'parkgeo'
  AND a.wait_event_type = 'Lock' AND a.state = 'active'
"""
# The transaction that last updated (or is updating) the current zhanhe row.
_CLOSED_BY = "SELECT xmax::text FROM parks WHERE code = 'zhanhe' AND valid_to IS NULL"


def _snapshot(engine: Engine) -> dict[str, list]:
    with Session(engine) as session:
        return sf.snapshot(session)


def _poll(what: str, probe: Callable[[], T], timeout_s: float = DEADLINE_S) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def _hold_next_id(conn: Connection, engine: Engine) -> None:
    """Insert, uncommitted, a closed parks row with the id the next INSERT will draw."""
    next_id = conn.scalar(text("SELECT nextval(pg_get_serial_sequence('parks', 'id'))")) + 1
    names = [c["name"] for c in inspect(engine).get_columns("parks")]
    values = {name: name for name in names}
    values.update(id=":id", code="'kill-test-blocker'", valid_to="valid_from + interval '1 s'")
    conn.execute(
        text(
            f"INSERT INTO parks ({', '.join(values)}) SELECT {', '.join(values.values())} "
            "FROM parks WHERE code = 'zhanhe' AND valid_to IS NULL"
        ),
        {"id": next_id},
    )


def _watch(engine: Engine) -> Connection:
    # Autocommit: in a transaction pg_stat_activity would keep showing its first snapshot.
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _import(path: Path, url: URL, comment: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PARKGEO_DATABASE_URL": url.render_as_string(hide_password=False)}
    return subprocess.Popen(
        [str(PARKGEO), "import", str(path), "--park", "zhanhe", "--comment", comment],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_import_killed_midway_leaves_boundary_and_history(
    fresh_db_url: URL, tmp_path: Path
) -> None:
    engine = create_engine(fresh_db_url)
    try:
        before = _snapshot(engine)
        path = sf.write_geojson(tmp_path)

        blocker = engine.connect()
        transaction = blocker.begin()
        _hold_next_id(blocker, engine)
        process = _import(path, fresh_db_url, "killed midway")
        try:
            with _watch(engine) as watch:

                def waiting() -> Row | None:
                    if process.poll() is not None:
                        output = process.communicate()[0].decode()
                        raise AssertionError(f"the import ended before the kill:\n{output}")
                    return watch.execute(text(_WAITING)).one_or_none()

                pid, xid = _poll("the import to wait inside its transaction", waiting)
                # It has closed the current version (not committed): the row's xmax is its
                # transaction. Its INSERT now waits for the blocker.
                assert watch.scalar(text(_CLOSED_BY)) == xid
            os.kill(process.pid, signal.SIGKILL)
            assert process.wait(timeout=DEADLINE_S) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            transaction.rollback()
            blocker.close()

        with _watch(engine) as watch:
            _poll(
                "PostgreSQL to end the killed import's session",
                lambda: (
                    not watch.scalar(
                        text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
                    )
                ),
            )
        assert _snapshot(engine) == before

        # The database takes a normal import afterwards.
        done = _import(path, fresh_db_url, "after the kill")
        output = done.communicate(timeout=60)[0].decode()
        assert done.returncode == 0, output
        with engine.connect() as conn:
            versions = conn.execute(
                text(
                    "SELECT version, geometry_source, valid_to IS NULL, change_note "
                    "FROM parks WHERE code = 'zhanhe' ORDER BY version"
                )
            ).all()
        assert [tuple(v)[:3] for v in versions] == [(1, "schematic", False), (2, "surveyed", True)]
        assert versions[1].change_note == "after the kill"
    finally:
        engine.dispose()
