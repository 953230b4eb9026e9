"""Projecting stored cases in bulk as of any date: one column-wise run per (process,
calendar). Today's statuses are stored instead (:mod:`send_clock.store.stored`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ..calendars import load_calendar
from ..timelines import load_process
from .cases import CaseState


def batches_of(states: list[CaseState], as_of: date) -> tuple[list, int]:
    """Stored cases as breach-report batches (one per process and calendar), and how many
    could not be projected: what :func:`send_clock.reports.summarise` reads."""
    from ..reports import batch_from_cases

    groups: dict[tuple[str, str], list] = defaultdict(list)
    for state in states:
        groups[(state.process, state.calendar)].append(state.to_case())
    batches, rejected = [], 0
    for (process_id, calendar_id), cases in groups.items():
        batch, failed = batch_from_cases(
            load_process(process_id), load_calendar(calendar_id), cases, as_of, source="store"
        )
        batches.append(batch)
        rejected += len(failed)
    return batches, rejected
