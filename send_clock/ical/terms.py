"""A calendar's school year as a feed: terms, half terms, INSET days, closure days and the
school-closure exception windows.

Each event carries the ``CATEGORIES`` that :mod:`send_clock.calendars.icsimport` reads first, and
a term's summary is its name, so importing the feed gives back the same terms.

>>> from datetime import UTC, datetime
>>> from send_clock.calendars import load_calendar
>>> feed = calendar_feed(load_calendar("jersey"), stamp=datetime(2025, 9, 1, tzinfo=UTC))
>>> first = next(iter(feed.walk("VEVENT")))
>>> str(first["UID"]), str(first["SUMMARY"]), first["DTSTART"].dt, first["DTEND"].dt
('jersey-term-2025-01-06@send-clock.invalid', 'Spring 2025', datetime.date(2025, 1, 6), \
datetime.date(2025, 4, 5))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import icalendar

from ..calendars import AcademicYear, Calendar, ClosureWindow, Term
from ..calendars.icsimport import ID_PROPERTY, JURISDICTION_PROPERTY, NAME_PROPERTY
from ..dates import full_date
from .feed import (
    CONFIRMED,
    DEFAULT_DOMAIN,
    DEFAULT_REFRESH,
    TENTATIVE,
    AllDay,
    add_text,
    build_feed,
    empty_note,
    parse_alarms,
    uid,
    utc_stamp,
)
from .sequence import Sequences

TERM, HALF_TERM, INSET, CLOSURE_DAY, CLOSURE_WINDOW = (
    "Term",
    "Half term",
    "INSET day",
    "Closure day",
    "School-closure window",
)

#: The kind's part of a UID: ``<calendar-id>-<kind>-<first day>@<domain>``.
UID_KINDS = {
    TERM: "term",
    HALF_TERM: "half-term",
    INSET: "inset",
    CLOSURE_DAY: "closure-day",
    CLOSURE_WINDOW: "closure-window",
}


def calendar_feed(
    calendar: Calendar,
    *,
    domain: str = DEFAULT_DOMAIN,
    alarms: Iterable[int] = (),
    previous: Sequences | bytes | str | None = None,
    stamp: datetime | None = None,
    name: str | None = None,
    refresh: timedelta = DEFAULT_REFRESH,
) -> icalendar.Calendar:
    """The feed of ``calendar``'s term dates (empty for a calendar of bank holidays only).
    Events of years whose source is not ``official`` are ``TENTATIVE``. ``alarms``: days
    before each event to remind."""
    alarms = parse_alarms(alarms)
    events = [event for year in calendar.years for event in _year_events(calendar, year, domain)]
    if calendar.has_terms:
        events.extend(_window_event(calendar, w, domain) for w in calendar.closure_windows())
    if alarms:
        events = [replace(event, alarms=alarms) for event in events]
    coverage = calendar.coverage
    covers = (
        f" from {full_date(coverage[0])} to {full_date(coverage[1])}"
        if coverage
        else ": it has no term dates"
    )
    name = name or f"{calendar.name}: school terms"
    feed = build_feed(
        name,
        f"School terms, half terms, INSET days, closure days and school-closure exception "
        f"windows of {calendar.name}{covers}; term dates {calendar.status}. From send-clock.",
        events,
        stamp=stamp,
        previous=previous,
        refresh=refresh,
        placeholder=_no_terms(calendar, name, stamp, domain),
    )
    # Read back by the importer, so that a round trip keeps the id, name and bank holidays.
    add_text(feed, ID_PROPERTY, calendar.id)
    add_text(feed, NAME_PROPERTY, calendar.name)
    add_text(feed, JURISDICTION_PROPERTY, calendar.jurisdiction)
    return feed


def _no_terms(calendar: Calendar, name: str, stamp, domain: str) -> AllDay:
    """The note of a calendar of bank holidays only, on the day of the export."""
    note = empty_note(name, utc_stamp(stamp).date(), domain)
    return replace(
        note,
        uid=uid(calendar.id, "no-terms", domain=domain),
        summary=f"No term dates: {calendar.name}",
        description=(
            f"{calendar.name} has bank holidays only, no school term dates, so there are no "
            "terms, half terms or closures to show. This note keeps the calendar valid."
        ),
    )


def _year_events(calendar: Calendar, year: AcademicYear, domain: str) -> Iterator[AllDay]:
    status = CONFIRMED if year.status == "official" else TENTATIVE
    source = f"Term dates {year.label} ({year.status}); source: {year.source}."
    for term in year.terms:
        yield from _term_events(calendar.id, term, status, source, domain)


def _term_events(
    calendar_id: str, term: Term, status: str, source: str, domain: str
) -> Iterator[AllDay]:
    def event(kind: str, first, last, summary: str, what: str) -> AllDay:
        return AllDay(
            uid=uid(calendar_id, UID_KINDS[kind], first.isoformat(), domain=domain),
            first=first,
            last=last,
            summary=summary,
            description=f"{what}\n{source}",
            categories=(kind,),
            status=status,
        )

    yield event(
        TERM,
        term.start,
        term.end,
        term.name,  # the summary is the name the importer gives the term back
        f"{term.name}: first day {full_date(term.start)}, last day {full_date(term.end)} "
        "(INSET days included).",
    )
    if term.half_term:
        first, last = term.half_term
        yield event(
            HALF_TERM,
            first,
            last,
            f"Half term ({term.name})",
            f"Half-term holiday of {term.name}: no term weeks or school days counted from "
            f"{full_date(first)} to {full_date(last)}.",
        )
    for day in term.inset:
        yield event(
            INSET,
            day,
            day,
            f"INSET day ({term.name})",
            "Staff training day: a term day, but schools are closed to pupils (not a school day).",
        )
    for day in term.closures:
        yield event(
            CLOSURE_DAY,
            day,
            day,
            f"Closure day ({term.name})",
            "Schools are closed to pupils: a term day, but not a school day.",
        )


def _window_event(calendar: Calendar, window: ClosureWindow, domain: str) -> AllDay:
    closure = window.closure
    return AllDay(
        uid=uid(calendar.id, UID_KINDS[CLOSURE_WINDOW], window.start.isoformat(), domain=domain),
        first=window.start,
        last=window.end,
        summary=f"School-closure window ({closure.kind} after {closure.after_term})",
        description=(
            f"Schools are closed for {closure.days} days, from {full_date(closure.start)}; "
            f"they re-open on {full_date(closure.reopens)}. A school or college asked for "
            "information or advice in this window (one week before the closure to one week "
            "before re-opening) is a reason the 6-week decision and the 16- and 20-week limits "
            "need not be met: SEND Regulations 2014 reg 5(4)(a), 10(4)(a) and 13(3). It does not "
            "excuse the 6 weeks the professionals have for their advice (reg 8(2))."
        ),
        categories=(CLOSURE_WINDOW,),
        status=CONFIRMED,
    )
