"""iCalendar feeds: case timelines, term calendars and team deadlines that calendar apps accept.

Every feed is an ``icalendar.Calendar`` built by :func:`build_feed` from all-day events
(:class:`AllDay`): ``VERSION``, ``PRODID``, ``CALSCALE``, ``METHOD:PUBLISH``, a name and a
description, ``REFRESH-INTERVAL`` and ``X-PUBLISHED-TTL``; each event with ``DTSTART`` and an
exclusive ``DTEND`` as dates, ``DTSTAMP``, a UID made from identity only, a ``SEQUENCE`` carried
on from the previous export, ``TRANSP:TRANSPARENT``, ``CATEGORIES`` and ``STATUS``. Alarms only
when asked for. Write a feed with ``feed.to_ical()``; read the SEQUENCE state back with
:func:`sequences_of`.

>>> from datetime import UTC, date, datetime
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import Case, load_process, project
>>> schedule = project(load_process("jersey-ron"), load_calendar("jersey"),
...                    Case(received=date(2025, 6, 16)), as_of=date(2025, 6, 16))
>>> raw = schedule_feed(schedule, "RON-7", stamp=datetime(2025, 6, 16, tzinfo=UTC)).to_ical()
>>> sequences_of(raw)["RON-7-jersey-ron-final_ron@send-clock.invalid"][0]
0
"""

from .feed import (
    CONFIRMED,
    DEFAULT_DOMAIN,
    DEFAULT_REFRESH,
    PRODID,
    TENTATIVE,
    AllDay,
    all_day_event,
    build_feed,
    check_domain,
    check_reference,
    new_feed,
    parse_alarms,
    uid,
    utc_stamp,
)
from .sequence import FINGERPRINT, Sequences, fingerprint, next_sequence, sequences_of
from .terms import calendar_feed
from .timeline import events_feed, milestone_description, milestone_event, schedule_feed

__all__ = [
    "CONFIRMED",
    "DEFAULT_DOMAIN",
    "DEFAULT_REFRESH",
    "FINGERPRINT",
    "PRODID",
    "TENTATIVE",
    "AllDay",
    "Sequences",
    "all_day_event",
    "build_feed",
    "calendar_feed",
    "check_domain",
    "check_reference",
    "events_feed",
    "fingerprint",
    "milestone_description",
    "milestone_event",
    "new_feed",
    "next_sequence",
    "parse_alarms",
    "schedule_feed",
    "sequences_of",
    "uid",
    "utc_stamp",
]
