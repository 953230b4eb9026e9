"""How fast is term-week arithmetic? The engine's bulk path against numpy and workalendar.

For N random start dates (fixed seed) inside a calendar's coverage, chosen so that every result
stays inside it, this times in one run:

* ``Calendar.add_many(starts, 6, "term-weeks")``, the engine's bulk path;
* ``numpy.busday_offset(starts, 30, roll="backward")`` with weekmask Mon-Fri and every weekday
  of the coverage that is not a term day as a holiday: the same count (6 term weeks = 30 term
  weekdays; ``roll="backward"`` makes it "the 30th valid day after D" for any D);
* workalendar's ``add_working_days(start, 30)`` on a sample, with the same non-term weekdays as
  the calendar's holidays, scaled per item.

Each time is the best of several runs (``time.perf_counter``); building the indexes (the engine's
day index, numpy's ``busdaycalendar``) is timed apart, once. The script checks that the engine and
numpy agree on every date, and workalendar on its sample, and exits non-zero if they do not.

    .venv/bin/python benchmarks/arithmetic.py [--calendar jersey] [--size 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from datetime import date

import numpy as np
from workalendar.core import SAT, SUN, CoreCalendar

from send_clock.calendars import load_calendar

TERM_WEEKS = 6
TERM_DAYS = 5 * TERM_WEEKS


class TermTime(CoreCalendar):
    """A workalendar calendar whose holidays are the weekdays that are not term days."""

    WEEKEND_DAYS = (SAT, SUN)

    def __init__(self, closed: list[date]):
        super().__init__()
        self._closed = defaultdict(list)
        for day in closed:
            self._closed[day.year].append((day, "not a term day"))

    def get_calendar_holidays(self, year):
        return list(self._closed[year])


def best_of(repeat: int, work):
    """The shortest of ``repeat`` runs of ``work()``, and its result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - began)
    return best, result


def row(label: str, seconds: float, count: int) -> None:
    print(f"{label:40} {seconds * 1e3:10.1f} ms {seconds / count * 1e9:10.1f} ns/date")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calendar", default="jersey")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=10_000, help="workalendar's sample size")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20250915)
    args = parser.parse_args()

    began = time.perf_counter()
    calendar = load_calendar(args.calendar)
    index = calendar.term_days  # built once, then kept by the calendar
    engine_build = time.perf_counter() - began

    # Starts from the day before coverage to the last day from which 30 term days still fit.
    first = np.datetime64(calendar.coverage[0], "D")
    last_start = index.numbers[-1 - TERM_DAYS].astype("datetime64[D]")
    rng = np.random.default_rng(args.seed)
    span = int((last_start - first).astype(np.int64)) + 1
    starts = first - 1 + rng.integers(0, span + 1, size=args.size)

    began = time.perf_counter()
    weekdays = np.arange(first, np.datetime64(calendar.coverage[1], "D") + 1)
    weekdays = weekdays[np.is_busday(weekdays)]
    closed = weekdays[~np.isin(weekdays.astype(np.int64), index.numbers)]
    busdays = np.busdaycalendar(weekmask="1111100", holidays=closed)
    numpy_build = time.perf_counter() - began

    engine_time, engine = best_of(
        args.repeat, lambda: calendar.add_many(starts, TERM_WEEKS, "term-weeks")
    )
    numpy_time, expected = best_of(
        args.repeat,
        lambda: np.busday_offset(starts, TERM_DAYS, roll="backward", busdaycal=busdays),
    )
    same = bool(np.array_equal(engine, expected))

    workalendar = TermTime(closed.tolist())
    sample = starts[: args.sample].tolist()
    sample_expected = engine[: args.sample].tolist()
    work_time, work_results = best_of(
        max(1, args.repeat // 5),
        lambda: [workalendar.add_working_days(day, TERM_DAYS) for day in sample],
    )
    work_same = work_results == sample_expected

    engine_each = engine_time / args.size
    work_each = work_time / len(sample)
    runs = f"best of {args.repeat} runs (workalendar: {max(1, args.repeat // 5)})"
    print(f"calendar {calendar.id!r}, coverage {calendar.coverage[0]} to {calendar.coverage[1]}")
    print(f"{args.size:,} random starts (seed {args.seed}), +{TERM_WEEKS} term weeks each; {runs}")
    print(
        f"index build, once: engine {engine_build * 1e3:.1f} ms, numpy {numpy_build * 1e3:.1f} ms"
    )
    print()
    row("engine Calendar.add_many", engine_time, args.size)
    row("numpy busday_offset", numpy_time, args.size)
    row(f"workalendar add_working_days ({len(sample):,})", work_time, len(sample))
    print(
        f"{'  ... scaled to ' + format(args.size, ','):40} {work_each * args.size * 1e3:10.1f} ms"
    )
    print()
    for label, value in (
        ("engine / numpy", f"{engine_time / numpy_time:.2f}x (target: at most 3x)"),
        ("workalendar / engine, per date", f"{work_each / engine_each:,.0f}x"),
        ("engine == numpy on every date", same),
        ("workalendar == engine on its sample", work_same),
    ):
        print(f"{label + ':':40} {value}")
    if not (same and work_same):
        print("MISMATCH: the results differ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
