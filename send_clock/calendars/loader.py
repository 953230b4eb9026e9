"""Loading calendars: the bundled ones by id, a user's own by path (TOML, ICS or CSV).

Every format goes through the same validator, so a council's ``.ics``, a spreadsheet saved as CSV
and a hand-edited TOML file are held to the same rules: terms in order and not overlapping, each
ending on or after it starts, half terms and INSET days inside their term, no gap between terms
longer than any school holiday. An invalid file is rejected with the file, the entry (or line)
and the reason.

>>> [c.id for c in bundled_calendars()][:3]
['argyll-and-bute', 'brighton-and-hove', 'bristol']
>>> load_calendar("nowhere")
Traceback (most recent call last):
...
send_clock.errors.UnknownCalendar: no calendar 'nowhere': it is not a bundled calendar
(argyll-and-bute, brighton-and-hove, bristol, cardiff, carmarthenshire, edinburgh,
england-and-wales, hertfordshire, jersey, northern-ireland, northern-ireland-de, scotland, shetland,
surrey) nor a file that exists
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..datafiles import DataFiles, TableReader, bundled_files, decode_text, parse_toml
from ..errors import CalendarError, CalendarFileError, UnknownCalendar
from .bankholidays import JURISDICTIONS
from .model import LONGEST_HOLIDAY_DAYS, AcademicYear, Calendar, Term

_JURISDICTION_ALIASES = {"england": "england-and-wales", "wales": "england-and-wales"}
_TOP_KEYS = {
    "id",
    "name",
    "jurisdiction",
    "notes",
    "years",
    "bank_holidays_add",
    "bank_holidays_remove",
}
_YEAR_KEYS = {"year", "source", "status", "terms"}
_TERM_KEYS = {"name", "start", "end", "half_term", "inset", "closures"}


# -- finding calendars ----------------------------------------------------------------------
def load_calendar(ref: str | Path | Calendar) -> Calendar:
    """A calendar by bundled id, or from a ``.toml``, ``.ics`` or ``.csv`` file path."""
    return _CALENDARS.load(ref)


def shown_id(ref: str) -> str:
    """The id a calendar stored as ``ref`` is shown by: a bundled id as it is; a calendar file
    (a deployment's default calendar) by the id written in it, never the server's path to it
    (by the file's name if it can no longer be read)."""
    if ref in bundled_files("send_clock.calendars"):
        return ref
    try:
        return _CALENDARS.load(ref).id
    except CalendarError:
        return Path(ref).stem


def bundled_ids() -> list[str]:
    return _CALENDARS.ids()


def bundled_calendars() -> list[Calendar]:
    return _CALENDARS.bundled()


def _read(path: str, origin: str) -> Calendar:
    """A calendar file, read by its suffix."""
    suffix = Path(path).suffix.lower()
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise UnknownCalendar(f"cannot read calendar file {path}: {error.strerror}") from None
    if suffix == ".ics":
        from .icsimport import calendar_from_ics

        return calendar_from_ics(raw, path)
    text = decode_text(raw, path, CalendarFileError)
    if suffix == ".csv":
        from .csvimport import calendar_from_csv

        return calendar_from_csv(text, path)
    if suffix == ".toml":
        return calendar_from_toml(text, path, origin=origin)
    raise CalendarFileError(
        path, "", "send-clock reads calendars from .toml, .ics or .csv files; rename or convert it"
    )


_CALENDARS = DataFiles("send_clock.calendars", Calendar, _read, UnknownCalendar, "calendar")


# -- the TOML format --------------------------------------------------------------------------
def calendar_from_toml(text: str, path: str, origin: str | None = None) -> Calendar:
    """Parse and validate a calendar data file in the project's TOML format."""
    data = parse_toml(text, path, CalendarFileError)
    read = TableReader(path, CalendarFileError)
    read.keys(data, _TOP_KEYS, "top level")
    calendar_id = read.file_id(data, "calendar", "my-council")
    years = []
    for number, entry in enumerate(read.list(data, "years", "top level"), start=1):
        where = f"years[{number}]"
        if not isinstance(entry, dict):
            raise read.fail(where, "each year must be a table with year and terms")
        read.keys(entry, _YEAR_KEYS, where)
        label = read.text(entry, "year", where, required=True)
        where = f"year {label}"
        terms = tuple(
            _term_from_table(term, read, f"{where}, term {index}")
            for index, term in enumerate(read.list(entry, "terms", where), start=1)
        )
        if not terms:
            raise read.fail(where, "a year needs at least one term")
        years.append(
            AcademicYear(
                label,
                read.text(entry, "source", where) or path,
                read.text(entry, "status", where) or "unknown",
                terms,
            )
        )
    return validated(
        Calendar(
            id=calendar_id,
            name=read.text(data, "name", "top level") or calendar_id,
            jurisdiction=_jurisdiction(data.get("jurisdiction", "england-and-wales"), path),
            years=tuple(years),
            notes=read.text(data, "notes", "top level"),
            origin=origin or path,
            bank_holidays_add=read.dates(data, "bank_holidays_add", "top level"),
            bank_holidays_remove=read.dates(data, "bank_holidays_remove", "top level"),
        ),
        path,
    )


def _term_from_table(entry, read: TableReader, where: str) -> Term:
    if not isinstance(entry, dict):
        raise read.fail(where, "each term must be a table: { name, start, end }")
    read.keys(entry, _TERM_KEYS, where)
    name = read.text(entry, "name", where, required=True)
    where = f"{where} ({name!r})"
    half_term = read.dates(entry, "half_term", where)
    if half_term and len(half_term) != 2:
        raise read.fail(where, "half_term must be [first day, last day] of the half-term holiday")
    return Term(
        name=name,
        start=read.date(entry.get("start"), f"{where} start"),
        end=read.date(entry.get("end"), f"{where} end"),
        half_term=(half_term[0], half_term[1]) if half_term else None,
        inset=read.dates(entry, "inset", where),
        closures=read.dates(entry, "closures", where),
    )


def _jurisdiction(value, path: str) -> str:
    name = _JURISDICTION_ALIASES.get(str(value), str(value))
    if name not in JURISDICTIONS:
        raise CalendarFileError(
            path,
            "jurisdiction",
            f"{value!r} is not a jurisdiction send-clock knows the bank "
            f"holidays of; use one of: {', '.join(JURISDICTIONS)}",
        )
    return name


# -- validation, shared by every format ------------------------------------------------------
def _check_one_line(text: str, key: str, path: str) -> None:
    """A name is shown as one line (a calendar app's list, a report's heading, an iCalendar
    property): no line breaks, tabs or other control characters."""
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in text):
        raise CalendarFileError(
            path, key, f"{text!r} must be one line of text, without line breaks or tabs"
        )


def validated(calendar: Calendar, path: str) -> Calendar:
    """Check the rules every calendar keeps; return it unchanged or raise
    :class:`CalendarFileError` naming the entry and the reason."""
    _check_one_line(calendar.name, "name", path)
    previous: Term | None = None
    for term in calendar.terms:
        where = f"term {term.name!r}"
        if term.end < term.start:
            raise CalendarFileError(
                path, where, f"ends on {term.end} before it starts on {term.start}"
            )
        if term.half_term:
            first, last = term.half_term
            if last < first:
                raise CalendarFileError(
                    path, where, f"half term ends on {last} before it starts on {first}"
                )
            if first < term.start or last > term.end:
                raise CalendarFileError(
                    path,
                    where,
                    f"half term {first} to {last} is outside the term ({term.start} to {term.end})",
                )
        for kind, days in (("INSET day", term.inset), ("closure day", term.closures)):
            for day in days:
                if not term.start <= day <= term.end:
                    raise CalendarFileError(
                        path,
                        where,
                        f"{kind} {day} is outside the term ({term.start} to {term.end})",
                    )
        if previous is not None:
            if term.start <= previous.end:
                raise CalendarFileError(
                    path,
                    where,
                    f"starts on {term.start}, which overlaps term {previous.name!r} "
                    f"({previous.start} to {previous.end}); terms must be in date order and not "
                    "overlap",
                )
            gap = (term.start - previous.end).days - 1
            if gap > LONGEST_HOLIDAY_DAYS:
                raise CalendarFileError(
                    path,
                    where,
                    f"starts {gap} days after term {previous.name!r} ends "
                    f"({previous.end}); no school holiday is that long, so terms are missing in "
                    "between: add them, or split the calendar into two files",
                )
        previous = term
    return calendar


def academic_year_of(day: date) -> str:
    """``2025-26`` for any day from August 2025 to July 2026.

    >>> academic_year_of(date(2026, 1, 5)), academic_year_of(date(2025, 9, 2))
    ('2025-26', '2025-26')
    """
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"
