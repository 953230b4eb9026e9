"""The service under load, measured with wrk (a native load generator, so that the client is not
the bottleneck): throughput against baselines, latency at a council's and a region's size,
a mixed load on two workers, and the memory of a worker.

    python benchmarks/service.py --database postgresql+psycopg://postgres@127.0.0.1/bench \\
        [--cases 50000] [--seconds 10] [--connections 20] [--port 18350]

Steps, each against a server started here on 127.0.0.1 (ports PORT..PORT+2):

1. a bare FastAPI app (one route returning a constant): the HTTP stack's ceiling;
2. one send-clock worker: ``GET /health`` and ``POST /v1/timelines/england-ehcna``;
3. the database seeded through the import path (``POST /v1/cases/import``, a background job) up
   to CASES cases, unless it holds them already;
4. one worker over CASES cases: the overdue list, the dashboard, the breach report over stored
   cases, the team feed;
5. two workers, CONNECTIONS connections: 40% read a case, 20% timeline, 10% list, 5% breach
   report, 25% writes (new cases), for SECONDS;

and the largest resident memory of any worker throughout. Prints a table with the machine's
core count and the ratios the README quotes. wrk must be installed (``apt-get install wrk``).
Load generator and server share the machine's cores: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

TIMELINE_BODY = {
    "received": "2025-09-15",
    "events": {"decision_to_assess": "2025-10-20"},
    "as_of": "2026-01-10",
}
BARE_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
"""
# wrk prints its summary through this: one JSON line the script reads back.
REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests":%d,"seconds":%f,"errors":%d,"p50_ms":%f,"p99_ms":%f}\\n',
    summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""
REQUEST_LUA = """
local method, body, headers = %(method)s, %(body)s, %(headers)s
request = function()
  return wrk.format(method, nil, headers, body)
end
"""
MIXED_LUA = """
local auth = %(auth)s
local cases = %(cases)d
local timeline = %(timeline)s
local counter = 0
local next_id = 0

setup = function(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end

init = function(args)
  math.randomseed(thread_id * 7919)
end

request = function()
  local pick = math.random(100)
  local h = {["Authorization"] = auth}
  if pick <= 40 then
    return wrk.format("GET", "/v1/cases/" .. math.random(cases), h)
  elseif pick <= 60 then
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/v1/timelines/england-ehcna", h, timeline)
  elseif pick <= 70 then
    return wrk.format("GET", "/v1/cases?status=overdue&limit=50&after=" .. math.random(cases), h)
  elseif pick <= 75 then
    return wrk.format("GET", "/v1/reports/breaches", h)
  else
    counter = counter + 1
    h["Content-Type"] = "application/json"
    local ref = string.format("MIX-%%d-%%d-%%d", thread_id, os.time(), counter)
    return wrk.format("POST", "/v1/cases", h,
      '{"ref":"' .. ref .. '","process":"england-ehcna","received":"2025-11-03"}')
  end
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal here


def lua_table(mapping: dict) -> str:
    return "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in mapping.items()) + "}"


class Server:
    """A server process, its workers' peak memory sampled while it runs."""

    def __init__(self, command: list[str], env: dict, port: int):
        self.base = f"http://127.0.0.1:{port}"
        # The access log goes to a file: a pipe nobody reads would fill and stall the server.
        self.log = Path(tempfile.mkstemp(prefix="send-clock-bench-", suffix=".log")[1])
        with self.log.open("w") as stderr:
            self.process = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=stderr, text=True
            )
        self.peak_rss_mb = 0.0
        self._running = True
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while self._running:
            for pid in descendants(self.process.pid) or [self.process.pid]:
                self.peak_rss_mb = max(self.peak_rss_mb, rss_mb(pid))
            time.sleep(0.5)

    def stop(self) -> None:
        self._running = False
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += [int(c) for c in children]
        frontier += [int(c) for c in children]
    return found


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match[1]) / 1024 if match else 0.0


def wrk(url: str, script: str, seconds: float, connections: int, threads: int = 2) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script + REPORT_LUA)
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            file.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(file.name)
    line = next(x for x in result.stdout.splitlines() if x.startswith("JSON "))
    figures = json.loads(line[5:])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def simple(method: str, body: str | None = None, headers: dict | None = None) -> str:
    return REQUEST_LUA % {
        "method": lua_string(method),
        "body": "nil" if body is None else lua_string(body),
        "headers": lua_table(headers or {}),
    }


def timed(client: httpx.Client, path: str, runs: int, **kwargs) -> dict:
    """Single requests one after another: for endpoints that take long (report, feed)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, **kwargs)
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    times.sort()
    return {
        "requests": runs,
        "rps": runs / sum(times),
        "p50_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[-1] * 1000,
        "errors": 0,
        "bytes": len(response.content),
    }


def cli(*args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"send-clock {' '.join(args[:2])} failed: {result.stderr}")
    return result.stdout.strip()


def caseload_csv(count: int, start: int, seed: int = 12) -> str:
    """``count`` cases received over two years: some decided, some with plans, some refused."""
    rng = random.Random(seed + start)
    lines = ["case_id,received,decision,decision_to_assess,final_plan"]
    first = date(2024, 12, 2)
    for number in range(start, start + count):
        received = first + timedelta(days=rng.randrange(700))
        decision, decided, final = "", "", ""
        if rng.random() < 0.7:
            decided_on = received + timedelta(days=rng.randrange(20, 60))
            decided = decided_on.isoformat()
            decision = "agreed" if rng.random() < 0.85 else "refused"
            if decision == "agreed" and rng.random() < 0.5:
                final = (decided_on + timedelta(days=rng.randrange(60, 140))).isoformat()
        lines.append(f"BENCH-{number:06d},{received},{decision},{decided},{final}")
    return "\n".join(lines) + "\n"


def seed(client: httpx.Client, headers: dict, wanted: int, chunk: int = 25_000) -> float:
    """Import cases until the database holds ``wanted``; returns the seconds it took."""
    have = client.get("/v1/cases?limit=1", headers=headers).json()["total"]
    began = time.perf_counter()
    while have < wanted:
        count = min(chunk, wanted - have)
        accepted = client.post(
            "/v1/cases/import",
            headers={**headers, "Content-Type": "text/csv"},
            content=caseload_csv(count, have),
        )
        accepted.raise_for_status()
        while True:
            job = client.get(accepted.headers["location"], headers=headers).json()
            if job["state"] in ("succeeded", "failed"):
                break
            time.sleep(1)
        if job["state"] != "succeeded":
            raise SystemExit(f"seeding failed: {job['message']} {job['errors'][:3]}")
        have += count
        print(f"  seeded {have} cases", file=sys.stderr)
    return time.perf_counter() - began


def signed_in_cookie(client: httpx.Client, token: str) -> str:
    """Sign in to the web pages with an API token; the session cookie for wrk."""
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    client.post("/login", data={"token": token, "csrf": csrf[1] if csrf else ""})
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def serve_command(port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cli.main",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("SEND_CLOCK_BENCH_DATABASE_URL"))
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--port", type=int, default=18350)
    args = parser.parse_args()
    if not args.database:
        raise SystemExit("give --database (PostgreSQL), e.g. postgresql+psycopg://postgres@/bench")
    env = {**os.environ, "SEND_CLOCK_DATABASE_URL": args.database}
    env.setdefault("SEND_CLOCK_SESSION_SECRET", "benchmark-only-secret-" + "x" * 20)
    cli("db", "upgrade", env=env)
    token = cli("tokens", "create", "--name", "benchmark", "--scope", "write", env=env)
    auth = {"Authorization": f"Bearer {token}"}
    rows: list[tuple[str, dict]] = []
    seconds, connections = args.seconds, args.connections

    folder = Path(tempfile.mkdtemp(prefix="send-clock-bench-"))
    (folder / "bare.py").write_text(BARE_APP)
    bare = Server(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(folder),
            "--port",
            str(args.port + 2),
            "--log-level",
            "warning",
            "bare:app",
        ],
        env,
        args.port + 2,
    )
    try:
        rows.append(("bare FastAPI GET /health", wrk(f"{bare.base}/health", "", seconds, 20)))
    finally:
        bare.stop()

    one = Server(serve_command(args.port, 1), env, args.port)
    try:
        rows.append(("GET /health", wrk(f"{one.base}/health", "", seconds, 20)))
        timeline = simple(
            "POST", json.dumps(TIMELINE_BODY), {**auth, "Content-Type": "application/json"}
        )
        rows.append(
            (
                "POST /v1/timelines/england-ehcna",
                wrk(f"{one.base}/v1/timelines/england-ehcna", timeline, seconds, 20),
            )
        )
        with httpx.Client(base_url=one.base, timeout=600) as client:
            seeding = seed(client, auth, args.cases)
            total = client.get("/v1/cases?limit=1", headers=auth).json()["total"]
            cookie = signed_in_cookie(client, token)
            feed = client.post("/v1/feeds", headers=auth).json()["url"]
            listing = "/v1/cases?status=overdue&limit=50"
            rows.append(
                (
                    f"GET {listing}",
                    wrk(f"{one.base}{listing}", simple("GET", None, auth), seconds, connections),
                )
            )
            rows.append(
                (
                    "GET / (dashboard page)",
                    wrk(f"{one.base}/", simple("GET", None, {"Cookie": cookie}), seconds, 4),
                )
            )
            rows.append(
                ("GET /v1/reports/breaches", timed(client, "/v1/reports/breaches", 5, headers=auth))
            )
            rows.append(("GET team feed (.ics)", timed(client, feed.split(one.base, 1)[-1], 3)))
    finally:
        one.stop()

    two = Server(serve_command(args.port + 1, 2), env, args.port + 1)
    try:
        mixed = MIXED_LUA % {
            "auth": lua_string(auth["Authorization"]),
            "cases": total,
            "timeline": lua_string(json.dumps(TIMELINE_BODY)),
        }
        rows.append(("mixed load, 2 workers", wrk(f"{two.base}/", mixed, seconds, connections)))
    finally:
        two.stop()

    report(rows, args, total, seeding, max(one.peak_rss_mb, two.peak_rss_mb))
    return 0


def report(rows, args, total: int, seeding: float, peak_mb: float) -> None:
    figures = dict(rows)
    print(
        f"send-clock service benchmark: {os.cpu_count()} cores, wrk, {args.seconds:g} s per "
        f"run, {total} cases in {args.database.split('+')[0]} (seeded in {seeding:.0f} s)"
    )
    print(f"{'':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'requests':>10}")
    for name, result in rows:
        print(
            f"{name:<44}{result['rps']:>9.1f}{result['p50_ms']:>9.1f}{result['p99_ms']:>9.1f}"
            f"{result['errors']:>8}{result['requests']:>10}"
        )
    health, bare = figures["GET /health"], figures["bare FastAPI GET /health"]
    timeline = figures["POST /v1/timelines/england-ehcna"]
    print(f"/health / bare FastAPI: {health['rps'] / bare['rps']:.2f}x (goal >= 0.70)")
    print(f"timeline / health: {timeline['rps'] / health['rps']:.2f}x (goal >= 0.50)")
    print(f"largest worker memory: {peak_mb:.0f} MB (goal < 300)")


if __name__ == "__main__":
    sys.exit(main())
