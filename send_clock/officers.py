"""A case officer's name, as a person types it, checked wherever one comes in: the API and the
open-a-case form, a caseload CSV read by the command line or imported by the service.

A name holding a control character is refused, never stored and escaped later: a line break
splits a CSV row or a calendar line, an escape sequence redraws a terminal, and none is in a
name anyone types. The tab is refused too: in a name it is a spreadsheet's cell boundary
pasted with the name, it shows as nothing (or a jump) in a table, and the CSV import already
refused it. The Unicode line and paragraph separators are line breaks, so they go with them.
"""

from __future__ import annotations

import re

from .errors import InputError

#: C0 controls (tab and line breaks among them), DEL, C1 controls, and the line and paragraph
#: separators
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_MESSAGE = (
    "the officer's name holds a control character (a tab, a line break...); "
    "write the name as plain text on one line"
)


class OfficerNameError(InputError):
    """An officer's name that cannot be stored; ``field`` names the form field it came from."""

    field = "officer"


def officer_problem(name: str | None) -> str:
    """Why ``name`` cannot be an officer's name ("" if it can); never quotes the name."""
    return CONTROL_MESSAGE if name and CONTROL.search(name) else ""


def check_officer(name: str | None) -> str | None:
    """``name``, or :class:`OfficerNameError` if it cannot be an officer's name."""
    problem = officer_problem(name)
    if problem:
        raise OfficerNameError(problem)
    return name
