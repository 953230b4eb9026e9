"""Bank holidays against GOV.UK's list (the tables at the end of the project's term-dates
reference, copied here as literals) for 2023-2027."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from send_clock.calendars import load_calendar
from send_clock.calendars.bankholidays import bank_holidays
from send_clock.errors import CalendarError
from tests.helpers import d


def _dates(*texts: str) -> list[date]:
    return [d(text) for text in texts]


ENGLAND_AND_WALES = {
    2023: _dates(
        "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08",
        "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26",
    ),
    2024: _dates(
        "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27",
        "2024-08-26", "2024-12-25", "2024-12-26",
    ),
    2025: _dates(
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26",
        "2025-08-25", "2025-12-25", "2025-12-26",
    ),
    2026: _dates(
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
        "2026-08-31", "2026-12-25", "2026-12-28",
    ),
    2027: _dates(
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
        "2027-08-30", "2027-12-27", "2027-12-28",
    ),
}  # fmt: skip

JERSEY = {
    2025: _dates(
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-09",
        "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
    ),
    2026: _dates(
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
        "2026-08-31", "2026-12-25", "2026-12-28",
    ),
}  # fmt: skip


def _year(calendar_id: str, year: int) -> list[date]:
    return load_calendar(calendar_id).bank_holidays_between(date(year, 1, 1), date(year, 12, 31))


@pytest.mark.parametrize("year", sorted(ENGLAND_AND_WALES))
def test_england_and_wales_matches_gov_uk(year):
    assert _year("england-and-wales", year) == ENGLAND_AND_WALES[year]
    assert sorted(bank_holidays("england-and-wales", year, year)) == ENGLAND_AND_WALES[year]


@pytest.mark.parametrize("year", sorted(JERSEY))
def test_jersey_matches_gov_je(year):
    assert _year("jersey", year) == JERSEY[year]
    assert sorted(bank_holidays("jersey", year, year)) == JERSEY[year]


@pytest.mark.parametrize("calendar_id", ["surrey", "hertfordshire", "brighton-and-hove", "bristol"])
def test_english_councils_use_the_england_and_wales_list(calendar_id):
    assert _year(calendar_id, 2025) == ENGLAND_AND_WALES[2025]


def test_liberation_day_on_a_weekend_has_no_substitute():
    # 9 May 2026 is a Saturday, 9 May 2027 a Sunday: Jersey's list equals England's then
    assert sorted(bank_holidays("jersey", 2027, 2027)) == ENGLAND_AND_WALES[2027]


def test_weekend_dates_are_never_bank_holidays():
    days = bank_holidays("england-and-wales", 1990, 2060)
    assert days and all(day.weekday() < 5 for day in days)


def test_unknown_jurisdiction_is_an_error():
    with pytest.raises(CalendarError, match="'isle-of-man'.*england-and-wales, jersey"):
        bank_holidays("isle-of-man", 2025, 2025)


@pytest.mark.parametrize(
    ("day", "what"),
    [
        (date(2020, 5, 4), "Early May kept in Jersey when England moved it to Fri 8 May 2020"),
        (date(2020, 5, 8), "the 75th anniversary of VE Day, as in England"),
        (date(2021, 9, 27), "the Corn Riots anniversary"),
        (date(2024, 7, 15), "the visit of King Charles III and Queen Camilla"),
    ],
)
def test_jerseys_one_off_bank_holidays(day, what):
    assert day in bank_holidays("jersey", day.year, day.year), what
    assert load_calendar("jersey").is_working_day(day) is False


def test_jersey_matches_the_holidays_package_weekday_for_weekday():
    # A second, independently maintained source: the `holidays` package's JE calendar.
    theirs = {day for year in range(2015, 2028) for day in holidays.JE(years=year)}
    assert bank_holidays("jersey", 2015, 2027) == {day for day in theirs if day.weekday() < 5}
