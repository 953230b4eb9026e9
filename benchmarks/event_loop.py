"""Does slow work hold up other requests? /health latency at rest, then while clients post
wrong passwords (scrypt) and one imports a caseload CSV.

Starts `send-clock serve` (one worker, temporary SQLite database) on --port, then probes
GET /health every 20 ms: first with nothing else running, then while --logins threads post wrong
passwords to /login and one thread imports --rows cases. Prints p50, p99 and max of each phase
and the loaded/rest ratios. With blocking work on the event loop (scrypt in an ``async def``),
max rose from ~12 ms to seconds; with it in the thread pool the ratio stays small.

    python benchmarks/event_loop.py [--logins 4] [--rows 5000] [--seconds 10] [--port 18201]

Load generator and server share this machine's cores: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from service import cli, start_server  # the sibling benchmark's helpers

PASSWORD = "benchmark password"


def probe(base: str, seconds: float) -> list[float]:
    """/health latencies (ms), one probe every 20 ms for ``seconds``."""
    latencies = []
    deadline = time.perf_counter() + seconds
    with httpx.Client(timeout=60) as client:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            client.get(f"{base}/health").raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.02)
    return sorted(latencies)


def wrong_passwords(base: str, stop: threading.Event, counts: list[int]) -> None:
    with httpx.Client(timeout=60) as client:
        page = client.get(f"{base}/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
        while not stop.is_set():
            form = {"csrf": csrf, "username": "alex", "password": "not the password"}
            client.post(f"{base}/login", data=form)
            counts.append(1)


def import_rows(base: str, token: str, rows: int, stop: threading.Event, results: list) -> None:
    lines = ["case_id,received"] + [f"BENCH-{i:06d},2025-09-15" for i in range(rows)]
    body = "\n".join(lines) + "\n"
    with httpx.Client(timeout=600) as client:
        started = time.perf_counter()
        response = client.post(
            f"{base}/v1/cases/import",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
            content=body,
        )
        results.append((response.status_code, time.perf_counter() - started))


def summary(latencies: list[float]) -> dict:
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)],
        "max": latencies[-1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=4)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--port", type=int, default=18201)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="send-clock-bench-"))
    env = {
        **os.environ,
        "SEND_CLOCK_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        # The benchmark measures the event loop, not the sign-in limit: let every attempt in.
        "SEND_CLOCK_LOGIN_ATTEMPTS": "1000000",
    }
    cli("db", "upgrade", env=env)
    token = cli("tokens", "create", "--name", "benchmark", "--scope", "write", env=env)
    cli("users", "create", "--username", "alex", "--password", PASSWORD, env=env)
    server, base = start_server(env, args.port)
    try:
        rest = summary(probe(base, args.seconds))
        stop, attempts, imported = threading.Event(), [], []
        workers = [
            threading.Thread(target=wrong_passwords, args=(base, stop, attempts))
            for _ in range(args.logins)
        ]
        workers.append(
            threading.Thread(target=import_rows, args=(base, token, args.rows, stop, imported))
        )
        for worker in workers:
            worker.start()
        loaded = summary(probe(base, args.seconds))
        stop.set()
        for worker in workers:
            worker.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    status, import_seconds = imported[0] if imported else (None, 0.0)
    print(
        f"/health every 20 ms for {args.seconds:g} s; load: {args.logins} threads posting wrong "
        f"passwords ({len(attempts)} attempts), one import of {args.rows} rows "
        f"(HTTP {status}, {import_seconds:.1f} s)"
    )
    print(f"{'phase':<10}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, result in (("at rest", rest), ("loaded", loaded)):
        print(f"{name:<10}{result['p50']:>9.1f}{result['p99']:>9.1f}{result['max']:>9.1f}")
    print(
        f"loaded / at rest: p50 {loaded['p50'] / rest['p50']:.1f}x, "
        f"p99 {loaded['p99'] / rest['p99']:.1f}x, max {loaded['max'] / rest['max']:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
