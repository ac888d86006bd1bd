"""A small schemathesis run in the suite: every operation, schema-valid and schema-violating
requests, writes included (on a private database). Any 5xx or any answer that does not match
the OpenAPI document fails. ``make fuzz`` (scripts/fuzz.py) is the 2,000-case version.

The schema is the app's own, built without a database (the OpenAPI document does not depend
on it), so pytest can list one test per operation; the requests go to an app on a private
copy of the loaded database. (``schemathesis.pytest.from_fixture`` would avoid the import-time
app, but schemathesis 4.32 sets ``node._nodeid``, which pytest 9 no longer has.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from schemathesis.python.asgi import shutdown_lifespans
from sqlalchemy.engine import URL

from service.app import create_app
from service.settings import Settings
from tests.conftest import _admin, _copy_of_template, settings_for
from tests.fuzzing import AUTH, CHECKS, TOKEN

DATABASE = "parkgeo_fuzz_suite"
EXAMPLES = 5  # per operation and generation mode (schema-valid, schema-violating)

_spec_only = create_app(Settings(_env_file=None, database_url="postgresql://spec@localhost/spec"))  # type: ignore[call-arg]
schema = schemathesis.openapi.from_dict(_spec_only.openapi())
# Explicit examples and random generation (valid and invalid), like make fuzz; the coverage
# phase (every boundary value of every parameter) would add ~900 cases and 25 s.
schema.config.phases.update(phases=["examples", "fuzzing"])
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzz_app(server_url: URL, template_url: URL) -> Iterator[FastAPI]:
    """The app with a write token on its own database: fuzzed writes go there."""
    url = _copy_of_template(server_url, DATABASE)
    yield create_app(settings_for(url, tokens={"fuzz": TOKEN}))
    shutdown_lifespans()  # close the app's pool before its database is dropped
    _admin(server_url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_answers_match_the_schema(case: schemathesis.Case, fuzz_app: FastAPI) -> None:
    CASES[case.operation.label] += 1
    response = case.call(app=fuzz_app, headers=AUTH)
    case.validate_response(response, checks=CHECKS, headers=AUTH)


def test_every_operation_was_fuzzed() -> None:
    """Runs after the parametrized test (same module): all operations got cases."""
    operations = {result.ok().label for result in schema.get_all_operations()}
    assert set(CASES) == operations
    assert sum(CASES.values()) >= 150  # ~240 with EXAMPLES = 5
