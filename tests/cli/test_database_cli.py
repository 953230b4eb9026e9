"""The database has one default place, named in every message about it; ``serve`` on a port in
use says so in one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli.main import app

pytest.importorskip("sqlalchemy")


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """A user data directory of the test's own, and no database URL in the environment."""
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.delenv("SEND_CLOCK_DATABASE_URL", raising=False)
    return home


def test_one_database_wherever_the_command_runs(tmp_path, data_home, monkeypatch):
    expected = data_home / "send-clock" / "send-clock.db"
    messages = []
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        result = CliRunner().invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        messages.append(result.stdout)
    assert messages[0].startswith(f"database (SQLite file {expected}) at revision ")
    assert messages[1] == messages[0].split(" (was")[0] + "\n"  # already there: no second one
    assert expected.exists()
    assert not list(tmp_path.glob("*/*.db"))


def test_status_names_the_database(data_home):
    result = CliRunner().invoke(app, ["db", "status"])
    assert result.exit_code == 1  # not migrated yet
    path = data_home / "send-clock" / "send-clock.db"
    assert result.stdout.startswith(f"database (SQLite file {path}): current none, newest ")


def test_the_environment_variable_chooses_it(tmp_path, data_home, monkeypatch):
    monkeypatch.setenv("SEND_CLOCK_DATABASE_URL", f"sqlite:///{tmp_path / 'chosen.db'}")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.stdout.startswith(f"database (SQLite file {tmp_path / 'chosen.db'}) at ")
    assert not data_home.exists()


def test_a_password_is_never_shown():
    from send_clock.store import describe_database

    shown = describe_database("postgresql+psycopg://sen:hunter2@db.internal/sendclock")
    assert "hunter2" not in shown and "db.internal/sendclock" in shown


def test_serve_on_a_port_in_use_is_one_line_and_exit_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "SEND_CLOCK_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
        run = subprocess.run(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 1
    assert run.stderr == (
        f"send-clock: error: port {port} on 127.0.0.1 is in use: stop what listens there, or "
        "give another --port\n"
    )
    assert not (tmp_path / "x.db").exists()  # refused before touching the database
