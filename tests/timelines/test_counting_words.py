"""The counting words of regulations as rule options: a period "beginning with" its first day
(``starting_with``) and a last day carried to the next working day (``to_working_day``)."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from send_clock.calendars import load_calendar
from send_clock.errors import ProcessFileError
from send_clock.timelines import Case, load_process, project
from send_clock.timelines.describe import process_to_dict
from tests.timelines.support import process_file

PROCESS = """
    id = "counting"
    title = "Counting words"
    start = "start"

    [[milestones]]
    id = "start"
    title = "Start"
    description = "It starts."
    basis = "Test reg 1"

    [[milestones]]
    id = "beginning_with"
    title = "Six weeks beginning with the start"
    description = "The start date is the first day."
    basis = "Test reg 2"
    due = { from = "start", amount = 6, unit = "weeks", starting_with = true }

    [[milestones]]
    id = "year_starting_with"
    title = "Twelve months starting with the start"
    description = "The start date is the first day."
    basis = "Test reg 3"
    due = { from = "start", amount = 12, unit = "months", starting_with = true }

    [[milestones]]
    id = "working_day"
    title = "Two weeks, extended to a working day"
    description = "A last day that is not a working day runs to the next one."
    basis = "Test reg 4"
    due = { from = "start", amount = 2, unit = "weeks", to_working_day = true }
"""


def write(tmp_path, text: str = PROCESS) -> str:
    return process_file(tmp_path, text, "counting.toml")


def due(tmp_path, start: date) -> dict:
    schedule = project(
        load_process(write(tmp_path)),
        load_calendar("england-and-wales"),
        Case(received=start),
        as_of=start,
    )
    return {m.id: m.due for m in schedule.milestones}


def test_a_period_beginning_with_a_day_ends_a_day_sooner(tmp_path):
    found = due(tmp_path, date(2025, 9, 1))
    assert found["beginning_with"] == date(2025, 10, 12)  # 1 Sep + 42 days - 1
    assert found["year_starting_with"] == date(2026, 8, 31)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 12, 11), date(2025, 12, 29)),  # Thu 25 Dec, then Fri 26, weekend: Mon 29
        (date(2025, 9, 1), date(2025, 9, 15)),  # a Monday already: unchanged
        (date(2025, 8, 9), date(2025, 8, 26)),  # Sat 23 Aug; Mon 25 is a bank holiday
    ],
)
def test_a_last_day_that_is_not_a_working_day_moves_to_the_next_one(tmp_path, start, expected):
    assert due(tmp_path, start)["working_day"] == expected


def test_the_words_are_shown_with_the_rule(tmp_path):
    rules = {
        m["id"]: m["rule"] for m in process_to_dict(load_process(write(tmp_path)))["milestones"]
    }
    assert rules["beginning_with"] == "start + 6 weeks beginning with that day"
    assert rules["working_day"] == "start + 2 weeks (or the next working day)"


@pytest.mark.parametrize("option", ["starting_with", "to_working_day"])
def test_the_options_are_true_or_false(tmp_path, option):
    text = textwrap.dedent(PROCESS).replace(f"{option} = true", f'{option} = "yes"')
    with pytest.raises(ProcessFileError, match=f"{option} must be true or false"):
        load_process(write(tmp_path, text))
