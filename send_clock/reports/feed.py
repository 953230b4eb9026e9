"""A caseload's open deadlines as a team's iCalendar feed (``send-clock breaches --format ics``).

The feed is :func:`~send_clock.ical.events_feed` over the report's cases: an all-day event for
each milestone with no actual date that applies to the case, UIDs
``<case>-<process>-<milestone>-team@<domain>``. Only the open cases (those the summary counts as
open: the last milestone that applies is not recorded yet) with at least one such milestone become a
:class:`~send_clock.timelines.Schedule`; a closed case has nothing left to chase, so the
milestones it went past without recording them are not in the feed. Where the source records
some milestones only (SEN2), the feed has those, as the worklists do.

A feed is one document held in memory, with one Schedule per open case: it is meant for a
team's open caseload (hundreds or a few thousand cases), not a million rows.

>>> from datetime import UTC, date, datetime
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import Case, load_process
>>> from send_clock.reports.batches import Report, batch_from_cases
>>> batch, _ = batch_from_cases(load_process("england-ehcna"),
...     load_calendar("england-and-wales"),
...     [Case(date(2025, 1, 6), {"final_plan": date(2025, 5, 23)}, case_id="EHC-1"),
...      Case(date(2025, 11, 3), case_id="EHC-2")],
...     as_of=date(2025, 12, 1))
>>> feed, rejected = deadlines_feed(Report(date(2025, 12, 1), [batch]),
...                                 stamp=datetime(2025, 12, 1, tzinfo=UTC))
>>> [str(event["UID"]) for event in feed.walk("VEVENT")][:2], rejected
(['EHC-2-england-ehcna-decision_to_assess-team@send-clock.invalid', \
'EHC-2-england-ehcna-advice_requested-team@send-clock.invalid'], [])
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import icalendar
import numpy as np

from ..errors import InputError
from ..ical import check_reference, events_feed
from ..timelines import Case, Schedule, schedule_at
from ..timelines.projector import NOT_APPLICABLE
from .batches import CaseBatch, Rejected, Report
from .summary import open_cases


def open_positions(batch: CaseBatch) -> np.ndarray:
    """Positions of the open cases of ``batch`` with at least one open milestone: no actual
    date, applies to the case (conditional ones too), and dated."""
    projection = batch.projection
    waiting = np.zeros(len(batch), dtype=bool)
    for milestone in batch.reported_milestones:
        dated = ~np.isnat(projection.due[milestone]) | ~np.isnat(projection.projected[milestone])
        waiting |= (
            np.isnat(projection.actual[milestone])
            & (projection.status[milestone] != NOT_APPLICABLE)
            & dated
        )
    return np.flatnonzero(waiting & open_cases(batch))


def open_schedules(batches: Sequence[CaseBatch]) -> Iterator[tuple[CaseBatch, int, Schedule]]:
    """``(batch, position, schedule)`` of each case of :func:`open_positions`, in the batches'
    order. The schedule's case holds the received date and the actual dates; its milestones are
    the batch's reported milestones."""
    for batch in batches:
        projection, process = batch.projection, batch.process
        reported = set(batch.reported_milestones)
        for position in open_positions(batch).tolist():
            actual = {
                milestone: day.item()
                for milestone in process.ids
                if milestone != process.start
                and not np.isnat(day := projection.actual[milestone][position])
            }
            case = Case(
                received=batch.received[position].item(),
                events=actual,
                case_id=str(batch.case_ids[position]),
            )
            schedule = schedule_at(projection, position, case)
            if batch.reported is not None:
                schedule = replace(
                    schedule,
                    milestones=tuple(m for m in schedule.milestones if m.id in reported),
                )
            yield batch, position, schedule


def deadlines_feed(report: Report, **options) -> tuple[icalendar.Calendar, list[Rejected]]:
    """The team feed of the open deadlines of ``report`` (``options``: those of
    :func:`~send_clock.ical.events_feed`: ``domain``, ``on``, ``alarms``, ``previous``,
    ``stamp``, ``name``, ``refresh``), and the open cases left out because their id cannot stand
    in an event UID (a space, say)."""
    rejected: list[Rejected] = []
    cases: list[tuple[str, Schedule]] = []
    for batch, position, schedule in open_schedules(report.batches):
        case_id = schedule.case.case_id
        try:
            check_reference(case_id)
        except InputError as error:
            line = None if batch.lines is None else int(batch.lines[position])
            rejected.append(
                Rejected(
                    batch.source or report.source,
                    line,
                    case_id,
                    f"{error}; the case is left out of the calendar",
                )
            )
            continue
        cases.append((case_id, schedule))
    return events_feed(cases, **options), rejected
