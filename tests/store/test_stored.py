"""Stored projections agree with projecting each case afresh, after any writes and any days.

The service reads statuses from stored rows instead of projecting the caseload per request, so
the rows must say exactly what a projection as of today says: after every change (written in
the same transaction) and after the date moves on (the refresh).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from send_clock.calendars import load_calendar
from send_clock.errors import SendClockError
from send_clock.reports import summarise
from send_clock.store import cases, imports, queries
from send_clock.store.models import CaseProjectionRow, MilestoneProjectionRow
from send_clock.store.projection import batches_of
from send_clock.store.report import _summed, stored_summary
from send_clock.store.stored import ensure_current, is_current, refresh, stale_case_ids
from send_clock.store.sums import KEPT, kept_sums, summed
from send_clock.timelines import Case, load_process, project
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures

PROCESSES = ("england-ehcna", "england-annual-review")
START = date(2025, 9, 1)


def _fresh(state, today: date) -> dict:
    """What a projection made now says about each milestone."""
    schedule = project(
        load_process(state.process), load_calendar(state.calendar), state.to_case(), as_of=today
    )
    return {
        m.id: (m.due, m.projected, m.actual, m.status, m.days_late, m.conditional)
        for m in schedule.milestones
    }


def _stored(session, case_id: int) -> dict:
    rows = session.scalars(
        select(MilestoneProjectionRow).where(MilestoneProjectionRow.case_id == case_id)
    )
    return {
        r.milestone: (r.due, r.projected, r.actual, r.status, r.days_late, r.conditional)
        for r in rows
    }


def assert_agree(the_store, today: date) -> None:
    with the_store.session() as session:
        for state in cases.all_cases(session):
            projection = session.get(CaseProjectionRow, state.id)
            assert projection.as_of == today
            assert projection.error is None
            stored, fresh = _stored(session, state.id), _fresh(state, today)
            assert stored == fresh, state.ref
            counted = [value[3] for value in fresh.values() if not value[5]]
            assert json.loads(projection.statuses) == {s: counted.count(s) for s in set(counted)}
        # The report's sums, kept by every write, are what summing every case gives now.
        from_scratch = summed(session)
        assert kept_sums(session) == from_scratch
        assert _summed(session) == _summed(session, from_scratch)
        # The breach report and the dashboard read the stored rows: the same figures.
        fresh_report = summarise(batches_of(cases.all_cases(session), today)[0])
        stored_report = stored_summary(session, today)
        for name in ("overdue", "due_soon"):
            if isinstance(stored_report[name], str):  # PostgreSQL wrote them as JSON
                stored_report[name] = json.loads(stored_report[name])
        assert stored_report == fresh_report
        figures = queries.caseload_figures(session)["total"]
        for name in ("cases", "open_cases", "open_cases_by_status", "final_plans_issued"):
            assert figures[name] == fresh_report[name], name
        assert (
            figures["final_plans_within_20_weeks_pct"]
            == fresh_report["final_plans_within_20_weeks_pct"]
        )
        for name in ("overdue", "due_soon"):
            entries, count = queries.worklist(session, name, limit=None)
            assert count == fresh_report[f"{name}_count"]
            assert [(e["case"].ref, e["milestone"]) for e in entries] == [
                (e["case_id"], e["milestone"]) for e in fresh_report[name]
            ]


operations = st.lists(
    st.one_of(
        st.tuples(st.just("open"), st.sampled_from(PROCESSES), st.integers(0, 120)),
        st.tuples(
            st.just("event"),
            st.integers(0, 20),
            st.sampled_from(["decision_to_assess", "advice_requested", "draft_plan", "final_plan"]),
            st.integers(0, 200),
        ),
        st.tuples(st.just("correct"), st.integers(0, 20), st.integers(0, 5), st.integers(0, 200)),
        st.tuples(st.just("withdraw"), st.integers(0, 20), st.integers(0, 5)),
        st.tuples(
            st.just("import"), st.sampled_from(PROCESSES), st.integers(0, 120), st.integers(1, 3)
        ),
        st.tuples(st.just("days"), st.integers(1, 90)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_stored_statuses_agree_with_fresh_projections(store, steps):  # noqa: F811
    for today in walk(store, steps):
        assert_agree(store, today)


def walk(store, steps):  # noqa: F811 - the fixture's name
    """Carry out ``steps`` (see :data:`operations`) from :data:`START`, one at a time; after
    each, with the stored projections brought up to the day (frozen there), yield the day."""
    today = START
    with store.session() as session:
        opened = len(cases.all_cases(session))
    for step in steps:
        with freeze_time(today):
            if step[0] == "open":
                _try(store, _open, step, opened)
                opened += 1
            elif step[0] == "import":
                _try(store, _import, step, opened)
                opened += 1
            elif step[0] in WRITES:
                _try(store, WRITES[step[0]], step)
            else:
                today += timedelta(days=step[1])
                store.projections_checked = None  # a new day for this process too
        with freeze_time(today):
            ensure_current(store, today)
            yield today


def _try(the_store, write, *args) -> None:
    try:
        with the_store.session() as session:
            write(session, *args)
    except SendClockError:
        pass  # refused (e.g. an event before the decision): nothing was stored


def _open(session, step, number) -> None:
    _kind, process, days = step
    cases.create_case(
        session, f"P-{number}", process, None, START + timedelta(days=days), "sam", "test"
    )


def _import(session, step, number) -> None:
    _kind, process, days, count = step
    calendar = load_process(process).default_calendar
    received = START + timedelta(days=days)
    found = [Case(received=received, case_id=f"I-{number}-{k}") for k in range(count)]
    imports.import_cases(session, [(process, calendar, case, None) for case in found], "test")


def _case(session, which: int):
    states = cases.all_cases(session)
    return states[which % len(states)] if states else None


def _event(session, step) -> None:
    _kind, which, milestone, days = step
    if (state := _case(session, which)) is None:
        return
    on = state.received + timedelta(days=days)
    cases.record(session, state.id, state.version, "event", milestone, on.isoformat(), "test")


def _live(session, which: int, index: int):
    """A case and one of its live records (None when it has none)."""
    state = _case(session, which)
    if state is None or not state.active:
        return None, None
    return state, list(state.active.values())[index % len(state.active)]


def _correct(session, step) -> None:
    _kind, which, index, days = step
    state, target = _live(session, which, index)
    if target is None or target.field != "event":
        return
    on = (state.received + timedelta(days=days)).isoformat()
    cases.correct(session, state.id, state.version, target.id, on, "typo", "test")


def _withdraw(session, step) -> None:
    _kind, which, index = step
    state, target = _live(session, which, index)
    if target is not None:
        cases.withdraw(session, state.id, state.version, target.id, "entered twice", "test")


#: the writes to one stored case that a step may make
WRITES = {"event": _event, "correct": _correct, "withdraw": _withdraw}


def test_refresh_fills_cases_without_projections_and_is_idempotent(store):  # noqa: F811
    with freeze_time("2025-10-01"), store.session() as session:
        for number in range(3):
            cases.create_case(session, f"R-{number}", "england-ehcna", None, START, None, "t")
    with store.session() as session:
        # As after upgrading a database that held cases before projections were stored: no
        # projections, so nothing in the report's sums either.
        session.execute(MilestoneProjectionRow.__table__.delete())
        session.execute(CaseProjectionRow.__table__.delete())
        for kept in KEPT:
            session.execute(kept.table.delete())
        assert not is_current(session, date(2025, 10, 1))
    with freeze_time("2025-11-20"):
        assert refresh(store, date(2025, 11, 20)) == 3
        assert refresh(store, date(2025, 11, 20)) == 0
        with store.session() as session:
            assert stale_case_ids(session, date(2025, 11, 20)) == []
            assert is_current(session, date(2025, 11, 20))
        # Received 1 Sep 2025: the decision was due by 13 Oct, so on 20 Nov it is overdue.
        assert_agree(store, date(2025, 11, 20))
