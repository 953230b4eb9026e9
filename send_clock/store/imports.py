"""Storing many checked cases at once (a caseload import), with their projections.

The cases have been checked by projecting them (the caseload reader does that), so they are
inserted in bulk, a chunk at a time, and projected column-wise: an import of 100,000 rows costs
a few statements per thousand cases, not a projection per case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from ..timelines import Case
from .cases import Change, all_cases, records_of
from .models import CaseProjectionRow, CaseRecordRow, CaseRow, MilestoneProjectionRow
from .stored import store_projections
from .tokens import now

if TYPE_CHECKING:
    from . import Store

CHUNK = 1000


def import_cases(
    session: Session,
    cases: list[tuple[str, str, Case, str | None]],
    actor: str,
    on_progress: Callable[[int], None] = lambda done: None,
) -> list[int]:
    """Store ``(process, calendar, case, officer)`` (each case's ``case_id`` is its reference)
    and their projections as of today; returns the new ids in order. ``on_progress`` hears how
    many are stored after every chunk. Raises IntegrityError when a reference is taken."""
    ids: list[int] = []
    today = date.today()
    for start in range(0, len(cases), CHUNK):
        chunk = cases[start : start + CHUNK]
        stamp = now()
        new_ids = session.scalars(
            insert(CaseRow).returning(CaseRow.id, sort_by_parameter_order=True),
            [
                {
                    "ref": case.case_id,
                    "process": process,
                    "calendar": calendar,
                    "received": case.received,
                    "officer": officer,
                    "version": 1,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for process, calendar, case, officer in chunk
            ],
        ).all()
        records = [
            {
                "case_id": case_id,
                "actor": actor,
                "recorded_at": stamp,
                **dataclasses.asdict(Change.new(*record)),
            }
            for case_id, (_process, _calendar, case, _officer) in zip(new_ids, chunk, strict=True)
            for record in records_of(case)
        ]
        if records:
            session.execute(insert(CaseRecordRow.__table__), records)
        store_projections(session, all_cases(session, ids=list(new_ids)), today)
        ids += new_ids
        on_progress(len(ids))
    return ids


#: The tables an import fills, whose planner statistics it brings up to date.
IMPORTED_TABLES = (CaseRow, CaseRecordRow, CaseProjectionRow, MilestoneProjectionRow)

#: An import this large a share of the cases stored before it makes their statistics stale
#: (autovacuum's own default share, ``autovacuum_analyze_scale_factor``).
STALE_SHARE = 0.1


def statistics_stale(imported: int, known_before: float) -> bool:
    """Whether PostgreSQL's statistics of the cases (``known_before``: the rows its planner
    last counted, negative when it never has) are stale after ``imported`` more."""
    return imported > 0 and (known_before <= 0 or imported > STALE_SHARE * known_before)


def cases_known_to_planner(session: Session) -> float:
    """The rows of the cases table as PostgreSQL's planner last counted them (``reltuples``:
    -1 before its first ANALYZE); 0 on SQLite, whose planner needs no statistics here."""
    if session.get_bind().dialect.name != "postgresql":
        return 0
    table = CaseRow.__table__.name
    return (
        session.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:table)"), {"table": table}
        ).scalar_one_or_none()
        or 0
    )


def gather_statistics(database: Store) -> None:
    """ANALYZE the tables an import filled (PostgreSQL), after it is committed.

    Why: without statistics the planner guesses. Straight after the first import of 50,000
    cases the overdue list took 2.5 s a page (3.3 requests a second with wrk, p99 2,952 ms)
    until the tables were analysed; with this, the same run gave 678 requests a second, p99
    41 ms. Autovacuum would analyse them, but only at its next round (a minute or more, if it
    is on at all); ANALYZE samples a fixed number of rows, so it takes a fraction of a second
    however large the caseload."""
    engine = database.engine
    if engine.dialect.name != "postgresql":
        return
    quote = engine.dialect.identifier_preparer.format_table
    tables = ", ".join(quote(row.__table__) for row in IMPORTED_TABLES)
    with engine.begin() as connection:
        connection.execute(text(f"ANALYZE {tables}"))
