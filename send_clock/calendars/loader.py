"""Loading calendars: the bundled ones by id, a user's own by path (TOML, ICS or CSV).

Every format goes through the same validator, so a council's ``.ics``, a spreadsheet saved as CSV
and a hand-edited TOML file are held to the same rules: terms in order and not overlapping, each
ending on or after it starts, half terms and INSET days inside their term, no gap between terms
longer than any school holiday. An invalid file is rejected with the file, the entry (or line)
and the reason.

>>> [c.id for c in bundled_calendars()][:3]
['brighton-and-hove', 'bristol', 'england-and-wales']
>>> load_calendar("nowhere")
Traceback (most recent call last):
...
send_clock.errors.UnknownCalendar: no calendar 'nowhere': it is not a bundled calendar
(brighton-and-hove, bristol, england-and-wales, hertfordshire, jersey, surrey)
nor a file that exists
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from ..dates import parse_date
from ..errors import CalendarFileError, InputError, UnknownCalendar
from .bankholidays import JURISDICTIONS
from .model import LONGEST_HOLIDAY_DAYS, AcademicYear, Calendar, Term

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
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
def _bundled_files() -> dict[str, Path]:
    folder = resources.files("send_clock.calendars") / "data"
    return {
        Path(str(entry)).stem: Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def bundled_ids() -> list[str]:
    return sorted(_bundled_files())


def bundled_calendars() -> list[Calendar]:
    return [load_calendar(calendar_id) for calendar_id in bundled_ids()]


def load_calendar(ref: str | Path | Calendar) -> Calendar:
    """A calendar by bundled id, or from a ``.toml``, ``.ics`` or ``.csv`` file path."""
    if isinstance(ref, Calendar):
        return ref
    text = str(ref)
    if text in _bundled_files():
        return _load_bundled(text)
    path = Path(text).expanduser()
    if path.is_file():
        stat = path.stat()
        return _load_path(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    raise UnknownCalendar(
        f"no calendar {text!r}: it is not a bundled calendar ({', '.join(bundled_ids())}) "
        "nor a file that exists"
    )


@cache
def _load_bundled(calendar_id: str) -> Calendar:
    path = _bundled_files()[calendar_id]
    return calendar_from_toml(path.read_text(encoding="utf-8"), str(path), origin="bundled")


@cache
def _load_path(path: str, _mtime_ns: int, _size: int) -> Calendar:
    """Cached per file version: a bulk job naming one file on every row reads it once."""
    suffix = Path(path).suffix.lower()
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise UnknownCalendar(f"cannot read calendar file {path}: {error.strerror}") from None
    if suffix == ".ics":
        from .icsimport import calendar_from_ics

        return calendar_from_ics(raw, path)
    text = _decode(raw, path)
    if suffix == ".csv":
        from .csvimport import calendar_from_csv

        return calendar_from_csv(text, path)
    if suffix == ".toml":
        return calendar_from_toml(text, path, origin=path)
    raise CalendarFileError(
        path, "", "send-clock reads calendars from .toml, .ics or .csv files; rename or convert it"
    )


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CalendarFileError(path, f"byte {error.start}", "the file is not UTF-8 text") from None


# -- the TOML format --------------------------------------------------------------------------
def calendar_from_toml(text: str, path: str, origin: str | None = None) -> Calendar:
    """Parse and validate a calendar data file in the project's TOML format."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CalendarFileError(path, "", f"not valid TOML: {error}") from None
    _no_unknown_keys(data, _TOP_KEYS, path, "top level")
    calendar_id = data.get("id", Path(path).stem)
    if not isinstance(calendar_id, str) or not _ID.match(calendar_id):
        raise CalendarFileError(
            path,
            "id",
            f"{calendar_id!r} is not a calendar id: use lower-case letters, digits "
            "and hyphens, e.g. 'my-council'",
        )
    years = []
    for number, entry in enumerate(_list(data, "years", path, "top level"), start=1):
        where = f"years[{number}]"
        if not isinstance(entry, dict):
            raise CalendarFileError(path, where, "each year must be a table with year and terms")
        _no_unknown_keys(entry, _YEAR_KEYS, path, where)
        label = _text(entry, "year", path, where, required=True)
        where = f"year {label}"
        terms = tuple(
            _term_from_table(term, path, f"{where}, term {index}")
            for index, term in enumerate(_list(entry, "terms", path, where), start=1)
        )
        if not terms:
            raise CalendarFileError(path, where, "a year needs at least one term")
        years.append(
            AcademicYear(
                label,
                _text(entry, "source", path, where) or path,
                _text(entry, "status", path, where) or "unknown",
                terms,
            )
        )
    return validated(
        Calendar(
            id=calendar_id,
            name=_text(data, "name", path, "top level") or calendar_id,
            jurisdiction=_jurisdiction(data.get("jurisdiction", "england-and-wales"), path),
            years=tuple(years),
            notes=_text(data, "notes", path, "top level"),
            origin=origin or path,
            bank_holidays_add=_dates(data, "bank_holidays_add", path, "top level"),
            bank_holidays_remove=_dates(data, "bank_holidays_remove", path, "top level"),
        ),
        path,
    )


def _term_from_table(entry, path: str, where: str) -> Term:
    if not isinstance(entry, dict):
        raise CalendarFileError(path, where, "each term must be a table: { name, start, end }")
    _no_unknown_keys(entry, _TERM_KEYS, path, where)
    name = _text(entry, "name", path, where, required=True)
    where = f"{where} ({name!r})"
    half_term = _dates(entry, "half_term", path, where)
    if half_term and len(half_term) != 2:
        raise CalendarFileError(
            path, where, "half_term must be [first day, last day] of the half-term holiday"
        )
    return Term(
        name=name,
        start=_date(entry.get("start"), path, f"{where} start"),
        end=_date(entry.get("end"), path, f"{where} end"),
        half_term=(half_term[0], half_term[1]) if half_term else None,
        inset=_dates(entry, "inset", path, where),
        closures=_dates(entry, "closures", path, where),
    )


def _no_unknown_keys(table: dict, allowed: set[str], path: str, where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise CalendarFileError(
            path,
            where,
            f"unknown key {unknown[0]!r}; the keys here are: {', '.join(sorted(allowed))}",
        )


def _list(table: dict, key: str, path: str, where: str) -> list:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise CalendarFileError(path, where, f"{key} must be a list")
    return value


def _text(table: dict, key: str, path: str, where: str, required: bool = False) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise CalendarFileError(path, where, f"{key} is missing")
        return ""
    if not isinstance(value, str):
        raise CalendarFileError(path, where, f"{key} must be text, not {value!r}")
    return value


def _date(value, path: str, where: str) -> date:
    if value is None:
        raise CalendarFileError(path, where, "the date is missing")
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    try:
        return parse_date(str(value))
    except InputError as error:
        raise CalendarFileError(path, where, str(error)) from None


def _dates(table: dict, key: str, path: str, where: str) -> tuple[date, ...]:
    return tuple(_date(value, path, f"{where} {key}") for value in _list(table, key, path, where))


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
def validated(calendar: Calendar, path: str) -> Calendar:
    """Check the rules every calendar keeps; return it unchanged or raise
    :class:`CalendarFileError` naming the entry and the reason."""
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
