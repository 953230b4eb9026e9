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
  ``holidays`` package's ``JE`` calendar (tests/calendars/test_bankholidays.py);
* Northern Ireland is workalendar's ``UnitedKingdomNorthernIreland`` (St Patrick's Day, 17 March,
  and the Battle of the Boyne, 12 July, each with its substitute weekday), weekends dropped;
* Scotland is England & Wales without Easter Monday and the late August holiday, with 2 January
  (the weekday after the observed New Year holiday), the first Monday in August and St Andrew's
  Day, 30 November from 2007 (the next Monday when it falls on a weekend), and the one-off
  15 June 2026. workalendar's own ``Scotland`` is
  marked experimental by its authors and misses Good Friday and the substitutes, so it is not used.

Every year from 2000 to 2060 is checked in the tests against the ``holidays`` package's ``GB``
subdivisions ``ENG``, ``WLS``, ``SCT`` and ``NIR``.

A calendar file may add or remove dates for its own jurisdiction (``bank_holidays_add``,
``bank_holidays_remove``), e.g. a one-off local holiday.

>>> date(2023, 5, 8) in bank_holidays("england-and-wales", 2023, 2023)
True
>>> sorted(d for d in bank_holidays("jersey", 2025, 2025) if d.month == 5)
[datetime.date(2025, 5, 5), datetime.date(2025, 5, 9), datetime.date(2025, 5, 26)]
"""

from __future__ import annotations

from datetime import date, timedelta
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
    "northern-ireland": "Northern Ireland",
    "scotland": "Scotland",
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


@cache
def _northern_ireland(year: int) -> frozenset[date]:
    from workalendar.europe import UnitedKingdomNorthernIreland

    listed = {day for day, _name in UnitedKingdomNorthernIreland().holidays(year)}
    listed |= {day for day in _MISSING_IN_WORKALENDAR if day.year == year}
    return frozenset(day for day in listed if day.weekday() < 5)


#: St Andrew's Day Bank Holiday (Scotland) Act 2007: a bank holiday from 2007.
_ST_ANDREWS_DAY_FROM = 2007

#: One-off Scottish bank holidays: 15 June 2026, the FIFA World Cup (announced by the Scottish
#: Government; listed by the ``holidays`` package 0.109).
_SCOTLAND_ONE_OFF = {date(2026, 6, 15): "FIFA World Cup"}


@cache
def _scotland(year: int) -> frozenset[date]:
    from dateutil.easter import easter
    from dateutil.relativedelta import MO, relativedelta

    shared = set(_england_and_wales(year))
    shared.discard(easter(year) + timedelta(days=1))  # Easter Monday is not a Scottish holiday
    shared -= {day for day in shared if day.month == 8}  # nor is the last Monday in August
    new_year = min(day for day in shared if day.month == 1)  # 1 January or its substitute
    second_january = _next_weekday(new_year)
    first_monday_of_august = date(year, 8, 1) + relativedelta(weekday=MO(+1))
    days = shared | {second_january, first_monday_of_august}
    if year >= _ST_ANDREWS_DAY_FROM:
        st_andrews_day = date(year, 11, 30)
        if st_andrews_day.weekday() >= 5:
            st_andrews_day += relativedelta(weekday=MO(+1))
        days.add(st_andrews_day)
    days |= {day for day in _SCOTLAND_ONE_OFF if day.year == year}
    return frozenset(days)


def _next_weekday(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


_BUILDERS = {
    "england-and-wales": _england_and_wales,
    "jersey": _jersey,
    "northern-ireland": _northern_ireland,
    "scotland": _scotland,
}


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
