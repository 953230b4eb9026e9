"""A write stores its case's projection through the one-case projector; a refresh stores a
caseload's through the column-wise one. Both must write the same rows, field for field (the
team feed's event text included), for any
case of any bundled process on any bundled calendar (errors included: a case that cannot be
projected stores the same error either way)."""

from __future__ import annotations

from datetime import UTC, datetime
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from send_clock.calendars import bundled_calendars
from send_clock.store.cases import CaseState, Record, records_of
from send_clock.store.stored import FeedEvents, _group_rows, _one_rows
from send_clock.timelines import bundled_processes
from tests.timelines.test_onecase import as_of_near_a_due_date, random_case

PROCESSES = {process.id: process for process in bundled_processes()}
CALENDARS = sorted(calendar.id for calendar in bundled_calendars())
STAMP = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def stored_state(case, process_id: str, calendar_id: str) -> CaseState:
    """The stored case whose records say what ``case`` holds."""
    state = CaseState(7, "EHC-7", process_id, calendar_id, case.received, None, 1, STAMP, STAMP)
    for number, (field, key, value) in enumerate(records_of(case), start=1):
        action = "add" if field == "exception" else "set"
        state.active[number] = Record(
            number, action, field, key, value, None, None, "officer", STAMP
        )
    return state


@pytest.mark.parametrize("process_id", sorted(PROCESSES))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_one_case_stores_the_rows_of_a_batch_of_one(process_id, data):
    process = PROCESSES[process_id]
    rng = data.draw(st.randoms(use_true_random=True), label="random")
    calendar_id = data.draw(st.sampled_from([process.default_calendar, *CALENDARS]))
    case, as_of = random_case(rng, process)
    from send_clock.calendars import load_calendar

    as_of = as_of_near_a_due_date(rng, process, load_calendar(calendar_id), case, as_of)
    state = stored_state(case, process_id, calendar_id)
    # with the team feed's events too: a write and a refresh render the same event text
    feed = FeedEvents({}, STAMP)
    assert _one_rows(process_id, calendar_id, [state], as_of, feed) == _group_rows(
        process_id, calendar_id, [state], as_of, feed
    )


def test_a_case_that_cannot_be_projected_stores_the_same_error():
    process = PROCESSES["england-ehcna"]
    rng = Random(4)
    for _ in range(200):  # until a case the projector refuses (an event before the start...)
        case, as_of = random_case(rng, process)
        state = stored_state(case, process.id, process.default_calendar)
        one, _milestones = _one_rows(process.id, process.default_calendar, [state], as_of, None)
        if one[0]["error"] is not None:
            break
    else:
        pytest.fail("no refused case drawn")
    assert (one, _milestones) == _group_rows(
        process.id, process.default_calendar, [state], as_of, None
    )
