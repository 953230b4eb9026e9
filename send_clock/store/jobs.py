"""Background jobs (a caseload import): their state, progress and outcome, in the database so
that every worker of the service can answer ``GET /v1/jobs/{id}``.

A job is ``queued``, then ``running`` (``rows_done`` of ``rows_total``), then ``succeeded`` (with
its ``result``) or ``failed`` (with ``errors`` or a ``message``). Progress is written in its own
short transaction, apart from the job's work, which stays one transaction: all or nothing.
"""

from __future__ import annotations

import json

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..errors import NotFound
from .models import JobRow
from .tokens import now

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"


def create_job(session: Session, kind: str, actor: str) -> int:
    row = JobRow(kind=kind, state=QUEUED, rows_done=0, created_by=actor, created_at=now())
    session.add(row)
    session.flush()
    return row.id


def get_job(session: Session, job_id: int) -> dict:
    row = session.get(JobRow, job_id)
    if row is None:
        raise NotFound(f"no job {job_id}")
    return {
        "id": row.id,
        "kind": row.kind,
        "state": row.state,
        "rows_total": row.rows_total,
        "rows_done": row.rows_done,
        "errors": json.loads(row.errors) if row.errors else [],
        "result": json.loads(row.result) if row.result else None,
        "message": row.message,
        "created_at": row.created_at,
        "finished_at": row.finished_at,
    }


def progress(session: Session, job_id: int, rows_done: int, rows_total: int | None) -> None:
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(state=RUNNING, rows_done=rows_done, rows_total=rows_total)
    )


def finish(
    session: Session,
    job_id: int,
    *,
    result: dict | None = None,
    errors: list[dict] | None = None,
    message: str | None = None,
    rows_done: int | None = None,
) -> None:
    """Record the job's end: succeeded with ``result``, else failed with ``errors`` and
    ``message``."""
    values = {
        "state": SUCCEEDED if result is not None else FAILED,
        "result": None if result is None else json.dumps(result),
        "errors": json.dumps(errors) if errors else None,
        "message": message,
        "finished_at": now(),
    }
    if rows_done is not None:
        values["rows_done"] = rows_done
    session.execute(update(JobRow).where(JobRow.id == job_id).values(**values))
