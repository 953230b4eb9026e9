"""Scotland's and Northern Ireland's bank holidays: worked years from GOV.UK's lists, and every
year from 2000 to 2060 against the ``holidays`` package's ``GB`` subdivisions."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from send_clock.calendars.bankholidays import bank_holidays
from tests.helpers import d

YEARS = range(2000, 2061)


def _theirs(subdivision: str, year: int) -> set[date]:
    listed = holidays.country_holidays("GB", subdiv=subdivision, years=year)
    return {day for day in listed if day.weekday() < 5}


@pytest.mark.parametrize(
    ("jurisdiction", "subdivision"),
    [
        ("scotland", "SCT"),
        ("northern-ireland", "NIR"),
        ("england-and-wales", "ENG"),
        ("england-and-wales", "WLS"),
    ],
)
def test_every_year_matches_the_holidays_package(jurisdiction, subdivision):
    first = 2007 if subdivision == "SCT" else YEARS.start  # see the St Andrew's Day test
    for year in range(first, YEARS.stop):
        assert bank_holidays(jurisdiction, year, year) == _theirs(subdivision, year), year


def test_st_andrews_day_only_from_2007():
    # St Andrew's Day Bank Holiday (Scotland) Act 2007: the package also lists it before 2007.
    assert date(2006, 11, 30) not in bank_holidays("scotland", 2006, 2006)
    assert date(2006, 11, 30) in _theirs("SCT", 2006)
    assert bank_holidays("scotland", 2006, 2006) == _theirs("SCT", 2006) - {date(2006, 11, 30)}


SCOTLAND = {
    # GOV.UK: 1-2 Jan, Good Friday, early May, spring, first Monday in August, St Andrew's Day
    # (Sunday 30 Nov 2025: substitute Monday 1 Dec), Christmas and Boxing Day.
    2025: ["2025-01-01", "2025-01-02", "2025-04-18", "2025-05-05", "2025-05-26", "2025-08-04",
           "2025-12-01", "2025-12-25", "2025-12-26"],
    # Saturday 26 Dec 2026: Boxing Day on Monday 28; one-off 15 June for the World Cup.
    2026: ["2026-01-01", "2026-01-02", "2026-04-03", "2026-05-04", "2026-05-25", "2026-06-15",
           "2026-08-03", "2026-11-30", "2026-12-25", "2026-12-28"],
    # Friday 1 Jan 2027: 2 January (a Saturday) moves to Monday 4 January.
    2027: ["2027-01-01", "2027-01-04", "2027-03-26", "2027-05-03", "2027-05-31", "2027-08-02",
           "2027-11-30", "2027-12-27", "2027-12-28"],
}  # fmt: skip

NORTHERN_IRELAND = {
    # St Patrick's Day and the Battle of the Boyne (Saturday 12 Jul 2025: Monday 14 Jul).
    2025: ["2025-01-01", "2025-03-17", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26",
           "2025-07-14", "2025-08-25", "2025-12-25", "2025-12-26"],
    2026: ["2026-01-01", "2026-03-17", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
           "2026-07-13", "2026-08-31", "2026-12-25", "2026-12-28"],
    2027: ["2027-01-01", "2027-03-17", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
           "2027-07-12", "2027-08-30", "2027-12-27", "2027-12-28"],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(SCOTLAND))
def test_scotland_worked_years(year):
    assert sorted(bank_holidays("scotland", year, year)) == [d(t) for t in SCOTLAND[year]]


@pytest.mark.parametrize("year", sorted(NORTHERN_IRELAND))
def test_northern_ireland_worked_years(year):
    expected = [d(t) for t in NORTHERN_IRELAND[year]]
    assert sorted(bank_holidays("northern-ireland", year, year)) == expected
