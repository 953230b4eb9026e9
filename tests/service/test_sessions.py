"""Issue 11: web sessions that really end, and a limit on sign-in attempts.

"The session is only a signed cookie: after sign-out, or after the API token used to sign in is
revoked, the old cookie still works (a case was created with it)." Sessions are now rows; these
tests replay the old cookie after each way a session ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from send_clock.store import tokens
from send_clock.store.models import AuthEventRow, WebSessionRow
from send_clock.store.tokens import now

from .test_pages import PASSWORD, _csrf

COOKIE = "send_clock_session"


@pytest.fixture
def users(api):
    with api.store.session() as session:
        tokens.create_user(session, "alex", PASSWORD, "write")
        tokens.create_user(session, "robin", PASSWORD, "read")


def sign_in(client, password=PASSWORD, username="alex", token=None):
    page = client.get("/login")
    form = {"csrf": _csrf(page.text)}
    form.update({"token": token} if token else {"username": username, "password": password})
    return client.post("/login", data=form, follow_redirects=False)


def signed_in(client) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def replay(client, cookie: str) -> bool:
    """Does an old cookie value still open the pages?"""
    client.cookies.set(COOKIE, cookie)
    return signed_in(client)


def test_sign_out_ends_the_session_for_good(api, users):
    client = api.client
    assert sign_in(client).status_code == 303 and signed_in(client)
    cookie = client.cookies[COOKIE]
    client.post("/logout", data={"csrf": _csrf(client.get("/").text)})
    assert not signed_in(client)
    assert not replay(client, cookie)
    [audited] = _events(api, "signed_out")  # who signed out, and from where
    assert (audited.account, audited.client) == ("alex", "testclient")
    client.post("/logout", data={"csrf": _csrf(client.get("/login").text)})
    assert len(_events(api, "signed_out")) == 1  # no session, nothing more to record


def test_a_token_sign_in_and_its_sign_out_name_the_token(api, users):
    # a token's sign-in was audited with no account and its sign-out with the token's bare
    # name, which a user's name can equal
    client = api.client
    write_token = api.write["Authorization"].split()[1]
    assert sign_in(client, token=write_token).status_code == 303
    client.post("/logout", data={"csrf": _csrf(client.get("/").text)})
    with api.store.session() as session:
        token = tokens.authenticate(session, write_token)
        expected = f"token {token.id} ({token.name})"
    [signed_in_row] = _events(api, "signed_in")
    [signed_out_row] = _events(api, "signed_out")
    assert signed_in_row.account == signed_out_row.account == expected


def test_a_session_already_over_is_not_audited_as_signed_out(api, users):
    # a stale page's Sign out, after the session idled out or its token was revoked, recorded
    # a sign-out at that moment, as if the session had been live until then
    client = api.client
    write_token = api.write["Authorization"].split()[1]
    for credentials in ({}, {"token": write_token}):
        assert sign_in(client, **credentials).status_code == 303
        csrf = _csrf(client.get("/").text)
        with api.store.session() as session:
            if credentials:
                tokens.authenticate(session, write_token).revoked_at = now()
            else:
                session.execute(
                    update(WebSessionRow).values(last_seen_at=now() - timedelta(minutes=31))
                )
        assert (
            client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
        )
    assert _events(api, "signed_out") == []
    with api.store.session() as session:  # each ended all the same
        assert None not in session.scalars(select(WebSessionRow.revoked_at)).all()


def test_revoking_the_token_ends_the_sessions_signed_in_with_it(api):
    client = api.client
    write_token = api.write["Authorization"].split()[1]
    assert sign_in(client, token=write_token).status_code == 303
    cookie, csrf = client.cookies[COOKIE], _csrf(client.get("/").text)
    with api.store.session() as session:
        token_id = tokens.authenticate(session, write_token).id
        tokens.revoke_api_token(session, token_id)
    client.cookies.set(COOKIE, cookie)
    created = client.post(
        "/cases",
        data={
            "csrf": csrf,
            "ref": "AFTER-REVOKE",
            "process": "england-ehcna",
            "received": "2025-07-10",
        },
        follow_redirects=False,
    )
    assert (created.status_code, created.headers["location"]) == (303, "/login")
    assert api.client.get("/v1/cases", headers=api.read).json()["total"] == 0


def test_a_token_revoked_in_sql_ends_its_sessions_too(api):
    client = api.client
    write_token = api.write["Authorization"].split()[1]
    sign_in(client, token=write_token)
    with api.store.session() as session:
        row = tokens.authenticate(session, write_token)
        row.revoked_at = now()  # not through revoke_api_token: the check is on every request
    assert not signed_in(client)


def test_an_idle_session_ends(api, users):
    client = api.client
    sign_in(client)
    with api.store.session() as session:
        session.execute(update(WebSessionRow).values(last_seen_at=now() - timedelta(minutes=31)))
    assert not signed_in(client)
    with api.store.session() as session:
        assert session.scalar(select(WebSessionRow.revoked_at)) is not None


def test_a_session_in_use_stays_alive(api, users):
    client = api.client
    sign_in(client)
    with api.store.session() as session:
        session.execute(update(WebSessionRow).values(last_seen_at=now() - timedelta(minutes=29)))
    assert signed_in(client) and signed_in(client)


def test_sign_in_rotates_the_session_key(api, users):
    client = api.client
    client.get("/login")
    before = client.cookies[COOKIE]  # a visitor's cookie (it could have been planted)
    sign_in(client)
    first = client.cookies[COOKIE]
    assert first != before and not replay(TestClient(client.app), before)
    sign_in(client, username="robin")
    assert client.cookies[COOKIE] != first
    with api.store.session() as session:
        live = session.scalars(select(WebSessionRow).where(WebSessionRow.revoked_at.is_(None)))
        assert [row.name for row in live] == ["alex", "robin"]  # each sign-in a new row


def test_disabling_a_user_or_changing_the_password_ends_their_sessions(api, users):
    client = api.client
    sign_in(client)
    with api.store.session() as session:
        tokens.set_password(session, "alex", "a brand new password")
    assert not signed_in(client)
    assert sign_in(client, password="a brand new password").status_code == 303
    with api.store.session() as session:
        tokens.disable_user(session, "alex")
    assert not signed_in(client)
    refused = sign_in(client, password="a brand new password")
    assert refused.status_code == 200 and "is not right" in refused.text


# -- the sign-in limit -----------------------------------------------------------------------
def _events(api, event: str) -> list[AuthEventRow]:
    with api.store.session() as session:
        return list(session.scalars(select(AuthEventRow).where(AuthEventRow.event == event)))


def test_ten_failures_for_an_account_lock_it_for_fifteen_minutes(api, users):
    """'after 10 failures in 15 minutes, 429 with Retry-After, and an audit record': from
    any address, and even with the right password."""
    for attempt in range(10):
        client = TestClient(api.client.app, client=(f"10.0.0.{attempt}", 50000))
        assert sign_in(client, password="wrong password").status_code == 200
    elsewhere = TestClient(api.client.app, client=("10.0.1.1", 50000))
    limited = sign_in(elsewhere)  # the right password
    assert limited.status_code == 429
    assert 14 * 60 < int(limited.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed sign-ins" in limited.text and not signed_in(elsewhere)
    assert len(_events(api, "login_failed")) == 10
    [audited] = _events(api, "login_limited")
    assert (audited.account, audited.client) == ("alex", "10.0.1.1")
    assert sign_in(elsewhere, username="robin").status_code == 303  # other accounts unaffected


def test_ten_failures_from_one_address_stop_it_trying_other_accounts(api, users):
    client = TestClient(api.client.app, client=("192.0.2.7", 50000))
    for attempt in range(10):
        assert sign_in(client, username=f"guess{attempt}", password="x" * 10).status_code == 200
    assert sign_in(client, username="robin").status_code == 429
    tokens_too = sign_in(client, token="sc_guessed")
    assert tokens_too.status_code == 429 and "Retry-After" in tokens_too.headers
    other = TestClient(api.client.app, client=("192.0.2.8", 50000))
    assert sign_in(other, username="robin").status_code == 303


def test_failures_older_than_the_window_do_not_count(api, users):
    client = api.client
    for _ in range(10):
        sign_in(client, password="wrong password")
    with api.store.session() as session:
        session.execute(update(AuthEventRow).values(at=now() - timedelta(minutes=16)))
    assert sign_in(client).status_code == 303
