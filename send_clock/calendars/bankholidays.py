"""Bank holidays per jurisdiction: workalendar's ``UnitedKingdom``, corrected.

workalendar 17.0.0 (its last release, January 2023) is the source, with these corrections, each
checked against GOV.UK's bank-holidays.json (tables at the end of the project's term-dates
reference):

* weekend dates are dropped: a bank holiday that falls on a weekend is replaced by its
  substitute weekday, which workalendar also lists, and a weekend is never a working day anyway;
* 8 May 2023, the coronation of King Charles III, is added (missing from workalendar);
* Jersey is England & Wales plus Liberation Day, 9 May, with no substitute day when it falls on
  a weekend (Government of Jersey practice), and Jersey's own one-off days: Mon 4 May 2020 (the
  Early May holiday was kept when England moved it to 8 May for VE Day), Mon 27 Sep 2021 (the
  Corn Riots anniversary) and Mon 15 Jul 2024 (the royal visit) - checked against the
  ``holidays`` package's ``JE`` calendar (tests/calendars/test_bankholidays.py).

A calendar file may add or remove dates for its own jurisdiction (``bank_holidays_add``,
``bank_holidays_remove``), e.g. a one-off local holiday.

>>> date(2023, 5, 8) in bank_holidays("england-and-wales", 2023, 2023)
True
>>> sorted(d for d in bank_holidays("jersey", 2025, 2025) if d.month == 5)
[datetime.date(2025, 5, 5), datetime.date(2025, 5, 9), datetime.date(2025, 5, 26)]
"""

from __future__ import annotations

from datetime import date
from functools import cache

from ..errors import CalendarError

#: The years for which bank holidays are computed. Outside them, counting working days is an
#: error rather than a guess: workalendar's rules are projections, not announcements.
FIRST_YEAR = 1990
LAST_YEAR = 2060

#: Holidays workalendar 17.0.0 lacks, by jurisdiction it applies to.
_MISSING_IN_WORKALENDAR = {
    date(2023, 5, 8): "Coronation of King Charles III",
}

JURISDICTIONS = {
    "england-and-wales": "England and Wales",
    "jersey": "Jersey",
}


@cache
def _england_and_wales(year: int) -> frozenset[date]:
    from workalendar.europe import UnitedKingdom  # imported lazily: no work at import time

    listed = {day for day, _name in UnitedKingdom().holidays(year)}
    listed |= {day for day in _MISSING_IN_WORKALENDAR if day.year == year}
    return frozenset(day for day in listed if day.weekday() < 5)


#: Jersey's one-off bank holidays that England and Wales did not have.
_JERSEY_ONE_OFFS = {
    date(2020, 5, 4): "Early May bank holiday, kept in Jersey when England moved it to 8 May",
    date(2021, 9, 27): "Corn Riots anniversary",
    date(2024, 7, 15): "Visit of King Charles III and Queen Camilla",
}


def _jersey(year: int) -> frozenset[date]:
    liberation_day = date(year, 5, 9)
    extra = {liberation_day} if liberation_day.weekday() < 5 else set()
    extra |= {day for day in _JERSEY_ONE_OFFS if day.year == year}
    return _england_and_wales(year) | extra


_BUILDERS = {"england-and-wales": _england_and_wales, "jersey": _jersey}


def bank_holidays(jurisdiction: str, first_year: int, last_year: int) -> frozenset[date]:
    """The weekday bank holidays of ``jurisdiction`` from 1 Jan ``first_year`` to 31 Dec
    ``last_year``."""
    try:
        build = _BUILDERS[jurisdiction]
    except KeyError:
        known = ", ".join(sorted(_BUILDERS))
        raise CalendarError(
            f"no bank holidays are known for jurisdiction {jurisdiction!r}; use one of: {known}"
        ) from None
    days: set[date] = set()
    for year in range(first_year, last_year + 1):
        days |= build(year)
    return frozenset(days)
