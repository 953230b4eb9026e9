"""The breach report over stored cases, summed by the database.

:func:`stored_summary` gives what :func:`send_clock.reports.summarise` gives for the stored
cases as of the day of their stored projections (today, once
:func:`send_clock.store.stored.ensure_current` has run), without rebuilding a projection: the
figures are ``GROUP BY`` aggregates over ``case_projections`` (by date received, folded into
months here), the status counts and open cases are counted by the database, and only the
milestones the report lists (the ``overdue`` and ``due_soon`` worklists) are fetched, as whole
columns. Another day than today is not stored: the service projects the cases for it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import Integer, String, Text, case, func, or_, select
from sqlalchemy.orm import Session

from ..reports.summary import (
    COUNTS,
    METHOD,
    OPEN_STATUSES,
    TWENTY_WEEKS_DAYS,
    Period,
    figures_of,
)
from ..timelines import STATUSES, load_process
from .models import CaseProjectionRow, CaseRow, MilestoneProjectionRow


def stored_summary(session: Session, as_of: date) -> dict:
    """The breach report's summary of every stored case whose projection is as of ``as_of``
    (the same keys, figures and worklist order as :func:`~send_clock.reports.summarise`). On
    PostgreSQL the worklists are :class:`JsonText`, the entries as JSON text."""
    overdue_count, overdue = _worklist(session, "overdue", as_of)
    due_soon_count, due_soon = _worklist(session, "due_soon", as_of)
    total, by_month = _figures(session)
    open_counts = _open_cases(session)
    return {
        **total,
        "status_counts": _status_counts(session),
        "open_cases": sum(open_counts.values()),
        "open_cases_by_status": open_counts,
        "overdue_count": overdue_count,
        "overdue": overdue,
        "due_soon_count": due_soon_count,
        "due_soon": due_soon,
        "by_month": by_month,
        "rows_rejected": session.scalar(
            select(func.count()).where(CaseProjectionRow.error.is_not(None))
        ),
        "rows_withdrawn": 0,
        "rows_historical": 0,
        "closure_checks_skipped": session.scalar(
            select(func.count()).where(CaseProjectionRow.closure_checks_skipped.is_(True))
        ),
        "period": Period().to_dict(),
        "method": METHOD,
    }


def _flag(condition) -> object:
    return func.sum(case((condition, 1), else_=0))


def _figures(session: Session) -> tuple[dict, list[dict]]:
    """The fixed figures of the whole caseload, and by month of request: the database sums
    them by date received (a few hundred rows), numpy folds the dates into months."""
    p = CaseProjectionRow
    issued = p.final_days.is_not(None)
    within = issued & (p.final_days <= TWENTY_WEEKS_DAYS)
    kept, kept_all = ~p.final_excepted, ~p.final_excepted & ~p.final_detected
    query = (
        select(
            CaseRow.received,
            func.count(),
            func.count(p.final_days),
            _flag(within),
            _flag(issued & kept),
            _flag(within & kept),
            _flag(issued & kept_all),
            _flag(within & kept_all),
            _flag(p.decided),
            _flag(p.decided_in_6_weeks),
            func.coalesce(func.sum(p.final_days), 0).cast(Integer),
        )
        .join(p, p.case_id == CaseRow.id)
        .where(p.error.is_(None))
        .group_by(CaseRow.received)
        .order_by(CaseRow.received)
    )
    rows = session.execute(query).all()
    received = np.array([row[0] for row in rows], dtype="datetime64[D]")
    sums = np.array([row[1:] for row in rows], dtype=np.int64).reshape(len(rows), len(COUNTS))
    months, month_of_day = np.unique(received.astype("datetime64[M]"), return_inverse=True)
    by_month = {
        name: np.bincount(month_of_day, weights=sums[:, index], minlength=len(months))
        .astype(np.int64)
        .tolist()
        for index, name in enumerate(COUNTS)
    }
    total = {name: [int(sums[:, index].sum())] for index, name in enumerate(COUNTS)}
    return figures_of(total, 1)[0], [
        {"month": month, **figures}
        for month, figures in zip(
            months.astype(str).tolist(), figures_of(by_month, len(months)), strict=True
        )
    ]


def _status_counts(session: Session) -> dict[str, dict[str, int]]:
    """milestone -> status -> count over the counted (not conditional) milestones of every
    projected case, the start milestone left out; every milestone of a process that has cases
    is listed, in the process's order (processes in name order)."""
    processes = [
        load_process(process_id)
        for process_id in sorted(
            session.scalars(
                select(CaseRow.process)
                .distinct()
                .join(CaseProjectionRow, CaseProjectionRow.case_id == CaseRow.id)
                .where(CaseProjectionRow.error.is_(None))
            )
        )
    ]
    counts: dict[str, dict[str, int]] = {}
    for process in processes:
        for milestone in process.ids:
            if milestone != process.start:
                counts.setdefault(milestone, dict.fromkeys(STATUSES, 0))
    m = MilestoneProjectionRow
    starts = {process.start for process in processes}
    query = select(m.milestone, m.status, func.count())
    if starts & counts.keys():  # one process's start is another's deadline: ask by process
        query = query.join(CaseRow, CaseRow.id == m.case_id).where(
            *(or_(CaseRow.process != p.id, m.milestone != p.start) for p in processes)
        )
        starts = set()
    # else a milestone's id says whether it is counted: no join
    query = query.where(m.conditional.is_(False)).group_by(m.milestone, m.status)
    for milestone, status, count in session.execute(query):
        if milestone in counts and milestone not in starts:
            counts[milestone][status] += count
    return counts


def _open_cases(session: Session) -> dict[str, int]:
    query = (
        select(CaseProjectionRow.open_status, func.count())
        .where(CaseProjectionRow.error.is_(None), CaseProjectionRow.open_status.is_not(None))
        .group_by(CaseProjectionRow.open_status)
    )
    counts = dict.fromkeys(OPEN_STATUSES, 0)
    counts.update(dict(session.execute(query).all()))
    return counts


class JsonText(str):
    """A worklist already written as JSON text by the database (PostgreSQL): the service puts
    it into its answer as it is, rather than making and serialising 100,000 objects."""


def _worklist(session: Session, name: str, as_of: date) -> tuple[int, list[dict] | JsonText]:
    """How many milestones the ``overdue`` worklist (most days overdue first) or the
    ``due_soon`` one (soonest first) lists, and its entries, in that order then by due date,
    reference (code-point order) and place in the process: only these rows are read."""
    m = MilestoneProjectionRow
    ref = CaseRow.ref.collate("C")
    order = (m.days_late.desc(), m.due, ref) if name == "overdue" else (m.due, ref)
    postgresql = session.get_bind().dialect.name == "postgresql"
    # days overdue, or days left (on PostgreSQL; elsewhere counted below from the due date)
    days = m.due - as_of if name == "due_soon" and postgresql else m.days_late
    # the due date as ISO text, as the report shows it: no date objects to make
    columns = (CaseRow.ref, m.milestone, m.due.cast(String), days, m.status)
    query = select(*columns).join(CaseRow, CaseRow.id == m.case_id).where(m.worklist == name)
    query = query.order_by(*order, m.position)
    if postgresql:
        entry = func.json_build_object(
            *(part for key, column in zip(ENTRY, columns, strict=True) for part in (key, column))
        )
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        listed = func.json_agg(aggregate_order_by(entry, *order, m.position)).cast(Text)
        count, text = session.execute(
            query.with_only_columns(func.count(), func.coalesce(listed, "[]")).order_by(None)
        ).one()
        return count, JsonText(text) if count else []
    rows = session.execute(query).all()
    if not rows:
        return 0, []
    refs, milestones, dues, days_late, statuses = zip(*rows, strict=True)
    if name == "overdue":
        days = days_late
    else:
        due = np.array(dues, dtype="datetime64[D]")
        days = (due - np.datetime64(as_of, "D")).astype(np.int64).tolist()
    entries = [
        dict(zip(ENTRY, values, strict=True))
        for values in zip(refs, milestones, dues, days, statuses, strict=True)
    ]
    return len(entries), entries


#: The keys of a worklist entry, in the report's order.
ENTRY = ("case_id", "milestone", "due", "days", "status")
