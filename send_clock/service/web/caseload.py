"""The caseload as the team pages list it: one row per case (its state, its most urgent open
milestone, the next date due), searched, filtered, sorted and cut into pages.

Built on the store's query functions (``all_cases``) and the projection in bulk
(``schedules_of``), so the storage underneath can change without touching the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...reports.worklist import standing
from ...store.cases import CaseState
from ...store.projection import schedules_of
from ...timelines import Schedule
from ...timelines.schedule import MilestoneStatus

DEFAULT_PROCESS = "england-ehcna"
#: What the status filter offers: every open state, any open case, and closed cases.
CASE_STATUSES = ("overdue", "at_risk", "due_soon", "excused", "pending", "open", "closed")
SORTS = {
    "due": "next due date",
    "late": "most days late",
    "ref": "reference",
    "received": "date received",
}
PAGE_SIZE = 25
#: Rows of each dashboard worklist; the rest are a link away, in the case list.
WORKLIST_ROWS = 25


@dataclass(frozen=True)
class CaseRow:
    """One case in the list: what the team needs to see to decide what to do next."""

    state: CaseState
    status: str  # closed, or the most urgent status of an open milestone
    urgent: MilestoneStatus | None  # the milestone that gives the status
    next_due: MilestoneStatus | None  # the open milestone due soonest

    @property
    def days_late(self) -> int | None:
        return self.urgent.days_late if self.status == "overdue" and self.urgent else None


def rows_of(states: list[CaseState], today: date) -> list[CaseRow]:
    """Every case that can be projected, as a list row, projected as of ``today`` (the page
    reads today's from the stored projections: :func:`send_clock.store.queries.case_list`)."""
    return [_row(state, schedule) for state, schedule in schedules_of(states, today)]


def _row(state: CaseState, schedule: Schedule) -> CaseRow:
    found = standing(schedule)
    return CaseRow(state, found.status, found.urgent, found.next_due)


@dataclass(frozen=True)
class Query:
    """What the case list was asked for (all optional)."""

    text: str = ""  # part of a reference or an officer's name
    process: str = ""
    status: str = ""
    officer: str = ""
    sort: str = "due"
    page: int = 1

    def matches(self, row: CaseRow) -> bool:
        state = row.state
        needle = self.text.casefold()
        searched = f"{state.ref}\n{state.officer or ''}".casefold()
        return (
            (not needle or needle in searched)
            and (not self.process or state.process == self.process)
            and (not self.officer or state.officer == self.officer)
            and _status_matches(self.status, row.status)
        )


def _status_matches(wanted: str, status: str) -> bool:
    if not wanted:
        return True
    if wanted == "open":
        return status != "closed"
    return status == wanted


def sort_key(sort: str):
    """Next due date first (closed cases last, by reference), or by reference, or received."""
    if sort == "ref":
        return lambda row: row.state.ref.casefold()
    if sort == "received":
        return lambda row: (row.state.received, row.state.ref)
    if sort == "late":
        return _urgency
    return lambda row: (
        row.next_due is None,
        row.next_due.due if row.next_due else date.max,
        row.state.ref.casefold(),
    )


@dataclass(frozen=True)
class Page:
    rows: list  # list rows: CaseRow, or the stored rows of queries.case_list
    total: int  # cases matching the query
    number: int
    pages: int


def search(rows: list[CaseRow], query: Query, size: int = PAGE_SIZE) -> Page:
    """The matching rows, sorted, and the page asked for (the last one when past the end)."""
    found = sorted((row for row in rows if query.matches(row)), key=sort_key(query.sort))
    pages = max(1, -(-len(found) // size))
    number = min(max(1, query.page), pages)
    start = (number - 1) * size
    return Page(found[start : start + size], len(found), number, pages)


def _urgency(row: CaseRow):
    """The most days late first, then the soonest due, then closed cases."""
    return (
        -(row.days_late or 0),
        row.urgent.due if row.urgent else date.max,
        row.state.ref.casefold(),
    )
