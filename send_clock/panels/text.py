"""Date ranges and closures in words, for tables, reasons and pages.

>>> from datetime import date
>>> short_range(date(2026, 1, 5), date(2026, 1, 18))
'5–18 Jan 2026'
>>> short_range(date(2025, 10, 27), date(2025, 12, 14))
'27 Oct – 14 Dec 2025'
>>> short_range(date(2025, 12, 20), date(2026, 1, 4))
'20 Dec 2025 – 4 Jan 2026'
>>> full_range(date(2026, 1, 5), date(2026, 1, 18))
'Monday 5 January 2026 to Sunday 18 January 2026'
"""

from __future__ import annotations

from datetime import date

from ..calendars import Closure
from ..dates import full_date

#: The name of a school closure by the month it starts in (England and Jersey school years).
_HOLIDAY_NAMES = {
    12: "Christmas",
    1: "Christmas",
    3: "Easter",
    4: "Easter",
    7: "summer",
    8: "summer",
}
_HALF_TERM_NAMES = {10: "October", 11: "October", 2: "February", 5: "May", 6: "May"}


def lower_first(text: str) -> str:
    """A title inside a sentence: ``Final plan`` → ``final plan``, but ``SEND panel`` stays.

    >>> lower_first("Decision whether to assess"), lower_first("SEND Outcome Panel decision")
    ('decision whether to assess', 'SEND Outcome Panel decision')
    """
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    """A sentence's first letter in capitals, the rest untouched (unlike ``str.capitalize``)."""
    return text[:1].upper() + text[1:]


def day_month(day: date) -> str:
    """``5 Jan``."""
    return f"{day.day} {day:%b}"


def short_range(first: date, last: date) -> str:
    """A range of days as a table shows it: the year and month written once where shared."""
    if first == last:
        return f"{day_month(first)} {first.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{day_month(first)} – {day_month(last)} {last.year}"
    return f"{day_month(first)} {first.year} – {day_month(last)} {last.year}"


def full_range(first: date, last: date) -> str:
    """A range of days written out in full, for pages and feeds."""
    if first == last:
        return full_date(first)
    return f"{full_date(first)} to {full_date(last)}"


def closure_name(closure: Closure) -> str:
    """``Christmas``, ``Easter``, ``summer``, ``October half-term``: what schools call it.

    >>> from send_clock.calendars import load_calendar
    >>> [closure_name(c) for c in load_calendar("surrey").closures(min_days=14)][:3]
    ['Christmas', 'Easter', 'summer']
    """
    month = closure.start.month
    if closure.kind == "half term":
        return f"{_HALF_TERM_NAMES.get(month, closure.after_term)} half-term"
    return _HOLIDAY_NAMES.get(month, f"holiday after {closure.after_term}")


def closure_text(closure: Closure) -> str:
    """``the Christmas closure 20 Dec 2025 – 4 Jan 2026``."""
    return f"the {closure_name(closure)} closure {short_range(closure.start, closure.end)}"
