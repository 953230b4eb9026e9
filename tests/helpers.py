"""Helpers shared by the tests: short dates, the bundled term calendars, ICS files."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import icalendar

#: The bundled calendars with school term dates.
TERM_CALENDARS = ("jersey", "surrey", "hertfordshire", "brighton-and-hove", "bristol")


def make_ics(*events, name: str = "Test council") -> bytes:
    """An iCalendar file built with icalendar. Each event is an all-day event written as
    ``(summary, first, last)`` (``last`` inclusive, ``None`` for one day) or
    ``(summary, first, last, categories)``."""
    feed = icalendar.Calendar()
    feed.add("prodid", "-//send-clock tests//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", name)
    for number, (summary, first, last, *categories) in enumerate(events):
        event = icalendar.Event()
        event.add("uid", f"{number}@tests.send-clock")
        event.add("dtstamp", datetime(2025, 1, 1, 12, 0))
        event.add("summary", summary)
        event.add("dtstart", first)
        event.add("dtend", (last or first) + timedelta(days=1))
        if categories:
            event.add("categories", categories[0])
        feed.add_component(event)
    return feed.to_ical()


def d(text: str) -> date:
    """``date.fromisoformat``, short enough for tables of examples."""
    return date.fromisoformat(text)
