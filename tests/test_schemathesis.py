"""schemathesis over the whole OpenAPI document (issue 14, "checks in CI"): every operation gets
a bounded, derandomized set of generated requests, sent with an API key through the WSGI
application, and every answer must be no server error, match its documented body and carry a
documented status code. Runs in the suite, so on SQLite (`make test`) and PostgreSQL
(`make test-pg`) alike; the seed is fixed (derandomize), so a run is reproducible.

GONGZHI_SCHEMATHESIS_EXAMPLES sets the examples per operation (default 12, 0 skips the test)."""

import os
import time
from collections import defaultdict

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.apikeys import do_create_api_key

EXAMPLES = int(os.environ.get("GONGZHI_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture
def wsgi_app():
    """Django's own WSGI application, kept on the test's connection: like the test client, the
    handler must not close the database connection between requests (the test's transaction
    holds the fixtures)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _describe(exc: BaseException) -> list[str]:
    return [
        f"{getattr(sub, 'title', type(sub).__name__)}: "
        + " ".join(str(getattr(sub, "message", sub)).split())[:400]
        for sub in getattr(exc, "exceptions", [exc])
    ]


@pytest.mark.skipif(EXAMPLES == 0, reason="GONGZHI_SCHEMATHESIS_EXAMPLES=0")
def test_no_operation_answers_a_500_or_off_its_documented_schema(world, wsgi_app, capsys):
    """A town cadre's key (the broadest writer in the test county) over every operation."""
    _, key = do_create_api_key(name="schemathesis", actor=None, user=world.user("town_staff"))
    # identity: the app compresses what it may; the WSGI test client would not decompress
    headers = {"X-API-Key": key, "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    failures: dict[str, set[str]] = defaultdict(set)
    operations = requests = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal requests
            requests += 1
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except Exception as exc:  # collected, so one run reports every operation's failures
                failures[case.operation.label].update(_describe(exc))

        run()
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nschemathesis: {operations} operations, {requests} requests, "
            f"{sum(map(len, failures.values()))} distinct failures, {elapsed:.1f} s"
        )
    assert operations >= 100
    assert not failures, "\n".join(
        f"{label}\n  " + "\n  ".join(sorted(found)) for label, found in sorted(failures.items())
    )
