"""What keeping the breach report's sums costs a write, and what it saves the report.

    python benchmarks/report_sums.py --database postgresql+psycopg://postgres@127.0.0.1/copy

Against a database holding a caseload (a copy of a seeded one: ``createdb -T``), in-process:

1. the report's summary (:func:`send_clock.store.report.stored_report`, first worklist pages
   included) from the kept sums, against the same summary with its sums made from scratch
   over every stored case (what every report after a write did before the sums were kept);
2. a new case (``create_case``, as ``POST /v1/cases`` stores it) and an event recorded on a
   case: the whole write, and the part of it spent keeping the sums (the read of the case's
   sums before, and adding the change after).

Every write is rolled back, so the database is left as it was. Prints medians of wall and CPU
(this process's) time and their ratios; wall time includes the database's, and on a shared
machine its load: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date

from send_clock.store import Store, cases, stored
from send_clock.store.report import _summed, stored_report
from send_clock.store.sums import summed


class Clock:
    """Wall and CPU time spent inside the functions it wraps."""

    def __init__(self):
        self.wall = self.cpu = 0.0

    def wrap(self, function):
        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.wall += time.perf_counter() - wall
                self.cpu += time.process_time() - cpu

        return timed


def median_ms(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return tuple(statistics.median(run[i] for run in runs) * 1000 for i in (0, 1))


def timed(function) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def report_step(store: Store, repeat: int) -> None:
    today = date.today()

    def kept() -> None:
        with store.session() as session:
            stored_report(session, today, 50)

    def from_scratch() -> None:
        with store.session() as session:
            stored_report(session, today, 50)  # the worklists' pages, as the report reads them
            _summed(session, summed(session))

    kept(), from_scratch()  # warm
    runs = {name: [] for name in ("kept", "scratch")}
    for _ in range(repeat):  # alternated, so that both meet the same load
        runs["kept"].append(timed(kept))
        runs["scratch"].append(timed(from_scratch))
    kept_ms, scratch_ms = median_ms(runs["kept"]), median_ms(runs["scratch"])
    for name, (wall, cpu) in (("the kept sums", kept_ms), ("summing every case", scratch_ms)):
        print(f"report from {name:20} wall {wall:8.1f} ms  cpu {cpu:7.1f} ms")
    print(f"  kept / from scratch (wall): {kept_ms[0] / scratch_ms[0]:.3f}x")


def write_step(store: Store, repeat: int) -> None:
    clock = Clock()
    stored.summed, stored.add_change = clock.wrap(stored.summed), clock.wrap(stored.add_change)
    records = [("outcome", "decision", "agreed"), ("event", "decision_to_assess", "2026-10-01")]

    def one(kind: str, number: int) -> tuple[float, float, float, float]:
        with store.sessions() as session:
            session.begin()
            ref = f"BENCH-SUMS-{number}-{time.time_ns()}"
            if kind == "record":
                state = cases.create_case(
                    session, ref, "england-ehcna", None, date(2026, 9, 1), None, "bench", records
                )
            clock.wall = clock.cpu = 0.0
            wall, cpu = time.perf_counter(), time.process_time()
            if kind == "create":
                cases.create_case(
                    session, ref, "england-ehcna", None, date(2026, 9, 1), None, "bench", records
                )
            else:
                cases.record(
                    session, state.id, state.version, "event", "advice_requested", "2026-10-05", "b"
                )
            took = (time.perf_counter() - wall, time.process_time() - cpu, clock.wall, clock.cpu)
            session.rollback()
        return took

    for kind in ("create", "record"):
        for number in range(20):  # warm: statements prepared, caches filled
            one(kind, number)
        runs = [one(kind, number) for number in range(repeat)]
        wall, cpu, sums_wall, sums_cpu = (
            statistics.median(run[i] for run in runs) * 1000 for i in range(4)
        )
        print(
            f"{kind:6} a case: wall {wall:6.2f} ms, of it the sums {sums_wall:5.2f} ms "
            f"({sums_wall / wall:.0%}); cpu {cpu:5.2f} ms, of it the sums {sums_cpu:5.2f} ms "
            f"({sums_cpu / cpu:.0%})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=15, help="report runs (writes: x20)")
    args = parser.parse_args()
    store = Store(args.database)
    with store.session() as session:
        count = cases.count_cases(session)
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"breach report sums: {count} cases, {os.cpu_count()} cores, load average {load}")
    report_step(store, args.repeat)
    write_step(store, args.repeat * 20)
    store.dispose()


if __name__ == "__main__":
    main()
