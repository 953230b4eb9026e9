"""The service under load, measured with wrk (a native load generator, so that the client is not
the bottleneck): throughput against baselines, latency at a council's and a region's size,
a mixed load on two workers, and the memory of a worker.

    python benchmarks/service.py --database postgresql+psycopg://postgres@127.0.0.1/bench \\
        [--cases 50000] [--seconds 10] [--connections 20] [--port 18350] [--repeat 3] [--reuse]

``--feed-only`` measures only the team feed (step 3's last three rows) on one worker.
``--reuse`` (or ``--skip-seed``) measures the database as it is (e.g. a copy made with
``createdb -T``), without importing cases into it.

Steps, each against a server started here on 127.0.0.1 (ports PORT..PORT+2):

1. the database seeded through the import path (``POST /v1/cases/import``, a background job) up
   to CASES cases, unless it holds them already;
2. REPEAT rounds (3 by default) of the throughput runs, each round's runs one after the other:
   a bare FastAPI app (one route returning a constant: the HTTP stack's ceiling), then one
   send-clock worker's ``GET /health``, ``POST /v1/timelines/england-ehcna`` and the overdue
   list at CONNECTIONS connections;
3. one worker over CASES cases: the dashboard, the breach report over stored cases (its
   summary, a later page of its overdue worklist, the whole worklist as CSV), the team feed
   right after a case was written (and checked to hold that case's events), the team feed
   unchanged, and a conditional poll of it (304);
4. two workers, CONNECTIONS connections, REPEAT rounds of: 40% read a case, 20% timeline, 10%
   list, 5% breach report, 25% writes (new cases), for SECONDS; then the same with the
   report's 5% reading cases instead (the request path apart from the report);

and the largest resident memory of any worker throughout (an import job's own process apart).
Prints a table with the machine's core count and load average, each figure against its goal
(for a step run REPEAT times: the median of its runs, each run's figures beneath, and in how
many runs the goal was met), and the ratios the README quotes (the median of the rounds'
ratios, each round's beneath); a step that fails is a row saying why, and the others still
run. Responses other than 2xx/3xx count as errors, and the mixed load says which statuses they
were. Each wrk run is measured after 2 s of the same load, not counted (a warm-up: the steady
state, not a fresh worker's first requests). wrk must be installed (``apt-get install wrk``).
Load generator and server share the machine's cores: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
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


@app.get("/health-async")
async def health_async() -> dict:
    return {"status": "ok"}
"""
# wrk prints its summary through this: one JSON line the script reads back. ``statuses`` is
# filled by a script that counts responses by status (the mixed load), per wrk thread.
REPORT_LUA = """
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  if on_setup then on_setup(thread, #threads) end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local counted = {}
  for _, thread in ipairs(threads) do
    local statuses = thread:get("statuses")
    if statuses then
      for status, n in pairs(statuses) do counted[status] = (counted[status] or 0) + n end
    end
  end
  local parts = {}
  for status, n in pairs(counted) do
    table.insert(parts, string.format('"%s":%d', status, n))
  end
  io.write(string.format(
    'JSON {"requests":%d,"seconds":%f,"errors":%d,"p50_ms":%f,"p99_ms":%f,' ..
    '"socket_errors":%d,"non_2xx":%d,"statuses":{%s}}\\n',
    summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status, table.concat(parts, ",")))
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
local timeline = %(timeline)s
-- the stored cases' ids, as runs {first, last}: every id read exists
local runs = %(runs)s
local total = %(total)d
-- false: the report's 5%% read cases instead (the request path apart from the report)
local with_report = %(with_report)s
local counter = 0
-- a new value for each wrk process (see wrk()): refs never repeat from one run to the next
local run_id = "%(run_id)s"
statuses = {}

on_setup = function(thread, number)
  thread:set("thread_id", number)
end

init = function(args)
  math.randomseed(thread_id * 7919 + os.time())
end

local function some_case()
  local n = math.random(total)
  for _, run in ipairs(runs) do
    local size = run[2] - run[1] + 1
    if n <= size then return run[1] + n - 1 end
    n = n - size
  end
  return runs[1][1]
end

request = function()
  local pick = math.random(100)
  local h = {["Authorization"] = auth}
  if pick <= 40 then
    return wrk.format("GET", "/v1/cases/" .. some_case(), h)
  elseif pick <= 60 then
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/v1/timelines/england-ehcna", h, timeline)
  elseif pick <= 70 then
    return wrk.format("GET", "/v1/cases?status=overdue&limit=50&after=" .. some_case(), h)
  elseif pick <= 75 then
    if with_report then return wrk.format("GET", "/v1/reports/breaches", h) end
    return wrk.format("GET", "/v1/cases/" .. some_case(), h)
  else
    counter = counter + 1
    h["Content-Type"] = "application/json"
    local ref = string.format("MIX-%%s-%%d-%%d", run_id, thread_id, counter)
    return wrk.format("POST", "/v1/cases", h,
      '{"ref":"' .. ref .. '","process":"england-ehcna","received":"2025-11-03"}')
  end
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
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
        self.peak_rss_mb = 0.0  # of any worker (the supervisor of several too)
        self.peak_job_rss_mb = 0.0  # of an import job's own process
        self._running = True
        # Starting may migrate the database and bring every stored status up to today.
        deadline = time.monotonic() + 900
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
            if time.monotonic() > deadline:
                self.process.kill()
                raise SystemExit(
                    f"the server did not start in 900 s: {self.log.read_text()[-2000:]}"
                )
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while self._running:
            for pid in [self.process.pid, *descendants(self.process.pid)]:
                if is_job_process(pid):
                    self.peak_job_rss_mb = max(self.peak_job_rss_mb, rss_mb(pid))
                else:
                    self.peak_rss_mb = max(self.peak_rss_mb, rss_mb(pid))
            time.sleep(0.5)

    def stop(self) -> None:
        self._running = False
        self.process.send_signal(signal.SIGTERM)
        try:  # a request still being computed is not waited for long
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            for pid in descendants(self.process.pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()


def descendants(pid: int) -> list[int]:
    """Every process under ``pid``, whichever of its threads started it (a job's process is
    started by the worker's job thread, and is listed under that thread only)."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = []
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
        found += children
        frontier += children
    return found


def is_job_process(pid: int) -> bool:
    """A job's process (multiprocessing's spawn), not a worker answering requests."""
    try:
        return b"multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match[1]) / 1024 if match else 0.0


#: replaced in a wrk script by a value new for each wrk process
RUN_ID = "@RUN_ID@"

#: seconds of the same load run, and not counted, before each measured wrk run
WARM_UP_SECONDS = 2


def wrk(url: str, script: str, seconds: float, connections: int, threads: int = 2) -> dict:
    """wrk's figures for ``seconds`` of ``script`` at ``connections``, after
    :data:`WARM_UP_SECONDS` of the same load that are not counted: the steady state, not a
    worker's first requests (its pooled connections beyond those opened at start, statements
    prepared on each after their first runs, modules a route imports on first use)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        pass

    def run(duration: int) -> subprocess.CompletedProcess:
        # RUN_ID in a script (the mixed load's refs) becomes a value of this run's own
        Path(file.name).write_text(script.replace(RUN_ID, secrets.token_hex(6)) + REPORT_LUA)
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout"]
        return subprocess.run(
            [*command, "30s", "-s", file.name, url], capture_output=True, text=True
        )

    if WARM_UP_SECONDS:
        run(WARM_UP_SECONDS)
    result = run(max(1, round(seconds)))
    os.unlink(file.name)
    if result.returncode:
        raise RuntimeError(f"wrk failed: {(result.stderr or result.stdout).strip()[:200]}")
    line = next(x for x in result.stdout.splitlines() if x.startswith("JSON "))
    figures = json.loads(line[5:])
    if not figures["requests"]:
        raise RuntimeError(f"no answer within {max(1, round(seconds))} s")
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def simple(method: str, body: str | None = None, headers: dict | None = None) -> str:
    return REQUEST_LUA % {
        "method": lua_string(method),
        "body": "nil" if body is None else lua_string(body),
        "headers": lua_table(headers or {}),
    }


def timed(
    client: httpx.Client,
    path: str,
    runs: int,
    budget: float = 60,
    before=None,
    status: int = 200,
    **kwargs,
) -> dict:
    """Single requests one after another, for endpoints that take long (report, feed): up to
    ``runs`` of them, fewer once ``budget`` seconds are spent; a request over 120 s fails.
    ``before()``, if given, runs before each request, untimed (a write, say); its result is
    passed to ``check(response, result)`` in ``kwargs``, if given, after the request."""
    times = []
    check = kwargs.pop("check", None)
    for _ in range(runs):
        prepared = before() if before else None
        started = time.perf_counter()
        # a whole-request deadline (httpx's timeouts are per read): the answer or nothing
        pool = ThreadPoolExecutor(1)
        try:
            response = pool.submit(client.get, path, **kwargs).result(timeout=120)
        except FutureTimeout:
            raise RuntimeError("no answer within 120 s") from None
        finally:
            pool.shutdown(wait=False)  # a request still running ends with its server
        times.append(time.perf_counter() - started)
        if response.status_code != status:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:150]}")
        if check:
            check(response, prepared)
        if sum(times) > budget:
            break
    times.sort()
    return {
        "requests": len(times),
        "rps": len(times) / sum(times),
        "p50_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[-1] * 1000,
        "errors": 0,
        "bytes": len(response.content),
        "wire_bytes": response.num_bytes_downloaded,
    }


def feed_after_a_write(client: httpx.Client, auth: dict, path: str) -> dict:
    """The team feed fetched right after a case was written (a busy service's normal state:
    a quarter of the mixed load is writes), each time checked to hold that case's events."""

    def write() -> str:
        ref = f"BENCH-FEED-{random.randrange(10**12)}"
        received = (date.today() - timedelta(days=30)).isoformat()
        body = {"ref": ref, "process": "england-ehcna", "received": received}
        client.post("/v1/cases", headers=auth, json=body).raise_for_status()
        return ref

    def check(response: httpx.Response, ref: str) -> None:
        if f"{ref}-england-ehcna-" not in response.text:
            raise RuntimeError(f"the feed fetched after writing {ref} does not hold its events")

    return timed(client, path, 3, before=write, check=check)


def feed_not_modified(client: httpx.Client, path: str) -> dict:
    """A calendar app's poll of an unchanged team feed: answered 304 from its ETag."""
    etag = client.get(path).headers["etag"]
    return timed(client, path, 5, status=304, headers={"If-None-Match": etag})


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


def prepared(database: str, token_name: str) -> tuple[dict, str, dict]:
    """The servers' environment over ``database`` (migrated here), a write token made for the
    run, and its ``Authorization`` header."""
    env = {**os.environ, "SEND_CLOCK_DATABASE_URL": database}
    env.setdefault("SEND_CLOCK_SESSION_SECRET", "benchmark-only-secret-" + "x" * 20)
    cli("db", "upgrade", env=env)
    token = cli("tokens", "create", "--name", token_name, "--scope", "write", env=env)
    return env, token, {"Authorization": f"Bearer {token}"}


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


def id_runs(database: str) -> tuple[list[list[int]], int]:
    """The stored cases' ids as runs ``[first, last]`` (ids have gaps where a transaction was
    rolled back), and how many there are: the mixed load reads only cases that exist."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as connection:
        ids = connection.execute(text("SELECT id FROM cases ORDER BY id")).scalars().all()
    engine.dispose()
    runs: list[list[int]] = []
    for case_id in ids:
        if runs and runs[-1][1] == case_id - 1:
            runs[-1][1] = case_id
        else:
            runs.append([case_id, case_id])
    return runs, len(ids)


def lua_runs(runs: list[list[int]]) -> str:
    return "{" + ",".join(f"{{{first},{last}}}" for first, last in runs) + "}"


#: (row, goal, whether a result meets it)
GOALS = {
    "GET /v1/cases?status=overdue&limit=50": ("p99 < 100 ms", lambda r: r["p99_ms"] < 100),
    "GET / (dashboard page)": ("p99 < 300 ms", lambda r: r["p99_ms"] < 300),
    "GET /v1/reports/breaches": ("< 1 s", lambda r: r["p99_ms"] < 1000),
    "GET team feed (.ics)": ("< 2 s", lambda r: r["p99_ms"] < 2000),
    "mixed load, 2 workers": (
        ">= 300 req/s, p99 < 250 ms, 0 errors",
        lambda r: r["rps"] >= 300 and r["p99_ms"] < 250 and r["errors"] == 0,
    ),
}


class Steps:
    """The table's rows: a step that fails becomes a row saying why, and the run goes on. A
    step run several times (``--repeat``) keeps each run's figures; its row shows their
    median and every run's."""

    def __init__(self):
        self.rows: dict[str, list[dict | str]] = {}

    def run(self, name: str, measure) -> dict | None:
        print(f"  {name} ...", file=sys.stderr, flush=True)
        try:
            result = measure()
        except Exception as error:  # noqa: BLE001 - reported in the table
            result = f"failed: {type(error).__name__}: {error}"[:160]
        self.rows.setdefault(name, []).append(result)
        return result if isinstance(result, dict) else None

    def results(self, name: str) -> list[dict | None]:
        """Each run's figures, None for a run that failed."""
        return [r if isinstance(r, dict) else None for r in self.rows.get(name, [])]

    def get(self, name: str) -> dict | None:
        """The median of the step's runs that did not fail (None if every one failed)."""
        return median_of([r for r in self.results(name) if r is not None])


def median_of(runs: list[dict]) -> dict | None:
    """One row for several runs of a step: the median of each rate and latency, the errors
    and requests of all of them added up."""
    if not runs:
        return None
    row = {**runs[len(runs) // 2]}
    for key in ("rps", "p50_ms", "p99_ms"):
        row[key] = statistics.median(r[key] for r in runs)
    for key in ("requests", "errors"):
        row[key] = sum(r[key] for r in runs)
    statuses: dict[str, int] = {}
    for r in runs:
        for status, n in (r.get("statuses") or {}).items():
            statuses[status] = statuses.get(status, 0) + n
    row["statuses"] = statuses
    row["socket_errors"] = sum(r.get("socket_errors", 0) for r in runs)
    return row


def bare_fastapi(env: dict, port: int) -> Server:
    """A bare FastAPI app (one route returning a constant): the HTTP stack's ceiling."""
    folder = Path(tempfile.mkdtemp(prefix="send-clock-bench-"))
    (folder / "bare.py").write_text(BARE_APP)
    bare_command = [sys.executable, "-m", "uvicorn", "--app-dir", str(folder)]
    return Server(
        [*bare_command, "--port", str(port), "--log-level", "warning", "bare:app"], env, port
    )


LISTING = "/v1/cases?status=overdue&limit=50"


def one_round(steps, bare: Server, one: Server, auth: dict, seconds, connections) -> None:
    """One round of the throughput runs on one worker, one after the other so that each ratio
    compares runs made within a minute of each other: the bare app, /health, the timeline,
    the list."""
    steps.run("bare FastAPI GET /health", lambda: wrk(f"{bare.base}/health", "", seconds, 20))
    steps.run(
        "bare FastAPI GET /health (async def)",
        lambda: wrk(f"{bare.base}/health-async", "", seconds, 20),
    )
    steps.run("GET /health", lambda: wrk(f"{one.base}/health", "", seconds, 20))
    timeline = simple(
        "POST", json.dumps(TIMELINE_BODY), {**auth, "Content-Type": "application/json"}
    )
    steps.run(
        "POST /v1/timelines/england-ehcna",
        lambda: wrk(f"{one.base}/v1/timelines/england-ehcna", timeline, seconds, 20),
    )
    steps.run(
        f"GET {LISTING}",
        lambda: wrk(f"{one.base}{LISTING}", simple("GET", None, auth), seconds, connections),
    )


def rest_of_one_worker(steps, one, client, auth, token, seconds, connections) -> None:
    """The one-worker steps measured once, before the team feed: the dashboard and the breach
    report."""
    steps.run(
        "GET / (dashboard page)",
        lambda: wrk(
            f"{one.base}/",
            simple("GET", None, {"Cookie": signed_in_cookie(client, token)}),
            seconds,
            4,
        ),
    )
    steps.run(
        "GET /v1/reports/breaches",
        lambda: timed(client, "/v1/reports/breaches", 5, headers=auth),
    )

    def later_page() -> dict:
        # a page of the overdue worklist after the summary's cursor (keyset)
        summary = client.get("/v1/reports/breaches", headers=auth).json()
        path = f"/v1/reports/breaches/overdue?after={summary['overdue_next']}"
        return wrk(f"{one.base}{path}", simple("GET", None, auth), seconds, connections)

    steps.run("GET /v1/reports/breaches/overdue?after=", later_page)
    steps.run(
        "GET /v1/reports/breaches/overdue.csv",
        lambda: timed(client, "/v1/reports/breaches/overdue.csv", 2, headers=auth),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("SEND_CLOCK_BENCH_DATABASE_URL"))
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--port", type=int, default=18350)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds of the throughput runs and of the mixed load (medians are judged)",
    )
    parser.add_argument(
        "--reuse",
        "--skip-seed",
        action="store_true",
        help="measure the database as it is (a copy of a seeded one): import nothing",
    )
    parser.add_argument(
        "--feed-only",
        action="store_true",
        help="measure only the team feed (after a write, unchanged, conditional) on one worker",
    )
    args = parser.parse_args()
    if not args.database:
        raise SystemExit("give --database (PostgreSQL), e.g. postgresql+psycopg://postgres@/bench")
    if args.repeat < 1:
        raise SystemExit("--repeat must be 1 or more")
    load_before = os.getloadavg()
    env, token, auth = prepared(args.database, "benchmark")
    steps = Steps()
    seconds, connections = args.seconds, args.connections
    peaks: dict[str, float] = {}

    seeding, total, runs = None, 0, [[1, 1]]
    one = Server(serve_command(args.port, 1), env, args.port)
    try:
        with httpx.Client(base_url=one.base, timeout=600) as client:
            if not args.reuse:
                seeding = seed(client, auth, args.cases)
            runs, total = id_runs(args.database)
            if not args.feed_only:
                bare = bare_fastapi(env, args.port + 2)
                try:
                    for _ in range(args.repeat):
                        one_round(steps, bare, one, auth, seconds, connections)
                finally:
                    bare.stop()
                rest_of_one_worker(steps, one, client, auth, token, seconds, connections)
            created = client.post("/v1/feeds", headers=auth)
            created.raise_for_status()
            feed_path = created.json()["url"].split(one.base, 1)[-1]
            steps.run("GET team feed (.ics)", lambda: feed_after_a_write(client, auth, feed_path))
            steps.run("GET team feed, unchanged", lambda: timed(client, feed_path, 3))
            steps.run("GET team feed, If-None-Match", lambda: feed_not_modified(client, feed_path))
    finally:
        one.stop()
    peaks["one worker"] = one.peak_rss_mb

    peaks["two workers"] = peaks["import job"] = 0.0
    if args.feed_only:
        report(steps, args, total, seeding, peaks, (load_before, os.getloadavg()))
        return 0
    two = Server(serve_command(args.port + 1, 2), env, args.port + 1)
    try:
        figures = {
            "auth": lua_string(auth["Authorization"]),
            "timeline": lua_string(json.dumps(TIMELINE_BODY)),
            "runs": lua_runs(runs),
            "total": total,
            "run_id": RUN_ID,
        }
        mixed = MIXED_LUA % {**figures, "with_report": "true"}
        without = MIXED_LUA % {**figures, "with_report": "false"}
        for _ in range(args.repeat):
            steps.run(
                "mixed load, 2 workers", lambda: wrk(f"{two.base}/", mixed, seconds, connections)
            )
            steps.run(
                "mixed load, no report (45% reads)",
                lambda: wrk(f"{two.base}/", without, seconds, connections),
            )
    finally:
        two.stop()
    peaks["two workers"] = two.peak_rss_mb
    peaks["import job"] = max(one.peak_job_rss_mb, two.peak_job_rss_mb)

    report(steps, args, total, seeding, peaks, (load_before, os.getloadavg()))
    return 0


def report(steps: Steps, args, total: int, seeding, peaks: dict, loads: tuple) -> None:
    seeded = "reused as it was" if seeding is None else f"seeded in {seeding:.0f} s"
    print(
        f"send-clock service benchmark: {os.cpu_count()} cores, load average "
        f"{loads[0][0]:.1f} before and {loads[1][0]:.1f} after (1 min), wrk, {args.seconds:g} s "
        f"per run, {total} cases in {args.database.split('+')[0]} ({seeded}); a step run "
        f"{args.repeat} times shows the median of its runs, and each run below it"
    )
    print(f"{'':<40}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>7}{'requests':>9}  goal")
    for name in steps.rows:
        goal, met = GOALS.get(name, ("", None))
        result = steps.get(name)
        if result is None:
            print(f"{name:<40}{steps.rows[name][-1]}  {goal}")
            continue
        verdict = "" if met is None else (" met" if met(result) else " NOT met")
        print(
            f"{name:<40}{result['rps']:>8.1f}{result['p50_ms']:>9.1f}{result['p99_ms']:>9.1f}"
            f"{result['errors']:>7}{result['requests']:>9}  {goal}{verdict}"
        )
        print_runs(steps.results(name), met)
        if result.get("bytes"):
            print(
                f"{'':<40}body {result['bytes'] / 1e6:.1f} MB "
                f"({result['wire_bytes'] / 1e6:.1f} MB as sent)"
            )
        if result.get("statuses"):
            counted = ", ".join(f"{k}: {v}" for k, v in sorted(result["statuses"].items()))
            print(f"{'':<40}statuses {counted}; socket errors {result['socket_errors']}")
    if args.feed_only:
        print(f"largest worker memory: {peaks['one worker']:.0f} MB (goal < 300)")
        return
    ratio(
        "/health / bare FastAPI",
        steps.results("GET /health"),
        steps.results("bare FastAPI GET /health"),
        0.70,
    )
    ratio(
        "/health / bare FastAPI (async def)",
        steps.results("GET /health"),
        steps.results("bare FastAPI GET /health (async def)"),
        None,
    )
    ratio(
        "timeline / health",
        steps.results("POST /v1/timelines/england-ehcna"),
        steps.results("GET /health"),
        0.50,
    )
    worker = max(peaks["one worker"], peaks["two workers"])
    verdict = "met" if worker < 300 else "NOT met"
    print(
        f"largest worker memory: {worker:.0f} MB (goal < 300: {verdict}); "
        f"an import job's own process: {peaks['import job']:.0f} MB"
    )


def print_runs(runs: list[dict | None], met) -> None:
    """Each run of a step run more than once: req/s and p99, and how many met the goal."""
    if len(runs) < 2:
        return
    shown = ", ".join(
        "failed" if r is None else f"{r['rps']:.0f} req/s p99 {r['p99_ms']:.0f} ms" for r in runs
    )
    counted = ""
    if met is not None:
        counted = f"; goal met in {sum(1 for r in runs if r and met(r))} of {len(runs)}"
    print(f"{'':<40}runs: {shown}{counted}")


def ratio(name: str, tops: list, bottoms: list, goal: float | None) -> None:
    """The median of the ratios of each round's two runs (runs made within a minute of each
    other), and every round's."""
    each = [t["rps"] / b["rps"] for t, b in zip(tops, bottoms, strict=False) if t and b]
    if not each:
        print(f"{name}: not measured (a step failed)")
        return
    value = statistics.median(each)
    verdict = ""
    if goal is not None:
        met = sum(1 for r in each if r >= goal)
        verdict = (
            f" (goal >= {goal:.2f}: {'met' if value >= goal else 'NOT met'};"
            f" met in {met} of {len(each)})"
        )
    rounds = ", ".join(f"{r:.2f}" for r in each)
    print(f"{name}: {value:.2f}x{verdict}" + (f"; rounds {rounds}" if len(each) > 1 else ""))


def start_server(env: dict, port: int) -> tuple[subprocess.Popen, str]:
    """One send-clock worker on ``port`` (for the sibling benchmarks): the process and its URL."""
    server = Server(serve_command(port, 1), env, port)
    return server.process, server.base


if __name__ == "__main__":
    sys.exit(main())
