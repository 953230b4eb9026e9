"""``SEQUENCE``: carried on from the previous export while an event is unchanged, raised by one
when its dates or text changed.

The state is plain data, a mapping of UID to ``(sequence, fingerprint)`` or
``(sequence, fingerprint, modified)``: the service keeps it between exports; the command line
reads it back from the previous ``.ics`` file, where each event carries its fingerprint in
``X-SEND-CLOCK-FINGERPRINT`` and the time its content last changed in ``LAST-MODIFIED``.

>>> from datetime import date
>>> same = fingerprint(date(2026, 2, 2), date(2026, 2, 2), "EHC plan: final plan due", "")
>>> moved = fingerprint(date(2026, 2, 9), date(2026, 2, 9), "EHC plan: final plan due", "")
>>> next_sequence(None, same), next_sequence((3, same), same), next_sequence((3, same), moved)
(0, 3, 4)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import NamedTuple

from ..errors import InputError

#: The custom property holding an event's fingerprint in an exported feed.
FINGERPRINT = "X-SEND-CLOCK-FINGERPRINT"

#: UID -> (SEQUENCE, fingerprint) or (SEQUENCE, fingerprint, time the content last changed).
Sequences = Mapping[str, tuple]


class State(NamedTuple):
    """What a feed says of one event: its ``SEQUENCE``, and when its content last changed."""

    sequence: int
    modified: datetime


def fingerprint(first: date, last: date, summary: str, description: str) -> str:
    """A short hash of what a client shows: the dates, the summary and the description."""
    text = "\x1f".join((first.isoformat(), last.isoformat(), summary, description))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def next_sequence(previous: tuple[int, str] | None, current: str) -> int:
    """The ``SEQUENCE`` of an event whose fingerprint is now ``current``, given its
    ``(sequence, fingerprint)`` in the previous export (``None``: a new event, 0)."""
    if previous is None:
        return 0
    sequence, old = previous
    return sequence if old == current else sequence + 1


def known_state(previous: tuple | None, current: str, now: datetime) -> State:
    """The ``SEQUENCE`` and modification time of an event whose fingerprint is now
    ``current``: both carried on from ``previous`` while it is unchanged (the time only when
    ``previous`` has one), else the next sequence and ``now``.

    >>> now = datetime(2026, 1, 2, tzinfo=UTC)
    >>> known_state((2, "a", datetime(2025, 12, 1, tzinfo=UTC)), "a", now).modified.day
    1
    >>> known_state((2, "a", datetime(2025, 12, 1, tzinfo=UTC)), "b", now)
    State(sequence=3, modified=datetime.datetime(2026, 1, 2, 0, 0, tzinfo=datetime.timezone.utc))
    """
    sequence = next_sequence(previous[:2] if previous else None, current)
    modified = previous[2] if previous and len(previous) > 2 else None
    if previous is None or previous[1] != current or modified is None:
        modified = now
    return State(sequence, modified)


def known_sequences(previous) -> dict[str, tuple]:
    """``previous`` as a plain mapping: ``None``, a mapping (values may be lists, as from
    JSON), or an earlier export (bytes, text or a parsed ``icalendar.Calendar``)."""
    if previous is None:
        return {}
    if isinstance(previous, Mapping):
        return {str(key): _entry(key, value) for key, value in previous.items()}
    return sequences_of(previous)


def _entry(key, value) -> tuple:
    try:
        sequence, found, *modified = value
        if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
            raise ValueError
        if modified and modified != [None]:
            (stamp,) = modified
            if not isinstance(stamp, datetime):
                raise ValueError
            return sequence, str(found), _utc(stamp)
        return sequence, str(found)
    except (TypeError, ValueError):
        raise InputError(
            f"the previous sequence of {key!r} is {value!r}: give (sequence, fingerprint), "
            "a whole number of 0 or more and a text, and optionally when it last changed"
        ) from None


def _utc(stamp: datetime) -> datetime:
    stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    return stamp.replace(microsecond=0)


def sequences_of(feed) -> dict[str, tuple]:
    """UID → (sequence, fingerprint, modified) of each event of an exported feed (bytes, text
    or a parsed ``icalendar.Calendar``); ``modified`` is its ``LAST-MODIFIED`` (``None`` when
    it has none). An event without a fingerprint gets ``""``, so it counts as changed. Raises
    :class:`InputError` when ``feed`` is not an iCalendar file."""
    import icalendar

    if not isinstance(feed, icalendar.Component):
        feed = _parse(feed)
    found = {}
    for event in feed.walk("VEVENT"):
        uid = event.get("UID")
        if uid is None:
            continue
        try:
            sequence = int(event.get("SEQUENCE", 0))
        except (TypeError, ValueError):
            sequence = 0
        found[str(uid)] = (max(sequence, 0), str(event.get(FINGERPRINT, "")), _modified(event))
    return found


def _modified(event) -> datetime | None:
    stamp = event.get("LAST-MODIFIED")
    value = getattr(stamp, "dt", None)
    return _utc(value) if isinstance(value, datetime) else None


def _parse(raw):
    import icalendar

    try:
        parsed = icalendar.Calendar.from_ical(raw)
    except ValueError as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"the previous feed is not a valid iCalendar file: {reason}") from None
    if parsed.name != "VCALENDAR":
        raise InputError(
            f"the previous feed is not a calendar: it holds one {parsed.name}, not a VCALENDAR"
        )
    return parsed
