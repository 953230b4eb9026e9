"""`send-clock serve` as a real process: migrate, serve, feed, revoke, stop cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
            pytest.fail(f"the server exited early: {server.stderr.read()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("the server did not answer /health in time")


def test_serve_feed_revoke_and_stop(tmp_path):
    port = _free_port()
    database = f"sqlite:///{tmp_path / 'served.db'}"
    env = {**os.environ, "SEND_CLOCK_DATABASE_URL": database}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/health", server)
        created = _cli("tokens", "create", "--name", "process-test", "--scope", "write", env=env)
        assert created.returncode == 0, created.stderr
        headers = {"Authorization": f"Bearer {created.stdout.strip()}"}
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
        revoked = httpx.delete(
            f"{base}/v1/cases/{case.json()['id']}/feeds/{feed['id']}", headers=headers
        )
        assert revoked.status_code == 204
        assert httpx.get(feed["url"]).status_code == 404
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
