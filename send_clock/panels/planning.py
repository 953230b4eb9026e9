"""Panel planning: for each request date, the first panel that can hear the case, and whether
that panel meets the deadline it serves.

For every request date in a range (each day, or every 7 days), the process is projected once
for all dates together (the column path of :func:`~send_clock.timelines.project_columns`):

* **ready**: the projected date of what the panel needs (the request itself for an England
  decision panel; the advice, counted in term weeks, for a Jersey outcome panel);
* **panel**: the first panel whose paperwork cut-off is on or after the ready date;
* **deadline**: the due date of the milestone the panel serves (week 6 for an England decision);
* **slack**: deadline − panel in days: positive to spare, negative a shortfall.

Runs of consecutive request dates that all miss their deadline are the schedule's **gaps**.

>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import load_process
>>> from send_clock.panels import Cutoff, PanelSchedule, Recurrence
>>> weekly = PanelSchedule("panel", "Decision panel", "decision_to_assess", Cutoff(4),
...     recurrences=(Recurrence("FREQ=WEEKLY;BYDAY=WE", date(2025, 9, 1)),))
>>> plan = plan_panels(load_process("england-ehcna"), load_calendar("surrey"), weekly,
...                    date(2026, 7, 13), date(2026, 7, 24))
>>> [(r.request.day, r.panel.day, r.slack_days) for r in plan.rows if r.request.weekday() == 4]
[(17, 2, -5), (24, 2, 2)]
>>> gap = plan.gaps[0]
>>> str(gap.first), str(gap.last), gap.panels, gap.worst_shortfall_days
('2026-07-17', '2026-07-21', (datetime.date(2026, 9, 2),), 5)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from ..calendars import Calendar
from ..dates import iso, long_date
from ..errors import InputError, OutOfCoverage
from ..timelines import Cases, Milestone, Process, project_columns
from .schedule import PanelSchedule, Sitting, check_schedule
from .text import lower_first

ON_TIME, LATE, NO_PANEL, BEYOND_CALENDAR = "on_time", "late", "no_panel", "beyond_calendar"
STATUSES = (ON_TIME, LATE, NO_PANEL, BEYOND_CALENDAR)
MISSED = (LATE, NO_PANEL)

#: How far past a ready date the schedule is searched for a panel.
SEARCH_DAYS = 366

#: The most request dates one plan covers (ten years of days).
MAX_REQUESTS = 3660


@dataclass(frozen=True)
class PlanRow:
    """One request date: when the case is ready, the panel that hears it, and the deadline.

    ``status``: ``on_time`` (panel on or before the deadline), ``late`` (after it),
    ``no_panel`` (the schedule has no panel after the ready date), ``beyond_calendar`` (the
    calendar's term dates do not reach far enough to say); ``note`` explains the last two.
    """

    request: date
    ready: date | None
    deadline: date | None
    panel: date | None
    cutoff: date | None
    status: str
    note: str = ""

    @property
    def slack_days(self) -> int | None:
        """Days from the panel to the deadline: positive to spare, negative a shortfall."""
        if self.panel is None or self.deadline is None:
            return None
        return (self.deadline - self.panel).days

    @property
    def on_time(self) -> bool | None:
        return {ON_TIME: True, LATE: False, NO_PANEL: False}.get(self.status)

    def to_dict(self) -> dict:
        return {
            "request": iso(self.request),
            "ready": iso(self.ready),
            "cutoff": iso(self.cutoff),
            "panel": iso(self.panel),
            "deadline": iso(self.deadline),
            "status": self.status,
            "on_time": self.on_time,
            "slack_days": self.slack_days,
            "note": self.note,
        }


@dataclass(frozen=True)
class Gap:
    """A run of consecutive request dates that all miss their deadline.

    ``panels``: the panels they reach (none for dates no panel hears); ``worst_shortfall_days``:
    the most days any of them is heard after its deadline (``None`` when no panel hears any).
    """

    first: date
    last: date
    requests: int
    panels: tuple[date, ...]
    worst_shortfall_days: int | None

    def text(self, deadline_name: str, written=long_date) -> str:
        """The gap in a sentence; ``written`` writes each date (e.g. ``dates.full_date``).

        >>> Gap(date(2026, 7, 17), date(2026, 7, 21), 5, (date(2026, 9, 2),), 5).text("week-6")
        'requests received Fri 17 Jul 2026 to Tue 21 Jul 2026 (5 dates) miss the week-6 \
deadline: the first panel that can hear them sits on Wed 2 Sep 2026; worst shortfall 5 days'
        """
        if self.first == self.last:
            dates, them = f"a request received {written(self.first)}", "it"
        else:
            dates = (
                f"requests received {written(self.first)} to {written(self.last)} "
                f"({self.requests} dates)"
            )
            them = "them"
        miss = f"{dates} {'misses' if them == 'it' else 'miss'} the {deadline_name} deadline"
        if not self.panels:
            return f"{miss}: no panel in the schedule can hear {them}"
        if len(self.panels) == 1:
            reached = f"the first panel that can hear {them} sits on {written(self.panels[0])}"
        else:
            reached = (
                f"the first panels that can hear them sit from {written(self.panels[0])} to "
                f"{written(self.panels[-1])}"
            )
        worst = self.worst_shortfall_days
        return f"{miss}: {reached}; worst shortfall {worst} day{'s' * (worst != 1)}"

    def to_dict(self) -> dict:
        return {
            "first": iso(self.first),
            "last": iso(self.last),
            "requests": self.requests,
            "panels": [iso(day) for day in self.panels],
            "worst_shortfall_days": self.worst_shortfall_days,
        }


@dataclass(frozen=True)
class PanelPlan:
    """The plan of one schedule over a range of request dates."""

    process: Process
    calendar: Calendar
    schedule: PanelSchedule
    serves: Milestone
    needs: Milestone
    first: date
    last: date
    weekly: bool
    rows: tuple[PlanRow, ...]
    gaps: tuple[Gap, ...]
    sittings: tuple[Sitting, ...]  # the panels from the first to the last one a request reaches

    @property
    def deadline_name(self) -> str:
        """``decision whether to assess``: what the panel must be in time for."""
        return lower_first(self.serves.title)

    def counts(self) -> dict[str, int]:
        return {status: sum(row.status == status for row in self.rows) for status in STATUSES}

    def gap_texts(self, written=long_date) -> list[str]:
        """Each gap in a sentence; ``written`` writes each date."""
        return [gap.text(self.deadline_name, written) for gap in self.gaps]

    def to_dict(self) -> dict:
        return {
            "process": self.process.id,
            "process_title": self.process.title,
            "calendar": self.calendar.id,
            "calendar_name": self.calendar.name,
            "schedule": self.schedule.to_dict(),
            "serves": {"id": self.serves.id, "title": self.serves.title},
            "needs": {"id": self.needs.id, "title": self.needs.title},
            "from": iso(self.first),
            "to": iso(self.last),
            "step": "week" if self.weekly else "day",
            "counts": self.counts(),
            "rows": [row.to_dict() for row in self.rows],
            "gaps": [
                {**gap.to_dict(), "text": text}
                for gap, text in zip(self.gaps, self.gap_texts(), strict=True)
            ],
            "panels": [sitting.to_dict() for sitting in self.sittings],
        }


def request_dates(first: date, last: date, weekly: bool = False) -> list[date]:
    """Each day from ``first`` to ``last``, or ``first`` and every 7 days after it.

    >>> [d.day for d in request_dates(date(2026, 7, 1), date(2026, 7, 20), weekly=True)]
    [1, 8, 15]
    """
    if last < first:
        raise InputError(
            f"the range ends on {long_date(last)}, before it starts on {long_date(first)}; "
            "give the earlier date first"
        )
    step = 7 if weekly else 1
    count = (last - first).days // step + 1
    if count > MAX_REQUESTS:
        raise InputError(
            f"{count} request dates is too many for one plan: plan at most {MAX_REQUESTS} "
            "(ten years of days), or use weekly dates"
        )
    return [first + timedelta(days=step * n) for n in range(count)]


def plan_panels(
    process: Process,
    calendar: Calendar,
    schedule: PanelSchedule,
    first: date,
    last: date,
    *,
    weekly: bool = False,
) -> PanelPlan:
    """Plan ``schedule`` for requests received from ``first`` to ``last`` (each day, or every 7
    days with ``weekly``)."""
    serves, needs = check_schedule(schedule, process)
    requests = request_dates(first, last, weekly)
    received = np.array(requests, dtype="datetime64[D]")
    projection = project_columns(process, calendar, Cases(received=received), as_of=first)
    ready = _dates(projection.projected[needs.id])
    deadline = _dates(projection.due[serves.id])
    sittings = _sittings_for(schedule, calendar, ready, deadline)
    cutoffs = np.array([s.cutoff for s in sittings], dtype="datetime64[D]")
    # Cut-offs rise with panel dates, so the first panel whose cut-off is on or after the
    # ready date is found by bisection.
    positions = np.searchsorted(cutoffs, projection.projected[needs.id]).tolist()
    rows = tuple(
        _row(
            (requests[i], ready[i], deadline[i]),
            projection.errors[i],
            sittings[positions[i]] if positions[i] < len(sittings) else None,
            schedule,
            calendar,
        )
        for i in range(len(requests))
    )
    if all(row.status == BEYOND_CALENDAR for row in rows):
        raise OutOfCoverage(f"none of the request dates can be planned: {rows[0].note}")
    reached = {row.panel for row in rows if row.panel}
    return PanelPlan(
        process=process,
        calendar=calendar,
        schedule=schedule,
        serves=serves,
        needs=needs,
        first=first,
        last=last,
        weekly=weekly,
        rows=rows,
        gaps=tuple(find_gaps(rows)),
        sittings=tuple(s for s in sittings if reached and min(reached) <= s.panel <= max(reached)),
    )


def _dates(column: np.ndarray) -> list[date | None]:
    return [None if np.isnat(value) else value.item() for value in column]


def _sittings_for(schedule, calendar, ready, deadline) -> list[Sitting]:
    """Every panel that can hear one of the ready dates: from the earliest to a year past the
    latest (the cut-off of the first one may fall before the earliest ready date)."""
    known = [day for day in ready if day is not None]
    if not known:
        return []
    first = min(known)
    last = max(known + [d for d in deadline if d is not None]) + timedelta(days=SEARCH_DAYS)
    return schedule.sittings(calendar, first, min(last, date.max))


def _row(dates, error, sitting, schedule, calendar) -> PlanRow:
    request, ready, deadline = dates
    if error is not None:
        return PlanRow(request, None, None, None, None, BEYOND_CALENDAR, error[1])
    known_from, known_to = schedule.known_between(calendar)
    if ready < known_from:
        return PlanRow(
            request,
            ready,
            deadline,
            None,
            None,
            BEYOND_CALENDAR,
            f"the panel dates before {long_date(known_from)} are not known: the term dates of "
            f"{calendar.id} begin then",
        )
    if sitting is not None:
        status = ON_TIME if sitting.panel <= deadline else LATE
        return PlanRow(request, ready, deadline, sitting.panel, sitting.cutoff, status)
    last = schedule.last_date()
    if known_to < ready + timedelta(days=SEARCH_DAYS) and (last is None or last > known_to):
        note = (
            f"no panel known after {long_date(ready)}: the term dates of {calendar.id} end on "
            f"{long_date(known_to)}, and term-time panel dates after that are not known"
        )
        return PlanRow(request, ready, deadline, None, None, BEYOND_CALENDAR, note)
    note = f"the schedule has no panel whose cut-off is on or after {long_date(ready)}"
    return PlanRow(request, ready, deadline, None, None, NO_PANEL, note)


def find_gaps(rows) -> list[Gap]:
    """Runs of consecutive rows that miss their deadline (late, or no panel at all)."""
    gaps, run = [], []
    for row in [*rows, None]:
        if row is not None and row.status in MISSED:
            run.append(row)
            continue
        if run:
            gaps.append(_gap(run))
            run = []
    return gaps


def _gap(run: list[PlanRow]) -> Gap:
    shortfalls = [-row.slack_days for row in run if row.slack_days is not None]
    return Gap(
        first=run[0].request,
        last=run[-1].request,
        requests=len(run),
        panels=tuple(sorted({row.panel for row in run if row.panel})),
        worst_shortfall_days=max(shortfalls) if shortfalls else None,
    )
