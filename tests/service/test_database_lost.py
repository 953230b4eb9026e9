"""A database restart or fail-over during requests: the requests it breaks are answered 503
with ``Retry-After`` and a problem document that names nothing of the set-up (never a 500),
and the service goes on by itself once the database is back."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from send_clock.service.app import create_app
from send_clock.service.problems import RETRY_AFTER_SECONDS
from send_clock.service.settings import Settings
from send_clock.store import Store, tokens

from .conftest import postgres_schema
from .test_pages import _open_case, staff  # noqa: F401 - the signed-in client fixture


@pytest.fixture
def small_pool():
    """A migrated PostgreSQL schema behind a store of one connection, which gives up waiting
    for it after 0.3 s, and a write token."""
    with postgres_schema() as url:
        store = Store(url, pool_size=1, max_overflow=0, pool_timeout=0.3)
        store.upgrade()
        with store.session() as session:
            _row, token = tokens.create_api_token(session, "officer-a", "write")
        try:
            yield store, {"Authorization": f"Bearer {token}"}
        finally:
            store.dispose()


def _backend_of(store: Store) -> int:
    with store.read_connection() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar()


def _end_backend(store: Store, pid: int) -> None:
    """From a connection of another engine (the store's one is in the pool)."""
    from sqlalchemy import create_engine

    admin = create_engine(store.url)
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def _assert_unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 503 and "try again" in problem["detail"]
    # nothing of the set-up: not the database's host, name or driver
    assert "127.0.0.1" not in response.text and "psycopg" not in response.text


@pytest.mark.parametrize("path", ["/v1/cases/{id}", "/v1/cases?status=overdue&limit=50"])
def test_a_read_whose_connection_was_lost_is_503_and_the_next_one_works(small_pool, path):
    store, auth = small_pool
    app = create_app(Settings(ical_domain="test.invalid", token_cache_seconds=60), store)
    with TestClient(app) as client:
        made = client.post(
            "/v1/cases",
            headers=auth,
            json={"ref": "EHC-1", "process": "england-ehcna", "received": "2026-09-15"},
        )
        assert made.status_code == 201, made.text
        url = path.format(id=made.json()["id"])
        assert client.get(url, headers=auth).status_code == 200  # the token is now cached
        _end_backend(store, _backend_of(store))
        _assert_unavailable(client.get(url, headers=auth))
        assert client.get(url, headers=auth).status_code == 200


def test_a_write_whose_connection_was_lost_is_503_saying_to_look_before_sending_again(
    small_pool,
):
    store, auth = small_pool
    app = create_app(Settings(ical_domain="test.invalid", token_cache_seconds=60), store)
    with TestClient(app) as client:
        body = {"ref": "EHC-2", "process": "england-ehcna", "received": "2026-09-15"}
        assert client.get("/v1/cases", headers=auth).status_code == 200
        _end_backend(store, _backend_of(store))
        lost = client.post("/v1/cases", headers=auth, json=body)
        _assert_unavailable(lost)
        assert "may or may not have been saved" in lost.json()["detail"]
        # looked at, it was not saved (the connection broke before the insert): send again
        assert client.get("/v1/cases?q=EHC-2", headers=auth).json()["total"] == 0
        assert client.post("/v1/cases", headers=auth, json=body).status_code == 201


def test_a_request_that_finds_every_connection_busy_is_503_after_the_pool_timeout(small_pool):
    store, auth = small_pool
    app = create_app(Settings(ical_domain="test.invalid", token_cache_seconds=60), store)
    with TestClient(app) as client:
        assert client.get("/v1/cases", headers=auth).status_code == 200
        held = store.engine.connect()  # the pool's one connection, in use elsewhere
        try:
            busy = client.get("/v1/cases", headers=auth)
        finally:
            held.close()
        _assert_unavailable(busy)
        assert "nothing was changed" in busy.json()["detail"]
        assert client.get("/v1/cases", headers=auth).status_code == 200


def test_every_operation_that_reads_the_database_documents_503(small_pool):
    store, _auth = small_pool
    spec = create_app(Settings(ical_domain="test.invalid"), store).openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if operation.get("security") or "410" in operation["responses"]:
                response = operation["responses"].get("503")
                assert response, f"{method.upper()} {path} does not document 503"
                assert "Retry-After" in response.get("headers", {}) or path == "/ready"


def test_a_write_whose_token_check_lost_its_connection_is_503(small_pool):
    """No token remembered (a cache of 0 s): the connection breaks under BearerFirst's check."""
    store, auth = small_pool
    app = create_app(Settings(ical_domain="test.invalid", token_cache_seconds=0), store)
    with TestClient(app) as client:
        assert client.get("/v1/cases", headers=auth).status_code == 200
        _end_backend(store, _backend_of(store))
        body = {"ref": "EHC-4", "process": "england-ehcna", "received": "2026-09-15"}
        refused = client.post("/v1/cases", headers=auth, json=body)
        _assert_unavailable(refused)
        # its body was never read: nothing to look for before sending it again
        assert refused.json()["detail"].endswith("(nothing was changed)")
        assert "may or may not" not in refused.text
        assert client.post("/v1/cases", headers=auth, json=body).status_code == 201


#: A PostgreSQL URL where nothing listens: every connection is refused at once.
NOWHERE = "postgresql+psycopg://sc_user@127.0.0.1:1/sc_db"
DAY = "2026-09-15"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/cases", {"ref": "EHC-3", "process": "england-ehcna", "received": DAY}),
        ("POST", "/v1/timelines/england-ehcna", {"received": DAY}),
        ("DELETE", "/v1/cases/1/feeds/1", None),
    ],
)
def test_an_api_write_whose_token_cannot_be_checked_is_503_not_500(method, path, body):
    """The token of an API write is checked before the body is read (BearerFirst, outside the
    routes' error handling): a database that cannot be reached there is the same 503 as in a
    route, the token not yet remembered (the first write of an outage longer than the cache)."""
    store = Store(NOWHERE, pool_size=1, max_overflow=0, pool_timeout=1)
    app = create_app(Settings(ical_domain="test.invalid"), store)
    client = TestClient(app, raise_server_exceptions=False)
    try:
        response = client.request(
            method, path, headers={"Authorization": "Bearer sc_not_remembered"}, json=body
        )
    finally:
        store.dispose()
    _assert_unavailable(response)
    assert "sc_user" not in response.text and "sc_db" not in response.text
    assert response.headers["x-request-id"]  # the guard's headers, as on every answer


@pytest.mark.parametrize("lost", ["connection", "unreachable", "busy"])
def test_an_import_job_that_loses_the_database_names_nothing_of_it(tmp_path, monkeypatch, lost):
    """An import job's message is read by API clients (``GET /v1/jobs/{id}``) and on the
    import page: a database lost during the import is said as a request's 503 says it, never
    with the database's message (its file, host, user or name)."""
    from send_clock.service import importing
    from send_clock.store import AllConnectionsBusy, ConnectionLost, describe_database, jobs

    store = Store(f"sqlite:///{tmp_path / 'sc_secret_name.db'}")
    store.upgrade()
    with store.session() as session:
        job_id = jobs.create_job(session, "import", "alex")
    where = describe_database(store.url)
    error = {
        "connection": ConnectionLost(where),
        "unreachable": store.unavailable(),
        "busy": AllConnectionsBusy(where, 10),
    }[lost]

    def broken(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(importing.imports, "import_cases", broken)
    try:
        importing.run_import_job(store.url, job_id, b"case_id,received\nEHC-9,2025-09-15\n", "a")
        with store.session() as session:
            job = jobs.get_job(session, job_id)
    finally:
        store.dispose()
    assert job["state"] == "failed", job
    assert "sc_secret_name" not in job["message"] and str(tmp_path) not in job["message"]
    assert job["message"].endswith(error.for_clients), job["message"]


def test_a_form_whose_database_was_lost_is_a_503_page_not_a_field_error(staff, monkeypatch):  # noqa: F811
    """A staff form (open a case, record a date, upload a caseload) whose connection broke is
    the 503 page with Retry-After, as any page is, not "not saved" with the error's message by
    a field: that message names the database (its host, user and name, or its file)."""
    from send_clock.service import importing
    from send_clock.service.web import pages
    from send_clock.store import ConnectionLost

    client, csrf = staff
    page = _open_case(client, csrf)

    def lost(*_args, **_kwargs):
        raise ConnectionLost("postgresql+psycopg://sc_user@sc-host/sc_db")

    monkeypatch.setattr(pages.store, "create_case", lost)
    monkeypatch.setattr(pages.store, "record", lost)
    monkeypatch.setattr(importing.imports, "import_cases", lost)
    opened = client.post(
        "/cases",
        data={"csrf": csrf, "ref": "EHC-P-2", "process": "england-ehcna", "received": "2025-07-10"},
    )
    recorded = client.post(
        f"{page}/events",
        data={
            "csrf": csrf,
            "version": "1",
            "milestone": "decision_to_assess",
            "date": "2025-08-20",
        },
    )
    caseload = ("caseload.csv", b"case_id,received\nEHC-9,2025-09-15\n", "text/csv")
    uploaded = client.post("/import", data={"csrf": csrf}, files={"caseload": caseload})
    for answer in (opened, recorded, uploaded):
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert answer.headers["content-type"].startswith("text/html")
        assert "sc_db" not in answer.text and "sc-host" not in answer.text
