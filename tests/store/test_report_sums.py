"""The breach report's sums kept by every write (:mod:`send_clock.store.sums`): exact while
writers run at once, and filled by the migration that made them, so that an upgraded database
reports what it reported before. (After random writes and days, one at a time, the sums are
compared with summing every case in ``test_stored.py``.)"""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta

from alembic import command
from freezegun import freeze_time
from sqlalchemy import inspect, text

from send_clock.errors import StaleVersion
from send_clock.reports import summarise
from send_clock.store import cases
from send_clock.store.projection import batches_of
from send_clock.store.report import stored_summary
from send_clock.store.stored import ensure_current, refresh
from send_clock.store.sums import KEPT, checked, kept_sums, summed
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures
from tests.store.test_stored_report import TODAY, _mixed_caseload

WRITERS = 6
WRITES = 12


def _writer(the_store, number: int, received: date, failures: list) -> None:
    """Open cases and record events on them and on the other writers' cases (one of two
    writers of the same version is told to reload: that is expected, nothing else is). Writers
    0 and 3, 1 and 4, 2 and 5 share a stripe of the sums (their connections' generation row):
    both the shared and the separate stripes are exercised, whatever the random choice."""
    rng = random.Random(number)
    try:
        for write in range(WRITES):
            with the_store.session() as session:
                session.connection().info["generation_row"] = 1 + number % 3
                if write % 3 == 0:
                    ref = f"W{number}-{write}"
                    cases.create_case(session, ref, "england-ehcna", None, received, None, "t")
                    continue
                states = cases.all_cases(session)
                state = rng.choice(states)
                on = (state.received + timedelta(days=rng.randrange(20, 60))).isoformat()
                try:
                    with session.begin_nested():
                        cases.record(
                            session, state.id, state.version, "event", "decision_to_assess", on, "t"
                        )
                except StaleVersion:
                    pass
    except Exception as error:  # noqa: BLE001 - any other failure (a deadlock, say) fails the test
        failures.append(error)


def test_writers_at_once_keep_the_sums_exact(store):  # noqa: F811
    """Writers on separate connections change the same sums at once (the same month, process,
    milestones and statuses), while a refresh re-projects every case a few at a time: no
    update is lost, no writer deadlocks, and the kept sums are what summing every case gives."""
    received = TODAY - timedelta(days=30)
    with store.session() as session:
        for number in range(4):
            cases.create_case(session, f"S-{number}", "england-ehcna", None, received, None, "t")
    failures: list = []
    threads = [
        threading.Thread(target=_writer, args=(store, number, received, failures))
        for number in range(WRITERS)
    ]
    tomorrow = TODAY + timedelta(days=1)  # a day none of the writes is projected for
    threads.append(threading.Thread(target=lambda: refresh(store, tomorrow, batch_size=3)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures
    assert not any(thread.is_alive() for thread in threads)
    with store.session() as session:
        assert len(cases.all_cases(session)) == 4 + WRITERS * len(range(0, WRITES, 3))
        from_scratch = summed(session)
        assert kept_sums(session) == from_scratch
        assert from_scratch["report_case_sums"]  # there is something to compare


def _alembic(the_store, action, revision: str) -> None:
    with the_store.engine.begin() as connection:
        action(the_store._alembic(connection), revision)


def test_an_upgrade_from_0005_reports_what_it_reported(store):  # noqa: F811
    """A 0005 database holding cases (the sums' tables dropped by going down to it) upgraded
    again reports the same figures, which are those of projecting every case afresh."""
    _mixed_caseload(store)
    with freeze_time(TODAY):
        ensure_current(store, TODAY)
        with store.session() as session:
            before = stored_summary(session, TODAY)
            batches, rejected = batches_of(cases.all_cases(session), TODAY)
            fresh = summarise(batches, rows_rejected=rejected)
        _alembic(store, command.downgrade, "0005_issue12f")
        tables = inspect(store.engine).get_table_names()
        assert not {kept.table.name for kept in KEPT} & set(tables)
        store.upgrade()
        with store.session() as session:
            assert stored_summary(session, TODAY) == before
            assert kept_sums(session) == summed(session)
    assert before == fresh
    assert before["cases"] > 50 and before["overdue_count"] > 0


def test_the_daily_check_mends_sums_a_change_outside_send_clock_left_wrong(store):  # noqa: F811
    """A case's stored projection deleted in the database by hand (send-clock never deletes
    one) leaves the kept sums counting it: the daily check finds that and counts again; sums
    that agree are left as they are."""
    _mixed_caseload(store)
    with freeze_time(TODAY):
        ensure_current(store, TODAY)
        with store.session() as session:
            assert not checked(session)  # kept by every write: nothing to mend
            before = stored_summary(session, TODAY)["cases"]
            gone = cases.all_cases(session)[0].id
            for table in ("milestone_projections", "case_projections"):
                session.execute(text(f"DELETE FROM {table} WHERE case_id = :id"), {"id": gone})
        with store.session() as session:
            assert kept_sums(session) != summed(session)
            assert stored_summary(session, TODAY)["cases"] == before  # still counted
            assert checked(session)
        with store.session() as session:
            assert kept_sums(session) == summed(session)
            assert stored_summary(session, TODAY)["cases"] == before - 1
            assert not checked(session)
