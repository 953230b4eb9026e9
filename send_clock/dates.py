"""Parsing and writing dates the way case officers write them.

Deadlines are dates: no times, no time zones. Input accepts ISO ``YYYY-MM-DD`` and the British
``DD/MM/YYYY``; anything else, or a day that does not exist, is an :class:`InputError` that says
which forms are accepted.

>>> parse_date("2025-09-15")
datetime.date(2025, 9, 15)
>>> parse_date("15/09/2025")
datetime.date(2025, 9, 15)
>>> parse_date("2025-02-30")
Traceback (most recent call last):
...
send_clock.errors.InputError: '2025-02-30' is not a real date: February 2025 has 28 days
>>> long_date(parse_date("2025-10-27"))
'Mon 27 Oct 2025'
"""

from __future__ import annotations

import calendar as _stdcal
import re
from datetime import date
from functools import lru_cache

from .errors import InputError

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str | date, what: str = "date") -> date:
    """Read a date written as ``YYYY-MM-DD`` or ``DD/MM/YYYY``.

    ``what`` names the value in the error message ("received date", "START"...).
    """
    if isinstance(text, date):
        return text
    value = str(text).strip()
    if match := _ISO.match(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK.match(value):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise InputError(
            f"{value!r} is not a {what} in a form send-clock reads: "
            "write it as YYYY-MM-DD (2025-09-15) or DD/MM/YYYY (15/09/2025)"
        )
    return _checked_date(value, year, month, day)


def _checked_date(value: str, year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise InputError(f"{value!r} is not a real date: there is no month {month}")
    if year < 1:
        raise InputError(f"{value!r} is not a real date: the year must be 1 or later")
    days_in_month = _stdcal.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise InputError(
            f"{value!r} is not a real date: {_stdcal.month_name[month]} {year} "
            f"has {days_in_month} days"
        )
    return date(year, month, day)


def long_date(day: date | None) -> str:
    """``Mon 27 Oct 2025``: the form used in tables."""
    return "" if day is None else day.strftime("%a %d %b %Y").replace(" 0", " ")


@lru_cache(maxsize=8192)  # a team feed writes the same few hundred dates many times
def full_date(day: date | None) -> str:
    """``Monday 27 October 2025``: the form used on pages and in feeds, for screen readers too.

    >>> full_date(date(2026, 2, 2))
    'Monday 2 February 2026'
    """
    return "" if day is None else f"{day:%A} {day.day} {day:%B %Y}"


def iso(day: date | None) -> str | None:
    """ISO text for JSON and CSV, ``None`` for an absent date."""
    return None if day is None else day.isoformat()
