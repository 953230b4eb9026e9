"""How fast is one case's timeline? The one-case projector against the column-wise one.

One case's projection (the timeline endpoint, the case page and feed, the check on every case
write) goes through ``send_clock.timelines.project``, which now runs the plain-Python one-case
projector (``timelines/onecase.py``). Before, it ran the column-wise numpy projector on a batch
of one, paying numpy's fixed cost per operation. This script times, in one run:

* ``project`` (the one-case projector) and ``project_by_columns`` (the column-wise projector on
  a batch of one, what ``project`` did before) on the issue's example (england-ehcna, received
  2025-09-15, decision_to_assess recorded 2025-10-20, as of 2026-01-10) and on cases with
  exceptions, closures, a refusal, term-time units and rules in force by date;
* a fixed pure-Python reference workload, so that figures from a loaded machine can be scaled;
* ``POST /v1/timelines/england-ehcna`` in-process (FastAPI's TestClient on a temporary SQLite
  database): the whole request, and the projection's share of it.

Each figure is the best of ``--repeat`` runs of ``--number`` calls (``timeit``), as CPU time
of this process (``time.process_time``: on a shared machine, wall time also counts the time
spent waiting for a core) and, with ``--wall``, as wall time too. The script checks that both
projectors give the same schedule for every case, and exits non-zero if not.

    .venv/bin/python benchmarks/timeline.py [--number 300] [--repeat 7] [--wall] [--no-http]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import timeit
from datetime import date

from send_clock.calendars import load_calendar
from send_clock.timelines import Case, load_process, parse_exceptions, project
from send_clock.timelines.schedule import project_by_columns

#: the goal of issue 12 for england-ehcna, in-process
GOAL_MS = 0.3


def case(process_id: str, calendar_id: str, received: str, as_of: str, **given):
    """(label, process, calendar, case, as_of) for one benchmark case."""
    process = load_process(process_id)
    found = Case(
        received=date.fromisoformat(received),
        events={k: date.fromisoformat(v) for k, v in given.get("events", {}).items()},
        outcomes=given.get("outcomes", {}),
        exceptions=parse_exceptions(given.get("exceptions", []), process),
        params=given.get("params", {}),
    )
    label = given.get("label", process_id)
    return label, process, load_calendar(calendar_id), found, date.fromisoformat(as_of)


CASES = [
    case(
        "england-ehcna",
        "england-and-wales",
        "2025-09-15",
        "2026-01-10",
        events={"decision_to_assess": "2025-10-20"},
        label="england-ehcna (the issue's example)",
    ),
    case(
        "england-ehcna",
        "surrey",
        "2025-06-02",
        "2025-12-01",
        events={"decision_to_assess": "2025-07-14", "school_asked": "2025-07-10"},
        exceptions=["absence_from_area:2025-08-01..2025-09-30"],
        label="england-ehcna, closure + absence",
    ),
    case(
        "england-ehcna",
        "england-and-wales",
        "2025-09-15",
        "2025-11-20",
        outcomes={"decision": "refused"},
        events={"decision_to_assess": "2025-10-30"},
        label="england-ehcna, refused",
    ),
    case(
        "england-ehcna",
        "england-and-wales",
        "2025-03-03",
        "2025-10-01",
        events={
            "decision_to_assess": "2025-04-14",
            "advice_requested": "2025-04-14",
            "draft_plan": "2025-06-30",
            "final_plan": "2025-07-28",
        },
        label="england-ehcna, closed",
    ),
    case("jersey-ron", "jersey", "2025-06-16", "2025-10-01", label="jersey-ron (term weeks)"),
    case(
        "northern-ireland-statutory-assessment",
        "northern-ireland",
        "2025-09-15",
        "2025-12-01",
        label="northern-ireland (in force by date)",
    ),
    case("england-tribunal", "england-and-wales", "2025-07-10", "2025-09-01"),
]


#: the clock every figure is read from (``--wall`` switches to wall time)
CLOCK = {"timer": time.process_time}


def best_ms(work, number: int, repeat: int) -> float:
    runs = timeit.repeat(work, number=number, repeat=repeat, timer=CLOCK["timer"])
    return min(runs) / number * 1e3


def reference_ms(number: int, repeat: int) -> float:
    """A fixed pure-Python workload (dict and date work, like a projection's): its time shows
    how loaded the machine was."""

    def work():
        day, found = date(2025, 9, 15), {}
        for step in range(200):
            found[step] = day.toordinal() + step
        return found

    return best_ms(work, number, repeat)


def timeline_request_ms(number: int, repeat: int) -> tuple[float, float] | None:
    """Best time of ``POST /v1/timelines/england-ehcna`` through TestClient, and of
    ``GET /health`` (the request path without the projection)."""
    try:
        from fastapi.testclient import TestClient

        from send_clock.service.app import create_app
        from send_clock.service.settings import Settings
        from send_clock.store import Store, tokens
    except ImportError:  # pragma: no cover - the service's dependencies are not installed
        return None
    folder = tempfile.mkdtemp(prefix="send-clock-bench-")
    store = Store(f"sqlite:///{os.path.join(folder, 'bench.db')}")
    store.upgrade()
    with store.session() as session:
        _row, token = tokens.create_api_token(session, "bench", "read")
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "received": "2025-09-15",
        "events": {"decision_to_assess": "2025-10-20"},
        "as_of": "2026-01-10",
    }
    with TestClient(create_app(Settings(ical_domain="bench.invalid"), store)) as client:

        def timeline():
            response = client.post("/v1/timelines/england-ehcna", json=body, headers=headers)
            assert response.status_code == 200, response.text

        def health():
            assert client.get("/health").status_code == 200

        timeline()
        request = best_ms(timeline, number, repeat)
        bare = best_ms(health, number, repeat)
    store.dispose()
    return request, bare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--number", type=int, default=300, help="calls per timed run")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs; the best is kept")
    parser.add_argument("--no-http", action="store_true", help="skip the in-process endpoint")
    parser.add_argument("--wall", action="store_true", help="wall time, not CPU time")
    args = parser.parse_args()
    if args.wall:
        CLOCK["timer"] = time.perf_counter
    clock = "wall" if args.wall else "CPU"
    print(
        f"cores: {os.cpu_count()}; {clock} time, best of {args.repeat} runs of {args.number} "
        "calls each"
    )
    reference = reference_ms(args.number, args.repeat)
    print(f"reference workload (pure Python): {reference * 1e3:.1f} us\n")
    print(f"{'case':40} {'one-case':>10} {'columns':>10} {'ratio':>7}")
    wrong, first = 0, None
    for label, process, calendar, one, as_of in CASES:
        fast = project(process, calendar, one, as_of=as_of)
        if fast != project_by_columns(process, calendar, one, as_of=as_of):
            print(f"{label}: the two projectors DISAGREE", file=sys.stderr)
            wrong += 1
        one_ms = best_ms(
            lambda p=process, c=calendar, k=one, a=as_of: project(p, c, k, as_of=a),
            args.number,
            args.repeat,
        )
        columns_ms = best_ms(
            lambda p=process, c=calendar, k=one, a=as_of: project_by_columns(p, c, k, as_of=a),
            max(args.number // 10, 1),
            args.repeat,
        )
        first = first or (one_ms, columns_ms)
        print(f"{label:40} {one_ms:8.3f}ms {columns_ms:8.3f}ms {columns_ms / one_ms:6.1f}x")
    one_ms, columns_ms = first
    verdict = "met" if one_ms <= GOAL_MS else "NOT met"
    print(f"\ngoal: the issue's example in <= {GOAL_MS} ms in-process: {verdict} ({one_ms:.3f} ms)")
    print(f"  {one_ms / reference:.1f} reference workloads (columns: {columns_ms / reference:.1f})")
    if not args.no_http:
        measured = timeline_request_ms(max(args.number // 3, 1), args.repeat)
        if measured is None:
            print("\ntimeline endpoint: skipped (install the service extras)")
        else:
            request, health = measured
            print(
                f"\nPOST /v1/timelines/england-ehcna in-process (TestClient): {request:.3f} ms; "
                f"GET /health {health:.3f} ms\n  the projection is {one_ms / request:.0%} of the "
                f"timeline request (it was {columns_ms / (request - one_ms + columns_ms):.0%} "
                "with the column-wise path)"
            )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
