"""`send-clock serve` as a real process: migrate, serve, feed, revoke, stop cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    """A free port: in $SEND_CLOCK_TEST_PORTS (e.g. 18300-18399) when set, else any."""
    first, _, last = os.environ.get("SEND_CLOCK_TEST_PORTS", "0-0").partition("-")
    for port in range(int(first), int(last) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError(f"no free port in {first}-{last}")


def _cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited early: {server.stderr.read() if server.stderr else ''}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("the server did not answer /health in time")


def start_server(database: Path, output=subprocess.PIPE) -> tuple[subprocess.Popen, str, str]:
    """``send-clock serve`` on a free port over the SQLite file ``database``, answering: the
    process, its base URL and a write token. ``output`` takes its standard output and error
    (a file, for a server that logs more than a pipe holds)."""
    port = _free_port()
    env = {**os.environ, "SEND_CLOCK_DATABASE_URL": f"sqlite:///{database}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=output,
        stderr=output,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_for(f"{base}/health", server)
    created = _cli("tokens", "create", "--name", "process-test", "--scope", "write", env=env)
    assert created.returncode == 0, created.stderr
    return server, base, created.stdout.strip()


def test_serve_feed_revoke_and_stop(tmp_path):
    server, base, token = start_server(tmp_path / "served.db")
    try:
        headers = {"Authorization": f"Bearer {token}"}
        case = httpx.post(
            f"{base}/v1/cases",
            headers=headers,
            json={"ref": "EHC-PROC-1", "process": "england-ehcna", "received": "2025-09-15"},
        )
        assert case.status_code == 201, case.text
        feed = httpx.post(f"{base}/v1/cases/{case.json()['id']}/feeds", headers=headers).json()
        assert feed["url"].startswith(base)
        served = httpx.get(feed["url"])
        assert served.status_code == 200 and b"BEGIN:VCALENDAR" in served.content
        head = httpx.head(feed["url"])  # through uvicorn: the headers of GET, no body
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(served.content))
        assert head.headers["etag"] == served.headers["etag"]
        revoked = httpx.delete(
            f"{base}/v1/cases/{case.json()['id']}/feeds/{feed['id']}", headers=headers
        )
        assert revoked.status_code == 204
        assert httpx.get(feed["url"]).status_code == 410  # Gone: calendar apps stop polling
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            pytest.fail("the server did not stop on SIGTERM")
    stderr = server.stderr.read()
    # uvicorn shuts down gracefully, then re-raises the signal it received.
    assert server.returncode in (0, -signal.SIGTERM), stderr
    assert "Traceback" not in stderr
    assert feed["token"] not in stderr and "EHC-PROC-1" not in stderr


def test_no_migrate_refuses_an_old_database(tmp_path):
    env = {**os.environ, "SEND_CLOCK_DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"}
    result = _cli("serve", "--no-migrate", "--port", str(_free_port()), env=env)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "send-clock db upgrade" in result.stderr
    upgraded = _cli("db", "upgrade", env=env)
    assert upgraded.returncode == 0 and " at revision " in upgraded.stdout


def test_a_default_calendar_that_does_not_exist_is_one_line_before_anything_starts(tmp_path):
    env = {**os.environ, "SEND_CLOCK_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    result = _cli("serve", "--default-calendar", "nowhere", "--port", str(_free_port()), env=env)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "'nowhere'" in result.stderr
    assert not (tmp_path / "new.db").exists()  # nothing was created or migrated


def test_a_default_calendar_from_the_environment_is_checked_before_anything_starts(tmp_path):
    # it was checked only by each worker, after "serving on" was printed
    env = {
        **os.environ,
        "SEND_CLOCK_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}",
        "SEND_CLOCK_DEFAULT_CALENDAR": "nowhere",
    }
    result = _cli("serve", "--port", str(_free_port()), env=env)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "'nowhere'" in result.stderr
    assert "serving on" not in result.stderr
    assert not (tmp_path / "new.db").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SEND_CLOCK_TOKEN_CACHE_SECONDS", "1e308"),
        ("SEND_CLOCK_JOB_GRACE_SECONDS", "nan"),
        ("SEND_CLOCK_DB_POOL_SIZE", "lots"),
        ("SEND_CLOCK_PUBLIC_URL", "https://sen.example.gov.uk/\r\nSet-Cookie: x=1"),
        ("SEND_CLOCK_PUBLIC_URL", "https://[::1"),  # urllib's ValueError was an internal error
        ("SEND_CLOCK_CORS_ORIGINS", "https://a.example.gov.uk:99999"),
        ("SEND_CLOCK_SESSION_SECRET", "too-short-a-secret"),
    ],
)
def test_a_bad_setting_is_one_line_before_anything_starts(tmp_path, name, value):
    env = {
        **os.environ,
        "SEND_CLOCK_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}",
        name: value,
    }
    result = _cli("serve", "--workers", "2", "--port", str(_free_port()), env=env)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and name in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "new.db").exists()  # nothing was created or migrated
