"""The service as a deployment runs it: several worker processes on PostgreSQL, and long work
off the request path."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from .conftest import postgres_schema
from .test_serve_process import _cli, _free_port, _wait_for


def _serve(env: dict, log: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """A server on a free port; its stderr goes to ``log`` (a pipe nobody reads would fill up
    with access-log lines and stall it)."""
    port = _free_port()
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    _wait_for(f"{base}/health", server, seconds=60)
    return server, base


def _stop(server: subprocess.Popen, log: Path) -> str:
    """Stop the server; what it wrote on stderr."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    return log.read_text()


def test_two_workers_on_postgresql_take_writes(tmp_path):
    with postgres_schema() as url:
        _two_workers_take_writes({**os.environ, "SEND_CLOCK_DATABASE_URL": url}, tmp_path / "log")


def _two_workers_take_writes(env: dict, log: Path) -> None:
    env.pop("SEND_CLOCK_SESSION_SECRET", None)
    assert _cli("db", "upgrade", env=env).returncode == 0
    token = _cli("tokens", "create", "--name", "workers", "--scope", "write", env=env).stdout
    headers = {"Authorization": f"Bearer {token.strip()}"}
    server, base = _serve(env, log, "--workers", "2", "--log-format", "json", "--db-pool-size", "2")
    try:
        assert httpx.get(f"{base}/ready").json()["status"] == "ready"

        def open_and_record(number: int) -> int:
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                created = client.post(
                    "/v1/cases",
                    json={
                        "ref": f"W-{number}",
                        "process": "england-ehcna",
                        "received": "2025-09-15",
                    },
                )
                assert created.status_code == 201, created.text
                recorded = client.post(
                    f"/v1/cases/{created.json()['id']}/events",
                    headers={"If-Match": created.headers["etag"]},
                    json={"milestone": "decision_to_assess", "date": "2025-10-20"},
                )
                assert recorded.status_code == 201, recorded.text
                return recorded.json()["version"]

        with ThreadPoolExecutor(8) as pool:
            versions = list(pool.map(open_and_record, range(40)))
        assert versions == [2] * 40
        listed = httpx.get(f"{base}/v1/cases?limit=500", headers=headers).json()
        assert listed["total"] == 40
        # Every case's stored projection has the event, whichever worker wrote it.
        assert all(c["statuses"].get("met", 0) >= 2 for c in listed["cases"])
    finally:
        stderr = _stop(server, log)
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    writes = [line for line in lines if line.get("method") == "POST" and line["status"] == 201]
    assert len(writes) == 80
    assert len({line["pid"] for line in writes}) == 2, "both workers took writes"
    assert {line["route"] for line in writes} == {"/v1/cases", "/v1/cases/{case_id}/events"}
    assert "W-1" not in stderr and "Traceback" not in stderr


def test_health_answers_fast_while_a_large_import_runs(tmp_path):
    env = {**os.environ, "SEND_CLOCK_DATABASE_URL": f"sqlite:///{tmp_path / 'big.db'}"}
    assert _cli("db", "upgrade", env=env).returncode == 0
    token = _cli("tokens", "create", "--name", "import", "--scope", "write", env=env).stdout
    headers = {"Authorization": f"Bearer {token.strip()}"}
    rows = "".join(f"BIG-{n},2025-{1 + n % 12:02d}-{1 + n % 28:02d}\n" for n in range(100_000))
    server, base = _serve(env, tmp_path / "log")
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            accepted = client.post(
                "/v1/cases/import",
                headers={**headers, "Content-Type": "text/csv"},
                content="case_id,received\n" + rows,
            )
            assert accepted.status_code == 202, accepted.text
            job_url = accepted.headers["location"]
            times, state = [], "queued"
            deadline = time.monotonic() + 900
            while state in ("queued", "running") and time.monotonic() < deadline:
                started = time.perf_counter()
                assert client.get("/health").status_code == 200
                times.append(time.perf_counter() - started)
                state = client.get(job_url, headers=headers).json()["state"]
                time.sleep(0.05)
            job = client.get(job_url, headers=headers).json()
            assert job["state"] == "succeeded", job
            assert job["result"]["imported"] == 100_000
            assert len(times) >= 20, "the import ended before /health could be measured"
            # Within 200 ms, but for the odd sample the OS scheduler delays on a busy machine
            # (CI shares its cores): the import never holds the server up.
            times.sort()
            p95 = times[int(len(times) * 0.95)]
            assert p95 < 0.2, f"/health took {p95 * 1000:.0f} ms (95th percentile) meanwhile"
            listed = client.get("/v1/cases?limit=1", headers=headers).json()
            assert listed["total"] == 100_000
    finally:
        _stop(server, tmp_path / "log")


def test_db_refresh_brings_stored_statuses_up_to_today(tmp_path):
    env = {**os.environ, "SEND_CLOCK_DATABASE_URL": f"sqlite:///{tmp_path / 'refresh.db'}"}
    refused = _cli("db", "refresh", env=env)
    assert refused.returncode == 1 and "send-clock db upgrade" in refused.stderr
    assert _cli("db", "upgrade", env=env).returncode == 0
    refreshed = _cli("db", "refresh", env=env)
    assert refreshed.returncode == 0, refreshed.stderr
    assert refreshed.stdout.startswith("0 case(s) re-projected as of ")
