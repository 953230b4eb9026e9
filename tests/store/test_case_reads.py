"""Reading one case: by id or by reference, one statement each (the case joined to its
records), and the same state either way, records corrected and withdrawn included."""

from __future__ import annotations

from datetime import date

import pytest

from send_clock.errors import NotFound
from send_clock.store import cases
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures
from tests.store.seen import statements_sent


def _case_with_history(store) -> int:  # noqa: F811
    with store.session() as session:
        state = cases.create_case(
            session, "REF-READ-1", "england-ehcna", None, date(2025, 9, 15), "Sam", "test"
        )
        state = cases.record(
            session, state.id, state.version, "event", "decision_to_assess", "2025-10-20", "t"
        )
        first = next(iter(state.active))
        state = cases.correct(session, state.id, state.version, first, "2025-10-21", "typo", "t")
        return state.id


def test_a_case_by_reference_is_one_statement_and_the_same_state_as_by_id(store):  # noqa: F811
    case_id = _case_with_history(store)
    with store.session() as session:
        by_id = cases.get_case(session, case_id)
        with statements_sent(store.engine) as seen:
            by_ref = cases.get_case_by_ref(session, "REF-READ-1")
    assert len(seen) == 1, seen
    assert by_ref == by_id and by_ref.to_dict() == by_id.to_dict()
    assert [r.value for r in by_ref.active.values()] == ["2025-10-21"]


def test_an_unknown_reference_is_not_found(store):  # noqa: F811
    with store.session() as session, pytest.raises(NotFound, match="no case with reference"):
        cases.get_case_by_ref(session, "NO-SUCH-REF")
