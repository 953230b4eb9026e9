"""The request calendar: which weeks are good for a school to submit a request.

SEN teams publish a table of submission weeks so that the assessment (weeks 6–12 after the
request) and the consultation on the draft plan (weeks 16–17) do not fall in a school closure
of two weeks or more (Wolverhampton's "EHCNA Request Calendar", Swindon's "good" weeks;
statutory-rules.md §6).

Conventions:

* a submission week is named by its **Monday** S, and the request is taken as received that day;
* week n after submission is the seven days from S + 7n to S + 7n + 6 (a Monday to a Sunday), so
  weeks 6–12 run from S + 42 (the 6-week decision date) to S + 90 and weeks 16–17 from S + 112
  to S + 125;
* a closure is a calendar closure of 14 days or more (:meth:`Calendar.closures` with
  ``min_days=14``: Christmas, Easter, summer, and a two-week half term), weekends around it
  included; a period **clashes** with it when they share a weekday (a period that touches only
  the weekend before a holiday is clear);
* the verdict is ``avoid`` when either period clashes, or when the process's final milestone is
  projected after its due date (Jersey: advice is counted in term weeks, so a request before a
  long holiday cannot finish in 20 weeks); ``good`` otherwise.

>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import load_process
>>> table = request_calendar(load_process("england-ehcna"), load_calendar("surrey"),
...                          date(2025, 9, 8), date(2025, 9, 15))
>>> [(str(w.monday), w.verdict) for w in table.weeks]
[('2025-09-08', 'avoid'), ('2025-09-15', 'good')]
>>> print(table.weeks[0].reason)
consultation (weeks 16–17, 29 Dec 2025 – 11 Jan 2026) overlaps the Christmas closure
20 Dec 2025 – 4 Jan 2026
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from ..calendars import Calendar, Closure
from ..calendars.units import TERM_UNITS, describe
from ..dates import iso, long_date
from ..errors import InputError, OutOfCoverage
from ..timelines import Cases, Milestone, Process, project_columns
from .text import closure_name, closure_text, lower_first, short_range

ASSESSMENT, CONSULTATION = "assessment", "consultation"
#: The periods the request calendar keeps clear, as (first week, last week) after submission.
PERIODS = {ASSESSMENT: (6, 12), CONSULTATION: (16, 17)}
#: A closure this long or longer is one a period should not fall in.
LONG_CLOSURE_DAYS = 14
GOOD, AVOID = "good", "avoid"
VERDICTS = (GOOD, AVOID)


@dataclass(frozen=True)
class Period:
    """A period after submission (weeks ``first_week`` to ``last_week``) and the long closures
    it clashes with."""

    name: str
    first_week: int
    last_week: int
    start: date
    end: date
    closures: tuple[Closure, ...] = ()

    @classmethod
    def after(cls, monday: date, name: str, closures: list[Closure]) -> Period:
        """The period ``name`` of a request submitted on ``monday``, with its clashes."""
        first_week, last_week = PERIODS[name]
        start = monday + timedelta(weeks=first_week)
        end = monday + timedelta(weeks=last_week + 1, days=-1)
        clashes = tuple(c for c in closures if _share_a_weekday(start, end, c.start, c.end))
        return cls(name, first_week, last_week, start, end, clashes)

    @property
    def clear(self) -> bool:
        return not self.closures

    @property
    def label(self) -> str:
        """``consultation (weeks 16–17, 5–18 Jan 2026)``."""
        weeks = f"weeks {self.first_week}–{self.last_week}"
        return f"{self.name} ({weeks}, {short_range(self.start, self.end)})"

    def clashes(self) -> list[tuple[str, Closure]]:
        """``("falls in", closure)`` for a closure that holds the whole period, else
        ``("overlaps", closure)``."""
        return [
            ("falls in" if c.start <= self.start and self.end <= c.end else "overlaps", c)
            for c in self.closures
        ]

    def clash_text(self) -> str:
        """What the period falls in, in words (empty when it is clear)."""
        parts = [f"{verb} {closure_text(closure)}" for verb, closure in self.clashes()]
        return f"{self.label} {' and '.join(parts)}" if parts else ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "weeks": [self.first_week, self.last_week],
            "start": iso(self.start),
            "end": iso(self.end),
            "clear": self.clear,
            "closures": [closure_dict(c) for c in self.closures],
        }


@dataclass(frozen=True)
class FinalCheck:
    """Whether the process's final milestone is projected on time for a request that week."""

    milestone: Milestone
    due: date
    projected: date
    limit: str  # "20 weeks", or "" when the rule is not a plain count from the request

    @property
    def on_time(self) -> bool:
        return self.projected <= self.due

    @property
    def days_late(self) -> int:
        return max((self.projected - self.due).days, 0)

    def text(self, term_counted: str = "") -> str:
        """Whether the limit can be met, in words."""
        title = lower_first(self.milestone.title)
        limit = f"the {self.limit}" if self.limit else "the time limit"
        if self.on_time:
            return f"{limit} can be met: {title} projected by {long_date(self.due)}"
        because = f", because {term_counted}" if term_counted else ""
        days = f"{self.days_late} day{'s' * (self.days_late != 1)}"
        return (
            f"{limit} cannot be met: {title} projected {long_date(self.projected)}, {days} after "
            f"its due date {long_date(self.due)}{because}"
        )

    def to_dict(self) -> dict:
        return {
            "milestone": self.milestone.id,
            "title": self.milestone.title,
            "limit": self.limit,
            "due": iso(self.due),
            "projected": iso(self.projected),
            "on_time": self.on_time,
            "days_late": self.days_late,
        }


@dataclass(frozen=True)
class SubmissionWeek:
    """One row of the request calendar."""

    monday: date
    assessment: Period
    consultation: Period
    final: FinalCheck
    verdict: str
    reasons: tuple[str, ...]

    @property
    def friday(self) -> date:
        return self.monday + timedelta(days=4)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def to_dict(self) -> dict:
        return {
            "week": iso(self.monday),
            "assessment": self.assessment.to_dict(),
            "consultation": self.consultation.to_dict(),
            "final": self.final.to_dict(),
            "verdict": self.verdict,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class RequestCalendar:
    """The submission weeks from ``first`` to ``last`` for one process and calendar."""

    process: Process
    calendar: Calendar
    first: date
    last: date
    weeks: tuple[SubmissionWeek, ...]
    closures: tuple[Closure, ...]  # the long closures the weeks' periods can reach
    term_counted: str = ""  # e.g. "professional advice due is counted in term weeks"

    def counts(self) -> dict[str, int]:
        return {verdict: sum(w.verdict == verdict for w in self.weeks) for verdict in VERDICTS}

    def to_dict(self) -> dict:
        return {
            "process": self.process.id,
            "process_title": self.process.title,
            "calendar": self.calendar.id,
            "calendar_name": self.calendar.name,
            "term_dates": self.calendar.status,
            "from": iso(self.first),
            "to": iso(self.last),
            "periods": {name: list(weeks) for name, weeks in PERIODS.items()},
            "long_closure_days": LONG_CLOSURE_DAYS,
            "term_counted": self.term_counted,
            "counts": self.counts(),
            "closures": [closure_dict(c) for c in self.closures],
            "weeks": [week.to_dict() for week in self.weeks],
        }


def closure_dict(closure: Closure) -> dict:
    """A closure as plain data: its name, first and last day, re-opening and length."""
    return {
        "name": closure_name(closure),
        "start": iso(closure.start),
        "end": iso(closure.end),
        "reopens": iso(closure.reopens),
        "days": closure.days,
        "kind": closure.kind,
        "after_term": closure.after_term,
    }


# -- building it -------------------------------------------------------------------------------
def submission_mondays(first: date, last: date) -> list[date]:
    """The Mondays of the weeks that hold a day from ``first`` to ``last``.

    >>> [str(d) for d in submission_mondays(date(2025, 9, 3), date(2025, 9, 15))]
    ['2025-09-01', '2025-09-08', '2025-09-15']
    """
    if last < first:
        raise InputError(
            f"the range ends on {long_date(last)}, before it starts on {long_date(first)}; "
            "give the earlier date first"
        )
    monday = first - timedelta(days=first.weekday())
    weeks = (last - monday).days // 7 + 1
    return [monday + timedelta(weeks=n) for n in range(weeks)]


def judgeable_weeks(calendar: Calendar) -> tuple[date, date]:
    """The first and last submission Mondays whose periods lie inside the calendar's term
    dates (so that every closure they could fall in is known)."""
    coverage = calendar.coverage
    if coverage is None:
        calendar.closures()  # raises the calendar's own "no term dates" error
    start, end = coverage
    earliest = start - timedelta(weeks=PERIODS[ASSESSMENT][0])
    latest = end - timedelta(weeks=PERIODS[CONSULTATION][1] + 1, days=-1)
    first = earliest + timedelta(days=(7 - earliest.weekday()) % 7)
    last = latest - timedelta(days=latest.weekday())
    return first, last


def request_calendar(
    process: Process, calendar: Calendar, first: date, last: date
) -> RequestCalendar:
    """The request calendar of ``process`` on ``calendar`` for the submission weeks holding
    ``first`` to ``last``. A week whose periods reach past the calendar's term dates is an
    :class:`~send_clock.errors.OutOfCoverage` error naming them."""
    _check_process(process)
    mondays = submission_mondays(first, last)
    _check_coverage(calendar, mondays)
    closures = calendar.closures(min_days=LONG_CLOSURE_DAYS)
    finals = _final_checks(process, calendar, mondays)
    term_counted = _term_counted(process)
    weeks = tuple(
        _week(monday, closures, final, term_counted)
        for monday, final in zip(mondays, finals, strict=True)
    )
    reach = (mondays[0] + timedelta(weeks=PERIODS[ASSESSMENT][0]), weeks[-1].consultation.end)
    return RequestCalendar(
        process=process,
        calendar=calendar,
        first=first,
        last=last,
        weeks=weeks,
        closures=tuple(c for c in closures if c.start <= reach[1] and c.end >= reach[0]),
        term_counted=term_counted,
    )


def _week(monday: date, closures: list[Closure], final: FinalCheck, term_counted: str):
    assessment = Period.after(monday, ASSESSMENT, closures)
    consultation = Period.after(monday, CONSULTATION, closures)
    problems = [p.clash_text() for p in (assessment, consultation) if not p.clear]
    if not final.on_time:
        problems.append(final.text(term_counted))
    if problems:
        return SubmissionWeek(monday, assessment, consultation, final, AVOID, tuple(problems))
    reasons = [
        f"{assessment.label} and {consultation.label} are clear of school closures of two "
        "weeks or more"
    ]
    if term_counted:
        reasons.append(final.text())
    return SubmissionWeek(monday, assessment, consultation, final, GOOD, tuple(reasons))


def _check_process(process: Process) -> None:
    if process.start != "request_received":
        raise InputError(
            f"the request calendar is for processes that start with a request (such as "
            f"england-ehcna or jersey-ron); {process.id} starts from: "
            f"{process.start_label.lower()}"
        )


def _check_coverage(calendar: Calendar, mondays: list[date]) -> None:
    first_ok, last_ok = judgeable_weeks(calendar)
    outside = [m for m in mondays if not first_ok <= m <= last_ok]
    if not outside:
        return
    start, end = calendar.coverage
    raise OutOfCoverage(
        f"the submission week of {long_date(outside[0])} cannot be judged: its assessment and "
        f"consultation periods (weeks 6 to 17 after it) need term dates that calendar "
        f"{calendar.id!r} does not have (it has them from {long_date(start)} to "
        f"{long_date(end)}); choose submission weeks from {long_date(first_ok)} to "
        f"{long_date(last_ok)}, or use a calendar with more term dates"
    )


def _final_checks(process: Process, calendar: Calendar, mondays: list[date]) -> list[FinalCheck]:
    """Each week's final milestone, projected on the column path (one run for all weeks)."""
    final = [m for m in process.milestones if m.due is not None][-1]
    received = np.array(mondays, dtype="datetime64[D]")
    projection = project_columns(process, calendar, Cases(received=received), as_of=mondays[0])
    for monday, error in zip(mondays, projection.errors, strict=True):
        if error is not None:
            error_class, message = error
            raise error_class(f"the submission week of {long_date(monday)}: {message}")
    limit = _limit(process, final)
    return [
        FinalCheck(final, due.item(), projected.item(), limit)
        for due, projected in zip(
            projection.due[final.id], projection.projected[final.id], strict=True
        )
    ]


def _limit(process: Process, milestone: Milestone) -> str:
    steps = milestone.due.steps
    if len(steps) == 1 and steps[0].anchor == process.start:
        return describe(steps[0].amount, steps[0].unit)
    return ""


def _term_counted(process: Process) -> str:
    """``professional advice due is counted in term weeks`` when a rule counts term time."""
    for milestone in process.milestones:
        for step in milestone.due.steps if milestone.due else ():
            if step.unit in TERM_UNITS:
                what = lower_first(milestone.title)
                return f"{what} is counted in {step.unit.replace('-', ' ')}"
    return ""


def _share_a_weekday(first: date, last: date, start: date, end: date) -> bool:
    """Whether ``first``–``last`` and ``start``–``end`` have a Monday-to-Friday day in common."""
    low, high = max(first, start), min(last, end)
    if low > high:
        return False
    return (high - low).days >= 2 or any(
        (low + timedelta(days=n)).weekday() < 5 for n in range((high - low).days + 1)
    )
