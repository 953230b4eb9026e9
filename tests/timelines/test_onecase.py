"""The one-case projector against the column-wise one: the same schedule, field by field.

``project`` (one case: :mod:`send_clock.timelines.onecase`, plain Python) and a batch of one
through ``project_columns`` (numpy) implement the date rules twice, once per representation.
Hypothesis draws cases for every bundled process on every bundled calendar (received dates from
1988 to 2062, so some fall outside the bank holidays or term dates a calendar holds; random
recorded events, some before the start or after the as-of date; outcomes, parameters, case dates
and recorded exceptions) and both projectors must agree on every field, or fail with the same
error class and message.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from send_clock.calendars import bundled_calendars, load_calendar
from send_clock.errors import OutOfCoverage, SendClockError
from send_clock.timelines import (
    Case,
    RecordedException,
    bundled_processes,
    columns_of,
    load_process,
    project,
    project_columns,
)
from send_clock.timelines.model import EXCEPTION_KINDS, WINDOW_KINDS
from send_clock.timelines.onecase import project_one
from send_clock.timelines.projector import excusal_of
from send_clock.timelines.schedule import project_by_columns

PROCESSES = {process.id: process for process in bundled_processes()}
CALENDARS = {calendar.id: calendar for calendar in bundled_calendars()}
#: Where most term dates are (so term-time units count), and the bank holidays known and beyond.
USUAL = (date(2023, 8, 1), date(2028, 8, 31))
EVER = (date(1988, 1, 1), date(2062, 12, 31))


def day_between(rng: Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def days_from(rng: Random, day: date, low: int = 0, high: int = 500) -> date:
    return day + timedelta(days=rng.randint(low, high))


def exceptions(rng: Random, process, received: date) -> tuple[RecordedException, ...]:
    """Up to three exceptions, mostly of kinds the process's milestones allow and well formed
    (now and then not, or naming a milestone that cannot be excused so: both paths must refuse
    those alike)."""
    allowed = sorted({kind for m in process.milestones for kind in m.excused_by})
    found = []
    for _ in range(rng.randint(0, 3) if allowed else int(rng.random() < 0.1)):
        odd = rng.random() < 0.1
        kind = rng.choice(sorted(EXCEPTION_KINDS) if odd or not allowed else allowed)
        start = end = None
        if kind == "absence_from_area" or kind in WINDOW_KINDS or rng.random() < 0.5:
            start = days_from(rng, received, -60, 300)
            end = start + timedelta(days=rng.randint(0 if odd else 28, 120))
        excusable = [m.id for m in process.milestones if kind in m.excused_by]
        milestone = None
        if rng.random() < 0.25:
            milestone = rng.choice(process.ids if odd or not excusable else excusable)
        found.append(RecordedException(kind, start, end, milestone))
    return tuple(found)


def chain(rng: Random, process, received: date) -> dict[str, date]:
    """Milestones recorded in the order they happen, 0-70 days apart (a case as it runs:
    late steps push the next ones' projections past their due dates)."""
    events, day = {}, received
    following = [key for key in process.order if key != process.start]
    for key in following[: rng.randint(0, len(following))]:
        if rng.random() < 0.8:
            day += timedelta(days=rng.randint(0, 70))
            events[key] = day
    return events


def in_force_dates(process) -> list[date]:
    """The dates rules of the process commenced or ceased (by the case's start date)."""
    found = set()
    for milestone in process.milestones:
        found.update(r.in_force_from for r in milestone.revisions)
        found.update(d for d in (milestone.in_force_from, milestone.in_force_until) if d)
    return sorted(found)


def random_case(rng: Random, process) -> tuple[Case, date]:
    """A case of ``process`` and an as-of date: events in order or at random (now and then
    before the start), some outcomes, parameters (now and then not a year), exceptions."""
    received = day_between(rng, *(USUAL if rng.random() < 0.7 else EVER))
    commencements = in_force_dates(process)
    if commencements and rng.random() < 0.2:  # on, or a day either side of, a commencement
        received = rng.choice(commencements) + timedelta(days=rng.choice([-1, 0, 1]))
    events = chain(rng, process, received) if rng.random() < 0.5 else {}
    for key in (*process.ids, *process.dates):
        if key in events:
            continue
        if key == process.start:
            if rng.random() < 0.05:  # the start date repeated: allowed when equal
                events[key] = rng.choice([received, received + timedelta(days=1)])
        elif rng.random() < 0.25:
            before_start = rng.random() < 0.03
            events[key] = days_from(rng, received, *((-20, -1) if before_start else (0, 500)))
    outcomes = {
        branch.id: rng.choice(branch.values)
        for branch in process.branches.values()
        if rng.random() < 0.3
    }
    params = {
        param: rng.randint(1890, 2210) if rng.random() < 0.1 else rng.randint(2020, 2032)
        for param in process.params
        if rng.random() < 0.8
    }
    case = Case(
        received=received,
        events=events,
        outcomes=outcomes,
        exceptions=exceptions(rng, process, received),
        params=params,
    )
    return case, days_from(rng, received, -30, 900)


def as_of_near_a_due_date(rng: Random, process, calendar, case: Case, as_of: date) -> date:
    """Half the time, an as-of date at a status boundary: a due date, the day after, or 14
    days before it (due_soon), of a milestone of the case."""
    if rng.random() < 0.5:
        return as_of
    try:
        schedule = project_by_columns(process, calendar, case, as_of=as_of)
    except SendClockError:
        return as_of
    dues = sorted({m.due for m in schedule.milestones if m.due is not None})
    if not dues:
        return as_of
    return rng.choice(dues) + timedelta(days=rng.choice([-15, -14, -13, -1, 0, 1]))


def drawn_case(data, process, calendar) -> tuple[Case, date]:
    """A case and as-of date from a random generator hypothesis draws (and reports)."""
    rng = data.draw(st.randoms(use_true_random=True), label="random")
    case, as_of = random_case(rng, process)
    as_of = as_of_near_a_due_date(rng, process, calendar, case, as_of)
    note(f"case={case!r} as_of={as_of!r}")
    return case, as_of


def outcome(call):
    """What a projection gives: ``("ok", schedule)`` or ``("error", class, message)``."""
    try:
        return ("ok", call())
    except SendClockError as error:
        return ("error", type(error), str(error))


def assert_same(process, calendar, case: Case, as_of: date) -> None:
    one = outcome(lambda: project(process, calendar, case, as_of=as_of))
    columns = outcome(lambda: project_by_columns(process, calendar, case, as_of=as_of))
    assert one[0] == columns[0], (one, columns)
    if one[0] == "error":
        assert one[1:] == columns[1:]
        return
    fast, slow = one[1], columns[1]
    # field by field first, for a readable failure; then everything, milestones' rules included
    for a, b in zip(fast.milestones, slow.milestones, strict=True):
        assert a.to_dict() == b.to_dict(), a.id
        assert (a.excusal, a.milestone) == (b.excusal, b.milestone), a.id
    assert fast.outcomes == slow.outcomes
    assert fast.warnings == slow.warnings
    assert fast == slow
    assert_same_projection(process, calendar, case, as_of)


def assert_same_projection(process, calendar, case: Case, as_of: date) -> None:
    """The projections under the schedules: closed, closure windows and skipped checks."""
    one = project_one(process, calendar, case, as_of)
    columns = project_columns(process, calendar, columns_of(process, [case]), as_of)
    assert one.closed == bool(columns.closed[0])
    for key in process.ids:
        assert one.closure_window[key] == int(columns.closure_window[key][0]), key
        assert one.closure_skipped[key] == bool(columns.closure_skipped[key][0]), key
        assert one.days_late[key] == int(columns.days_late[key][0]), key
        # how an excused milestone was excused: the reports read the column form
        assert columns.excusal(key)[0] == excusal_of(
            one.status[key], key in one.recorded, one.closure_window[key]
        ), key
    for key, value in one.outcomes.items():
        assert value == int(columns.outcomes[key][0]), key


@pytest.mark.parametrize("process_id", sorted(PROCESSES))
@settings(max_examples=80)
@given(data=st.data())
def test_one_case_projects_as_the_column_path(process_id, data):
    process = PROCESSES[process_id]
    calendar = CALENDARS[data.draw(st.sampled_from(sorted(CALENDARS)), label="calendar")]
    assert_same(process, calendar, *drawn_case(data, process, calendar))


@pytest.mark.parametrize("process_id", sorted(PROCESSES))
@settings(max_examples=40)
@given(data=st.data())
def test_one_case_on_the_process_calendar_projects_as_the_column_path(process_id, data):
    """On the process's own calendar (where term-time units count), dates inside its terms."""
    process = PROCESSES[process_id]
    calendar = load_calendar(process.default_calendar)
    assert_same(process, calendar, *drawn_case(data, process, calendar))


ISSUE_EXAMPLE = Case(received=date(2025, 9, 15), events={"decision_to_assess": date(2025, 10, 20)})


def test_the_issues_example_is_the_same_schedule():
    process, calendar = load_process("england-ehcna"), load_calendar("england-and-wales")
    schedule = project(process, calendar, ISSUE_EXAMPLE, as_of=date(2026, 1, 10))
    assert schedule == project_by_columns(process, calendar, ISSUE_EXAMPLE, as_of=date(2026, 1, 10))
    assert schedule.milestone("final_plan").due == date(2026, 2, 2)
    assert schedule.milestone("decision_to_assess").status == "met"


@pytest.mark.parametrize(
    ("process_id", "calendar_id", "received"),
    [
        ("jersey-ron", "jersey", date(2040, 1, 6)),  # term weeks past the term dates
        ("jersey-ron", "jersey", date(1995, 3, 1)),  # and before them
        ("jersey-ron", "england-and-wales", date(2025, 9, 15)),  # no term dates at all
        ("england-mediation", "england-and-wales", date(2060, 12, 29)),  # past the bank holidays
    ],
)
def test_a_date_beyond_the_calendar_is_the_same_typed_error(process_id, calendar_id, received):
    process, calendar = load_process(process_id), load_calendar(calendar_id)
    case = Case(received=received)
    with pytest.raises(SendClockError) as fast:
        project(process, calendar, case, as_of=received)
    with pytest.raises(SendClockError) as slow:
        project_by_columns(process, calendar, case, as_of=received)
    assert type(fast.value) is type(slow.value)
    assert str(fast.value) == str(slow.value)
    assert str(fast.value).startswith(tuple(m.id for m in process.milestones))


def test_out_of_coverage_names_the_milestone_and_the_missing_term_dates():
    process, calendar = load_process("jersey-ron"), load_calendar("jersey")
    with pytest.raises(OutOfCoverage, match="term dates"):
        project(process, calendar, Case(received=date(2040, 1, 6)), as_of=date(2040, 1, 6))
