"""Shared by the iCalendar tests: reading feeds back as a calendar client would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import recurring_ical_events

from send_clock.calendars import bundled_calendars, load_calendar
from send_clock.timelines import Case, load_process, project

#: A fixed DTSTAMP, so that no test depends on the real time.
STAMP = datetime(2025, 9, 15, 8, 30, tzinfo=UTC)

#: The bundled calendars with school term dates.
TERM_CALENDAR_IDS = tuple(c.id for c in bundled_calendars() if c.has_terms)


def ehcna(as_of: date = date(2025, 9, 15), **recorded):
    """The England EHC needs assessment of a request received on 15 September 2025."""
    events = {key: value for key, value in recorded.items() if isinstance(value, date)}
    outcomes = {key: value for key, value in recorded.items() if isinstance(value, str)}
    return project(
        load_process("england-ehcna"),
        load_calendar("england-and-wales"),
        Case(received=date(2025, 9, 15), events=events, outcomes=outcomes),
        as_of=as_of,
    )


def parsed(raw: bytes) -> icalendar.Calendar:
    """``raw`` read back with icalendar, after the checks every exported file must pass."""
    check_text(raw)
    feed = icalendar.Calendar.from_ical(raw)
    assert feed.name == "VCALENDAR"
    return feed


def check_text(raw: bytes) -> None:
    """CRLF line endings only, and no line longer than 75 octets (RFC 5545 3.1)."""
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75


def events_by_uid(feed: icalendar.Calendar) -> dict[str, icalendar.Event]:
    found = {str(event["UID"]): event for event in feed.walk("VEVENT")}
    assert len(found) == len(feed.walk("VEVENT")), "UIDs must be unique within a feed"
    return found


def check_client(raw: bytes) -> None:
    """Read ``raw`` as a calendar client does (recurring-ical-events): every event occurs once,
    shows on its first and last day, and neither the day before nor on its exclusive DTEND."""
    feed = icalendar.Calendar.from_ical(raw)
    events = events_by_uid(feed)
    if not events:
        return
    query = recurring_ical_events.of(feed)
    first = min(event["DTSTART"].dt for event in events.values())
    end = max(event["DTEND"].dt for event in events.values())
    everything = [str(event["UID"]) for event in query.between(first, end)]
    assert sorted(everything) == sorted(events)
    for uid, event in events.items():
        start, stop = event["DTSTART"].dt, event["DTEND"].dt
        assert isinstance(start, date) and not isinstance(start, datetime)
        assert uid in _uids(query.at(start)) and uid in _uids(query.at(stop - timedelta(days=1)))
        assert uid not in _uids(query.at(start - timedelta(days=1)))
        assert uid not in _uids(query.at(stop))


def _uids(occurrences) -> set[str]:
    return {str(occurrence["UID"]) for occurrence in occurrences}


def span(first: date, end: date) -> set[date]:
    """The days from ``first`` to the day before ``end`` (an exclusive DTEND)."""
    return {first + timedelta(days=n) for n in range((end - first).days)}
