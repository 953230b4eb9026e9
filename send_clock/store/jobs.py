"""Background jobs (a caseload import): their state, progress and outcome, in the database so
that every worker of the service can answer ``GET /v1/jobs/{id}``.

A job is ``queued``, then ``running`` (``rows_done`` of ``rows_total``), then ``succeeded`` (with
its ``result``) or ``failed`` (with ``errors`` or a ``message``). Progress is written in its own
short transaction, apart from the job's work, which stays one transaction: all or nothing.

The worker holding a queued or running job writes its ``heartbeat_at`` every few seconds; a job
whose heartbeat is older than :data:`STALE_AFTER` lost its worker (killed, machine gone) and is
marked failed when next read, whichever worker reads it.
"""

from __future__ import annotations

import json
from datetime import UTC, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from ..errors import NotFound
from .models import JobRow
from .tokens import now

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
UNFINISHED = (QUEUED, RUNNING)
#: A queued or running job whose heartbeat is older than this lost its worker (six missed
#: beats of :data:`send_clock.service.runner.HEARTBEAT_SECONDS`).
STALE_AFTER = timedelta(seconds=60)
LOST = (
    "the import stopped: the server process holding it ended (killed or restarted) before it "
    "finished; nothing was stored. Send the CSV again"
)


def create_job(session: Session, kind: str, actor: str) -> int:
    stamp = now()
    row = JobRow(
        kind=kind, state=QUEUED, rows_done=0, created_by=actor, created_at=stamp, heartbeat_at=stamp
    )
    session.add(row)
    session.flush()
    return row.id


def beat(session: Session, job_ids: list[int]) -> None:
    """The holding worker is alive: the heartbeat of its unfinished jobs ``job_ids``."""
    session.execute(
        update(JobRow)
        .where(JobRow.id.in_(job_ids), JobRow.state.in_(UNFINISHED))
        .values(heartbeat_at=now())
    )


def fail_unfinished(session: Session, job_id: int, message: str) -> bool:
    """Mark the job failed with ``message`` unless it has already ended; whether it was."""
    return bool(
        session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.state.in_(UNFINISHED))
            .values(state=FAILED, message=message, finished_at=now())
        ).rowcount
    )


def fail_stale(session: Session, job_id: int | None = None) -> int:
    """Mark failed every unfinished job (or only ``job_id``) whose worker stopped beating;
    how many were. One statement: two workers reading the same job cannot both mark it."""
    cutoff = now() - STALE_AFTER
    query = update(JobRow).where(
        JobRow.state.in_(UNFINISHED),
        or_(
            JobRow.heartbeat_at < cutoff,
            JobRow.heartbeat_at.is_(None) & (JobRow.created_at < cutoff),
        ),
    )
    if job_id is not None:
        query = query.where(JobRow.id == job_id)
    return session.execute(query.values(state=FAILED, message=LOST, finished_at=now())).rowcount


def _stale(session: Session, row: JobRow) -> bool:
    """Whether the job's worker stopped beating. Not on SQLite, whose one writer is the import
    itself while it runs (nobody else could write a heartbeat meanwhile): there, ``serve``
    fails every unfinished job when it starts instead (:func:`fail_unfinished_at_start`)."""
    if session.get_bind().dialect.name == "sqlite":
        return False
    beat_at = row.heartbeat_at or row.created_at
    if beat_at.tzinfo is None:
        beat_at = beat_at.replace(tzinfo=UTC)
    return beat_at < now() - STALE_AFTER


def fail_unfinished_at_start(session: Session) -> int:
    """At ``serve``'s start: jobs left unfinished by a server that ended. On SQLite (one server
    per file) every unfinished job; on PostgreSQL, which other servers may share, those whose
    heartbeat is stale."""
    if session.get_bind().dialect.name != "sqlite":
        return fail_stale(session)
    return session.execute(
        update(JobRow)
        .where(JobRow.state.in_(UNFINISHED))
        .values(state=FAILED, message=LOST, finished_at=now())
    ).rowcount


def get_job(session: Session, job_id: int) -> dict:
    row = session.get(JobRow, job_id)
    if row is None:
        raise NotFound(f"no job {job_id}")
    if row.state in UNFINISHED and _stale(session, row) and fail_stale(session, job_id):
        session.refresh(row)
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
        .values(state=RUNNING, rows_done=rows_done, rows_total=rows_total, heartbeat_at=now())
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
