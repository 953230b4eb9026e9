"""Case timelines as feeds: one case for a parent's phone, many cases' open deadlines for a team.

Each milestone is one all-day event whose UID is ``<case>-<process>-<milestone>@<domain>``, so
exporting the same case again replaces its events instead of adding copies. The summary says
what is due without any name ("EHC plan: final plan due"); a label is added only when asked.

>>> from datetime import UTC, date, datetime
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import Case, load_process, project
>>> schedule = project(load_process("england-ehcna"), load_calendar("england-and-wales"),
...                    Case(received=date(2025, 9, 15)), as_of=date(2025, 9, 15))
>>> feed = schedule_feed(schedule, "EHC-0042", stamp=datetime(2025, 9, 15, tzinfo=UTC))
>>> final = [e for e in feed.walk("VEVENT") if e["UID"].startswith("EHC-0042-england-ehcna-final")]
>>> str(final[0]["UID"]), str(final[0]["SUMMARY"]), final[0]["DTSTART"].dt
('EHC-0042-england-ehcna-final_plan@send-clock.invalid', 'EHC plan: final plan due', \
datetime.date(2026, 2, 2))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

import icalendar

from ..dates import full_date
from ..errors import InputError
from ..timelines import MilestoneStatus, Schedule
from ..timelines.model import PRACTICE
from .feed import (
    CONFIRMED,
    DEFAULT_DOMAIN,
    DEFAULT_REFRESH,
    TENTATIVE,
    AllDay,
    build_feed,
    empty_note,
    parse_alarms,
    uid,
)
from .sequence import Sequences

#: Which date a team feed puts an open milestone on.
ON_DUE, ON_PROJECTED = "due", "projected"

#: The last part of the team feed's UIDs, before the ``@``.
TEAM = "team"

#: Statuses of a milestone whose date has gone by: no alarm for them.
OVERDUE = ("overdue", "late")


def schedule_feed(
    schedule: Schedule,
    case_ref: str,
    *,
    domain: str = DEFAULT_DOMAIN,
    label: str | None = None,
    alarms: Iterable[int] = (),
    previous: Sequences | bytes | str | None = None,
    stamp: datetime | None = None,
    name: str | None = None,
    refresh: timedelta = DEFAULT_REFRESH,
) -> icalendar.Calendar:
    """The feed of one case: an event per applicable milestone on its projected date (its actual
    date once recorded). ``label`` (opt-in, e.g. a first name or initials) prefixes each
    summary; ``alarms`` are days before each milestone still to come. The text depends on the
    case and on the day only where a status word changes (due soon, overdue), so the same
    case exported on another day gives the same events."""
    alarms = parse_alarms(alarms)
    label = _label(label)
    events = [
        milestone_event(schedule, status, case_ref, domain=domain, label=label, alarms=alarms)
        for status in schedule.milestones
        if _event_date(status, ON_PROJECTED) is not None
    ]
    process = schedule.process
    default_name = f"{process.title}, received {full_date(schedule.case.received)}"
    return build_feed(
        name or (f"{label} – {default_name}" if label else default_name),
        f"The milestones of the {process.title} for case {case_ref}, projected by send-clock on "
        f"the {schedule.calendar.name} calendar. Projected dates move when what happens is "
        "recorded; they are not legal advice.",
        events,
        stamp=stamp,
        previous=previous,
        refresh=refresh,
        alarms_from=schedule.as_of,
    )


def events_feed(
    cases: Iterable[tuple[str, Schedule]],
    *,
    domain: str = DEFAULT_DOMAIN,
    on: str = ON_DUE,
    alarms: Iterable[int] = (),
    previous: Sequences | bytes | str | None = None,
    stamp: datetime | None = None,
    name: str = "Open SEN deadlines",
    refresh: timedelta = DEFAULT_REFRESH,
    empty_on: date | None = None,
) -> icalendar.Calendar:
    """A team's feed: the open deadlines of many cases, each ``(case_ref, schedule)``. A
    milestone is open when it has no actual date and applies to the case; its event is on its
    due date (``on="projected"``: its projected date) and its summary starts with the case
    reference, which must therefore not be a name. With no open deadline, the feed holds one
    note, on ``empty_on`` (default: the day of ``stamp``). Its UIDs end in ``-team``, so that a
    calendar holding both this feed and a case's own feed holds two distinct events (RFC 4791
    5.3.2.1 refuses a second resource with the same UID)."""
    cases = list(cases)
    return build_feed(
        name,
        team_description(len(cases), on),
        team_events(cases, domain=domain, on=on, alarms=alarms),
        stamp=stamp,
        previous=previous,
        refresh=refresh,
        placeholder=empty_note(name, empty_on, domain) if empty_on else None,
    )


def team_events(
    cases: Iterable[tuple[str, Schedule]],
    *,
    domain: str = DEFAULT_DOMAIN,
    on: str = ON_DUE,
    alarms: Iterable[int] = (),
) -> Iterator[AllDay]:
    """The events of :func:`events_feed`, one at a time: the open milestones of each case."""
    alarms = parse_alarms(alarms)
    if on not in (ON_DUE, ON_PROJECTED):
        raise InputError(f"on must be {ON_DUE!r} or {ON_PROJECTED!r}, not {on!r}")
    for case_ref, schedule in cases:
        for status in schedule.milestones:
            event = team_event(schedule, status, case_ref, domain=domain, on=on, alarms=alarms)
            if event is not None:
                yield event


def team_event(
    schedule: Schedule,
    status: MilestoneStatus,
    case_ref: str,
    *,
    domain: str = DEFAULT_DOMAIN,
    on: str = ON_DUE,
    alarms: tuple[int, ...] = (),
) -> AllDay | None:
    """The team feed's event of one milestone, or None when it is not open (it happened,
    does not apply, or has nothing left to do) or has no date."""
    if (
        status.actual is not None
        or status.status in ("not_applicable", "unrecorded")  # nothing left to do
        or _event_date(status, on) is None
    ):
        return None
    return milestone_event(
        schedule,
        status,
        case_ref,
        domain=domain,
        label=case_ref,
        alarms=alarms,
        on=on,
        feed=TEAM,
    )


def team_description(count: int, on: str = ON_DUE, window: tuple[int, int] | None = None) -> str:
    """What a team feed says it holds: the open deadlines of ``count`` cases (with
    ``window``: those dated from so many days before today to so many days after it).

    >>> team_description(3, window=(14, 60))[:88]
    'Open statutory deadlines dated from 14 days before today to 60 days after it, of 3 cases'
    """
    dated = ""
    if window:
        before, after = window
        dated = f" dated from {_days(before)} before today to {_days(after)} after it,"
    return (
        f"Open statutory deadlines{dated} of {count} case{'s' if count != 1 else ''}, from "
        "send-clock. Each event is on the milestone's "
        + ("due date." if on == ON_DUE else "projected date (the due date is in its notes).")
    )


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def milestone_event(
    schedule: Schedule,
    status: MilestoneStatus,
    case_ref: str,
    *,
    domain: str = DEFAULT_DOMAIN,
    label: str | None = None,
    alarms: tuple[int, ...] = (),
    on: str = ON_PROJECTED,
    feed: str | None = None,
) -> AllDay:
    """The all-day event of one milestone of one case (``status.status`` not
    ``not_applicable``, and dated). ``feed`` names a feed whose UIDs must differ from the case
    feed's (``"team"``). Alarms only on a date still to come: none once the milestone happened,
    is overdue or its day is past."""
    process, milestone = schedule.process, status.milestone
    summary = f"{process.category or process.title}: {milestone.short_title or milestone.title}"
    day = _event_date(status, on)
    return AllDay(
        uid=uid(case_ref, process.id, milestone.id, *([feed] if feed else []), domain=domain),
        first=day,
        summary=f"{label} – {summary}" if label else summary,
        description=milestone_description(schedule, status, day),
        categories=(
            process.category or process.title,
            "Good practice" if milestone.kind == PRACTICE else "Statutory",
        ),
        status=TENTATIVE if status.conditional else CONFIRMED,
        alarms=alarms if _still_to_come(schedule, status, day) else (),
    )


def milestone_description(schedule: Schedule, status: MilestoneStatus, day: date) -> str:
    """What happens, when it is due against the date of the event, its status, its legal basis."""
    milestone = status.milestone
    lines = [milestone.description] if milestone.description else []
    if status.conditional:
        lines.append(_only_if(schedule, status))
    lines.append(_when(status, day))
    if status.target and not status.actual:
        lines.append(f"Good-practice target: {full_date(status.target)}.")
    if status.earliest and not status.actual:
        lines.append(f"Not before: {full_date(status.earliest)}.")
    lines.append(f"Status: {_status_text(status)}.")
    lines.extend(_exception_text(exception) for exception in status.exceptions)
    if milestone.kind == PRACTICE:
        lines.append("Good practice, not a statutory time limit.")
    lines.append(f"Legal basis: {milestone.basis.rstrip('.')}.")
    return "\n".join(lines)


def _when(status: MilestoneStatus, day: date) -> str:
    due, projected = status.due, status.projected
    if status.actual:
        late = f"; it was due by {full_date(due)}" if due and due != status.actual else ""
        return f"Happened on {full_date(status.actual)}{late}."
    if due is None:
        return f"Expected on {full_date(day)}."
    if projected is None or projected == due:
        return f"Due by {full_date(due)}."
    if day == projected:
        return f"Due by {full_date(due)}; projected for {full_date(day)}, the date of this event."
    return f"Due by {full_date(due)}, the date of this event; projected for {full_date(projected)}."


def _still_to_come(schedule: Schedule, status: MilestoneStatus, day: date) -> bool:
    return not status.actual and status.status not in OVERDUE and day >= schedule.as_of


def _exception_text(exception: dict) -> str:
    """``Exception: absence from area, Wednesday 1 October 2025 to ... (SEND Regulations ...).``"""
    window = exception["window"]
    period = f", {full_date(window['start'])} to {full_date(window['end'])}" if window else ""
    return f"Exception: {exception['kind'].replace('_', ' ')}{period} ({exception['basis']})."


def _status_text(status: MilestoneStatus) -> str:
    """The status in words; days late only once the date happened (a count that grows every
    day would change the event, and its SEQUENCE, every day)."""
    text = status.status.replace("_", " ")
    if status.days_late and status.actual:
        text += f" ({status.days_late} day{'s' if status.days_late != 1 else ''} late)"
    return text


def _only_if(schedule: Schedule, status: MilestoneStatus) -> str:
    """``Only if decision is agreed and outcome is no plan (not yet known).``"""
    conditions = [
        f"{c.branch.replace('_', ' ')} is {c.value.replace('_', ' ')}"
        for c in status.milestone.when
    ]
    unknown = [c.branch for c in status.milestone.when if schedule.outcomes.get(c.branch) is None]
    pending = " (not yet known)" if unknown else ""
    return f"Only if {' and '.join(conditions)}{pending}."


def _event_date(status: MilestoneStatus, on: str) -> date | None:
    if status.status == "not_applicable":
        return None
    if status.actual:
        return status.actual
    first, second = (
        (status.due, status.projected) if on == ON_DUE else (status.projected, status.due)
    )
    return first or second


def _label(label: str | None) -> str | None:
    label = " ".join((label or "").split())
    return label or None
