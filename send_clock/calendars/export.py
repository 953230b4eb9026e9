"""A calendar as plain data: for JSON, for the project's TOML format, for tables.

:func:`calendar_to_toml` writes the same format the loader reads, so a council's ``.ics`` or a
CSV can be imported once and kept as an editable data file:
``send-clock calendars export my-council.ics --format toml > my-council.toml``.

>>> from send_clock.calendars import calendar_from_toml, load_calendar
>>> jersey = load_calendar("jersey")
>>> calendar_from_toml(calendar_to_toml(jersey), "copy.toml").terms == jersey.terms
True
"""

from __future__ import annotations

from datetime import date

from .model import Calendar, Term


def term_to_dict(term: Term) -> dict:
    return {
        "name": term.name,
        "start": term.start,
        "end": term.end,
        "half_term": list(term.half_term) if term.half_term else None,
        "inset": list(term.inset),
        "closures": list(term.closures),
    }


def calendar_summary(calendar: Calendar) -> dict:
    """What ``calendars list`` shows for one calendar."""
    coverage = calendar.coverage
    return {
        "id": calendar.id,
        "name": calendar.name,
        "jurisdiction": calendar.jurisdiction,
        "coverage_from": coverage[0] if coverage else None,
        "coverage_to": coverage[1] if coverage else None,
        "status": calendar.status,
    }


def calendar_to_dict(calendar: Calendar) -> dict:
    """Everything a calendar holds: terms by year, closures of 3+ days, the qualifying closure
    windows, and the bank holidays in its coverage (this year and next without terms)."""
    coverage = calendar.coverage
    if coverage:
        first, last = coverage
    else:
        today = date.today()
        first, last = date(today.year, 1, 1), date(today.year + 1, 12, 31)
    return {
        **calendar_summary(calendar),
        "origin": calendar.origin,
        "notes": calendar.notes,
        "years": [
            {
                "year": year.label,
                "source": year.source,
                "status": year.status,
                "terms": [term_to_dict(term) for term in year.terms],
            }
            for year in calendar.years
        ],
        "closures": [closure_to_dict(c) for c in calendar.closures()] if coverage else [],
        "closure_windows": [window_to_dict(w) for w in calendar.closure_windows()]
        if coverage
        else [],
        "bank_holidays": calendar.bank_holidays_between(first, last),
    }


def closure_to_dict(closure) -> dict:
    return {
        "kind": closure.kind,
        "after_term": closure.after_term,
        "start": closure.start,
        "end": closure.end,
        "reopens": closure.reopens,
        "days": closure.days,
    }


def window_to_dict(window) -> dict:
    return {
        "closure_start": window.closure.start,
        "reopens": window.closure.reopens,
        "closure_days": window.closure.days,
        "window_start": window.start,
        "window_end": window.end,
        "after_term": window.closure.after_term,
    }


def calendar_to_toml(calendar: Calendar) -> str:
    """The calendar in the project's own data format."""
    import tomli_w

    data: dict = {"id": calendar.id, "name": calendar.name, "jurisdiction": calendar.jurisdiction}
    if calendar.notes:
        data["notes"] = calendar.notes
    if calendar.bank_holidays_add:
        data["bank_holidays_add"] = list(calendar.bank_holidays_add)
    if calendar.bank_holidays_remove:
        data["bank_holidays_remove"] = list(calendar.bank_holidays_remove)
    data["years"] = [
        {
            "year": year.label,
            "source": year.source,
            "status": year.status,
            "terms": [_compact(term_to_dict(term)) for term in year.terms],
        }
        for year in calendar.years
    ]
    return tomli_w.dumps(data)


def _compact(term: dict) -> dict:
    return {key: value for key, value in term.items() if value not in (None, [])}
