"""The term-time-aware calendar engine: bank holidays, school term dates, exact date arithmetic.

>>> from datetime import date
>>> from send_clock.calendars import load_calendar
>>> load_calendar("jersey").add(date(2025, 6, 30), 6, "term-weeks")
datetime.date(2025, 9, 23)
"""

from .loader import bundled_calendars, bundled_ids, calendar_from_toml, load_calendar, shown_id
from .model import AcademicYear, Calendar, Closure, ClosureWindow, Term
from .units import UNITS, parse_unit

__all__ = [
    "AcademicYear",
    "Calendar",
    "Closure",
    "ClosureWindow",
    "Term",
    "UNITS",
    "bundled_calendars",
    "bundled_ids",
    "calendar_from_toml",
    "load_calendar",
    "shown_id",
    "parse_unit",
]
