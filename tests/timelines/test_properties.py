"""Properties of the projector over generated England cases (derandomized, see conftest)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from send_clock.calendars import load_calendar
from send_clock.timelines import (
    Case,
    columns_of,
    load_process,
    parse_exceptions,
    project,
    project_columns,
)
from send_clock.timelines.schedule import schedule_at

EHCNA = load_process("england-ehcna")
CALENDARS = {name: load_calendar(name) for name in ("england-and-wales", "surrey")}
RECEIVED = st.dates(date(2024, 1, 1), date(2026, 12, 31))
#: Milestones a case may record, in the order they happen.
CHAIN = ("decision_to_assess", "advice_requested", "advice_due", "draft_plan", "final_plan")


@st.composite
def cases(draw) -> Case:
    """A consistent case: a prefix of the chain recorded with gaps of 0-70 days, an outcome
    that agrees with it, and maybe an exception or the date the school was asked."""
    received = draw(RECEIVED)
    events, day = {}, received
    for milestone in CHAIN[: draw(st.integers(0, len(CHAIN)))]:
        day += timedelta(days=draw(st.integers(0, 70)))
        events[milestone] = day
    if draw(st.booleans()):
        events["school_asked"] = received + timedelta(days=draw(st.integers(0, 60)))
    outcomes = {}
    if not events.keys() & {"advice_requested", "advice_due", "draft_plan", "final_plan"}:
        outcomes = draw(st.sampled_from([{}, {"decision": "refused"}, {"outcome": "no_plan"}]))
    elif not events.keys() & {"draft_plan", "final_plan"}:
        outcomes = draw(st.sampled_from([{}, {"outcome": "no_plan"}, {"outcome": "plan"}]))
    exceptions = draw(st.sampled_from([(), ("exceptional_personal_circumstances",)]))
    return Case(
        received=received,
        events=events,
        outcomes=outcomes,
        exceptions=parse_exceptions(list(exceptions), EHCNA),
    )


def dues(received: date) -> dict:
    schedule = project(EHCNA, CALENDARS["england-and-wales"], Case(received), as_of=received)
    return {m.id: m.due for m in schedule.milestones}


@settings(max_examples=60)
@given(RECEIVED, RECEIVED)
def test_due_dates_never_go_backwards_as_the_request_moves_later(first, second):
    first, second = sorted((first, second))
    early, late = dues(first), dues(second)
    assert all(early[m] <= late[m] for m in EHCNA.ids)
    assert (late["final_plan"] - second).days == 140
    assert (early["final_plan"] - first).days == 140


@settings(max_examples=60)
@given(cases(), st.integers(0, 400), st.sampled_from(sorted(CALENDARS)))
def test_projected_is_never_before_due_without_an_actual_date(case, days, calendar):
    as_of = case.received + timedelta(days=days)
    schedule = project(EHCNA, CALENDARS[calendar], case, as_of=as_of)
    for milestone in schedule.milestones:
        if milestone.actual is None and milestone.due is not None:
            assert milestone.projected >= milestone.due, milestone.id
        if milestone.actual is not None:
            assert milestone.projected == milestone.actual, milestone.id


@settings(max_examples=40)
@given(st.lists(cases(), min_size=1, max_size=6), RECEIVED, st.sampled_from(sorted(CALENDARS)))
def test_a_batch_projects_exactly_like_one_case_at_a_time(batch, as_of, calendar):
    cal = CALENDARS[calendar]
    projection = project_columns(EHCNA, cal, columns_of(EHCNA, batch), as_of)
    assert all(error is None for error in projection.errors)
    for position, case in enumerate(batch):
        single = project(EHCNA, cal, case, as_of=as_of)
        together = schedule_at(projection, position, case)
        assert together.to_dict()["milestones"] == single.to_dict()["milestones"]
        assert together.outcomes == single.outcomes
