"""The breach report over stored cases, summed by the database.

:func:`stored_summary` gives what :func:`send_clock.reports.summarise` gives for the stored
cases as of the day of their stored projections (today, once
:func:`send_clock.store.stored.ensure_current` has run), without rebuilding a projection: the
figures, status counts, open cases and worklist counts come from the sums every write keeps
(:mod:`send_clock.store.sums`, by month of request, process, milestone and status: a few
hundred rows, folded here), and only the worklists' first pages are read from the milestones.
Another day than today is not stored: the service projects the cases for it.
"""

from __future__ import annotations

import base64
import json
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session

from ..errors import InputError
from ..reports.summary import COUNTS, METHOD, OPEN_STATUSES, Period, figures_of
from ..timelines import STATUSES, load_process
from .models import MilestoneProjectionRow
from .sums import CASE, MILESTONE, Sums, kept_sums


def stored_summary(session: Session, as_of: date, worklist_limit: int | None = None) -> dict:
    """The breach report's summary of every stored case whose projection is as of ``as_of``
    (the same keys, figures and worklist order as :func:`~send_clock.reports.summarise`, with
    the same ``worklist_limit``: the worklists' first entries only, their counts in full)."""
    return stored_report(session, as_of, worklist_limit)[0]


def stored_report(
    session: Session, as_of: date, worklist_limit: int | None = None, remembered=None
) -> tuple[dict, dict[str, WorklistKey | None]]:
    """:func:`stored_summary`, and for each worklist the key its next page starts after (None
    when the summary lists all of it). ``remembered`` (a
    :class:`~send_clock.store.queries.Remembered`) keeps the figures and counts folded from the
    kept sums while the caseload is unchanged; the worklists' first pages are read every time
    (one short index range each)."""
    following, lists = {}, {}
    for name in WORKLISTS:
        lists[name], following[name] = worklist_page(session, name, as_of, limit=worklist_limit)

    def figures() -> dict:
        return _summed(session)

    summed = figures() if remembered is None else remembered.get(session, "report", figures)
    summary = {
        **summed,
        "overdue": lists["overdue"],
        "due_soon": lists["due_soon"],
        "period": Period().to_dict(),
        "method": METHOD,
    }
    order = (*summed["order"], "period", "method")
    return {key: summary[key] for key in order}, following


def _summed(session: Session, sums: Sums | None = None) -> dict:
    """Everything of the summary that is summed over every stored case (the keys in the
    report's order under ``order``, the worklists' places marked), from the sums kept by every
    write (:mod:`send_clock.store.sums`: a few hundred rows), or from ``sums`` given (the same
    sums made from scratch, say)."""
    sums = kept_sums(session) if sums is None else sums
    by_case = [
        (year, month, process, dict(zip(CASE.sums, values, strict=True)))
        for (year, month, process), values in sums[CASE.table.name].items()
    ]
    # months and processes with a case that can be projected, as a projection lists them
    months = sorted({(year, month) for year, month, _process, row in by_case if row["cases"]})
    processes = sorted({process for _year, _month, process, row in by_case if row["cases"]})
    per_month = {month: dict.fromkeys(COUNTS, 0) for month in months}
    total = dict.fromkeys(CASE.sums, 0)
    for year, month, _process, row in by_case:
        for name, value in row.items():
            total[name] += value
        if (year, month) in per_month:
            for name in COUNTS:
                per_month[year, month][name] += row[name]
    figures = figures_of({name: [total[name]] for name in COUNTS}, 1)[0]
    by_month = figures_of(
        {name: [per_month[month][name] for month in months] for name in COUNTS}, len(months)
    )
    open_counts = {status: total[f"open_{status}"] for status in OPEN_STATUSES}
    milestones = sums[MILESTONE.table.name]
    summed = {
        **figures,
        "status_counts": _status_counts(milestones, processes),
        "open_cases": sum(open_counts.values()),
        "open_cases_by_status": open_counts,
        "overdue_count": _on_worklist(milestones, "overdue"),
        "due_soon_count": _on_worklist(milestones, "due_soon"),
        "by_month": [
            {"month": f"{year:04d}-{month:02d}", **month_figures}
            for (year, month), month_figures in zip(months, by_month, strict=True)
        ],
        "rows_rejected": total["rejected"],
        "rows_withdrawn": 0,
        "rows_historical": 0,
        "closure_checks_skipped": total["closure_checks_skipped"],
    }
    order = [*figures, "status_counts", "open_cases", "open_cases_by_status"]
    order += ["overdue_count", "overdue", "due_soon_count", "due_soon", "by_month"]
    order += ["rows_rejected", "rows_withdrawn", "rows_historical", "closure_checks_skipped"]
    return {**summed, "order": tuple(order)}


def _on_worklist(milestones: dict, name: str) -> int:
    """How many milestones the worklist ``name`` lists."""
    index = MILESTONE.sums.index(name)
    return sum(values[index] for values in milestones.values())


def _status_counts(milestones: dict, process_ids: list[str]) -> dict[str, dict[str, int]]:
    """milestone -> status -> count over the counted (not conditional) milestones of every
    projected case, each process's start milestone left out; every milestone of a process
    that has cases (``process_ids``, in name order) is listed, in the process's order."""
    processes = {process_id: load_process(process_id) for process_id in process_ids}
    counts: dict[str, dict[str, int]] = {}
    for process in processes.values():
        for milestone in process.ids:
            if milestone != process.start:
                counts.setdefault(milestone, dict.fromkeys(STATUSES, 0))
    counted = MILESTONE.sums.index("counted")
    for (process_id, milestone, status), values in milestones.items():
        process = processes.get(process_id)
        if process is not None and milestone != process.start and milestone in counts:
            counts[milestone][status] += values[counted]
    return counts


# -- the worklists, a page at a time ----------------------------------------------------------
#: the breach report's worklists: overdue milestones, and those due in the next 14 days
WORKLISTS = ("overdue", "due_soon")
#: The keys of a worklist entry, in the report's order.
ENTRY = ("case_id", "milestone", "due", "days", "status")


@dataclass(frozen=True, order=True)
class WorklistKey:
    """Where an entry stands in its worklist: the worklists are in order of due date (the most
    days overdue first, or the soonest due), then of case reference (code-point order), then of
    the milestone's place in its process. Unique: a page continues after the last one's."""

    due: date
    ref: str
    position: int


class BadCursor(InputError):
    """A worklist cursor that this report did not give (garbage, altered, another worklist's,
    or another day's)."""


def encode_cursor(as_of: date, worklist: str, key: WorklistKey) -> str:
    """The opaque ``after`` of the next page: the report's day, the worklist and the last key
    given, as URL-safe base64 of JSON (it names a case reference, never a person)."""
    data = [as_of.isoformat(), worklist, key.due.isoformat(), key.ref, key.position]
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, as_of: date, worklist: str) -> WorklistKey:
    """The key a cursor from :func:`encode_cursor` holds, checked to be this report's (the same
    day and worklist); :class:`BadCursor` otherwise."""
    again = "; start again from the report's first page (without after)"
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        day, name, due, ref, position = json.loads(
            base64.b64decode(padded, altchars=b"-_", validate=True).decode("utf-8")
        )
        key = WorklistKey(date.fromisoformat(due), ref, position)
        given = date.fromisoformat(day)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor(f"after is not a cursor this report gave{again}") from None
    if not (isinstance(ref, str) and 0 < len(ref) <= 100):
        raise BadCursor(f"after is not a cursor this report gave{again}")
    if type(position) is not int or not 0 <= position < 2**31:
        raise BadCursor(f"after is not a cursor this report gave{again}")
    if name != worklist:
        raise BadCursor(f"after is a cursor of another worklist than {worklist}{again}")
    if given != as_of:
        raise BadCursor(f"after is a cursor of the report as of {day}, not {as_of}{again}")
    return key


def worklist_page(
    session: Session,
    name: str,
    as_of: date,
    after: WorklistKey | None = None,
    limit: int | None = 50,
) -> tuple[list[dict], WorklistKey | None]:
    """Up to ``limit`` entries of the stored ``overdue`` or ``due_soon`` worklist after the key
    ``after`` (from its start without one), in the report's order, and the key to continue
    after (None on the last page): one range of the worklist index, as cheap on the last page
    as on the first."""
    if limit == 0:  # none asked for: a first page starts at the beginning
        return [], None
    query = _worklist_query(name, after)
    if limit is not None:
        query = query.limit(limit + 1)  # one more says whether there is a next page
    rows = session.execute(query).all()
    following = None
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        following = WorklistKey(rows[-1].due, rows[-1].ref, rows[-1].position)
    return [_entry(row, name, as_of) for row in rows], following


def worklist_rows(session: Session, name: str, as_of: date, chunk: int = 2000) -> Iterator[list]:
    """Every entry of the stored worklist ``name``, in order, as CSV-ready lists of the
    :data:`ENTRY` values, ``chunk`` rows at a time from one statement (a server-side cursor on
    PostgreSQL): memory stays bounded however long the worklist is."""
    query = _worklist_query(name, None).execution_options(yield_per=chunk)
    for row in session.execute(query):
        entry = _entry(row, name, as_of)
        yield [entry[key] for key in ENTRY]


def _worklist_query(name: str, after: WorklistKey | None) -> Select:
    m = MilestoneProjectionRow
    query = (
        select(m.ref, m.milestone, m.due, m.days_late, m.status, m.position)
        .where(m.worklist == name)
        .order_by(m.due, m.ref, m.position)
    )
    if after is not None:
        # a row comparison: the index range that starts just after the key
        query = query.where(
            tuple_(m.due, m.ref, m.position) > tuple_(after.due, after.ref, after.position)
        )
    return query


def _entry(row, name: str, as_of: date) -> dict:
    # overdue: days overdue (as of minus due); due soon: days left
    days = row.days_late if name == "overdue" else (row.due - as_of).days
    return {
        "case_id": row.ref,
        "milestone": row.milestone,
        "due": row.due.isoformat(),
        "days": days,
        "status": row.status,
    }


def projected_worklist(states: list, name: str, as_of: date) -> list[tuple[WorklistKey, dict]]:
    """The worklist ``name`` of ``states`` projected for ``as_of`` (a day the rows are not
    stored for), in the report's order, each entry with its key: this projects every case."""
    from .stored import projection_rows

    _cases, milestones = projection_rows(states, as_of)
    found = [
        (WorklistKey(row["due"], row["ref"], row["position"]), SimpleNamespace(**row))
        for row in milestones
        if row["worklist"] == name
    ]
    found.sort(key=first)  # keys compare as (due, ref, position): refs by code point
    return [(key, _entry(row, name, as_of)) for key, row in found]


def projected_page(
    states: list, name: str, as_of: date, after: WorklistKey | None, limit: int
) -> tuple[list[dict], WorklistKey | None]:
    """:func:`worklist_page` for a day the rows are not stored for: every case projected."""
    found = projected_worklist(states, name, as_of)
    start = 0 if after is None else bisect_right(found, after, key=first)
    page = found[start : start + limit + 1]
    following = page[limit - 1][0] if len(page) > limit else None
    return [entry for _key, entry in page[:limit]], following


def first(pair: tuple):
    return pair[0]
