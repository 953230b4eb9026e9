"""Panel dates and good submission weeks as iCalendar feeds (all-day events, via
:mod:`send_clock.ical`).

UIDs are made from identity only, so a later export replaces the same events:
``<schedule>-panel-<date>@<domain>`` and ``<calendar>-<process>-good-week-<monday>@<domain>``.

>>> from datetime import UTC, date, datetime
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import load_process
>>> from send_clock.panels import request_calendar
>>> table = request_calendar(load_process("england-ehcna"), load_calendar("surrey"),
...                          date(2025, 9, 15), date(2025, 9, 22))
>>> feed = request_calendar_feed(table, stamp=datetime(2025, 9, 1, tzinfo=UTC))
>>> [(str(e["UID"]), e["DTSTART"].dt, e["DTEND"].dt) for e in feed.walk("VEVENT")][0]
('surrey-england-ehcna-good-week-2025-09-15@send-clock.invalid', datetime.date(2025, 9, 15), \
datetime.date(2025, 9, 20))
"""

from __future__ import annotations

from datetime import datetime

from ..dates import full_date
from ..ical import DEFAULT_DOMAIN, AllDay, Sequences, build_feed, uid
from .planning import PanelPlan
from .request_calendar import GOOD, RequestCalendar, SubmissionWeek
from .text import full_range

PANEL, GOOD_WEEK = "Panel", "Good submission week"


def plan_feed(
    plan: PanelPlan,
    *,
    domain: str = DEFAULT_DOMAIN,
    stamp: datetime | None = None,
    previous: Sequences | bytes | str | None = None,
):
    """The panel dates of ``plan`` (every panel up to the last one a request in the plan
    reaches), each with its paperwork cut-off in the description. ``previous``: the last
    export, whose SEQUENCE each unchanged event keeps."""
    schedule = plan.schedule
    events = [
        AllDay(
            uid=uid(schedule.id, "panel", sitting.panel.isoformat(), domain=domain),
            first=sitting.panel,
            summary=schedule.title,
            description=(
                f"{schedule.title}: decides the {plan.deadline_name}. Papers must be in on or "
                f"before {full_date(sitting.cutoff)} ({schedule.cutoff})."
            ),
            categories=(PANEL,),
        )
        for sitting in plan.sittings
    ]
    return build_feed(
        f"{schedule.title}: panel dates",
        f"Panel dates of {schedule.title} ({plan.process.title}, calendar {plan.calendar.name}), "
        "with their paperwork cut-offs. From send-clock.",
        events,
        stamp=stamp,
        previous=previous,
    )


def request_calendar_feed(
    table: RequestCalendar,
    *,
    domain: str = DEFAULT_DOMAIN,
    stamp: datetime | None = None,
    previous: Sequences | bytes | str | None = None,
):
    """The good submission weeks of ``table``, each an all-day event from Monday to Friday;
    ``previous`` as for :func:`plan_feed`."""
    events = [_good_week(table, week, domain) for week in table.weeks if week.verdict == GOOD]
    return build_feed(
        f"Good weeks to submit a request: {table.process.title}",
        f"Submission weeks whose assessment (weeks 6 to 12) and consultation on the draft "
        f"(weeks 16 to 17) stay clear of school closures of two weeks or more, on the "
        f"{table.calendar.name} calendar. From send-clock.",
        events,
        stamp=stamp,
        previous=previous,
    )


def _good_week(table: RequestCalendar, week: SubmissionWeek, domain: str) -> AllDay:
    process, calendar = table.process, table.calendar
    return AllDay(
        uid=uid(calendar.id, process.id, "good-week", week.monday.isoformat(), domain=domain),
        first=week.monday,
        last=week.friday,
        summary=f"Good week to submit a request ({process.category or process.title})",
        description=(
            f"A request received {full_range(week.monday, week.friday)}: the assessment runs "
            f"{full_range(week.assessment.start, week.assessment.end)} and the consultation on "
            f"the draft {full_range(week.consultation.start, week.consultation.end)}, clear of "
            "school closures of two weeks or more."
        ),
        categories=(GOOD_WEEK,),
    )
