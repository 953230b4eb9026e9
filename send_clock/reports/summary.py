"""The figures of a caseload: the DfE 20-week measure, decisions in 6 weeks, statuses, worklists.

:func:`summarise` reads projected batches only, so the command line (cases from a CSV file or a
SEN2 export) and the service (cases from its database) get the same figures. Everything is
computed on the projection's arrays; only the worklists become Python objects.

The measures (statutory-rules.md §8-§9):

* a final plan is **within 20 weeks** when issued on or before received + 140 days (the DfE
  method: from ``ReceivedDate`` to the issue date);
* **excluding exceptions** leaves out, from both the plans counted and those in time, the cases
  with a *recorded* exception to the 20-week limit, as the DfE does: where the source flags
  exceptions itself (SEN2 ``Week20 = 1``), the flagged cases; otherwise those with an exception
  recorded on the case that applies to the final plan;
* **excluding recorded and detected** also leaves out the cases whose final plan falls in a
  school-closure window send-clock *detected* in the term dates (the regulations still require
  that meeting the limit was impractical, which only the authority knows);
* with a **period** (``issued_from``/``issued_to``), the plan figures count the plans issued in
  it, as the DfE counts plans issued in a calendar year, and the decision figures the decisions
  made in it; statuses, open cases and worklists are as of the report's date, whatever the
  period;
* a **decision** (to assess or not) counts when its date is recorded; it is within 6 weeks when
  made on or before received + 42 days;
* percentages have one decimal place; with nothing to divide by they are ``None``.

>>> from datetime import date
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import Case, load_process
>>> from send_clock.reports.batches import batch_from_cases
>>> cases = [Case(date(2025, 1, 6), {"final_plan": date(2025, 5, 26)}, case_id="on-time"),
...          Case(date(2025, 1, 6), {"final_plan": date(2025, 5, 27)}, case_id="late")]
>>> batch, _ = batch_from_cases(load_process("england-ehcna"),
...                             load_calendar("england-and-wales"), cases, date(2025, 6, 30))
>>> figures = summarise([batch])
>>> figures["final_plans_issued"], figures["final_plans_within_20_weeks_pct"]
(2, 50.0)
>>> figures["decisions_within_6_weeks_pct"] is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..dates import iso
from ..timelines.projector import (
    AT_RISK,
    DUE_SOON,
    DUE_SOON_DAYS,
    OVERDUE,
    STATUSES,
)
from .batches import DECISION_MILESTONES, FINAL_MILESTONES, CaseBatch

#: §9: a final plan is on time when issued no later than received + 20 weeks.
TWENTY_WEEKS_DAYS = 140
#: reg 4(1)/5(1): the decision whether to assess within 6 weeks.
SIX_WEEKS_DAYS = 42

FIGURES = (
    "cases",
    "final_plans_issued",
    "final_plans_within_20_weeks",
    "final_plans_within_20_weeks_pct",
    "final_plans_issued_excluding_exceptions",
    "final_plans_within_20_weeks_excluding_exceptions",
    "final_plans_within_20_weeks_excluding_exceptions_pct",
    "final_plans_issued_excluding_recorded_and_detected",
    "final_plans_within_20_weeks_excluding_recorded_and_detected",
    "final_plans_within_20_weeks_excluding_recorded_and_detected_pct",
    "decisions_made",
    "decisions_within_6_weeks",
    "decisions_within_6_weeks_pct",
    "average_weeks_to_final_plan",
)
#: Open cases are classed by their most urgent open milestone, in this order.
OPEN_STATUSES = ("overdue", "at_risk", "due_soon", "excused", "pending")
#: How the 20-week figures are counted, for every report's text.
METHOD = (
    "Final plans within 20 weeks: issued on or before the date the request was received + 140 "
    'days (the DfE method). "Excluding exceptions" leaves the cases with a recorded exception '
    "to the 20-week limit (SEN2 Week20 = 1, or an exception recorded on the case) out of both "
    'the plans counted and those in time, as the DfE does; "excluding recorded and detected" '
    "also leaves out the cases whose final plan falls in a school-closure window send-clock "
    "found in the term dates, where the authority must still show that meeting the limit was "
    "impractical."
)


@dataclass
class _Measures:
    """Per case, across every batch: what the DfE-style figures count."""

    received: np.ndarray
    issued: np.ndarray
    within_20_weeks: np.ndarray
    exception_case: np.ndarray  # a recorded exception to the 20-week limit
    detected_case: np.ndarray  # the final plan's closure-test date is in a detected window
    weeks_days: np.ndarray  # days from received to the final plan; 0 where none
    decided: np.ndarray
    decided_in_6_weeks: np.ndarray


@dataclass(frozen=True)
class Period:
    """Plans issued (and decisions made) from ``first`` to ``last``, both included; either end
    may be open."""

    first: date | None = None
    last: date | None = None

    def holds(self, days: np.ndarray) -> np.ndarray:
        inside = ~np.isnat(days)
        if self.first is not None:
            inside &= days >= np.datetime64(self.first, "D")
        if self.last is not None:
            inside &= days <= np.datetime64(self.last, "D")
        return inside

    def to_dict(self) -> dict:
        return {"issued_from": iso(self.first), "issued_to": iso(self.last)}


def summarise(
    batches: Sequence[CaseBatch],
    *,
    rows_rejected: int = 0,
    due_soon_days: int = DUE_SOON_DAYS,
    worklist_limit: int | None = None,
    left_out: dict[str, int] | None = None,
    period: Period | None = None,
) -> dict:
    """The summary of a report: the fixed figures, then ``status_counts``, ``open_cases``,
    ``open_cases_by_status``, the ``overdue`` and ``due_soon`` worklists (with their full
    counts; ``worklist_limit`` keeps the most urgent entries only), ``by_month`` (the figures by
    month of request), ``rows_rejected``, the rows a reader ``left_out`` (SEN2:
    ``rows_withdrawn``, ``rows_historical``), ``closure_checks_skipped`` (cases where the
    school-closure exception could not be checked against term dates), the ``period`` and the
    ``method``. JSON-ready: dates are ISO text."""
    period = period or Period()
    measures = _measures(batches, period)
    overdue, due_soon = _worklists(batches, due_soon_days)
    open_counts = _open_case_counts(batches)
    months, month_of_case = np.unique(
        measures.received.astype("datetime64[M]"), return_inverse=True
    )
    by_month = _figures(measures, month_of_case, len(months))
    return {
        **_figures(measures, np.zeros(len(measures.received), dtype=np.int64), 1)[0],
        "status_counts": _status_counts(batches),
        "open_cases": sum(open_counts.values()),
        "open_cases_by_status": open_counts,
        "overdue_count": len(overdue),
        "overdue": overdue[:worklist_limit],
        "due_soon_count": len(due_soon),
        "due_soon": due_soon[:worklist_limit],
        "by_month": [
            {"month": month, **figures}
            for month, figures in zip(months.astype(str).tolist(), by_month, strict=True)
        ],
        "rows_rejected": rows_rejected,
        "rows_withdrawn": (left_out or {}).get("rows_withdrawn", 0),
        "rows_historical": (left_out or {}).get("rows_historical", 0),
        "closure_checks_skipped": sum(
            int(batch.projection.closure_checks_skipped().sum()) for batch in batches
        ),
        "period": period.to_dict(),
        "method": METHOD,
    }


# -- the DfE-style figures ----------------------------------------------------------------------
def _measures(batches: Sequence[CaseBatch], period: Period) -> _Measures:
    parts = [_batch_measures(batch, period) for batch in batches]
    if not parts:
        empty = np.zeros(0, dtype=bool)
        return _Measures(np.empty(0, "datetime64[D]"), *[empty] * 4, np.zeros(0, int), *[empty] * 2)
    return _Measures(
        *(np.concatenate([getattr(p, name) for p in parts]) for name in _Measures.__annotations__)
    )


def case_measures(batch: CaseBatch) -> _Measures:
    """Per case of ``batch``: whether its final plan is issued, within 20 weeks, and the rest of
    what the figures count (over all time)."""
    return _batch_measures(batch, Period())


def _batch_measures(batch: CaseBatch, period: Period) -> _Measures:
    projection, received = batch.projection, batch.received
    size = len(batch)
    issued = within = excepted = detected = decided = in_time = np.zeros(size, dtype=bool)
    days = np.zeros(size, dtype=np.int64)
    final = batch.milestone_of(FINAL_MILESTONES)
    if final is not None:
        issued_on = projection.actual[final]
        issued = period.holds(issued_on)
        days = np.where(issued, (issued_on - received).astype(np.int64), 0)
        within = issued & (days <= TWENTY_WEEKS_DAYS)
        excepted = (
            batch.exception_cases
            if batch.exception_cases is not None
            else projection.recorded_mask(final)
        )
        detected = projection.closure_window[final] >= 0
    decision = batch.milestone_of(DECISION_MILESTONES)
    if decision is not None:
        decided_on = projection.actual[decision]
        decided = period.holds(decided_on)
        in_time = decided & ((decided_on - received).astype(np.int64) <= SIX_WEEKS_DAYS)
    return _Measures(received, issued, within, excepted, detected, days, decided, in_time)


def _figures(measures: _Measures, group_of_case: np.ndarray, groups: int) -> list[dict]:
    """The fixed figures for each group of cases (one group: the whole caseload)."""

    def count(mask: np.ndarray) -> list[int]:
        return np.bincount(group_of_case[mask], minlength=groups).tolist()

    kept = ~measures.exception_case
    kept_all = kept & ~measures.detected_case
    counts = {
        "cases": np.bincount(group_of_case, minlength=groups).tolist(),
        "issued": count(measures.issued),
        "within": count(measures.within_20_weeks),
        "issued_kept": count(measures.issued & kept),
        "within_kept": count(measures.within_20_weeks & kept),
        "issued_kept_all": count(measures.issued & kept_all),
        "within_kept_all": count(measures.within_20_weeks & kept_all),
        "decided": count(measures.decided),
        "in_time": count(measures.decided_in_6_weeks),
        "days": np.bincount(group_of_case, weights=measures.weeks_days, minlength=groups).tolist(),
    }
    return figures_of(counts, groups)


#: What the fixed figures are made of, per group of cases: cases, plans issued and within 20
#: weeks (all; without recorded exceptions; without recorded or detected ones), decisions made
#: and within 6 weeks, and the days from request to plan summed over the plans issued.
COUNTS = (
    "cases",
    "issued",
    "within",
    "issued_kept",
    "within_kept",
    "issued_kept_all",
    "within_kept_all",
    "decided",
    "in_time",
    "days",
)


def figures_of(counts: dict[str, list], groups: int) -> list[dict]:
    """The fixed figures of each group from its :data:`COUNTS` (however they were summed: over
    a projection's arrays, or by a database over stored cases)."""
    c = counts
    return [
        dict(
            zip(
                FIGURES,
                (
                    c["cases"][g],
                    c["issued"][g],
                    c["within"][g],
                    percent(c["within"][g], c["issued"][g]),
                    c["issued_kept"][g],
                    c["within_kept"][g],
                    percent(c["within_kept"][g], c["issued_kept"][g]),
                    c["issued_kept_all"][g],
                    c["within_kept_all"][g],
                    percent(c["within_kept_all"][g], c["issued_kept_all"][g]),
                    c["decided"][g],
                    c["in_time"][g],
                    percent(c["in_time"][g], c["decided"][g]),
                    round(c["days"][g] / c["issued"][g] / 7, 1) if c["issued"][g] else None,
                ),
                strict=True,
            )
        )
        for g in range(groups)
    ]


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage to one decimal place; ``None`` when ``whole`` is 0.

    >>> percent(2, 3), percent(0, 0)
    (66.7, None)
    """
    return round(100 * part / whole, 1) if whole else None


# -- statuses -------------------------------------------------------------------------------
def _status_counts(batches: Sequence[CaseBatch]) -> dict[str, dict[str, int]]:
    """milestone -> status -> count, the same statuses the per-row output shows. Left out:
    conditional milestones (a branch not known yet) and the start milestone (the date
    everything runs from, not a deadline). A closed case's undated milestones are counted as
    ``unrecorded``."""
    counts: dict[str, np.ndarray] = {}
    for batch in batches:
        projection = batch.projection
        for milestone in _deadlines(batch):
            status = projection.status[milestone]
            counted = ~projection.conditional[milestone]
            found = np.bincount(status[counted], minlength=len(STATUSES))
            counts[milestone] = counts.get(milestone, 0) + found
    return {
        milestone: dict(zip(STATUSES, found.tolist(), strict=True))
        for milestone, found in counts.items()
    }


def _deadlines(batch: CaseBatch) -> list[str]:
    start = batch.process.start
    return [m for m in batch.reported_milestones if m != start]


def open_cases(batch: CaseBatch) -> np.ndarray:
    """A case is open until the last milestone that applies to it (final plan, no-plan notice,
    a refusal...) is recorded; a closed case has nothing left to chase. The projector decides
    (:attr:`~send_clock.timelines.Projection.closed`), so every output agrees."""
    return ~batch.projection.closed


def _open_case_counts(batches: Sequence[CaseBatch]) -> dict[str, int]:
    """Open cases by their most urgent open milestone: overdue, at risk, due soon, excused
    (overdue but an exception applies), pending."""
    totals = np.zeros(len(OPEN_STATUSES) + 1, dtype=np.int64)
    for batch in batches:
        totals += np.bincount(open_status_of(batch), minlength=len(totals))
    return dict(zip(OPEN_STATUSES, totals[:-1].tolist(), strict=True))


def open_status_of(batch: CaseBatch) -> np.ndarray:
    """Per case, the index in :data:`OPEN_STATUSES` of its most urgent open milestone's status;
    ``len(OPEN_STATUSES)`` for a closed case or one with nothing waiting."""
    rank_of_status = np.full(len(STATUSES), len(OPEN_STATUSES), dtype=np.int64)
    for rank, status in enumerate(OPEN_STATUSES):
        rank_of_status[STATUSES.index(status)] = rank
    projection = batch.projection
    worst = np.full(len(batch), len(OPEN_STATUSES), dtype=np.int64)
    for milestone in _deadlines(batch):
        waiting = np.isnat(projection.actual[milestone]) & ~projection.conditional[milestone]
        ranks = np.where(waiting, rank_of_status[projection.status[milestone]], worst)
        worst = np.minimum(worst, ranks)
    return np.where(open_cases(batch), worst, len(OPEN_STATUSES))


# -- worklists ------------------------------------------------------------------------------
def _worklists(batches: Sequence[CaseBatch], due_soon_days: int) -> tuple[list, list]:
    """Overdue milestones of open cases, most days overdue first; and milestones due in the next
    ``due_soon_days`` days (due soon, or at risk), soonest first."""
    overdue, due_soon = [], []
    for batch in batches:
        for milestone, (late, soon, days_left) in worklist_masks(batch, due_soon_days).items():
            days_late = batch.projection.days_late[milestone][late]
            overdue.append(_entries(batch, milestone, late, days_late))
            due_soon.append(_entries(batch, milestone, soon, days_left[soon]))
    return _sorted(overdue, most_days_first=True), _sorted(due_soon, most_days_first=False)


def worklist_masks(batch: CaseBatch, due_soon_days: int = DUE_SOON_DAYS) -> dict[str, tuple]:
    """milestone -> (on the overdue worklist, on the due-soon worklist, days left to its due
    date), each an array over the batch's cases."""
    projection = batch.projection
    as_of = np.datetime64(projection.as_of, "D")
    still_open = open_cases(batch)
    masks = {}
    for milestone in _deadlines(batch):
        status, due = projection.status[milestone], projection.due[milestone]
        chased = still_open & ~projection.conditional[milestone]
        late = chased & (status == OVERDUE)
        days_left = (due - as_of).astype(np.int64)
        soon = chased & ((status == DUE_SOON) | (status == AT_RISK))
        soon &= (days_left >= 0) & (days_left <= due_soon_days)
        masks[milestone] = (late, soon, days_left)
    return masks


def _entries(batch: CaseBatch, milestone: str, mask: np.ndarray, days: np.ndarray) -> dict:
    return {
        "case_id": batch.case_ids[mask],
        "milestone": np.full(int(mask.sum()), milestone, dtype=object),
        "due": batch.projection.due[milestone][mask],
        "days": days,
        "status": batch.projection.status[milestone][mask],
    }


def _sorted(parts: list[dict], most_days_first: bool) -> list[dict]:
    if not parts:
        return []
    columns = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    days = columns["days"]
    order = np.lexsort((columns["case_id"], columns["due"], -days if most_days_first else days))
    return [
        {"case_id": case_id, "milestone": milestone, "due": str(due), "days": days, "status": s}
        for case_id, milestone, due, days, s in zip(
            columns["case_id"][order].tolist(),
            columns["milestone"][order].tolist(),
            columns["due"][order],
            columns["days"][order].tolist(),
            [STATUSES[s] for s in columns["status"][order].tolist()],
            strict=True,
        )
    ]
