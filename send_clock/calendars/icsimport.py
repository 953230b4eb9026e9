"""Term dates from an iCalendar (``.ics``) file, as many councils publish them.

Councils publish either the terms themselves (all-day events spanning each term, or one-day
"term starts" / "term ends" markers) or the holidays between them; half terms, INSET days and
closure days come as their own events. Each event is classified by its ``CATEGORIES`` (as
send-clock's own export writes them) or else by words in its ``SUMMARY``:

=================  ===========================================================================
kind               recognised by
=================  ===========================================================================
INSET day          "INSET", "training day", "staff development", "professional development"
half term          "half term", "half-term"
closure day        "closure day", "school closed", "occasional day"
bank holiday       "bank holiday" (ignored: the jurisdiction's bank holidays are used)
holiday            "holiday", "break", "vacation"
term               "term" (a span, or a one-day marker with "start"/"begin" or "end"/"finish")
=================  ===========================================================================

Events that match none are ignored. A file with terms and without, or with holidays only, makes
the same calendar: with holidays only, the terms are the stretches between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from ..datafiles import decode_text
from ..errors import CalendarFileError
from .bankholidays import JURISDICTIONS
from .imported import calendar_from_terms, season_name, unique_names
from .model import Calendar, Term

#: Properties send-clock's own export adds to the VCALENDAR, read back on import.
ID_PROPERTY = "X-SEND-CLOCK-CALENDAR"
NAME_PROPERTY = "X-SEND-CLOCK-CALENDAR-NAME"
JURISDICTION_PROPERTY = "X-SEND-CLOCK-JURISDICTION"

_KINDS = (  # order matters: the first match wins
    ("window", re.compile(r"closure window|exception window")),
    (
        "inset",
        re.compile(
            r"\binset\b|training day|staff development|professional development|"
            r"teacher day"
        ),
    ),
    ("half_term", re.compile(r"half[\s-]*term")),
    ("closure", re.compile(r"closure day|school closed|occasional day")),
    ("bank_holiday", re.compile(r"bank holiday")),
    ("holiday", re.compile(r"holiday|\bbreak\b|vacation")),
    ("term", re.compile(r"\bterm\b")),
)
_STARTS = re.compile(r"\b(start|starts|begin|begins|first day|opens)\b")
_ENDS = re.compile(r"\b(end|ends|finish|finishes|last day|closes)\b")


@dataclass
class _Event:
    where: str
    summary: str
    kind: str
    first: date
    last: date  # inclusive

    def weekdays(self) -> list[date]:
        days = (self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1))
        return [day for day in days if day.weekday() < 5]


def calendar_from_ics(raw: bytes, path: str) -> Calendar:
    import icalendar

    decode_text(
        raw, path, CalendarFileError
    )  # iCalendar text is UTF-8 (RFC 5545 3.1.4): reject anything else
    try:
        parsed = icalendar.Calendar.from_ical(raw)
    except ValueError as error:
        raise CalendarFileError(path, "", f"not a valid iCalendar file: {error}") from None
    events = [
        _event(component, number, path)
        for number, component in enumerate(parsed.walk("VEVENT"), start=1)
    ]
    events = [event for event in events if event.kind not in ("ignored", "window", "bank_holiday")]
    terms = _terms(events, path)
    # send-clock's own export says which calendar it was, so a round trip loses nothing.
    jurisdiction = text_of(parsed, JURISDICTION_PROPERTY) or "england-and-wales"
    if jurisdiction not in JURISDICTIONS:
        raise CalendarFileError(
            path,
            JURISDICTION_PROPERTY,
            f"unknown jurisdiction {jurisdiction!r}; use one of: {', '.join(JURISDICTIONS)}",
        )
    return calendar_from_terms(
        unique_names(terms),
        path,
        name=text_of(parsed, NAME_PROPERTY)
        or text_of(parsed, "NAME")
        or text_of(parsed, "X-WR-CALNAME"),
        jurisdiction=jurisdiction,
        calendar_id=text_of(parsed, ID_PROPERTY),
    )


def text_of(component, name: str, default: str = "") -> str:
    """The TEXT value of ``name`` in a parsed component, unescaped (RFC 5545 3.3.11)
    whichever type icalendar gave it; ``default`` when it is absent.

    >>> import icalendar
    >>> text_of(icalendar.Calendar.from_ical(
    ...     "BEGIN:VCALENDAR\\r\\nX-WR-CALNAME:EHC (England)\\\\, case\\\\; a\\\\\\\\b\\r\\n"
    ...     "END:VCALENDAR\\r\\n"), "X-WR-CALNAME")
    'EHC (England), case; a\\\\b'
    """
    from icalendar import vText
    from icalendar.parser import unescape_backslash

    value = component.get(name)
    if value is None:
        return default
    if isinstance(value, vText):
        return str(value)
    return unescape_backslash(value.to_ical().decode("utf-8"))


def _event(component, number: int, path: str) -> _Event:
    summary = str(component.get("SUMMARY", "") or "")
    where = f"event {number} ({summary!r})" if summary else f"event {number}"
    broken = getattr(component, "errors", None)  # lines icalendar skipped: data that would be lost
    if broken:
        prop, message = broken[0]
        raise CalendarFileError(
            path, where, f"{prop + ' ' if prop else 'a line '}cannot be read: {message}"
        )
    start = component.get("DTSTART")
    if start is None:
        raise CalendarFileError(path, where, "the event has no DTSTART")
    try:
        first = _day(start.dt)
        end = component.get("DTEND")
        if end is not None:
            end_day = _day(end.dt)
            if end_day < first:
                raise CalendarFileError(
                    path, where, f"ends on {end_day} before it starts on {first}"
                )
            # DTEND of an all-day event is exclusive; one equal to DTSTART means that one day
            last = max(end_day - timedelta(days=1), first)
        elif component.get("DURATION") is not None:
            last = first + component.get("DURATION").dt - timedelta(days=1)
        else:
            last = first
    except ValueError as error:  # icalendar's broken-property errors are ValueErrors
        raise CalendarFileError(path, where, f"a date cannot be read: {error}") from None
    if last < first:
        raise CalendarFileError(path, where, f"ends before it starts ({first})")
    categories = _categories(component)
    return _Event(where, summary, _classify(categories + " " + summary.lower()), first, last)


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _categories(component) -> str:
    value = component.get("CATEGORIES")
    if value is None:
        return ""
    values = value if isinstance(value, list) else [value]
    return " ".join(str(cat).lower() for item in values for cat in getattr(item, "cats", [item]))


def _classify(text: str) -> str:
    return next((kind for kind, pattern in _KINDS if pattern.search(text)), "ignored")


def _terms(events: list[_Event], path: str) -> list[Term]:
    spans = [e for e in events if e.kind == "term" and not _is_marker(e)]
    markers = [e for e in events if e.kind == "term" and _is_marker(e)]
    if spans:
        bounds = [(e.first, e.last, e.summary) for e in spans]
    elif markers:
        bounds = _from_markers(markers, path)
    else:
        bounds = _from_holidays([e for e in events if e.kind == "holiday"], path)
    terms = [_bare_term(first, last, summary) for first, last, summary in sorted(bounds)]
    for event in events:
        if event.kind in ("half_term", "inset", "closure"):
            terms = _attach(terms, event, path)
    return terms


def _is_marker(event: _Event) -> bool:
    text = event.summary.lower()
    return event.first == event.last and bool(_STARTS.search(text) or _ENDS.search(text))


def _from_markers(markers: list[_Event], path: str) -> list[tuple[date, date, str]]:
    bounds, opened = [], None
    for event in sorted(markers, key=lambda e: e.first):
        if _STARTS.search(event.summary.lower()):
            if opened is not None:
                raise CalendarFileError(
                    path,
                    event.where,
                    f"a term starts again before the term that started on {opened.first} has ended",
                )
            opened = event
        else:
            if opened is None:
                raise CalendarFileError(path, event.where, "a term ends that never started")
            bounds.append((opened.first, event.first, opened.summary))
            opened = None
    if opened is not None:
        raise CalendarFileError(path, opened.where, "the term that starts here never ends")
    return bounds


def _from_holidays(holidays: list[_Event], path: str) -> list[tuple[date, date, str]]:
    if len(holidays) < 2:
        raise CalendarFileError(
            path,
            "",
            "found no term events and fewer than two holidays, so the terms cannot be "
            "worked out; events need 'term', 'holiday', 'half term' or 'INSET' in their summary",
        )
    ordered = sorted(holidays, key=lambda e: e.first)
    return [
        (before.last + timedelta(days=1), after.first - timedelta(days=1), "")
        for before, after in zip(ordered, ordered[1:], strict=False)
        if after.first > before.last + timedelta(days=1)
    ]


def _bare_term(first: date, last: date, summary: str) -> Term:
    # Holidays often run Saturday to Sunday: a term runs from its first to its last weekday.
    while first.weekday() >= 5 and first < last:
        first += timedelta(days=1)
    while last.weekday() >= 5 and last > first:
        last -= timedelta(days=1)
    name = re.sub(r"(?i)\b(starts?|begins?|ends?)\b", "", summary).strip(" -:")
    name = name or season_name(first)
    return Term(name, first, last)


def _attach(terms: list[Term], event: _Event, path: str) -> list[Term]:
    weekdays = event.weekdays()
    if not weekdays:
        return terms
    for index, term in enumerate(terms):
        if term.start <= weekdays[0] and weekdays[-1] <= term.end:
            terms[index] = _with(term, event.kind, weekdays)
            return terms
    if event.kind == "inset":
        # Some councils give terms without their INSET days: one just before or after a term
        # belongs to it.
        for index, term in enumerate(terms):
            if timedelta(0) < term.start - weekdays[-1] <= timedelta(days=3):
                terms[index] = _with(replace(term, start=weekdays[0]), "inset", weekdays)
                return terms
            if timedelta(0) < weekdays[0] - term.end <= timedelta(days=3):
                terms[index] = _with(replace(term, end=weekdays[-1]), "inset", weekdays)
                return terms
    raise CalendarFileError(
        path, event.where, f"{event.first} to {event.last} is not inside any term found in the file"
    )


def _with(term: Term, kind: str, weekdays: list[date]) -> Term:
    if kind == "half_term":
        if term.half_term is not None:
            return replace(
                term,
                half_term=(
                    min(term.half_term[0], weekdays[0]),
                    max(term.half_term[1], weekdays[-1]),
                ),
            )
        return replace(term, half_term=(weekdays[0], weekdays[-1]))
    if kind == "inset":
        return replace(term, inset=tuple(sorted(set(term.inset) | set(weekdays))))
    return replace(term, closures=tuple(sorted(set(term.closures) | set(weekdays))))
