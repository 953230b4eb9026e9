"""Service throughput under a bounded load: POST /v1/timelines/england-ehcna against GET /health.

Starts `send-clock serve` on a free port with a temporary SQLite database, creates a read token,
then runs CLIENTS concurrent clients (asyncio + httpx) for SECONDS on each endpoint in turn and
prints requests/s, p50 and p99 latency, errors, and the timeline/health ratios. The health
endpoint touches nothing: it measures the HTTP stack, so the ratio is what the engine costs.

    python benchmarks/service.py [--clients 20] [--seconds 20] [--workers 1]

Load generator and server share this machine's cores: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TIMELINE_BODY = {
    "received": "2025-09-15",
    "events": {"decision_to_assess": "2025-10-20"},
    "as_of": "2026-01-10",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli(*args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def start_server(env: dict, port: int, *options: str) -> tuple[subprocess.Popen, str]:
    """`send-clock serve` on ``port``, once /health answers; returns it and its base URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), *options],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return server, base


async def load(url: str, method: str, headers: dict, body, clients: int, seconds: float):
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one_client():
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.request(method, url, headers=headers, json=body)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="send-clock-bench-"))
    port = free_port()
    env = {**os.environ, "SEND_CLOCK_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}"}
    cli("db", "upgrade", env=env)
    token = cli("tokens", "create", "--name", "benchmark", "--scope", "read", env=env)
    server, base = start_server(env, port, "--workers", str(args.workers))
    try:
        headers = {"Authorization": f"Bearer {token}"}
        health = asyncio.run(load(f"{base}/health", "GET", {}, None, args.clients, args.seconds))
        timeline = asyncio.run(
            load(
                f"{base}/v1/timelines/england-ehcna",
                "POST",
                headers,
                TIMELINE_BODY,
                args.clients,
                args.seconds,
            )
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(
        f"{args.clients} concurrent clients, {args.seconds:g} s per endpoint, "
        f"{args.workers} worker(s), SQLite"
    )
    print(f"{'endpoint':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'requests':>10}")
    for name, result in (("GET /health", health), ("POST /v1/timelines/england-ehcna", timeline)):
        print(
            f"{name:<34}{result['rps']:>9.1f}{result['p50_ms']:>9.1f}{result['p99_ms']:>9.1f}"
            f"{result['errors']:>8}{result['requests']:>10}"
        )
    print(
        f"timeline / health: throughput {timeline['rps'] / health['rps']:.2f}x, "
        f"p50 {timeline['p50_ms'] / health['p50_ms']:.2f}x, "
        f"p99 {timeline['p99_ms'] / health['p99_ms']:.2f}x"
    )
    return 1 if health["errors"] or timeline["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
