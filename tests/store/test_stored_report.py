"""The breach report summed by the database from stored rows says what projecting every case
afresh says: a differential test on a mixed caseload (processes, refusals, plans on time and
late, recorded exceptions, school-closure windows, cases left open, due soon and overdue)."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from freezegun import freeze_time

from send_clock.reports import summarise
from send_clock.store import cases
from send_clock.store.projection import batches_of
from send_clock.store.report import stored_summary
from send_clock.store.stored import ensure_current
from send_clock.store.sums import kept_sums, summed
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures

TODAY = date(2026, 3, 2)


def _mixed_caseload(the_store, count: int = 90) -> None:
    """Cases received over 18 months, each a little further along its process than the one
    before, some late, some with a recorded exception, some refused."""
    rng = random.Random(12)
    with freeze_time(TODAY), the_store.session() as session:
        for number in range(count):
            received = date(2024, 9, 2) + timedelta(days=rng.randrange(0, 540))
            process = "england-annual-review" if number % 9 == 0 else "england-ehcna"
            records = _records(rng, process, received)
            try:
                with session.begin_nested():
                    cases.create_case(
                        session, f"MIX-{number:03d}", process, None, received, None, "t", records
                    )
            except Exception:  # noqa: BLE001 - a combination the process refuses: skip it
                continue


def _records(rng: random.Random, process: str, received: date) -> list[tuple]:
    if process != "england-ehcna":
        return []
    stage = rng.randrange(0, 6)
    records: list[tuple] = []
    on = received
    if stage >= 1:
        on += timedelta(days=rng.randrange(25, 60))
        refused = rng.random() < 0.2
        records += [("outcome", "decision", "refused" if refused else "agreed")]
        records += [("event", "decision_to_assess", on.isoformat())]
        if refused:
            return records
    if stage >= 2:
        records += [("event", "advice_requested", (on + timedelta(days=3)).isoformat())]
    if stage >= 4:
        on = received + timedelta(days=rng.randrange(110, 175))  # on time or late
        if on < TODAY:
            records += [("event", "final_plan", on.isoformat())]
            if rng.random() < 0.4:
                kind = "exceptional_personal_circumstances"
                records += [("exception", kind, f"{kind}@final_plan")]
    return records


def test_stored_report_agrees_with_a_fresh_projection_of_every_case(store):  # noqa: F811
    _mixed_caseload(store)
    with freeze_time(TODAY):
        ensure_current(store, TODAY)
        with store.session() as session:
            states = cases.all_cases(session)
            batches, rejected = batches_of(states, TODAY)
            fresh = summarise(batches, rows_rejected=rejected)
            stored = stored_summary(session, TODAY)
            # read from the sums every write kept, which are what summing every case gives
            assert kept_sums(session) == summed(session)
    stored = {
        key: json.loads(value)
        if key in ("overdue", "due_soon") and isinstance(value, str)
        else value
        for key, value in stored.items()
    }
    assert list(stored) == list(fresh)
    for key in fresh:
        assert stored[key] == fresh[key], key
    # The caseload is mixed enough for the test to mean something.
    assert fresh["final_plans_issued"] > fresh["final_plans_issued_excluding_exceptions"] > 0
    assert fresh["overdue_count"] > 0 and fresh["decisions_made"] > 0
    assert len(fresh["by_month"]) > 6 and len(fresh["status_counts"]) > 8


def test_stored_report_of_no_cases(store):  # noqa: F811
    with freeze_time(TODAY), store.session() as session:
        assert stored_summary(session, TODAY) == summarise([])
