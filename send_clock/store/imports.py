"""Storing many checked cases at once (a caseload import), with their projections.

The cases have been checked by projecting them (the caseload reader does that), so they are
inserted in bulk, a chunk at a time, and projected column-wise: an import of 100,000 rows costs
a few statements per thousand cases, not a projection per case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..timelines import Case
from .cases import Change, all_cases, records_of
from .models import CaseRecordRow, CaseRow
from .stored import store_projections
from .tokens import now

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
