"""The units of time send-clock counts in, and how their names are written.

>>> parse_unit("term-weeks")
'term-weeks'
>>> parse_unit("Working_Day")
'working-days'
>>> parse_unit("fortnights")
Traceback (most recent call last):
...
send_clock.errors.InputError: 'fortnights' is not a unit send-clock counts in; use one of: days, ...
"""

from __future__ import annotations

from datetime import date

from ..errors import InputError

#: Days from 1 Jan 0001 to 31 Dec 9999, the dates Python can hold: an amount larger than this, in
#: any unit, lands outside them.
MAX_AMOUNT = (date.max - date.min).days

DAYS = "days"
WEEKS = "weeks"
MONTHS = "months"
WORKING_DAYS = "working-days"
TERM_WEEKS = "term-weeks"
SCHOOL_DAYS = "school-days"

UNITS = (DAYS, WEEKS, MONTHS, WORKING_DAYS, TERM_WEEKS, SCHOOL_DAYS)

#: Units that count only days the calendar's term dates define.
TERM_UNITS = (TERM_WEEKS, SCHOOL_DAYS)

#: What each unit means, for help texts and the README.
UNIT_MEANINGS = {
    DAYS: "calendar days",
    WEEKS: "calendar weeks of 7 days",
    MONTHS: "calendar months (same day of the month, or the month's last day)",
    WORKING_DAYS: "weekdays that are not bank holidays of the calendar's jurisdiction",
    TERM_WEEKS: "5 term weekdays each (Mon-Fri in term; half terms and holidays skipped)",
    SCHOOL_DAYS: "term weekdays that are not bank holidays, INSET or closure days",
}


def parse_unit(text: str) -> str:
    """Normalise a unit name: case, ``_`` or ``-``, singular or plural."""
    name = str(text).strip().lower().replace("_", "-").replace(" ", "-")
    if not name.endswith("s"):
        name += "s"
    if name in UNITS:
        return name
    raise InputError(f"{text!r} is not a unit send-clock counts in; use one of: {', '.join(UNITS)}")


def amount_of(text: str) -> int:
    """A whole number of units, as written in a command or a cell.

    >>> amount_of(" -6 ")
    -6
    """
    try:
        value = int(str(text).strip())
    except ValueError:
        raise InputError(
            f"{text!r} is not a whole number of units; write the amount as a whole "
            "number, e.g. 6 (negative counts backwards)"
        ) from None
    if abs(value) > MAX_AMOUNT:
        raise InputError(
            f"{value} is too large an amount: no date that far away exists; give an amount of "
            f"at most {MAX_AMOUNT}"
        )
    return value


def describe(amount: int, unit: str) -> str:
    """``6 term weeks``, ``1 working day``: an amount in words for messages.

    >>> describe(1, "working-days"), describe(6, "term-weeks")
    ('1 working day', '6 term weeks')
    """
    words = unit.replace("-", " ")
    return f"{amount} {words[:-1] if abs(amount) == 1 else words}"
