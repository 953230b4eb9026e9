"""The service under test, on SQLite and, when SEND_CLOCK_TEST_DATABASE_URL is set, PostgreSQL.

Every test that takes ``api`` runs once per database: the same test file covers both.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from send_clock.service.app import create_app
from send_clock.service.settings import Settings
from send_clock.store import Store, tokens

POSTGRES_VARIABLE = "SEND_CLOCK_TEST_DATABASE_URL"


def _postgres_url(schema: str) -> str:
    url = make_url(os.environ[POSTGRES_VARIABLE])
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database: a SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'send-clock.db'}"
        return
    with postgres_schema() as url:
        yield url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """The URL of a new PostgreSQL schema, dropped afterwards; skips the test without
    PostgreSQL."""
    if not os.environ.get(POSTGRES_VARIABLE):
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_VARIABLE} (e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/test); .ci/run sets it"
        )
    schema = f"test_{secrets.token_hex(6)}"
    admin = create_engine(os.environ[POSTGRES_VARIABLE])
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Api:
    """A test client with a write token and a read token on a migrated database."""

    client: TestClient
    store: Store
    write: dict
    read: dict

    def case(
        self, ref="EHC-2025-0001", process="england-ehcna", received="2025-09-15", **extra
    ) -> dict:
        response = self.client.post(
            "/v1/cases",
            headers=self.write,
            json={"ref": ref, "process": process, "received": received, **extra},
        )
        assert response.status_code == 201, response.text
        return response

    def import_csv(self, content: str | bytes) -> dict:
        """POST a caseload CSV and wait for its job to end; returns the job."""
        accepted = self.client.post(
            "/v1/cases/import", headers={**self.write, "Content-Type": "text/csv"}, content=content
        )
        assert accepted.status_code == 202, accepted.text
        assert accepted.headers["location"] == f"/v1/jobs/{accepted.json()['id']}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = self.client.get(accepted.headers["location"], headers=self.read).json()
            if job["state"] in ("succeeded", "failed"):
                return job
            time.sleep(0.05)
        raise AssertionError(f"import job still {job['state']} after 120 s")


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    store.upgrade()
    yield store
    store.dispose()


@pytest.fixture
def api(store):
    with store.session() as session:
        _row, write = tokens.create_api_token(session, "officer-a", "write")
        _row, read = tokens.create_api_token(session, "manager-b", "read")
    app = create_app(Settings(ical_domain="test.invalid"), store)
    with TestClient(app) as client:
        # FastAPI reads route signatures on the first request: read them before a test freezes
        # the date (freezegun swaps the `date` they name).
        client.get("/not-a-route")
        yield Api(
            client, store, {"Authorization": f"Bearer {write}"}, {"Authorization": f"Bearer {read}"}
        )
