"""Bad input to the arithmetic: each kind is an error of its own class, with a message that says
what was wrong and what would fix it."""

from __future__ import annotations

import numpy as np
import pytest

from send_clock.calendars import load_calendar, parse_unit
from send_clock.calendars.model import MAX_AMOUNT
from send_clock.errors import CalendarError, InputError, OutOfCoverage, UnknownCalendar
from tests.helpers import d


def test_unknown_unit_lists_the_units(jersey):
    with pytest.raises(InputError, match="'fortnights' is not a unit.*term-weeks, school-days"):
        jersey.add(d("2025-10-15"), 2, "fortnights")
    with pytest.raises(InputError, match="'fortnights'"):
        jersey.between(d("2025-10-15"), d("2025-12-03"), "fortnights")


@pytest.mark.parametrize(
    ("written", "unit"),
    [("term-weeks", "term-weeks"), ("Term_Week", "term-weeks"), ("working day", "working-days")],
)
def test_unit_names_are_read_loosely(written, unit):
    assert parse_unit(written) == unit


def test_unknown_calendar_lists_the_bundled_ones():
    with pytest.raises(UnknownCalendar) as caught:
        load_calendar("guernsey")
    assert "'guernsey'" in str(caught.value)
    listed = "jersey, northern-ireland, northern-ireland-de, scotland, shetland, surrey"
    assert listed in str(caught.value)


@pytest.mark.parametrize("unit", ["term-weeks", "school-days"])
def test_term_units_need_term_dates(england, unit):
    with pytest.raises(CalendarError) as caught:
        england.add(d("2025-10-15"), 6, unit)
    message = str(caught.value)
    assert "'england-and-wales' has bank holidays only" in message
    assert "use a calendar with term dates" in message
    with pytest.raises(CalendarError, match="bank holidays only"):
        england.between(d("2025-10-15"), d("2025-12-03"), unit)


def test_term_days_and_closures_need_term_dates(england):
    with pytest.raises(CalendarError, match="bank holidays only"):
        england.is_term_day(d("2025-10-15"))
    with pytest.raises(CalendarError, match="cannot count school closures"):
        england.closure_windows()


def test_a_start_before_coverage_is_out_of_coverage(jersey):
    with pytest.raises(OutOfCoverage) as caught:
        jersey.add(d("2024-12-01"), 6, "term-weeks")
    message = str(caught.value)
    assert message.startswith("6 term weeks from 2024-12-01: calendar 'jersey'")
    assert "before 6 Jan 2025 (it starts on 1 Dec 2024)" in message


def test_counting_back_past_the_first_term_is_out_of_coverage(jersey):
    with pytest.raises(OutOfCoverage, match="before 6 Jan 2025"):
        jersey.add(d("2025-01-10"), -2, "term-weeks")


def test_a_start_after_coverage_is_out_of_coverage(jersey):
    with pytest.raises(OutOfCoverage, match="after 25 Mar 2027"):
        jersey.add(d("2027-06-01"), 1, "school-days")
    with pytest.raises(OutOfCoverage, match="after 25 Mar 2027"):
        jersey.is_term_day(d("2027-06-01"))


def test_between_outside_coverage_is_out_of_coverage(jersey):
    with pytest.raises(OutOfCoverage, match="'jersey'.*after 25 Mar 2027"):
        jersey.between(d("2027-01-04"), d("2027-06-01"), "term-weeks")
    with pytest.raises(OutOfCoverage, match="before 6 Jan 2025"):
        jersey.between(d("2024-11-01"), d("2025-02-01"), "term-weeks")


def test_working_days_past_the_bank_holiday_years_are_out_of_coverage(england):
    with pytest.raises(OutOfCoverage, match="bank holidays from 1 Jan 1990 to 31 Dec 2060"):
        england.add(d("2060-12-20"), 30, "working-days")


def test_between_with_the_dates_reversed(jersey):
    with pytest.raises(InputError, match="end date 2025-10-15 is before the start date 2025-12-03"):
        jersey.between(d("2025-12-03"), d("2025-10-15"), "days")


@pytest.mark.parametrize("amount", [6.5, "six", "6.0", True, None])
def test_amounts_must_be_whole_numbers(jersey, amount):
    with pytest.raises(InputError, match="not a whole number"):
        jersey.add(d("2025-10-15"), amount, "term-weeks")


def test_whole_numbers_written_as_text_are_amounts(jersey):
    assert jersey.add(d("2025-10-15"), " 6 ", "term-weeks") == d("2025-12-03")
    assert jersey.add(d("2025-10-15"), np.int64(6), "term-weeks") == d("2025-12-03")


@pytest.mark.parametrize(
    ("start", "amount", "unit"),
    [
        ("9999-12-31", 1, "days"),
        ("9999-12-01", 1, "months"),
        ("0001-01-03", -1, "weeks"),
        ("2025-01-01", MAX_AMOUNT + 1, "days"),
        ("2025-01-01", -(10**30), "term-weeks"),
    ],
)
def test_results_beyond_the_years_1_to_9999_are_input_errors(england, start, amount, unit):
    with pytest.raises(InputError, match="years 1 to 9999|too large an amount"):
        england.add(d(start), amount, unit)


# -- the bulk path --------------------------------------------------------------------------
def test_add_many_raises_the_one_date_error(jersey):
    with pytest.raises(OutOfCoverage, match="^6 term weeks from 2027-03-01: calendar 'jersey'"):
        jersey.add_many([d("2025-10-15"), d("2027-03-01")], 6, "term-weeks")


def test_add_many_coerces_failures_to_nat(jersey):
    got = jersey.add_many([d("2025-10-15"), d("2027-03-01")], 6, "term-weeks", errors="coerce")
    assert got.tolist() == [d("2025-12-03"), None]


def test_add_many_passes_missing_starts_through(jersey):
    starts = np.array(["NaT", "2025-10-15"], dtype="datetime64[D]")
    for unit in ("term-weeks", "days"):
        assert np.isnat(jersey.add_many(starts, 6, unit)[0])
    assert jersey.add_many(starts, 6, "term-weeks")[1] == np.datetime64("2025-12-03")


def test_add_many_flags_results_beyond_year_9999(england):
    starts = [d("9999-12-31"), d("2025-01-01")]
    with pytest.raises(InputError, match="years 1 to 9999"):
        england.add_many(starts, 1, "days")
    got = england.add_many(starts, [1, MAX_AMOUNT + 1], "weeks", errors="coerce")
    assert got.tolist() == [None, None]
    with pytest.raises(InputError, match="too large"):
        england.add_many(starts, 10**30, "months")


def test_add_many_with_no_dates(jersey):
    assert jersey.add_many([], 6, "term-weeks").size == 0
