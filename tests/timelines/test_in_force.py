"""Rules in force from a commencement date: a milestone that applies only to cases begun in a
window (``in_force_from`` / ``in_force_until``), and ``revisions`` that count a case by the rule
in force on its start date. Loaded, validated and projected column-wise."""

from __future__ import annotations

import textwrap
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from send_clock.calendars import load_calendar
from send_clock.errors import ProcessFileError
from send_clock.timelines import Case, load_process, project, project_columns
from send_clock.timelines.schedule import columns_of
from tests.timelines.support import process_file

PROCESS = """
    id = "commenced"
    title = "A process whose rules changed on 1 March 2026"
    start = "start"

    [[milestones]]
    id = "start"
    title = "Start"
    description = "It starts."
    basis = "Old Regulations reg 1"

    [[milestones]]
    id = "notice"
    title = "Notice"
    description = "Only under the new Regulations."
    basis = "New Regulations reg 2"
    due = { from = "start", amount = 1, unit = "weeks" }
    in_force_from = 2026-03-01

    [[milestones]]
    id = "decision"
    title = "Decision"
    description = "Ten weeks under the old rules, six under the new."
    basis = "Old Regulations reg 3"
    due = { from = "start", amount = 10, unit = "weeks" }
    lead = { after = "start", amount = 0, unit = "days" }
    [[milestones.revisions]]
    in_force_from = 2026-03-01
    due = { from = "notice", amount = 5, unit = "weeks" }
    lead = { after = "notice", amount = 0, unit = "days" }
    basis = "New Regulations reg 4"

    [[milestones]]
    id = "old_report"
    title = "Report"
    description = "Revoked by the new Regulations."
    basis = "Old Regulations reg 5"
    due = { from = "start", amount = 2, unit = "weeks" }
    in_force_until = 2026-03-01
"""


def write(tmp_path, text: str = PROCESS) -> str:
    return process_file(tmp_path, text, "commenced.toml")


def one(tmp_path, received: str):
    case = Case(received=date.fromisoformat(received))
    calendar = load_calendar("england-and-wales")
    schedule = project(load_process(write(tmp_path)), calendar, case, as_of=case.received)
    return {
        m.id: (m.due and m.due.isoformat(), m.status, m.milestone.basis)
        for m in schedule.milestones
    }


def test_a_case_begun_the_day_before_commencement_keeps_the_old_rules(tmp_path):
    found = one(tmp_path, "2026-02-28")
    assert found["decision"] == ("2026-05-09", "pending", "Old Regulations reg 3")  # 10 weeks
    assert found["old_report"][0] == "2026-03-14"
    assert found["notice"] == (None, "not_applicable", "New Regulations reg 2")


def test_a_case_begun_on_the_commencement_day_takes_the_new_rules(tmp_path):
    found = one(tmp_path, "2026-03-01")
    assert found["notice"][0] == "2026-03-08"
    assert found["decision"] == ("2026-04-12", "pending", "New Regulations reg 4")  # 1 + 5 weeks
    assert found["old_report"][1] == "not_applicable"


def test_one_batch_counts_each_case_by_its_own_start_date(tmp_path):
    process = load_process(write(tmp_path))
    cases = [Case(received=date(2026, 2, 28)), Case(received=date(2026, 3, 1))]
    projection = project_columns(
        process, load_calendar("england-and-wales"), columns_of(process, cases), date(2026, 3, 1)
    )
    assert projection.due["decision"].tolist() == [date(2026, 5, 9), date(2026, 4, 12)]
    assert np.isnat(projection.due["notice"][0]) and np.isnat(projection.due["old_report"][1])


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (
            "in_force_until = 2026-03-01",
            "in_force_until = 2026-03-01\n    in_force_from = 2026-03-01",
            "in_force_until must be after in_force_from",
        ),
        ('due = { from = "notice"', 'dew = { from = "notice"', "dew"),
        (
            'basis = "New Regulations reg 4"',
            'basis = "New Regulations reg 4"\n[[milestones.revisions]]\n'
            'in_force_from = 2026-01-01\ndue = { from = "start", amount = 1, unit = "weeks" }'
            '\nbasis = "Earlier"',
            "revisions must be in order of in_force_from",
        ),
        ("in_force_until = 2026-03-01", 'in_force_until = "2026-02-30"', "not a real date"),
        (
            'basis = "Old Regulations reg 1"',
            'basis = "Old Regulations reg 1"\nin_force_from = 2026-03-01',
            "the start milestone applies to every case",
        ),
    ],
)
def test_invalid_commencements_are_refused_with_the_entry(tmp_path, old, new, reason):
    text = textwrap.dedent(PROCESS).replace(old, new, 1)
    assert text != textwrap.dedent(PROCESS)
    with pytest.raises(ProcessFileError, match=reason):
        load_process(write(tmp_path, text))


NORTHERN_IRELAND = load_process("northern-ireland-statutory-assessment")
COMMENCEMENT = date(2005, 9, 1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.dates(date(2004, 9, 1), date(2006, 8, 31)), min_size=1, max_size=12))
def test_a_batch_counts_each_case_as_it_would_alone(starts):
    # One projection over cases on both sides of 1 Sep 2005 equals each case projected alone,
    # and each is counted by the regulations in force on its own start date.
    calendar = load_calendar("northern-ireland")
    cases = [Case(received=start) for start in starts]
    batch = project_columns(
        NORTHERN_IRELAND, calendar, columns_of(NORTHERN_IRELAND, cases), date(2006, 9, 1)
    )
    for position, case in enumerate(cases):
        alone = project(NORTHERN_IRELAND, calendar, case, as_of=date(2006, 9, 1))
        for milestone in alone.milestones:
            batch_due = batch.due[milestone.id][position]
            assert (None if np.isnat(batch_due) else batch_due.item()) == milestone.due
        decision = alone.milestone("assessment_decision")
        assert (decision.status == "not_applicable") == (case.received < COMMENCEMENT)
        proposed = alone.milestone("proposed_statement").milestone.basis
        assert ("2005 reg 16" in proposed) == (case.received >= COMMENCEMENT)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('revisions = "x"', "revisions must be a list"),
        ('revisions = ["x"]', "must be a table"),
        ("revisions = [{ in_force_from = 2026-01-01 }]", "needs the due rule"),
        (
            'revisions = [{ in_force_from = "2026-01-01\\u0000", basis = "b", '
            'due = { from = "start", amount = 1, unit = "weeks" } }]',
            "is not a date",
        ),
        ("in_force_from = 2026-01-01T10:00:00", "has a time of day"),
        ('in_force_from = "=cmd|calc"', "is not a date"),
    ],
)
def test_hostile_commencement_values_are_refused_in_one_line(tmp_path, line, reason):
    text = f"{textwrap.dedent(PROCESS)}{line}\n"
    with pytest.raises(ProcessFileError, match=reason) as caught:
        load_process(write(tmp_path, text))
    assert "\n" not in str(caught.value)
