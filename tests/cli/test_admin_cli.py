"""Issue 11: `send-clock tokens list|revoke` and `users list|passwd|disable`, so that nobody
revokes with SQL; a duplicate user or an unreachable database is one line and exit 1, never a
traceback (which showed the password hash) or exit 70. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import app
from send_clock.store import describe_database, tokens
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures, both databases

PASSWORD = "correct horse battery"


def run(store, *args):  # noqa: F811 - the fixture's value
    return CliRunner().invoke(app, [*args, "--database", store.url])


def test_creating_an_existing_user_is_one_line_and_exit_1(store):  # noqa: F811
    assert (
        run(store, "users", "create", "--username", "alice", "--password", PASSWORD).exit_code == 0
    )
    again = run(store, "users", "create", "--username", "alice", "--password", PASSWORD)
    assert again.exit_code == 1
    assert again.stderr == "send-clock: error: user alice already exists\n"
    assert "scrypt" not in again.output and "Traceback" not in again.output


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/nowhere",
        "sqlite:////nonexistent-folder/send-clock.db",
    ],
)
@pytest.mark.parametrize(
    "command", [("tokens", "list"), ("users", "list"), ("db", "status"), ("db", "upgrade")]
)
def test_an_unreachable_database_is_one_line_naming_it_and_exit_1(url, command):
    result = CliRunner().invoke(app, [*command, "--database", url])
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("send-clock: error: cannot use the database ")
    assert "s3cret" not in result.output and "$SEND_CLOCK_DATABASE_URL" in line
    assert describe_database(url) in line


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("mysql://sen:s3cret@db/send", "SQLite or PostgreSQL, not mysql"),
        (
            "postgresql+psycopg2://sen:s3cret@db/send",
            "driver psycopg2 in 'db/send' is not installed",
        ),
        ("sqlite:////tmp/send\nclock.db", "is not a database URL"),
    ],
)
def test_a_database_send_clock_cannot_use_is_one_line_and_exit_1(url, said, tmp_path):
    # another database's URL, or a driver not installed, was an internal error (exit 70); a
    # line break in a SQLite path made that file and split every message naming it
    result = CliRunner().invoke(app, ["db", "upgrade", "--database", url])
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("send-clock: error: ") and said in line
    assert "s3cret" not in result.output


def test_tokens_list_and_revoke(store):  # noqa: F811
    with store.session() as session:
        row, token = tokens.create_api_token(session, "laptop", "write")
        tokens.create_api_token(session, "dashboard", "read")
    listed = run(store, "tokens", "list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[1].split() == ["1", "laptop", "write", _today(row), "live"]
    assert token not in listed.output and row.token_hash not in listed.output
    revoked = run(store, "tokens", "revoke", "1")
    assert (revoked.exit_code, revoked.stdout) == (0, "token 1 (laptop) revoked\n")
    with store.session() as session:
        assert tokens.authenticate(session, token) is None
    assert run(store, "tokens", "list").stdout.splitlines()[1].split()[-2] == "revoked"
    again = run(store, "tokens", "revoke", "1")
    assert again.exit_code == 1 and "no live API token 1" in again.stderr


def test_users_list_passwd_and_disable(store):  # noqa: F811
    run(store, "users", "create", "--username", "alice", "--password", PASSWORD)
    listed = run(store, "users", "list").stdout.splitlines()
    assert listed[0].split() == ["user", "scope", "created", "status"]
    assert listed[1].split()[::3] == ["alice", "live"]
    changed = run(store, "users", "passwd", "--username", "alice", "--password", "new password 1")
    assert changed.exit_code == 0
    with store.session() as session:
        assert tokens.verify_user(session, "alice", PASSWORD) is None
        assert tokens.verify_user(session, "alice", "new password 1") is not None
    short = run(store, "users", "passwd", "--username", "alice", "--password", "short")
    assert short.exit_code == 1 and "at least 10 characters" in short.stderr
    assert run(store, "users", "disable", "--username", "alice").exit_code == 0
    with store.session() as session:
        assert tokens.verify_user(session, "alice", "new password 1") is None
    assert run(store, "users", "list").stdout.splitlines()[1].split()[-2] == "disabled"
    unknown = run(store, "users", "disable", "--username", "bob")
    assert unknown.exit_code == 1 and "no user bob" in unknown.stderr


def _today(row) -> str:
    return row.created_at.date().isoformat()
