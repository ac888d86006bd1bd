"""Fuzz the API with schemathesis against its own OpenAPI schema, on a throwaway PostGIS.

    .venv/bin/python scripts/fuzz.py [--examples 2000] [--seed 0]

Builds the real app (``create_app``) with a write token, on a disposable database loaded with
the bundled data (a temporary embedded cluster, or a fresh database on the server of
``PARKGEO_TEST_DATABASE_URL``), so the write endpoints are exercised too. ``--examples`` is the
total number of generated requests across all operations, half schema-valid and half
schema-violating; operations whose inputs run out early (no parameters, only enums) hand
their share to the others. Prints the cases per operation, the 5xx count and the
schema-conformance failures; exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import os
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import schemathesis  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402

from boundaries.embedded import EmbeddedCluster, free_port  # noqa: E402
from boundaries.loader import migrate_and_load  # noqa: E402
from service.app import create_app  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests.fuzzing import AUTH, CHECKS, TOKEN  # noqa: E402

MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass
class Tally:
    """What one operation received and answered."""

    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: int = 0
    failures: Counter = field(default_factory=Counter)  # check title -> count
    examples: dict[str, str] = field(default_factory=dict)  # check title -> first curl


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    seconds: float = 0.0

    @property
    def cases(self) -> int:
        return sum(t.cases for t in self.tallies.values())

    @property
    def server_errors(self) -> int:
        return sum(t.server_errors for t in self.tallies.values())

    @property
    def failures(self) -> int:
        return sum(sum(t.failures.values()) for t in self.tallies.values())


def fuzz(app: object, total: int, base_seed: int = 0) -> Report:
    """Run at least ``total`` generated cases against ``app``; never raises on a finding."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    report = Report()
    active = [(op, mode) for op in operations for mode in MODES]
    started = time.perf_counter()
    round_no = 0
    while report.cases < total and active:
        quota = math.ceil((total - report.cases) / len(active))
        still_active = []
        for op, mode in active:
            ran = _run_operation(op, mode, quota, base_seed + round_no, report.tallies[op.label])
            if ran >= quota:  # inputs not exhausted: may take more in the next round
                still_active.append((op, mode))
        active = still_active
        round_no += 1
    report.seconds = time.perf_counter() - started
    return report


def _run_operation(
    op: object, mode: GenerationMode, quota: int, run_seed: int, tally: Tally
) -> int:
    ran = 0

    @seed(run_seed)
    @settings(
        max_examples=quota,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(case=op.as_strategy(generation_mode=mode))  # type: ignore[attr-defined]
    def one(case: schemathesis.Case) -> None:
        nonlocal ran
        ran += 1
        tally.cases += 1
        try:
            response = case.call(headers=AUTH)
        except Exception as exc:  # the app raised instead of answering: a server error
            tally.server_errors += 1
            _record(tally, f"app raised {type(exc).__name__}", case, str(exc))
            return
        tally.statuses[response.status_code] += 1
        if response.status_code >= 500:
            tally.server_errors += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=AUTH)
        except FailureGroup as group:
            for failure in group.exceptions:
                _record(tally, failure.title, case, failure.message)

    try:
        one()
    except Exception as exc:  # e.g. no schema-violating input exists for this operation
        logging.getLogger(__name__).debug("%s %s: %s", op, mode, exc)
    return ran


def _record(tally: Tally, title: str, case: schemathesis.Case, message: str) -> None:
    tally.failures[title] += 1
    if title not in tally.examples:
        try:
            curl = case.as_curl_command(headers=AUTH)
        except Exception:
            curl = repr(case)
        tally.examples[title] = f"{message.strip()[:600]}\n    {curl}"


def print_report(report: Report) -> None:
    print(f"{'operation':58} {'cases':>6} {'5xx':>4} {'fail':>5}  statuses")
    for label in sorted(report.tallies):
        tally = report.tallies[label]
        statuses = " ".join(f"{code}:{n}" for code, n in sorted(tally.statuses.items()))
        print(
            f"{label:58} {tally.cases:6d} {tally.server_errors:4d} "
            f"{sum(tally.failures.values()):5d}  {statuses}"
        )
    print(
        f"\n{report.cases} cases over {len(report.tallies)} operations in "
        f"{report.seconds:.0f} s; server errors (5xx): {report.server_errors}; "
        f"check failures: {report.failures}"
    )
    for label, tally in sorted(report.tallies.items()):
        for title, count in tally.failures.items():
            print(f"\n[{label}] {title} (x{count})\n    {tally.examples[title]}")


@contextlib.contextmanager
def throwaway_database() -> Iterator[URL]:
    """A loaded database that may be written and is dropped afterwards."""
    server = os.environ.get("PARKGEO_TEST_DATABASE_URL")
    if server:
        url = make_url(server)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        name = f"parkgeo_fuzz_{os.getpid()}"
        _admin(url.set(database="postgres"), f'CREATE DATABASE "{name}"')
        try:
            target = url.set(database=name)
            _load(target, create_extension=True)
            yield target
        finally:
            _admin(url.set(database="postgres"), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    root = Path(tempfile.mkdtemp(prefix="parkgeo-fuzz-"))
    cluster = EmbeddedCluster(root, port=free_port(), fsync=False)
    try:
        cluster.up()
        _load(cluster.url(), create_extension=False)
        yield cluster.url()
    finally:
        cluster.destroy()


def _admin(url: URL, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _load(url: URL, *, create_extension: bool) -> None:
    engine = create_engine(url)
    try:
        if create_extension:
            with engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        migrate_and_load(engine)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="total cases, all operations")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed (reproducible runs)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)  # the app logs every 4xx; keep the table readable
    # Odd inputs make numpy/matplotlib warn (overflow on 1e308, glyphs for control characters);
    # the answers are what is checked here.
    warnings.simplefilter("ignore")
    with throwaway_database() as url:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url.render_as_string(hide_password=False),
            tokens={"fuzz": TOKEN},
        )
        report = fuzz(create_app(settings), args.examples, args.seed)
    print_report(report)
    sys.exit(1 if report.server_errors or report.failures else 0)


if __name__ == "__main__":
    main()
