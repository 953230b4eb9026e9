"""A background job never stays ``running`` for good: a job whose worker stopped writing its
heartbeat is failed when next read, and ``serve`` fails what a stopped server left behind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from send_clock.store import jobs
from send_clock.store.models import JobRow
from send_clock.store.tokens import now
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures


def _job(the_store, state: str, beat_ago: timedelta) -> int:
    with the_store.session() as session:
        job_id = jobs.create_job(session, "import", "tester")
        session.execute(
            update(JobRow)
            .where(JobRow.id == job_id)
            .values(state=state, heartbeat_at=now() - beat_ago)
        )
    return job_id


def _read(the_store, job_id: int) -> dict:
    with the_store.session() as session:
        return jobs.get_job(session, job_id)


def test_a_job_whose_worker_stopped_beating_is_failed_when_read(store):  # noqa: F811
    lost = _job(store, jobs.RUNNING, jobs.STALE_AFTER + timedelta(seconds=5))
    alive = _job(store, jobs.RUNNING, timedelta(seconds=5))
    if store.url.startswith("sqlite"):
        # SQLite's one writer is the import itself: no heartbeat can be written meanwhile, so
        # reading never fails a job there (serve does it at start, below).
        assert _read(store, lost)["state"] == jobs.RUNNING
        return
    found = _read(store, lost)
    assert found["state"] == jobs.FAILED and found["finished_at"] is not None
    assert found["message"] == jobs.LOST and "nothing was stored" in found["message"]
    assert _read(store, alive)["state"] == jobs.RUNNING
    assert _read(store, lost)["message"] == jobs.LOST  # once failed, it stays so


def test_a_heartbeat_keeps_a_long_job_alive(store):  # noqa: F811
    job_id = _job(store, jobs.QUEUED, jobs.STALE_AFTER * 3)
    with store.session() as session:
        jobs.beat(session, [job_id])
    assert _read(store, job_id)["state"] == jobs.QUEUED


def test_failing_an_unfinished_job_leaves_an_ended_one_alone(store):  # noqa: F811
    job_id = _job(store, jobs.RUNNING, timedelta(0))
    with store.session() as session:
        jobs.finish(session, job_id, result={"imported": 1})
        assert not jobs.fail_unfinished(session, job_id, "too late")
        jobs.beat(session, [job_id])
    assert _read(store, job_id)["state"] == jobs.SUCCEEDED
    assert _read(store, job_id)["message"] is None


def test_serve_fails_what_a_stopped_server_left(store):  # noqa: F811
    fresh = _job(store, jobs.RUNNING, timedelta(seconds=1))
    lost = _job(store, jobs.QUEUED, jobs.STALE_AFTER * 2)
    with store.session() as session:
        failed = jobs.fail_unfinished_at_start(session)
    states = {_read(store, fresh)["state"], _read(store, lost)["state"]}
    if store.url.startswith("sqlite"):  # one server per file: whatever is unfinished was lost
        assert failed == 2 and states == {jobs.FAILED}
    else:  # other servers may share PostgreSQL: a fresh heartbeat is another server's job
        assert failed == 1 and _read(store, fresh)["state"] == jobs.RUNNING
        assert _read(store, lost)["state"] == jobs.FAILED
