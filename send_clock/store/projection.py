"""Projecting stored cases in bulk: one column-wise run per (process, calendar)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ..calendars import load_calendar
from ..errors import SendClockError
from ..timelines import Schedule, columns_of, load_process, project_columns, schedule_at
from .cases import CaseState


def schedules_of(states: list[CaseState], as_of: date) -> list[tuple[CaseState, Schedule]]:
    """Each case with its schedule as of ``as_of``, in the order given. Cases that cannot be
    projected (their calendar no longer covers them, say) are left out."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, state in enumerate(states):
        groups[(state.process, state.calendar)].append(position)
    found: dict[int, Schedule] = {}
    for (process_id, calendar_id), positions in groups.items():
        definitions = _definitions(process_id, calendar_id)
        if definitions is None:
            continue
        process, calendar = definitions
        cases = [states[p].to_case() for p in positions]
        projection = project_columns(process, calendar, columns_of(process, cases), as_of)
        for index, position in enumerate(positions):
            if projection.errors[index] is None:
                found[position] = schedule_at(projection, index, cases[index])
    return [(states[p], found[p]) for p in range(len(states)) if p in found]


def batches_of(states: list[CaseState], as_of: date) -> tuple[list, int]:
    """Stored cases as breach-report batches (one per process and calendar), and how many
    could not be projected: what :func:`send_clock.reports.summarise` reads."""
    from ..reports import batch_from_cases

    groups: dict[tuple[str, str], list] = defaultdict(list)
    for state in states:
        groups[(state.process, state.calendar)].append(state.to_case())
    batches, rejected = [], 0
    for (process_id, calendar_id), cases in groups.items():
        definitions = _definitions(process_id, calendar_id)
        if definitions is None:
            rejected += len(cases)
            continue
        batch, failed = batch_from_cases(*definitions, cases, as_of, source="store")
        batches.append(batch)
        rejected += len(failed)
    return batches, rejected


def _definitions(process_id: str, calendar_id: str) -> tuple | None:
    """The process and calendar of a group of stored cases, or None when they can no longer be
    loaded (a file path stored before only ids were accepted, and since moved): those cases are
    left out, rather than every page that lists cases failing for everyone."""
    try:
        return load_process(process_id), load_calendar(calendar_id)
    except SendClockError:
        return None
