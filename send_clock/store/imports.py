"""Importing a caseload CSV: every row checked, then all stored in one transaction, or none.

:func:`run_import_job` is a background job (see :mod:`send_clock.store.jobs`); the service runs
it in a separate process, so that however large the upload, the workers keep answering. The
cases have been checked by projecting them (the caseload reader does that), so they are inserted
in bulk, a chunk at a time, and projected column-wise: an import of 100,000 rows costs a few
statements per thousand cases, not a projection per case.
"""

from __future__ import annotations

import dataclasses
import io
import logging
from collections.abc import Callable
from datetime import date

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..errors import InputError, SendClockError
from ..timelines import Case
from . import Store, jobs
from .cases import Change, all_cases, existing_refs, records_of
from .models import CaseRecordRow, CaseRow
from .stored import store_projections
from .tokens import now

CHUNK = 1000
log = logging.getLogger("send_clock.jobs")


def import_cases(
    session: Session,
    cases: list[tuple[str, str, Case]],
    actor: str,
    on_progress: Callable[[int], None] = lambda done: None,
) -> list[int]:
    """Store ``(process, calendar, case)`` triples (each case's ``case_id`` is its reference)
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
                    "officer": None,
                    "version": 1,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for process, calendar, case in chunk
            ],
        ).all()
        records = [
            {
                "case_id": case_id,
                "actor": actor,
                "recorded_at": stamp,
                **dataclasses.asdict(Change.new(*record)),
            }
            for case_id, (_process, _calendar, case) in zip(new_ids, chunk, strict=True)
            for record in records_of(case)
        ]
        if records:
            session.execute(insert(CaseRecordRow.__table__), records)
        store_projections(session, all_cases(session, ids=list(new_ids)), today)
        ids += new_ids
        on_progress(len(ids))
    return ids


def run_import_job(url: str, job_id: int, raw: bytes, actor: str) -> None:
    """The job behind ``POST /v1/cases/import``: store the CSV ``raw`` or, when any row cannot
    be used, nothing; the job ends ``succeeded`` with the new ids or ``failed`` with every bad
    row."""
    store = Store(url, pool_size=1, max_overflow=1)
    try:
        try:
            outcome = _import(store, job_id, raw, actor)
        except SendClockError as error:
            outcome = {"errors": [], "message": str(error)}
        except Exception as error:  # a bug: reported on the job, logged without the data
            log.exception("import job %s failed: %s", job_id, type(error).__name__)
            outcome = {"message": "the import failed on the server; nothing was stored"}
        with store.session() as session:
            jobs.finish(session, job_id, **outcome)
    finally:
        store.dispose()


def _import(store: Store, job_id: int, raw: bytes, actor: str) -> dict:
    from ..reports import project_caseload, read_caseload
    from ..timelines.schedule import cases_of

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"the CSV is not UTF-8 text (byte {error.start})") from None
    caseload = read_caseload(io.StringIO(text, newline=""), name="upload.csv")
    errors = [
        {"line": r.line, "case_id": r.case_id, "message": r.reason}
        for r in project_caseload(caseload, date.today()).rejected
    ]
    errors += _not_bundled(caseload)
    wanted = [
        (group, case)
        for group in caseload.groups
        for case in cases_of(group.process, group.cases, group.case_ids)
    ]
    total = len(wanted) + len(errors)

    def report(done: int) -> None:
        if done and store.url.startswith("sqlite"):
            return  # one writer at a time: the import's own transaction holds the lock
        with store.session() as session:
            jobs.progress(session, job_id, done, total)

    report(0)
    with store.session() as session:
        taken = existing_refs(session, [case.case_id for _group, case in wanted])
        errors += [
            {
                "line": _line(group, case.case_id),
                "case_id": case.case_id,
                "message": f"a case with reference {case.case_id!r} is already stored",
            }
            for group, case in wanted
            if case.case_id in taken
        ]
        if errors or not wanted:
            return {
                "errors": sorted(errors, key=lambda e: e["line"] or 0),
                "message": f"{len(errors)} row(s) cannot be imported; nothing was stored"
                if errors
                else "the CSV holds no cases",
            }
        triples = [(group.process.id, group.calendar.id, case) for group, case in wanted]
        created = import_cases(session, triples, actor, report)
    return {
        "result": {"imported": len(created), "case_ids": created, "warnings": caseload.warnings},
        "rows_done": len(created),
    }


def _not_bundled(caseload) -> list[dict]:
    """Over HTTP only bundled processes and calendars: a path would read the server's disk."""
    return [
        {
            "line": _line(group, case_id),
            "case_id": str(case_id),
            "message": "only bundled processes and calendars can be used here, not files",
        }
        for group in caseload.groups
        if group.process.origin != "bundled" or group.calendar.origin != "bundled"
        for case_id in group.case_ids
    ]


def _line(group, case_id) -> int | None:
    if group.lines is None:
        return None
    positions = [i for i, value in enumerate(group.case_ids) if value == case_id]
    return int(group.lines[positions[0]]) if positions else None
