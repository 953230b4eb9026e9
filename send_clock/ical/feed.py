"""The one all-day event builder every feed shares, and the feed around the events.

A feed is built in two steps: each kind of feed (case timeline, term calendar, team deadlines,
panel dates) describes its events as :class:`AllDay` values, plain data; :func:`build_feed`
turns them into an ``icalendar.Calendar`` with the properties every feed carries (RFC 5545 and
RFC 7986, and the ``X-WR-`` / ``X-PUBLISHED-TTL`` habits of Google, Outlook and Apple clients).
icalendar writes the text: CRLF line endings, escaping and 75-octet folding.

>>> from datetime import UTC, date, datetime
>>> feed = build_feed(
...     "Example", "An example feed",
...     [AllDay("x-1@example.invalid", date(2026, 2, 2), "EHC plan: final plan due")],
...     stamp=datetime(2026, 1, 1, tzinfo=UTC),
... )
>>> print(feed.to_ical().decode().replace("\\r\\n", "\\n"), end="")  # doctest: +ELLIPSIS
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//send-clock//send-clock ...//EN
CALSCALE:GREGORIAN
METHOD:PUBLISH
DESCRIPTION:An example feed
X-WR-CALDESC:An example feed
NAME:Example
X-WR-CALNAME:Example
REFRESH-INTERVAL;VALUE=DURATION:PT12H
X-PUBLISHED-TTL:PT12H
BEGIN:VEVENT
SUMMARY:EHC plan: final plan due
DTSTART;VALUE=DATE:20260202
DTEND;VALUE=DATE:20260203
DTSTAMP:20260101T000000Z
UID:x-1@example.invalid
SEQUENCE:0
LAST-MODIFIED:20260101T000000Z
STATUS:CONFIRMED
TRANSP:TRANSPARENT
X-SEND-CLOCK-FINGERPRINT:...
END:VEVENT
END:VCALENDAR
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import icalendar

from .. import __version__
from ..errors import InputError
from .sequence import FINGERPRINT, Sequences, fingerprint, known_sequences, known_state

#: How often clients are asked to fetch the feed again (``REFRESH-INTERVAL``, ``X-PUBLISHED-TTL``).
DEFAULT_REFRESH = timedelta(hours=12)

#: The right-hand side of every UID unless a domain is given: ``.invalid`` is reserved
#: (RFC 2606), so these UIDs can never clash with a real publisher's.
DEFAULT_DOMAIN = "send-clock.invalid"

PRODID = f"-//send-clock//send-clock {__version__}//EN"

#: VEVENT ``STATUS`` values send-clock writes.
CONFIRMED, TENTATIVE = "CONFIRMED", "TENTATIVE"

# A host name (RFC 1123): labels of 1-63 letters, digits and inner hyphens, 253 characters in all.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")
_UID_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:-]*")


@dataclass(frozen=True)
class AllDay:
    """One all-day event, as plain data: from ``first`` to ``last`` inclusive (one day when
    ``last`` is ``None``). ``alarms``: days before ``first`` to remind, e.g. ``(7, 1)``."""

    uid: str
    first: date
    summary: str
    description: str = ""
    categories: tuple[str, ...] = ()
    status: str = CONFIRMED
    last: date | None = None
    alarms: tuple[int, ...] = ()

    @property
    def end(self) -> date:
        """The exclusive ``DTEND``: the day after the last day."""
        return (self.last or self.first) + timedelta(days=1)

    @property
    def fingerprint(self) -> str:
        """What a client shows of the event: its dates and its text, hashed."""
        return fingerprint(self.first, self.last or self.first, self.summary, self.description)


def build_feed(
    name: str,
    description: str,
    events: Iterable[AllDay],
    *,
    stamp: datetime | None = None,
    previous: Sequences | bytes | str | icalendar.Calendar | None = None,
    refresh: timedelta = DEFAULT_REFRESH,
    alarms_from: date | None = None,
    placeholder: AllDay | None = None,
) -> icalendar.Calendar:
    """A ``VCALENDAR`` holding ``events``; each event's ``SEQUENCE`` is carried on from
    ``previous`` (an earlier export, or its uid → (sequence, fingerprint[, modified]) mapping),
    raised by one for an event whose dates or text changed.

    ``DTSTAMP`` and ``LAST-MODIFIED`` of an event are the time its content last changed: kept
    from ``previous`` while it is unchanged, ``stamp`` (default now) when it is new or changed,
    so that exporting unchanged data again gives the same bytes. Alarms are kept only on events
    from ``alarms_from`` (default: the day of ``stamp``) on: never on a date already past.
    RFC 5545 3.6 wants at least one component in a calendar: with no events, ``placeholder``
    (default: a note on the day of ``stamp``) says why the feed is empty."""
    dtstamp = utc_stamp(stamp)
    alarms_from = alarms_from or dtstamp.date()
    known = known_sequences(previous)
    feed = new_feed(name, description, refresh)
    events = list(events) or [placeholder or empty_note(name, dtstamp.date())]
    for event in events:
        if event.alarms and event.first < alarms_from:
            event = replace(event, alarms=())
        state = known_state(known.get(event.uid), event.fingerprint, dtstamp)
        feed.add_component(all_day_event(event, state.sequence, state.modified))
    return feed


def empty_note(name: str, day: date, domain: str = DEFAULT_DOMAIN) -> AllDay:
    """The one event of a feed with nothing in it (RFC 5545 3.6 needs a component): a note on
    ``day`` that the feed has no dates, rather than a file some clients refuse."""
    return AllDay(
        uid=uid("send-clock", "empty", domain=domain),
        first=day,
        summary=f"No dates in this calendar yet: {name}",
        description=(
            f"{name} has no dates to show. This note keeps the calendar valid; the dates appear "
            "here once there are some."
        ),
        categories=("Note",),
    )


def new_feed(
    name: str, description: str, refresh: timedelta = DEFAULT_REFRESH
) -> icalendar.Calendar:
    """An empty ``VCALENDAR`` with the properties every send-clock feed carries. The name and
    the description are written both as RFC 7986 ``NAME`` / ``DESCRIPTION`` and as the
    ``X-WR-`` properties older clients read, all as escaped TEXT (RFC 5545 3.3.11)."""
    if refresh <= timedelta(0):
        raise InputError(f"the refresh interval must be positive, not {refresh}")
    feed = icalendar.Calendar()
    feed.add("version", "2.0")
    feed.add("prodid", PRODID)
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    add_text(feed, "name", name)
    add_text(feed, "description", description)
    add_text(feed, "x-wr-calname", name)
    add_text(feed, "x-wr-caldesc", description)
    feed.add("refresh-interval", icalendar.vDuration(refresh), parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", icalendar.vDuration(refresh))
    return feed


def add_text(component: icalendar.Component, name: str, value: str) -> None:
    """Add ``name`` as a TEXT value: commas, semicolons, backslashes and line breaks escaped
    (RFC 5545 3.3.11). icalendar leaves the values of ``X-`` and ``NAME`` properties as they
    are, and clients such as vobject then cut a name at its first comma."""
    component.add(name, icalendar.vText(value))


def all_day_event(event: AllDay, sequence: int, modified: datetime) -> icalendar.Event:
    """The ``VEVENT`` of ``event``: ``DTSTART;VALUE=DATE`` and the exclusive ``DTEND``, free
    time (``TRANSP:TRANSPARENT``), one ``VALARM`` per alarm; ``DTSTAMP`` and
    ``LAST-MODIFIED`` are ``modified``, the time its content last changed."""
    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("dtstamp", modified)
    component.add("last-modified", modified)
    component.add("dtstart", event.first)
    component.add("dtend", event.end)
    component.add("summary", event.summary)
    if event.description:
        component.add("description", event.description)
    if event.categories:
        component.add("categories", list(event.categories))
    component.add("sequence", sequence)
    component.add("transp", "TRANSPARENT")
    component.add("status", event.status)
    component.add(FINGERPRINT, event.fingerprint)
    for days in event.alarms:
        component.add_component(_alarm(days, event.summary))
    return component


def _alarm(days: int, summary: str) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(days=-days))
    alarm.add("description", summary)
    return alarm


def utc_stamp(stamp: datetime | None = None) -> datetime:
    """``DTSTAMP``: ``stamp`` (default now) in UTC, to the second; a naive one is taken as UTC.

    >>> utc_stamp(datetime(2026, 1, 1, 12, 30, 15, 999))
    datetime.datetime(2026, 1, 1, 12, 30, 15, tzinfo=datetime.timezone.utc)
    """
    stamp = stamp or datetime.now(UTC)
    stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    return stamp.replace(microsecond=0)


def parse_alarms(text: str | Iterable[int] | None) -> tuple[int, ...]:
    """Reminders as whole days before the event: ``"7,1"`` → ``(7, 1)``; 0 is on the day.

    >>> parse_alarms("7, 1")
    (7, 1)
    >>> parse_alarms("a week")
    Traceback (most recent call last):
    ...
    send_clock.errors.InputError: 'a week' is not a list of days for alarms: write whole days \
before the date, separated by commas, e.g. 7,1 (0 is on the day)
    """
    if text is None:
        return ()
    parts = [p.strip() for p in text.split(",")] if isinstance(text, str) else list(text)
    days = []
    for part in parts:
        try:
            value = int(part)
        except (TypeError, ValueError):
            value = -1
        if isinstance(part, bool) or value < 0 or value > 366:
            raise InputError(
                f"{text!r} is not a list of days for alarms: write whole days before the date, "
                "separated by commas, e.g. 7,1 (0 is on the day)"
            )
        days.append(value)
    return tuple(dict.fromkeys(days))


def uid(*parts: str, domain: str = DEFAULT_DOMAIN) -> str:
    """An event UID from identity only: ``part-part-...@domain``.

    >>> uid("EHC-0042", "england-ehcna", "final_plan")
    'EHC-0042-england-ehcna-final_plan@send-clock.invalid'
    >>> uid("Sam Smith", "england-ehcna", "final_plan")
    Traceback (most recent call last):
    ...
    send_clock.errors.InputError: 'Sam Smith' cannot be used in an event UID: use letters, \
digits and . _ / : - only (a case reference, never a name)
    """
    check_domain(domain)
    for part in parts:
        check_reference(part)
    return f"{'-'.join(parts)}@{domain}"


def check_reference(reference: str) -> str:
    """``reference`` if it can stand in an event UID (a case reference such as ``EHC-0042``),
    else :class:`InputError`: letters, digits and ``. _ / : -`` only, so never a name."""
    if not _UID_PART.fullmatch(reference):
        raise InputError(
            f"{reference!r} cannot be used in an event UID: use letters, digits and . _ / : - "
            "only (a case reference, never a name)"
        )
    return reference


def check_domain(domain: str) -> str:
    """``domain`` if it can stand after the ``@`` of a UID (a host name such as
    ``send.example.gov.uk``), else :class:`InputError`."""
    if not _DOMAIN.fullmatch(domain or ""):
        raise InputError(
            f"{domain!r} is not a domain for event UIDs: give a host name such as "
            f"send.example.gov.uk (default {DEFAULT_DOMAIN})"
        )
    return domain
