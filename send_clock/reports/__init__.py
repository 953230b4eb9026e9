"""Caseload breach reports: read a caseload, project it, summarise it, write it out.

* readers: :func:`read_caseload` (the project's caseload CSV) and :func:`read_sen2_blade` (the
  DfE SEN2 person-level return in COLLECT "Blade" CSV form) give a :class:`Caseload`;
* :func:`project_caseload` projects it as of a date into a :class:`Report` of
  :class:`CaseBatch`\\ es (:func:`batch_from_cases` makes a batch from ``Case`` objects);
* :func:`summarise` gives the figures (the DfE 20-week measure, decisions in 6 weeks, status
  counts, worklists, the same by month of request) from any batches;
* :func:`write_csv`, :func:`write_jsonl`, :func:`write_json` and :func:`render_html` write them;
  :func:`deadlines_feed` gives the open deadlines as a team's iCalendar feed.

Nothing here reads or writes a file until asked to.
"""

from .batches import (
    CaseBatch,
    CaseGroup,
    Caseload,
    Rejected,
    Report,
    batch_from_cases,
    project_caseload,
)
from .caseload import read_caseload
from .html import render_html
from .render import write_csv, write_json, write_jsonl
from .sen2 import Sen2Codes, load_sen2_codes, read_sen2_blade
from .summary import summarise


def __getattr__(name: str):
    # the feed imports icalendar (a tenth of a second): only for those who ask for it
    if name == "deadlines_feed":
        from .feed import deadlines_feed

        return deadlines_feed
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CaseBatch",
    "CaseGroup",
    "Caseload",
    "Rejected",
    "Report",
    "Sen2Codes",
    "batch_from_cases",
    "deadlines_feed",
    "load_sen2_codes",
    "project_caseload",
    "read_caseload",
    "read_sen2_blade",
    "render_html",
    "summarise",
    "write_csv",
    "write_json",
    "write_jsonl",
]
