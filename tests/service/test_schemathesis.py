"""Property-based API testing from the OpenAPI contract: no input the schema allows (and many it
does not) makes the service answer 5xx, and every error is a problem document. Bounded and
derandomized; SQLite only (test_api.py runs the behaviour on both databases)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from send_clock.service.app import create_app
from send_clock.service.settings import Settings
from send_clock.store import Store, tokens

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def served(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'schema.db'}")
    store.upgrade()
    with store.session() as session:
        _row, token = tokens.create_api_token(session, "schemathesis", "write")
    yield create_app(Settings(), store), token
    store.dispose()


def test_no_server_errors(served):
    app, token = served
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        _exercise(operation, token)


def _exercise(operation, token: str) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def no_5xx(case):
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, case.as_curl_command()
        if (
            response.status_code >= 400
            and response.status_code != 404
            or (response.status_code == 404 and response.content)
        ):
            assert response.headers["content-type"][0].startswith("application/problem+json")

    no_5xx()
