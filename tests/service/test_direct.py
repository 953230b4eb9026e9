"""The routes answered directly (:mod:`send_clock.service.direct`) answer as the declared FastAPI
routes do, errors included, and leave the OpenAPI contract as it was.

Each request below goes to two apps on two fresh databases of the same kind: one as served, the
other with its direct routes taken out, so that the declared routes answer everything. Status,
headers and body must be the same (the request id, and the times a case was stored, apart).
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import date

import pytest
from fastapi.testclient import TestClient

from send_clock.service.app import create_app
from send_clock.service.direct import DirectRoute
from send_clock.service.settings import Settings
from send_clock.store import Store, tokens
from tests.service.conftest import postgres_schema

TIMELINE = {"received": "2025-09-15", "events": {"decision_to_assess": "2025-10-20"}}
CASE = {"ref": "EHC-D-1", "process": "england-ehcna", "received": "2025-11-03"}
JSON = {"Content-Type": "application/json"}
EVENT = {"milestone": "decision_to_assess", "date": "2025-11-20"}
#: over 8 KiB: projected in the thread pool, not on the event loop
MANY = {**TIMELINE, "exceptions": ["absence_from_area:2025-10-01..2025-11-05"] * 300}

#: (method, path, which token, extra headers, body): the plain case and what is not
REQUESTS = [
    ("POST", "/v1/timelines/england-ehcna", "read", JSON, TIMELINE),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, {**TIMELINE, "as_of": "2026-01-10"}),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, {**TIMELINE, "calendar": "jersey"}),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, MANY),
    ("POST", "/v1/timelines/jersey-ehcna", "write", JSON, TIMELINE),
    ("POST", "/v1/timelines/england-ehcna", "write", {"Content-Type": "text/plain"}, TIMELINE),
    ("POST", "/v1/timelines/england-ehcna", "write", {}, TIMELINE),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, b"{not json"),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, b""),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, []),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, {**TIMELINE, "extra": 1}),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, {**TIMELINE, "received": 20250915}),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, {**TIMELINE, "exceptions": ["x\0"]}),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, {**TIMELINE, "received": "1980-01-07"}),
    ("POST", "/v1/timelines/england-ehcna", "write", JSON, {**TIMELINE, "events": {"x": "y"}}),
    ("POST", "/v1/timelines/no-such-process", "write", JSON, TIMELINE),
    ("POST", "/v1/timelines/england-ehcna", None, JSON, TIMELINE),
    ("POST", "/v1/timelines/england-ehcna", "bad", JSON, TIMELINE),
    ("POST", "/v1/timelines/england-ehcna", "revoked", JSON, TIMELINE),
    ("GET", "/v1/timelines/england-ehcna", "read", {}, None),
    ("POST", "/v1/cases", "write", JSON, CASE),
    ("POST", "/v1/cases", "write", JSON, {**CASE, "ref": "EHC-D-2", "officer": "A. Officer"}),
    ("POST", "/v1/cases", "write", JSON, CASE),  # the reference is taken: 409
    ("POST", "/v1/cases", "read", JSON, {**CASE, "ref": "EHC-D-3"}),
    ("POST", "/v1/cases", None, JSON, {**CASE, "ref": "EHC-D-3"}),
    ("POST", "/v1/cases", "write", JSON, {**CASE, "ref": "Sam Smith"}),
    ("POST", "/v1/cases", "write", JSON, {**CASE, "process": "no-such-process"}),
    ("POST", "/v1/cases", "write", JSON, {**CASE, "ref": "EHC-D-4", "received": "1980-11-03"}),
    ("POST", "/v1/cases", "write", {"Content-Type": "text/plain"}, {**CASE, "ref": "EHC-D-5"}),
    ("GET", "/v1/cases/1", "read", {}, None),
    ("GET", "/v1/cases/2", "write", {}, None),
    ("GET", "/v1/cases/999", "read", {}, None),
    ("GET", "/v1/cases/0", "read", {}, None),
    ("GET", "/v1/cases/99999999999", "read", {}, None),
    ("GET", f"/v1/cases/{2**64}", "read", {}, None),  # beyond any database integer: 404 too
    ("GET", "/v1/cases/abc", "read", {}, None),
    ("GET", "/v1/cases/1", None, {}, None),
    ("GET", "/v1/cases/1", "bad", {}, None),
    ("GET", "/v1/cases/1", "revoked", {}, None),
    ("HEAD", "/v1/cases/1", "read", {}, None),
    ("DELETE", "/v1/cases/1", "write", {}, None),
    ("POST", "/v1/cases/1/events", "write", {**JSON, "If-Match": '"1-1"'}, EVENT),
    ("GET", "/v1/cases/1", "read", {}, None),  # with its record now
    ("GET", "/v1/cases", "read", {}, None),
    ("GET", "/v1/cases?status=overdue&limit=1", "write", {}, None),
    ("GET", "/v1/cases?status=overdue&limit=1&after=1", "read", {}, None),
    (
        "GET",
        "/v1/cases?officer=A.%20Officer&process=england-ehcna&due_before=2030-01-01",
        "read",
        {},
        None,
    ),
    ("GET", "/v1/cases?offset=1&limit=500&after=0", "read", {}, None),
    ("GET", "/v1/cases?officer=&status=pending", "read", {}, None),
    ("GET", "/v1/cases?limit=1&limit=2&something=else", "read", {}, None),  # the last one
    ("GET", "/v1/cases?limit=%2B1&after=%201%20", "read", {}, None),  # "+1", " 1 "
    ("GET", f"/v1/cases?as_of={date.today()}", "read", {}, None),
    ("GET", "/v1/cases?as_of=2026-01-10&status=overdue", "read", {}, None),
    ("GET", "/v1/cases?as_of=2026-02-30", "read", {}, None),
    ("GET", "/v1/cases?status=nope", "read", {}, None),
    ("GET", "/v1/cases?status=", "read", {}, None),
    ("GET", "/v1/cases?process=nope&officer=x", "read", {}, None),
    ("GET", "/v1/cases?due_before=20300101", "read", {}, None),
    ("GET", "/v1/cases?due_before=2030-1-1", "read", {}, None),
    ("GET", "/v1/cases?limit=0", "read", {}, None),
    ("GET", "/v1/cases?limit=501", "read", {}, None),
    ("GET", "/v1/cases?limit=1.5&after=-1&offset=x", "read", {}, None),  # three at once
    ("GET", "/v1/cases?after=99999999999", "read", {}, None),
    ("GET", "/v1/cases?limit=0", None, {}, None),  # 401 before the 422
    ("GET", "/v1/cases", "bad", {}, None),
    ("HEAD", "/v1/cases", "read", {}, None),
    ("PUT", "/v1/cases", "write", JSON, CASE),
]


@contextmanager
def _database(kind: str, tmp_path, name: str):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / name}"
        return
    with postgres_schema() as url:
        yield url


def declared_only(app) -> None:
    """Take ``app``'s direct routes out: its declared routes then answer every request."""
    app.router.routes[:] = [r for r in app.router.routes if not isinstance(r, DirectRoute)]


@contextmanager
def _client(url: str, direct: bool):
    store = Store(url)
    store.upgrade()
    with store.session() as session:
        _row, write = tokens.create_api_token(session, "officer-a", "write")
        _row, read = tokens.create_api_token(session, "manager-b", "read")
        gone, revoked = tokens.create_api_token(session, "left-c", "write")
        session.flush()
        tokens.revoke_api_token(session, gone.id)
    app = create_app(Settings(ical_domain="test.invalid"), store)
    if not direct:
        declared_only(app)
    try:
        with TestClient(app) as client:
            yield (
                client,
                {"write": write, "read": read, "bad": "sc_not-a-token", "revoked": revoked},
            )
    finally:
        store.dispose()


def _answer(client, tokens_, method, path, token, headers, body) -> tuple:
    headers = dict(headers)
    if token:
        headers["Authorization"] = f"Bearer {tokens_[token]}"
    content = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    response = client.request(method, path, headers=headers, content=content)
    shown = {k: v for k, v in response.headers.items() if k not in ("x-request-id", "date")}
    text = re.sub(r'"(created_at|updated_at|recorded_at)":"[^"]*"', r'"\1":"T"', response.text)
    return response.status_code, shown, text


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_direct_routes_answer_as_the_declared_routes(kind, tmp_path):
    with (
        _database(kind, tmp_path, "direct.db") as direct_url,
        _database(kind, tmp_path, "declared.db") as declared_url,
        _client(direct_url, direct=True) as (direct, direct_tokens),
        _client(declared_url, direct=False) as (declared, declared_tokens),
    ):
        for request in REQUESTS:
            assert _answer(direct, direct_tokens, *request) == _answer(
                declared, declared_tokens, *request
            ), request


def test_the_openapi_document_is_the_declared_routes_one(tmp_path):
    """The direct routes add nothing to the contract, and each has its declared route there."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}"))
    served = app.openapi()
    directs = [r for r in app.router.routes if isinstance(r, DirectRoute)]
    assert {(r.path_format, *r.methods) for r in directs} == {
        ("/v1/timelines/{process_id}", "POST"),
        ("/v1/cases", "POST"),
        ("/v1/cases", "GET"),
        ("/v1/cases/{case_id}", "GET"),
    }
    for route in directs:
        (method,) = route.methods
        assert method.lower() in served["paths"][route.path_format]
    declared_only(app)
    app.openapi_schema = None
    assert app.openapi() == served


def test_a_timeline_checks_its_token_once(api, monkeypatch):
    """The token BearerFirst checked before the body was read is not hashed again by the
    route: one hash per request once the token is remembered (it was two)."""
    path = "/v1/timelines/england-ehcna"
    assert api.client.post(path, headers=api.read, json=TIMELINE).status_code == 200
    hashed = []
    token_hash = tokens.token_hash
    monkeypatch.setattr(tokens, "token_hash", lambda token: hashed.append(1) or token_hash(token))
    assert api.client.post(path, headers=api.read, json=TIMELINE).status_code == 200
    assert len(hashed) == 1


@pytest.mark.parametrize("token", [None, "sc_not-a-token", "revoked"])
def test_a_timeline_without_a_live_token_is_refused(api, token):
    if token == "revoked":
        with api.store.session() as session:
            row, token = tokens.create_api_token(session, "left-c", "read")
            session.flush()
            tokens.revoke_api_token(session, row.id)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = api.client.post("/v1/timelines/england-ehcna", headers=headers, json=TIMELINE)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "send a valid API token: Authorization: Bearer <token>"
