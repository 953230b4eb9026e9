"""The worklist by case: one row per open case, its most urgent milestone still to happen.

A case officer wants one line per case, not one per milestone: the milestone to chase first
(by status: overdue, at risk, due soon, excused, pending, as the summary ranks open cases; then
the earliest due), who holds the case, and how many days late it is (negative: days left).
Used by ``send-clock breaches --by case`` and, from the same batches, by the service's pages.

>>> from datetime import date
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import Case, load_process
>>> from send_clock.reports import batch_from_cases
>>> batch, _ = batch_from_cases(
...     load_process("england-ehcna"), load_calendar("england-and-wales"),
...     [Case(received=date(2025, 9, 1), case_id="A"), Case(received=date(2025, 11, 3),
...      case_id="B")], as_of=date(2025, 12, 1), officers=["Sam", "Ali"])
>>> [(r["case_id"], r["officer"], r["milestone"], r["status"], r["days_late"])
...  for r in cases_to_chase([batch], ("overdue", "due_soon"))]
[('A', 'Sam', 'decision_to_assess', 'overdue', 49),
 ('B', 'Ali', 'decision_to_assess', 'due_soon', -14)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..timelines import Schedule
from ..timelines.projector import STATUSES
from ..timelines.schedule import MilestoneStatus
from .batches import CaseBatch
from .summary import OPEN_STATUSES, open_cases

#: The order of urgency of an open case's worst milestone (the breach report's order).
URGENCY = OPEN_STATUSES

COLUMNS = ("case_id", "officer", "process", "milestone", "title", "due", "status", "days_late")


@dataclass(frozen=True)
class CaseStanding:
    """Where one case stands, as the team's case list shows it: ``closed`` or the status of its
    most urgent open milestone (``urgent``), and the open milestone due soonest
    (``next_due``)."""

    status: str
    urgent: MilestoneStatus | None
    next_due: MilestoneStatus | None

    @property
    def days_late(self) -> int | None:
        return self.urgent.days_late if self.status == "overdue" and self.urgent else None


def standing(schedule: Schedule) -> CaseStanding:
    """Where the case of ``schedule`` stands (the service keeps it with the case's stored
    projection, for its case list)."""
    deadlines = [
        m
        for m in schedule.milestones
        if m.id != schedule.process.start and not m.conditional and m.status != "not_applicable"
    ]
    # Open: not recorded, and not a family's period that ends by itself (met on its last day).
    waiting = [
        m
        for m in deadlines
        if m.actual is None and m.due is not None and m.status not in ("met", "late")
    ]
    if not waiting or (deadlines and deadlines[-1].actual is not None):
        # Closed: the last milestone that applies is recorded (the breach report's rule).
        return CaseStanding("closed", None, None)
    ranked = [m for m in waiting if m.status in URGENCY]
    urgent = min(
        ranked,
        key=lambda m: (URGENCY.index(m.status), -(m.days_late or 0), m.due),
        default=None,
    )
    next_due = min(waiting, key=lambda m: m.due)
    return CaseStanding(urgent.status if urgent else "pending", urgent, next_due)


def parse_statuses(text: str) -> tuple[str, ...]:
    """``overdue,due_soon`` -> the statuses, each checked.

    >>> parse_statuses("Overdue, due-soon")
    ('overdue', 'due_soon')
    """
    found = tuple(
        part.strip().lower().replace("-", "_") for part in text.split(",") if part.strip()
    )
    unknown = [status for status in found if status not in OPEN_STATUSES]
    if unknown or not found:
        raise InputError(
            f"{', '.join(unknown) or repr(text)} is not a status of an open milestone; give "
            f"one or more of {', '.join(OPEN_STATUSES)}, separated by commas"
        )
    return found


def cases_to_chase(batches: Sequence[CaseBatch], statuses: Sequence[str]) -> list[dict]:
    """One row per open case whose most urgent milestone still to happen has one of
    ``statuses``; most urgent first (by status, then most days late, then case id)."""
    parts = [most_urgent(batch) for batch in batches]
    parts = [part for part in parts if len(part["case_id"])]
    if not parts:
        return []
    columns = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    wanted = np.isin(columns["rank"], [OPEN_STATUSES.index(status) for status in statuses])
    columns = {key: values[wanted] for key, values in columns.items()}
    order = np.lexsort((columns["case_id"], -columns["days_late"], columns["rank"]))
    return _rows(columns, order)


def _rows(columns: dict[str, np.ndarray], order: np.ndarray) -> list[dict]:
    ordered = {key: values[order] for key, values in columns.items()}
    return [
        {
            "case_id": case_id,
            "officer": officer,
            "process": process,
            "milestone": milestone,
            "title": title,
            "due": str(due),
            "status": OPEN_STATUSES[rank],
            "days_late": days,
        }
        for case_id, officer, process, milestone, title, due, rank, days in zip(
            *(ordered[key].tolist() for key in ("case_id", "officer", "process", "milestone")),
            ordered["title"].tolist(),
            ordered["due"],
            ordered["rank"].tolist(),
            ordered["days_late"].tolist(),
            strict=True,
        )
    ]


def most_urgent(batch: CaseBatch) -> dict[str, np.ndarray]:
    """For each open case of ``batch`` with a milestone still to happen: that milestone, ranked
    (the stored projections keep it, for the worklists of the service's dashboard)."""
    projection, size = batch.projection, len(batch)
    rank_of_status = np.full(len(STATUSES), len(OPEN_STATUSES), dtype=np.int64)
    for rank, status in enumerate(OPEN_STATUSES):
        rank_of_status[STATUSES.index(status)] = rank
    best_rank = np.full(size, len(OPEN_STATUSES), dtype=np.int64)
    best_due = np.full(size, np.datetime64("NaT", "D"))
    best = np.full(size, -1, dtype=np.int64)
    milestones = [m for m in batch.reported_milestones if m != batch.process.start]
    for index, milestone in enumerate(milestones):
        waiting = np.isnat(projection.actual[milestone]) & ~projection.conditional[milestone]
        rank = np.where(waiting, rank_of_status[projection.status[milestone]], len(OPEN_STATUSES))
        due = projection.due[milestone]
        better = (rank < best_rank) | (
            (rank == best_rank) & (rank < len(OPEN_STATUSES)) & (due < best_due)
        )
        best_rank = np.where(better, rank, best_rank)
        best_due = np.where(better, due, best_due)
        best = np.where(better, index, best)
    keep = open_cases(batch) & (best >= 0) & (best_rank < len(OPEN_STATUSES))
    as_of = np.datetime64(projection.as_of, "D")
    ids = np.array(milestones + [""], dtype=object)
    title_of = {milestone.id: milestone.title for milestone in batch.process.milestones}
    titles = np.array([title_of[m] for m in milestones] + [""], dtype=object)
    officers = batch.officers if batch.officers is not None else np.full(size, "", dtype=object)
    return {
        "case_id": batch.case_ids[keep].astype(object),
        "officer": np.asarray(officers, dtype=object)[keep],
        "process": np.full(int(keep.sum()), batch.process.id, dtype=object),
        "milestone": ids[best[keep]],
        "title": titles[best[keep]],
        "due": best_due[keep],
        "rank": best_rank[keep],
        "days_late": (as_of - best_due[keep]).astype(np.int64),
    }
