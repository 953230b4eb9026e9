"""Reading the caseload from the stored projections (:mod:`send_clock.store.stored`).

Every function here reads stored rows through indexes; none projects a case. Call
:func:`send_clock.store.stored.ensure_current` first (the service does, once a day) so that the
rows are as of today.

The case list pages by keyset: ``list_cases(session, filters, after=last_id, limit=50)``
returns the next cases in id order after ``last_id``, so a page costs the same at case 50 and at
case 50,000.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from types import SimpleNamespace

from sqlalchemy import Integer, Select, exists, func, select
from sqlalchemy.orm import Session

from ..calendars import load_calendar
from ..timelines import Case, MilestoneStatus, Schedule, load_process
from .models import CaseProjectionRow, CaseRow, MilestoneProjectionRow


@dataclass(frozen=True)
class CaseFilters:
    """Which cases a list shows; every filter given must hold."""

    #: a counted (not conditional) milestone in this status, e.g. ``overdue``
    status: str | None = None
    officer: str | None = None
    process: str | None = None
    #: an open milestone due before this date
    due_before: date | None = None

    def where(self, query: Select) -> Select:
        if self.status is not None:
            query = query.where(
                exists().where(
                    MilestoneProjectionRow.case_id == CaseRow.id,
                    MilestoneProjectionRow.status == self.status,
                    MilestoneProjectionRow.conditional.is_(False),
                )
            )
        if self.officer is not None:
            query = query.where(CaseRow.officer == self.officer)
        if self.process is not None:
            query = query.where(CaseRow.process == self.process)
        if self.due_before is not None:
            query = query.where(CaseProjectionRow.next_due < self.due_before)
        return query


def _cases(*columns) -> Select:
    return (
        select(*columns)
        .select_from(CaseRow)
        .join(CaseProjectionRow, CaseProjectionRow.case_id == CaseRow.id)
        # a case that cannot be projected (say a stored file that has gone) is left out
        .where(CaseProjectionRow.error.is_(None))
    )


def list_cases(
    session: Session,
    filters: CaseFilters = CaseFilters(),
    after: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict]:
    """Up to ``limit`` cases matching ``filters`` with an id above ``after`` (the last id of
    the previous page), oldest first: each with its status counts and next deadline.
    ``offset`` skips that many more (it costs what it skips: prefer ``after``)."""
    query = filters.where(_cases(CaseRow, CaseProjectionRow)).order_by(CaseRow.id)
    query = query.limit(limit).offset(offset or None)
    if after is not None:
        query = query.where(CaseRow.id > after)
    return [_summary(case, projection) for case, projection in session.execute(query)]


def list_cases_as_of(
    session: Session,
    filters: CaseFilters,
    as_of: date,
    after: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """:func:`list_cases` as of another day than today, and how many match: the cases are
    projected for it (this costs the whole caseload; today's list reads stored rows)."""
    from .cases import all_cases
    from .stored import projection_rows

    states = [
        s
        for s in all_cases(session, filters.process)
        if filters.officer is None or s.officer == filters.officer
    ]
    case_rows, milestone_rows = projection_rows(states, as_of)
    statuses: dict[int, set] = defaultdict(set)
    for row in milestone_rows:
        if not row["conditional"]:
            statuses[row["case_id"]].add(row["status"])
    by_id = {state.id: state for state in states}
    matching = [
        row
        for row in sorted(case_rows, key=lambda row: row["case_id"])
        if row.get("error") is None
        and (filters.status is None or filters.status in statuses[row["case_id"]])
        and (
            filters.due_before is None
            or (row["next_due"] is not None and row["next_due"] < filters.due_before)
        )
    ]
    page = [row for row in matching if after is None or row["case_id"] > after]
    page = page[offset : offset + limit]
    return [_summary(by_id[row["case_id"]], SimpleNamespace(**row)) for row in page], len(matching)


def count_cases(session: Session, filters: CaseFilters = CaseFilters()) -> int:
    return session.scalar(filters.where(_cases(func.count())))


def _summary(case: CaseRow, projection: CaseProjectionRow) -> dict:
    following = None
    if projection.next_milestone is not None:
        following = {
            "milestone": projection.next_milestone,
            "title": load_process(case.process).milestone(projection.next_milestone).title,
            "due": projection.next_due,
            "projected": projection.next_projected,
            "status": projection.next_status,
        }
    return {
        "id": case.id,
        "ref": case.ref,
        "process": case.process,
        "calendar": case.calendar,
        "received": case.received,
        "officer": case.officer,
        "version": case.version,
        "statuses": json.loads(projection.statuses),
        "next_due": following,
        "error": projection.error,
    }


# -- the dashboard ---------------------------------------------------------------------------------
def caseload_figures(session: Session, filters: CaseFilters = CaseFilters()) -> dict:
    """The dashboard's figures, as the breach report counts them: ``total``, ``by_officer`` and
    ``by_process``, each with ``cases``, ``open_cases``, ``open_cases_by_status``,
    ``final_plans_issued``, ``final_plans_within_20_weeks`` and its percentage."""
    from ..reports.summary import OPEN_STATUSES, percent

    query = filters.where(
        _cases(
            CaseRow.officer,
            CaseRow.process,
            CaseProjectionRow.open_status,
            func.count(),
            func.sum(CaseProjectionRow.final_issued.cast(Integer)),
            func.sum(CaseProjectionRow.final_within_20_weeks.cast(Integer)),
        )
        .where(CaseProjectionRow.error.is_(None))
        .group_by(CaseRow.officer, CaseRow.process, CaseProjectionRow.open_status)
    )

    def empty() -> dict:
        return {
            "cases": 0,
            "open_cases": 0,
            "open_cases_by_status": dict.fromkeys(OPEN_STATUSES, 0),
            "final_plans_issued": 0,
            "final_plans_within_20_weeks": 0,
        }

    total, by_officer, by_process = empty(), defaultdict(empty), defaultdict(empty)
    for officer, process, open_status, cases, issued, within in session.execute(query):
        for figures in (total, by_officer[officer or "(none)"], by_process[process]):
            figures["cases"] += cases
            figures["final_plans_issued"] += issued or 0
            figures["final_plans_within_20_weeks"] += within or 0
            if open_status is not None:
                figures["open_cases"] += cases
                figures["open_cases_by_status"][open_status] += cases
    for figures in (total, *by_officer.values(), *by_process.values()):
        figures["final_plans_within_20_weeks_pct"] = percent(
            figures["final_plans_within_20_weeks"], figures["final_plans_issued"]
        )
    return {
        "total": total,
        "by_officer": dict(sorted(by_officer.items())),
        "by_process": dict(sorted(by_process.items())),
    }


def worklist(
    session: Session, name: str, filters: CaseFilters = CaseFilters(), limit: int | None = 100
) -> tuple[list[dict], int]:
    """The breach report's ``overdue`` or ``due_soon`` worklist, most urgent first (at most
    ``limit`` entries), and its full length."""
    base = filters.where(
        _cases(CaseRow, MilestoneProjectionRow)
        .join(MilestoneProjectionRow, MilestoneProjectionRow.case_id == CaseRow.id)
        .where(MilestoneProjectionRow.worklist == name)
    )
    # The breach report's order: most days late (or soonest due) first, then by due date, by
    # reference in code-point order (collation "C", whatever the database's locale), then by
    # the milestone's place in the process.
    ref, position = CaseRow.ref.collate("C"), MilestoneProjectionRow.position
    urgency = (
        (MilestoneProjectionRow.days_late.desc(), MilestoneProjectionRow.due, ref, position)
        if name == "overdue"
        else (MilestoneProjectionRow.due, ref, position)
    )
    rows = session.execute(base.order_by(*urgency).limit(limit))
    count = session.scalar(base.with_only_columns(func.count()).order_by(None))
    entries = [
        {
            "case": case,
            "milestone": row.milestone,
            "title": load_process(case.process).milestone(row.milestone).title,
            "due": row.due,
            "status": row.status,
            "days_late": row.days_late,
        }
        for case, row in rows
    ]
    return entries, count


def officers(session: Session, process: str | None = None) -> list[str]:
    """The officers named on cases (of one process), sorted."""
    query = select(CaseRow.officer).distinct().where(CaseRow.officer.is_not(None))
    if process:
        query = query.where(CaseRow.process == process)
    return sorted(session.scalars(query))


# -- the team feed -------------------------------------------------------
def open_schedules(session: Session, as_of: date) -> list[tuple[str, Schedule]]:
    """Every case's open milestones (no actual date, applicable, something left to do), as
    ``(ref, schedule)`` for the team feed; each schedule holds its open milestones only. Read
    as plain columns, one row per open milestone."""
    m, projection = MilestoneProjectionRow, CaseProjectionRow
    query = (
        select(
            CaseRow.id,
            CaseRow.ref,
            CaseRow.process,
            CaseRow.calendar,
            CaseRow.received,
            projection.outcomes,
            *(getattr(m, name) for name in _MILESTONE_COLUMNS),
        )
        .join(projection, projection.case_id == CaseRow.id)
        .join(m, m.case_id == CaseRow.id)
        .where(m.actual.is_(None), m.status.not_in(("not_applicable", "unrecorded")))
        .order_by(CaseRow.id, m.position)
    )
    schedules: list[tuple[str, Schedule]] = []
    milestones: list[MilestoneStatus] = []
    definitions: dict[tuple, object] = {}  # (process, milestone, received) -> milestone then
    processes, calendars = _Loaded(load_process), _Loaded(load_calendar)
    current = None
    for row in session.execute(query):
        if row.id != current:
            current, milestones = row.id, []
            process = processes[row.process]
            case = Case(row.received, case_id=row.ref)
            schedule = Schedule(
                process, calendars[row.calendar], case, as_of, (), json.loads(row.outcomes)
            )
            schedules.append((row.ref, schedule, milestones))
        if row.milestone not in process.ids:
            continue  # a milestone the process no longer has
        key = (row.process, row.milestone, row.received)
        milestone = definitions.get(key)
        if milestone is None:
            milestone = definitions[key] = process.milestone(row.milestone).at(row.received)
        milestones.append(_milestone_status(milestone, row))
    return [(ref, replace(schedule, milestones=tuple(found))) for ref, schedule, found in schedules]


class _Loaded(dict):
    """Processes (or calendars) by id, each loaded once per request."""

    def __init__(self, load):
        super().__init__()
        self.load = load

    def __missing__(self, key: str):
        found = self[key] = self.load(key)
        return found


def open_case_count(session: Session) -> int:
    """How many cases have a milestone without a date that applies to them: the cases a team
    feed says it covers."""
    m = MilestoneProjectionRow
    return session.scalar(
        select(func.count(m.case_id.distinct())).where(
            m.actual.is_(None), m.status != "not_applicable"
        )
    )


_MILESTONE_COLUMNS = (
    "milestone",
    "due",
    "target",
    "earliest",
    "projected",
    "status",
    "days_late",
    "conditional",
    "exceptions",
)


def _milestone_status(milestone, row) -> MilestoneStatus:
    exceptions = json.loads(row.exceptions) if row.exceptions else []
    for exception in exceptions:
        if exception["window"]:
            exception["window"] = {
                key: date.fromisoformat(value) for key, value in exception["window"].items()
            }
    return MilestoneStatus(
        milestone=milestone,
        due=row.due,
        target=row.target,
        earliest=row.earliest,
        projected=row.projected,
        actual=None,
        status=row.status,
        days_late=row.days_late,
        conditional=row.conditional,
        exceptions=tuple(exceptions),
    )


def last_change(session: Session):
    """When any case last changed (None without cases): the team feed's Last-Modified."""
    return session.scalar(select(func.max(CaseRow.updated_at)))
