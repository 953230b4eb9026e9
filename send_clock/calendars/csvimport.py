"""Term dates from a CSV file: one row per term.

Columns (header row required; only ``start`` and ``end`` must be present; any other column is
an error, since a misspelt one would silently drop its dates):

``name, start, end, half_term_start, half_term_end, inset, closures, year, source, status``

``inset`` and ``closures`` hold dates separated by ``;``. Dates as ``YYYY-MM-DD`` or
``DD/MM/YYYY``. A bad row is rejected with its line number.

>>> text = "name,start,end,half_term_start,half_term_end\\n" \\
...        "Autumn 2025,2025-09-02,2025-12-18,2025-10-27,2025-10-31\\n"
>>> calendar_from_csv(text, "my-school.csv").terms[0].half_term
(datetime.date(2025, 10, 27), datetime.date(2025, 10, 31))
"""

from __future__ import annotations

import csv
import io

from ..dates import parse_date
from ..errors import CalendarFileError, InputError
from .imported import calendar_from_terms, season_name, unique_names
from .model import Calendar, Term

COLUMNS = (
    "name",
    "start",
    "end",
    "half_term_start",
    "half_term_end",
    "inset",
    "closures",
    "year",
    "source",
    "status",
)


def calendar_from_csv(text: str, path: str) -> Calendar:
    reader = csv.DictReader(io.StringIO(text))
    header = [column.strip().lower() for column in (reader.fieldnames or [])]
    missing = [column for column in ("start", "end") if column not in header]
    if missing:
        raise CalendarFileError(
            path,
            "line 1",
            f"the header needs the columns start and end (missing: "
            f"{', '.join(missing)}); the columns send-clock reads are: {', '.join(COLUMNS)}",
        )
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        raise CalendarFileError(
            path,
            "line 1",
            f"unknown column {unknown[0]!r}; the columns send-clock reads are: "
            f"{', '.join(COLUMNS)}",
        )
    reader.fieldnames = header
    terms, labels, sources, statuses = [], {}, set(), set()
    for row in reader:
        line = f"line {reader.line_num}"
        if None in row:  # DictReader's key for cells beyond the header
            raise CalendarFileError(
                path, line, f"the row has more cells than the header has columns ({len(header)})"
            )
        cells = {key: (value or "").strip() for key, value in row.items() if key}
        if not any(cells.values()):
            continue
        try:
            term = _term(cells)
        except InputError as error:
            raise CalendarFileError(path, line, str(error)) from None
        terms.append(term)
        if cells.get("year"):
            labels[term.start] = cells["year"]
        sources.add(cells.get("source", ""))
        statuses.add(cells.get("status", ""))
    if not terms:
        raise CalendarFileError(path, "", "no terms found: the file has a header but no rows")
    return calendar_from_terms(
        unique_names(terms),
        path,
        source="; ".join(sorted(s for s in sources if s)),
        status="; ".join(sorted(s for s in statuses if s)) or "imported",
        year_of=(lambda term: labels[term.start]) if len(labels) == len(terms) else None,
    )


def _term(cells: dict[str, str]) -> Term:
    start = parse_date(cells.get("start", ""), "term start date")
    end = parse_date(cells.get("end", ""), "term end date")
    half = [cells.get("half_term_start", ""), cells.get("half_term_end", "")]
    if any(half) and not all(half):
        raise InputError("give both half_term_start and half_term_end, or neither")
    return Term(
        name=cells.get("name") or season_name(start),
        start=start,
        end=end,
        half_term=tuple(parse_date(d, "half-term date") for d in half) if all(half) else None,
        inset=_date_list(cells.get("inset", ""), "INSET date"),
        closures=_date_list(cells.get("closures", ""), "closure date"),
    )


def _date_list(text: str, what: str) -> tuple:
    return tuple(parse_date(part, what) for part in text.split(";") if part.strip())
