"""One case's timeline: validate what was recorded, project it, report each milestone.

>>> from datetime import date
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import load_process
>>> schedule = project(load_process("england-ehcna"), load_calendar("england-and-wales"),
...                    Case(received=date(2025, 9, 15)), as_of=date(2025, 9, 15))
>>> [(m.id, str(m.due)) for m in schedule.milestones][1:3]
[('decision_to_assess', '2025-10-27'), ('advice_requested', '2025-10-27')]
>>> schedule.milestone("final_plan").due
datetime.date(2026, 2, 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ..calendars import Calendar
from ..dates import iso, parse_date
from ..errors import InputError
from .excusals import RecordedException
from .model import Milestone, Process
from .onecase import OneProjection, project_one
from .projector import (
    NOT_APPLICABLE,
    STATUSES,
    UNKNOWN,
    Cases,
    Projection,
    closure_skipped_text,
    excusal_of,
    nat,
    project_columns,
)


@dataclass(frozen=True)
class Case:
    """What is known about one case: when it started, and what has happened since."""

    received: date
    events: Mapping[str, date] = field(default_factory=dict)  # milestone or case-date id -> date
    outcomes: Mapping[str, str] = field(default_factory=dict)  # branch -> value
    exceptions: tuple[RecordedException, ...] = ()
    params: Mapping[str, int] = field(default_factory=dict)
    case_id: str = ""


#: The fields of a milestone as a table row (the timeline CSV; a caseload's CSV after its case
#: columns), in order.
MILESTONE_COLUMNS = (
    "id",
    "title",
    "kind",
    "due",
    "target",
    "earliest",
    "projected",
    "actual",
    "status",
    "days_late",
    "conditional",
    "excusal",
    "exceptions",
    "basis",
)


@dataclass(frozen=True)
class MilestoneStatus:
    """One milestone of one case, as reported."""

    milestone: Milestone
    due: date | None
    target: date | None
    earliest: date | None
    projected: date | None
    actual: date | None
    status: str
    days_late: int | None
    conditional: bool
    exceptions: tuple[dict, ...]
    #: how an excused milestone was excused: "recorded" (an exception the authority recorded)
    #: or "detected" (a closure window send-clock found in the term dates); None otherwise
    excusal: str | None = None

    @property
    def id(self) -> str:
        return self.milestone.id

    def to_dict(self) -> dict:
        m = self.milestone
        return {
            "id": m.id,
            "title": m.title,
            "kind": m.kind,
            "due": iso(self.due),
            "target": iso(self.target),
            "earliest": iso(self.earliest),
            "projected": iso(self.projected),
            "actual": iso(self.actual),
            "status": self.status,
            "days_late": self.days_late,
            "basis": m.basis,
            "conditional": self.conditional,
            "excusal": self.excusal,
            "exceptions": [
                {
                    **e,
                    "window": {k: iso(v) for k, v in e["window"].items()} if e["window"] else None,
                }
                for e in self.exceptions
            ],
        }


def exception_text(exception: dict) -> str:
    """One exception of :meth:`MilestoneStatus.to_dict` as a table cell: ``kind FROM..TO
    (source)``, or ``kind (source)`` without a window.

    >>> exception_text({"kind": "absence_from_area", "source": "recorded", "basis": "",
    ...                 "window": {"start": "2025-10-01", "end": "2025-11-05"}})
    'absence_from_area 2025-10-01..2025-11-05 (recorded)'
    """
    window = exception["window"]
    period = f" {window['start']}..{window['end']}" if window else ""
    return f"{exception['kind']}{period} ({exception['source']})"


@dataclass(frozen=True)
class Schedule:
    process: Process
    calendar: Calendar
    case: Case
    as_of: date
    milestones: tuple[MilestoneStatus, ...]
    outcomes: Mapping[str, str | None]
    warnings: tuple[str, ...] = ()

    def milestone(self, milestone_id: str) -> MilestoneStatus:
        return next(m for m in self.milestones if m.id == milestone_id)

    def to_dict(self) -> dict:
        return {
            "process": self.process.id,
            "calendar": self.calendar.id,
            "received": iso(self.case.received),
            "as_of": iso(self.as_of),
            "outcomes": dict(self.outcomes),
            "milestones": [m.to_dict() for m in self.milestones],
            "warnings": list(self.warnings),
        }


# -- from cases to columns, checking what was recorded ------------------------------------------
def check_case(process: Process, case: Case) -> None:
    """Raise :class:`InputError` for anything recorded that ``process`` does not know."""
    for key in case.events:
        if key not in process.ids and key not in process.dates:
            dates = f"; case dates: {', '.join(process.dates)}" if process.dates else ""
            raise InputError(
                f"{key!r} is not a milestone of {process.id}; the milestones are: "
                f"{', '.join(process.ids)}{dates}"
            )
        if key == process.start and case.events[key] != case.received:
            raise InputError(
                f"{key} is the start date, {case.received}, so it cannot be dated "
                f"{case.events[key]}; give the start date as the received date instead"
            )
    for branch_id, value in case.outcomes.items():
        branch = process.branches.get(branch_id)
        if branch is None:
            known = ", ".join(process.branches) or "none"
            raise InputError(
                f"{branch_id!r} is not a branch of {process.id}; its branches: {known}"
            )
        if value not in branch.values:
            raise InputError(
                f"{branch_id}={value!r}: {branch_id} is one of {', '.join(branch.values)}"
            )
    for key, value in case.params.items():
        if key not in process.params:
            known = ", ".join(process.params) or "none"
            raise InputError(f"{key!r} is not a parameter of {process.id}; its parameters: {known}")
        if not isinstance(value, int) or not 1900 <= value <= 2200:
            raise InputError(f"{key}={value!r}: give a year, e.g. 2027")
    for exception in case.exceptions:
        exception.check(process)


def columns_of(process: Process, cases: list[Case]) -> Cases:
    """The column form of ``cases`` (each checked first)."""
    for case in cases:
        check_case(process, case)
    size = len(cases)

    def column(key: str) -> np.ndarray | None:
        if not any(key in case.events for case in cases):
            return None
        values = nat(size)
        for position, case in enumerate(cases):
            if key in case.events:
                values[position] = np.datetime64(case.events[key], "D")
        return values

    return Cases(
        received=np.array([case.received for case in cases], dtype="datetime64[D]"),
        actual={m: c for m in process.ids if (c := column(m)) is not None},
        dates={d: c for d in process.dates if (c := column(d)) is not None},
        outcomes={
            b.id: np.array(
                [
                    b.values.index(case.outcomes[b.id]) if b.id in case.outcomes else UNKNOWN
                    for case in cases
                ],
                dtype=np.int8,
            )
            for b in process.branches.values()
        },
        params={
            p: np.array([case.params.get(p, UNKNOWN) for case in cases], dtype=np.int64)
            for p in process.params
        },
        exceptions={i: case.exceptions for i, case in enumerate(cases) if case.exceptions},
    )


def cases_of(process: Process, cases: Cases, case_ids) -> list[Case]:
    """The inverse of :func:`columns_of`: one :class:`Case` per position of the columns, with
    ``case_ids`` as their ids (for storing what a caseload file recorded)."""
    found = []
    dated = {**cases.actual, **cases.dates}
    for position, case_id in enumerate(case_ids):
        events = {
            key: column[position].item()
            for key, column in dated.items()
            if not np.isnat(column[position])
        }
        outcomes = {
            branch: process.branches[branch].values[int(column[position])]
            for branch, column in cases.outcomes.items()
            if column[position] != UNKNOWN
        }
        params = {
            key: int(column[position])
            for key, column in cases.params.items()
            if column[position] != UNKNOWN
        }
        found.append(
            Case(
                received=cases.received[position].item(),
                events=events,
                outcomes=outcomes,
                exceptions=tuple(cases.exceptions.get(position, ())),
                params=params,
                case_id=str(case_id),
            )
        )
    return found


def project(
    process: Process, calendar: Calendar, case: Case, as_of: date | None = None
) -> Schedule:
    """The timeline of one case as of ``as_of`` (default today). Raises the case's error.

    One case goes through the plain-Python projector (:mod:`.onecase`), which gives the same
    schedule as a batch of one through the column-wise one (:func:`project_by_columns`)
    without numpy's fixed cost."""
    as_of = as_of or date.today()
    one, outcomes, warnings = _projected_one(process, calendar, case, as_of)
    windows = calendar.qualifying_windows
    milestones = tuple(
        _milestone_status(
            milestone,
            case.received,
            due=one.due[key],
            target=one.target[key],
            earliest=one.earliest[key],
            projected=one.projected[key],
            actual=one.actual[key],
            status=one.status[key],
            days_late=one.days_late[key],
            conditional=one.conditional[key],
            window=one.closure_window[key],
            recorded=one.recorded.get(key, ()),
            windows=windows,
        )
        for milestone in process.milestones
        for key in (milestone.id,)
    )
    return Schedule(process, calendar, case, as_of, milestones, outcomes, warnings)


def _projected_one(
    process: Process, calendar: Calendar, case: Case, as_of: date
) -> tuple[OneProjection, dict[str, str | None], tuple[str, ...]]:
    """The case checked and projected by :mod:`.onecase`, with its outcomes by name and its
    warnings: what :func:`project` and :func:`project_to_dict` share."""
    check_case(process, case)
    one = project_one(process, calendar, case, as_of)
    skipped = [m.id for m in process.milestones if one.closure_skipped[m.id]]
    outcomes = {
        branch.id: branch.values[value] if (value := one.outcomes[branch.id]) != UNKNOWN else None
        for branch in process.branches.values()
    }
    warnings = (*_future_warnings(case, as_of), *_skipped_warnings(calendar, skipped))
    return one, outcomes, warnings


def project_to_dict(
    process: Process, calendar: Calendar, case: Case, as_of: date | None = None
) -> dict:
    """``project(...).to_dict()`` as the timeline's response model dumps it: the same fields in
    the same order, with dates as ``date`` objects (a JSON encoder writes them as ISO text).

    Why apart from :meth:`Schedule.to_dict`: the API's timeline route writes this dict as it is
    (see ``service.direct.JSONOut``), and building a :class:`MilestoneStatus` per milestone (a
    revised milestone copied whole by :meth:`Milestone.at <.model.Milestone.at>`), then a dict
    of it with every date made text, cost that route as much as the projection itself.
    ``tests/service/test_timeline_answer.py`` holds the two to the same answer for every
    bundled process."""
    as_of = as_of or date.today()
    one, outcomes, warnings = _projected_one(process, calendar, case, as_of)
    windows = calendar.qualifying_windows
    return {
        "process": process.id,
        "calendar": calendar.id,
        "received": case.received,
        "as_of": as_of,
        "outcomes": outcomes,
        "milestones": [
            _milestone_dict(milestone, one, case.received, windows)
            for milestone in process.milestones
        ],
        "warnings": list(warnings),
    }


def _milestone_dict(milestone: Milestone, one: OneProjection, received: date, windows) -> dict:
    """One milestone of :func:`project_to_dict`: :meth:`MilestoneStatus.to_dict`'s fields, in
    its order, from the one-case projection's values."""
    key = milestone.id
    status, window, days_late = one.status[key], one.closure_window[key], one.days_late[key]
    recorded = one.recorded.get(key, ())
    revision = milestone.revision_on(received)  # the rules in force when it began
    return {
        "id": key,
        "title": milestone.title,
        "kind": milestone.kind,
        "due": one.due[key],
        "target": one.target[key],
        "earliest": one.earliest[key],
        "projected": one.projected[key],
        "actual": one.actual[key],
        "status": STATUSES[status],
        "days_late": days_late if days_late >= 0 else None,
        "basis": milestone.basis if revision is None else revision.basis,
        "conditional": one.conditional[key],
        "excusal": excusal_of(status, bool(recorded), window) or None,
        # most milestones have none: neither a closure window nor a recorded exception
        "exceptions": list(_exceptions(milestone, status, window, recorded, windows))
        if recorded or window >= 0
        else [],
    }


def project_by_columns(
    process: Process, calendar: Calendar, case: Case, as_of: date | None = None
) -> Schedule:
    """:func:`project` through the column-wise projector, as a batch of one: the path every
    caseload takes, kept for the differential tests and the benchmark."""
    as_of = as_of or date.today()
    projection = project_columns(process, calendar, columns_of(process, [case]), as_of)
    error = projection.errors[0]
    if error is not None:
        error_class, message = error
        raise error_class(message)
    return schedule_at(projection, 0, case, _future_warnings(case, as_of))


def _future_warnings(case: Case, as_of: date) -> tuple[str, ...]:
    return tuple(
        f"{key} is dated {day}, after the as-of date {as_of}: it is treated as not yet happened"
        for key, day in case.events.items()
        if day > as_of
    )


def _skipped_warnings(calendar: Calendar, skipped: list[str]) -> tuple[str, ...]:
    # never silently: the exception was not checked, not found absent
    return (closure_skipped_text(calendar, skipped),) if skipped else ()


def schedule_at(
    projection: Projection, position: int, case: Case, warnings: tuple[str, ...] = ()
) -> Schedule:
    """The :class:`Schedule` of the case at ``position`` of a projection."""
    process, calendar = projection.process, projection.calendar
    windows = calendar.qualifying_windows
    skipped = [m.id for m in process.milestones if projection.closure_skipped[m.id][position]]
    warnings = (*warnings, *_skipped_warnings(calendar, skipped))
    milestones = tuple(
        _milestone_status(
            milestone,
            case.received,
            due=_day(projection.due[key][position]),
            target=_day(projection.target[key][position]),
            earliest=_day(projection.earliest[key][position]),
            projected=_day(projection.projected[key][position]),
            actual=_day(projection.actual[key][position]),
            status=int(projection.status[key][position]),
            days_late=int(projection.days_late[key][position]),
            conditional=bool(projection.conditional[key][position]),
            window=int(projection.closure_window[key][position]),
            recorded=projection.recorded.get((position, key), ()),
            windows=windows,
        )
        for milestone in process.milestones
        for key in (milestone.id,)
    )
    outcomes = {
        branch.id: (
            branch.values[value]
            if (value := int(projection.outcomes[branch.id][position])) != UNKNOWN
            else None
        )
        for branch in process.branches.values()
    }
    return Schedule(process, calendar, case, projection.as_of, milestones, outcomes, warnings)


def _milestone_status(
    milestone: Milestone,
    received: date,
    *,
    due: date | None,
    target: date | None,
    earliest: date | None,
    projected: date | None,
    actual: date | None,
    status: int,
    days_late: int,
    conditional: bool,
    window: int,
    recorded,
    windows,
) -> MilestoneStatus:
    """One milestone as reported, from either projector's values."""
    return MilestoneStatus(
        milestone=milestone.at(received),  # the rules in force when it began
        due=due,
        target=target,
        earliest=earliest,
        projected=projected,
        actual=actual,
        status=STATUSES[status],
        days_late=days_late if days_late >= 0 else None,
        conditional=conditional,
        exceptions=_exceptions(milestone, status, window, recorded, windows),
        excusal=excusal_of(status, bool(recorded), window) or None,
    )


def _exceptions(milestone: Milestone, status: int, window: int, recorded, windows) -> tuple:
    if status == NOT_APPLICABLE:
        return ()
    found = []
    if window >= 0:
        found.append(
            {
                "kind": "school_closure",
                "source": "calendar",
                "basis": milestone.excused_by["school_closure"],
                "window": {"start": windows[window].start, "end": windows[window].end},
            }
        )
    for exception in recorded:
        found.append(
            {
                "kind": exception.kind,
                "source": "recorded",
                "basis": milestone.excused_by[exception.kind],
                "window": exception.window,
            }
        )
    return tuple(found)


def _day(value: np.datetime64) -> date | None:
    return None if np.isnat(value) else value.item()


def parse_assignments(texts, what: str) -> dict[str, str]:
    """``["draft_plan=2026-01-26", ...]`` -> ``{"draft_plan": "2026-01-26"}``."""
    found = {}
    for text in texts:
        key, equals, value = str(text).partition("=")
        if not equals or not key.strip() or not value.strip():
            raise InputError(
                f"{text!r}: write each {what} as NAME=VALUE, e.g. "
                + ("draft_plan=2026-01-26" if what == "event" else "outcome=plan")
            )
        found[key.strip()] = value.strip()
    return found


def parse_events(texts) -> dict[str, date]:
    return {
        key: parse_date(value, f"date of {key}")
        for key, value in parse_assignments(texts, "event").items()
    }


def parse_params(texts) -> dict[str, int]:
    found = {}
    for key, value in parse_assignments(texts, "parameter").items():
        try:
            found[key] = int(value)
        except ValueError:
            raise InputError(f"{key}={value!r}: give a whole number, e.g. 2027") from None
    return found
