"""Writing a large feed fast: the bytes :func:`~send_clock.ical.feed.build_feed` gives, without
an ``icalendar`` object per event.

A team feed over a region's caseload holds some 200,000 events. Building an
``icalendar.Event`` for each and serialising it (which folds every line a character at a time)
takes minutes; the events are all alike (all-day, the same properties in the same order), so
here each is written as text: TEXT values escaped (RFC 5545 3.3.11, as icalendar escapes
them) and lines folded at 75 octets (3.1) on whole UTF-8 characters, never straight
after a backslash, as icalendar folds them. The feed's header is still icalendar's.
tests/ical/test_writer.py checks the output against icalendar's, byte for byte, and against
three independent parsers.

>>> from datetime import UTC, date, datetime
>>> from send_clock.ical.feed import AllDay, build_feed
>>> body, served = write_feed(
...     "Example", "An example feed",
...     [AllDay("x-1@example.invalid", date(2026, 2, 2), "EHC plan: final plan due")],
...     stamp=datetime(2026, 1, 1, tzinfo=UTC),
... )
>>> body == build_feed(
...     "Example", "An example feed",
...     [AllDay("x-1@example.invalid", date(2026, 2, 2), "EHC plan: final plan due")],
...     stamp=datetime(2026, 1, 1, tzinfo=UTC),
... ).to_ical()
True
>>> served["x-1@example.invalid"][0]
0
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

from .feed import (
    DEFAULT_REFRESH,
    AllDay,
    all_day_event,
    check_domain,
    empty_note,
    new_feed,
    utc_stamp,
)
from .sequence import FINGERPRINT, Sequences, known_sequences, known_state

#: Content lines longer than this many octets are folded (RFC 5545 3.1).
LINE_OCTETS = 75
_FOLD = b"\r\n "
_END = b"END:VCALENDAR\r\n"


def write_feed(
    name: str,
    description: str,
    events: Iterable[AllDay],
    **options,
) -> tuple[bytes, dict[str, tuple[int, str, datetime]]]:
    """The bytes of ``build_feed(...).to_ical()`` for the same arguments (``stamp``,
    ``previous``, ``refresh``, ``alarms_from``, ``placeholder``), and what was served: uid ->
    (SEQUENCE, fingerprint, time its content last changed)."""
    served: dict[str, tuple[int, str, datetime]] = {}
    return b"".join(feed_chunks(name, description, events, served=served, **options)), served


def feed_chunks(
    name: str,
    description: str,
    events: Iterable[AllDay],
    *,
    served: dict,
    stamp: datetime | None = None,
    previous: Sequences | None = None,
    refresh: timedelta = DEFAULT_REFRESH,
    alarms_from: date | None = None,
    placeholder: AllDay | None = None,
) -> Iterator[bytes]:
    """:func:`write_feed`'s bytes a piece at a time (the header, then each event), so that a
    large feed can be hashed and compressed without being held whole; ``served`` fills as
    the events are written."""
    dtstamp = utc_stamp(stamp)
    alarms_from = alarms_from or dtstamp.date()
    known = known_sequences(previous)
    header = new_feed(name, description, refresh).to_ical()
    yield header[: -len(_END)]
    stamps: dict[datetime, str] = {}
    written = 0
    for event in events:
        written += 1
        yield _event(event, alarms_from, known, dtstamp, served, stamps)
    if not written:
        event = placeholder or empty_note(name, dtstamp.date())
        yield _event(event, alarms_from, known, dtstamp, served, stamps)
    yield _END


def stored_feed(
    name: str,
    description: str,
    events: Iterable[tuple[str, str, str]],
    *,
    domain: str,
    placeholder: AllDay,
    placeholder_stamp: datetime,
    refresh: timedelta = DEFAULT_REFRESH,
    chunk: int = 1 << 20,
) -> Iterator[bytes]:
    """A feed from events stored as text: each ``(uid before the @, text before the UID
    line, text after it)`` as :func:`event_parts` wrote them, the UID completed with
    ``domain``. Yields pieces of about ``chunk`` bytes, so that a large feed is sent as it is
    read, never held whole: a megabyte, since each piece costs the server a hop between
    threads (tens of milliseconds on a busy machine). With no event, ``placeholder``
    (SEQUENCE 0, last changed at ``placeholder_stamp``) keeps the calendar valid."""
    yield new_feed(name, description, refresh).to_ical()[: -len(_END)]
    pieces: list[str] = []
    size, written = 0, False
    at = "@" + check_domain(domain)
    for uid, head, tail in events:
        written = True
        # a stored UID is a checked reference and ids, the domain a checked host name:
        # nothing in the line needs escaping, and only a long one folding
        line = "UID:" + uid + at
        pieces += (head, line if len(line) < LINE_OCTETS else fold(line), "\r\n", tail)
        size += len(head) + len(tail)
        if size >= chunk:
            yield "".join(pieces).encode("utf-8")
            pieces, size = [], 0
    if not written:
        head, tail = event_parts(placeholder, 0, stamp_text(utc_stamp(placeholder_stamp)))
        pieces += (head, uid_line(placeholder.uid), tail)
    yield "".join(pieces).encode("utf-8") + _END


def _event(event: AllDay, alarms_from, known, dtstamp, served, stamps) -> bytes:
    if event.alarms and event.first < alarms_from:
        event = replace(event, alarms=())
    found = event.fingerprint
    state = known_state(known.get(event.uid), found, dtstamp)
    served[event.uid] = (state.sequence, found, state.modified)
    if event.alarms:  # rare (the service's team feed has none): icalendar writes these
        return all_day_event(event, state.sequence, state.modified).to_ical()
    modified = stamps.get(state.modified)
    if modified is None:
        modified = stamps[state.modified] = stamp_text(state.modified)
    head, tail = event_parts(event, state.sequence, modified, found)
    return (head + uid_line(event.uid) + tail).encode("utf-8")


def stamp_text(modified: datetime) -> str:
    """``DTSTAMP`` / ``LAST-MODIFIED`` as written: UTC, to the second."""
    return modified.strftime("%Y%m%dT%H%M%SZ")


def event_parts(
    event: AllDay, sequence: int, modified: str, found: str | None = None
) -> tuple[str, str]:
    """An event without alarms as text, in two parts: the lines before its ``UID`` line and
    the lines after it (``modified``: :func:`stamp_text`; ``found``: the event's fingerprint,
    if already computed). The UID, whose domain is a setting
    of the service, goes between them (:func:`uid_line`), so that the parts can be stored."""
    head = [
        "BEGIN:VEVENT",
        fold("SUMMARY:" + escape_text(event.summary)),
        "DTSTART;VALUE=DATE:" + event.first.isoformat().replace("-", ""),
        "DTEND;VALUE=DATE:" + event.end.isoformat().replace("-", ""),
        "DTSTAMP:" + modified,
        "",
    ]
    tail = [f"SEQUENCE:{sequence}"]
    if event.categories:
        tail.append(fold("CATEGORIES:" + ",".join(map(escape_text, event.categories))))
    if event.description:
        tail.append(fold("DESCRIPTION:" + escape_text(event.description)))
    tail += [
        "LAST-MODIFIED:" + modified,
        "STATUS:" + escape_text(event.status),
        "TRANSP:TRANSPARENT",
        f"{FINGERPRINT}:{found or event.fingerprint}",
        "END:VEVENT\r\n",
    ]
    return "\r\n".join(head), "\r\n".join(tail)


def uid_line(uid: str) -> str:
    """The ``UID`` line of an event, folded, with its line break."""
    return fold("UID:" + escape_text(uid)) + "\r\n"


def escape_text(text: str) -> str:
    r"""A TEXT value escaped as icalendar's ``vText`` escapes it (RFC 5545 3.3.11): backslash,
    semicolon and comma escaped, every line break (and a written ``\N``) as ``\n``.

    >>> print(escape_text("a, b; c\\d\r\ne"))
    a\, b\; c\\d\ne
    """
    return (
        text.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """``line`` folded as icalendar folds it: at most 74 octets a line, then CRLF and a
    space; a UTF-8 character never split; a backslash (or ``^``) that would end a line
    carried to the next, so that no client reads half an escape.

    >>> fold("DESCRIPTION:" + "x" * 70) == "DESCRIPTION:" + "x" * 62 + "\\r\\n " + "x" * 8
    True
    """
    if len(line) < LINE_OCTETS and line.isascii():
        return line
    data = line.encode("utf-8")
    if len(data) < LINE_OCTETS:
        return line
    pieces, start, size = [], 0, len(data)
    while size - start >= LINE_OCTETS:
        end = start + LINE_OCTETS - 1
        while data[end] & 0xC0 == 0x80:  # inside a character: fold before it
            end -= 1
        if end - start > 1 and data[end - 1] in b"\\^":
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return _FOLD.join(pieces).decode("utf-8")
