"""The memory of one worker, step by step, and the dashboard's latency on a fresh worker and
right after writes, over a stored caseload (e.g. a copy of the 50,000-case benchmark database).

    python benchmarks/memory.py --database postgresql+psycopg://postgres@127.0.0.1/bench \\
        [--seconds 8] [--port 18350] [--writes 20]

One worker (``send-clock serve --workers 1``) on 127.0.0.1:PORT; after it starts and after
each step, the worker's resident memory (VmRSS) and its peak during the step are printed:

1. started (migrations checked, statuses current), nothing asked yet;
2. the dashboard with wrk at once, so its first requests are a fresh worker's;
3. the dashboard right after a write: WRITES times, a new case then ``GET /``, one at a time;
4. case pages (wrk over many cases), 5. the overdue list, 6. the timeline endpoint,
7. the breach report over stored cases, 8. the team feed, 9. a mixed load on this one worker.

Latency figures are wrk's (p50/p99) or, for the one-at-a-time steps, the median and the worst.
The load generator shares the machine's cores with the server: compare runs of this script on
one machine, and read the load average printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from service import (  # noqa: E402 - the sibling benchmark's helpers
    MIXED_LUA,
    TIMELINE_BODY,
    Server,
    descendants,
    id_runs,
    lua_runs,
    lua_string,
    prepared,
    rss_mb,
    serve_command,
    signed_in_cookie,
    simple,
    timed,
    wrk,
)

CASE_PAGES_LUA = """
local cookie = %(cookie)s
local refs = %(refs)s
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/cases/" .. refs[(n %% #refs) + 1], {["Cookie"] = cookie})
end
"""


class Peak:
    """The largest resident memory of the worker while a step runs (sampled every 0.2 s)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.mb = 0.0
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while self._running:
            self.mb = max(self.mb, worker_rss(self.pid))
            time.sleep(0.2)

    def stop(self) -> float:
        self._running = False
        self._thread.join()
        return max(self.mb, worker_rss(self.pid))


def worker_rss(pid: int) -> float:
    """The worker's memory: with one worker uvicorn serves in the process it was started in."""
    return max([rss_mb(pid), *(rss_mb(child) for child in descendants(pid))])


def after_writes(client: httpx.Client, auth: dict, cookie: str, writes: int) -> dict:
    """A new case, then the dashboard: the figures have changed, so nothing kept may be shown."""
    times = []
    for number in range(writes):
        created = client.post(
            "/v1/cases",
            headers={**auth, "Content-Type": "application/json"},
            content=json.dumps(
                {
                    "ref": f"MEM-{os.getpid()}-{time.time_ns()}-{number}",
                    "process": "england-ehcna",
                    "received": "2025-11-03",
                }
            ),
        )
        created.raise_for_status()
        started = time.perf_counter()
        page = client.get("/", headers={"Cookie": cookie})
        times.append(time.perf_counter() - started)
        page.raise_for_status()
    times.sort()
    return {
        "requests": len(times),
        "p50_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[-1] * 1000,
        "errors": 0,
    }


def case_refs(database: str, count: int = 500) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as connection:
        refs = connection.execute(
            text("SELECT ref FROM cases ORDER BY id LIMIT :count"), {"count": count}
        ).scalars()
        found = list(refs)
    engine.dispose()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("SEND_CLOCK_BENCH_DATABASE_URL"))
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--port", type=int, default=18350)
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    if not args.database:
        raise SystemExit("give --database, e.g. postgresql+psycopg://postgres@/bench")
    load_before = os.getloadavg()
    env, token, auth = prepared(args.database, "memory")
    runs, total = id_runs(args.database)
    refs = case_refs(args.database)
    seconds = args.seconds
    rows: list[tuple[str, dict | str, float, float]] = []

    server = Server(serve_command(args.port, 1), env, args.port)
    pid = server.process.pid
    try:
        rows.append(("started", {}, worker_rss(pid), worker_rss(pid)))
        with httpx.Client(base_url=server.base, timeout=600) as client:
            cookie = signed_in_cookie(client, token)
            as_reader = simple("GET", None, {"Cookie": cookie})
            steps = {
                "dashboard, fresh worker (wrk, 4 conns)": lambda: wrk(
                    f"{server.base}/", as_reader, seconds, 4
                ),
                f"dashboard after a write (x{args.writes})": lambda: after_writes(
                    client, auth, cookie, args.writes
                ),
                "case pages (wrk, 4 conns)": lambda: wrk(
                    f"{server.base}/",
                    CASE_PAGES_LUA
                    % {
                        "cookie": lua_string(cookie),
                        "refs": json.dumps(refs).replace("[", "{").replace("]", "}"),
                    },
                    seconds,
                    4,
                ),
                "overdue list (wrk, 20 conns)": lambda: wrk(
                    f"{server.base}/v1/cases?status=overdue&limit=50",
                    simple("GET", None, auth),
                    seconds,
                    20,
                ),
                "timeline endpoint (wrk, 20 conns)": lambda: wrk(
                    f"{server.base}/v1/timelines/england-ehcna",
                    simple(
                        "POST",
                        json.dumps(TIMELINE_BODY),
                        {**auth, "Content-Type": "application/json"},
                    ),
                    seconds,
                    20,
                ),
                "breach report (x3)": lambda: timed(
                    client, "/v1/reports/breaches", 3, headers=auth
                ),
                "team feed (x2)": lambda: team_feed(client, auth, server.base),
                "mixed load, this worker (wrk, 20 conns)": lambda: wrk(
                    f"{server.base}/",
                    MIXED_LUA
                    % {
                        "auth": lua_string(auth["Authorization"]),
                        "timeline": lua_string(json.dumps(TIMELINE_BODY)),
                        "runs": lua_runs(runs),
                        "total": total,
                    },
                    seconds,
                    20,
                ),
            }
            for name, measure in steps.items():
                print(f"  {name} ...", file=sys.stderr, flush=True)
                peak = Peak(pid)
                try:
                    result: dict | str = measure()
                except Exception as error:  # noqa: BLE001 - reported in the table
                    result = f"failed: {type(error).__name__}: {error}"[:120]
                top = peak.stop()
                rows.append((name, result, worker_rss(pid), top))
    finally:
        server.stop()
    load_after = os.getloadavg()
    print(
        f"send-clock worker memory: {os.cpu_count()} cores, load average {load_before[0]:.1f} "
        f"before and {load_after[0]:.1f} after (1 min), {total} cases, "
        f"{args.database.split('+')[0]}"
    )
    print(f"{'step':<42}{'p50 ms':>9}{'p99 ms':>9}{'reqs':>7}{'RSS after':>11}{'peak':>8}")
    for name, result, after, top in rows:
        if isinstance(result, str):
            print(f"{name:<42}{result}")
            continue
        figures = (
            f"{result['p50_ms']:>9.1f}{result['p99_ms']:>9.1f}{result['requests']:>7}"
            if result
            else " " * 25
        )
        print(f"{name:<42}{figures}{after:>9.0f}MB{top:>6.0f}MB")
    return 0


def team_feed(client: httpx.Client, auth: dict, base: str) -> dict:
    created = client.post("/v1/feeds", headers=auth)
    created.raise_for_status()
    return timed(client, created.json()["url"].split(base, 1)[-1], 2)


if __name__ == "__main__":
    sys.exit(main())
