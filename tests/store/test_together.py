"""A write of one case sends its statements together (:mod:`send_clock.store.together`): what
it stores is what the write of many cases stores, and an error among statements sent
together is raised as SQLAlchemy raises it, with nothing after it applied."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from send_clock.errors import NotFound, StaleVersion
from send_clock.store import cases
from send_clock.store.models import (
    CaseloadGenerationRow,
    CaseProjectionRow,
    CaseRow,
    MilestoneProjectionRow,
)
from send_clock.store.stored import store_projections
from send_clock.store.sums import kept_sums, summed
from send_clock.store.together import run_together
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures
from tests.store.test_stored_report import TODAY

#: dates that move the case between statuses and worklists (and so between sums' keys)
EVENTS = [
    ("decision_to_assess", 30),
    ("decision_to_assess", 60),  # recorded late, then again: the sums' keys change back
    ("draft_plan", 120),
    ("final_plan", 190),
]


def _stored(session, case_id: int) -> tuple[dict, list[dict]]:
    case_row = session.execute(
        select(CaseProjectionRow.__table__).where(CaseProjectionRow.case_id == case_id)
    ).one()
    milestones = session.execute(
        select(MilestoneProjectionRow.__table__)
        .where(MilestoneProjectionRow.case_id == case_id)
        .order_by(MilestoneProjectionRow.position)
    ).all()
    return dict(case_row._mapping), [dict(row._mapping) for row in milestones]


def test_a_write_of_one_case_stores_what_a_write_of_many_stores(store):  # noqa: F811
    """Each write of one case (created, then events recorded that move it between statuses and
    worklists) keeps the report's sums exact and carries on its team-feed SEQUENCE state; its
    rows are those the path for many cases stores for it afterwards."""
    received = TODAY - timedelta(days=200)
    with freeze_time(TODAY):
        with store.session() as session:
            other = cases.create_case(session, "T-TWO", "england-ehcna", None, received, None, "t")
            state = cases.create_case(session, "T-ONE", "england-ehcna", None, received, None, "t")
        for milestone, days in EVENTS:
            with store.session() as session:
                on = (received + timedelta(days=days)).isoformat()
                state = cases.record(session, state.id, state.version, "event", milestone, on, "t")
            with store.session() as session:
                assert kept_sums(session) == summed(session)
                one_case = _stored(session, state.id)
        with store.session() as session:  # two cases: the path for many
            store_projections(session, cases.all_cases(session), TODAY)
        with store.session() as session:
            assert _stored(session, state.id) == one_case
            assert kept_sums(session) == summed(session)
            assert summed(session)["report_case_sums"]
            assert other.id != state.id
    # the SEQUENCE of an event whose content changed was raised, carried on from the old rows
    assert any(row["feed_sequence"] for row in one_case[1])


def test_an_error_among_statements_sent_together_stops_them(store):  # noqa: F811
    """The second of three statements fails (a duplicate key): the error is SQLAlchemy's
    IntegrityError, the third is not run, the transaction is rolled back, and the pooled
    connection serves the next transaction."""
    generation = CaseloadGenerationRow.__table__
    raising = update(generation).where(generation.c.id == 2).values(generation=7)
    lowering = update(generation).where(generation.c.id == 3).values(generation=9)
    before = _generations(store)
    with pytest.raises(IntegrityError), store.session() as session:
        run_together(
            session,
            [(raising, {}), (insert(generation), {"id": 1, "generation": 0}), (lowering, {})],
        )
    assert _generations(store) == before
    with store.session() as session:
        rows = run_together(session, [(raising, {}), (select(generation.c.generation), {})])
    assert rows[0] is None and (7,) in rows[1]
    assert _generations(store)[2] == 7


def _generations(the_store) -> dict[int, int]:
    generation = CaseloadGenerationRow.__table__
    with the_store.session() as session:
        return dict(session.execute(select(generation.c.id, generation.c.generation)).all())


def test_timestamps_read_together_are_utc_whatever_the_session_time_zone(store):  # noqa: F811
    """As SQLAlchemy reads them (:class:`~send_clock.store.models.DateTime`): a SEQUENCE
    state carried on by a write holds its time in UTC, as LAST-MODIFIED is written."""
    with store.session() as session:
        state = cases.create_case(session, "T-ZONE", "england-ehcna", None, TODAY, None, "t")
    with store.session() as session:
        if store.engine.dialect.name == "postgresql":
            session.execute(text("SET LOCAL TIME ZONE 'Asia/Kolkata'"))
        table = CaseRow.__table__
        query = select(table.c.created_at).where(table.c.id == bindparam("case_id"))
        ((created,),) = run_together(session, [(query, {"case_id": state.id})])[0]
    assert created == state.created_at
    assert created.isoformat() == state.created_at.isoformat()  # +00:00, not +05:30


def test_a_change_refused_after_its_statements_were_sent_leaves_everything(store):  # noqa: F811
    """A change's version check, record and the old projection's deletion are sent together:
    refused (a stale version, a missing case), the transaction leaves the case, its records,
    its stored projection and the sums as they were."""
    with store.session() as session:
        state = cases.create_case(session, "T-STALE", "england-ehcna", None, TODAY, None, "t")
    with store.session() as session:
        before = (_stored(session, state.id), kept_sums(session), cases.history(session, state.id))
    on = (TODAY + timedelta(days=30)).isoformat()
    with pytest.raises(StaleVersion), store.session() as session:
        cases.record(session, state.id, state.version + 1, "event", "decision_to_assess", on, "t")
    with pytest.raises(NotFound), store.session() as session:
        cases.record(session, state.id + 1, 1, "event", "decision_to_assess", on, "t")
    with store.session() as session:
        after = (_stored(session, state.id), kept_sums(session), cases.history(session, state.id))
        assert cases.count_cases(session) == 1
    assert after == before
