"""Shared by the ICS and CSV importers: turn loose terms into a validated :class:`Calendar`."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from .loader import academic_year_of, validated
from .model import AcademicYear, Calendar, Term


def calendar_from_terms(
    terms: list[Term],
    path: str,
    name: str = "",
    jurisdiction: str = "england-and-wales",
    source: str = "",
    status: str = "imported",
    year_of=None,
    calendar_id: str = "",
) -> Calendar:
    """Group ``terms`` by academic year and validate. ``year_of`` maps a term to its year label
    (default: the academic year its start date falls in)."""
    year_of = year_of or (lambda term: academic_year_of(term.start))
    ordered = sorted(terms, key=lambda term: term.start)
    years = tuple(
        AcademicYear(label, source or path, status, tuple(group))
        for label, group in groupby(ordered, key=year_of)
    )
    stem = Path(path).stem.lower()
    calendar_id = calendar_id or (
        "".join(ch if ch.isalnum() else "-" for ch in stem).strip("-") or "imported"
    )
    return validated(
        Calendar(
            id=calendar_id,
            name=name or Path(path).stem,
            jurisdiction=jurisdiction,
            years=years,
            origin=path,
        ),
        path,
    )


def season_name(term_start) -> str:
    """``Autumn 2025``, ``Spring 2026``, ``Summer 2026``: a name for a term that has none."""
    season = "Autumn" if term_start.month >= 8 else "Spring" if term_start.month <= 3 else "Summer"
    return f"{season} {term_start.year}"


def unique_names(terms: list[Term]) -> list[Term]:
    """Make term names unique within a calendar (six-term years repeat seasons)."""
    seen: dict[str, int] = {}
    renamed = []
    for term in terms:
        count = seen[term.name] = seen.get(term.name, 0) + 1
        if count > 1:
            term = Term(
                f"{term.name} ({count})",
                term.start,
                term.end,
                term.half_term,
                term.inset,
                term.closures,
            )
        renamed.append(term)
    return renamed
