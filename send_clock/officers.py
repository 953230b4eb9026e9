"""A case officer's name, as a person types it, checked wherever one comes in: the API and the
open-a-case form, a caseload CSV read by the command line or imported by the service.

A name holding a control character is refused, never stored and escaped later: a line break
splits a CSV row or a calendar line, an escape sequence redraws a terminal, and none is in a
name anyone types. The tab is refused too: in a name it is a spreadsheet's cell boundary
pasted with the name, it shows as nothing (or a jump) in a table, and the CSV import already
refused it. The Unicode line and paragraph separators are line breaks, so they go with them.

A name that starts with ``=``, ``+``, ``-`` or ``@`` is taken, at every entry alike (the API,
the form, the import and the command line): odd as a person's name, it is what a team may well
write for "nobody yet" (``-``) or a shared inbox (``@send-team``), and refusing it would defend
nothing. A spreadsheet runs such a cell as a formula only in a CSV written by send-clock, and
every CSV it writes neutralises those cells (:mod:`send_clock.safecsv`); pages, JSON and
calendars show the name as text. (The import once refused them, alone of the entry points.)

A name longer than the database's column is refused by the service, which stores it; the
command line, which stores nothing, has no limit.
"""

from __future__ import annotations

import re

from .errors import InputError

#: C0 controls (tab and line breaks among them), DEL, C1 controls, the line and paragraph
#: separators, the bidirectional embeddings, overrides and isolates (which turn the text after
#: them round: in a table, a CSV or a calendar) and the invisible zero-width space, word
#: joiner and byte order mark (two names alike to the eye, not to a search). The zero-width
#: (non-)joiners and the direction marks stay: some scripts spell names with them.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]")
CONTROL_MESSAGE = (
    "the officer's name holds a control character (a tab, a line break, a change of "
    "direction...); "
    "write the name as plain text on one line"
)


#: The most characters of a stored officer's name (the database column's size).
OFFICER_LENGTH = 100
LENGTH_MESSAGE = f"the officer's name is longer than {OFFICER_LENGTH} characters"


class OfficerNameError(InputError):
    """An officer's name that cannot be stored; ``field`` names the form field it came from."""

    field = "officer"


def officer_problem(name: str | None) -> str:
    """Why ``name`` cannot be an officer's name ("" if it can); never quotes the name."""
    return CONTROL_MESSAGE if name and CONTROL.search(name) else ""


def stored_officer_problem(name: str | None) -> str:
    """Why ``name`` cannot be a stored officer's name (:func:`officer_problem`, or too long for
    the column), "" if it can; never quotes the name."""
    if name and len(name) > OFFICER_LENGTH:
        return LENGTH_MESSAGE
    return officer_problem(name)


def check_officer(name: str | None) -> str | None:
    """``name``, or :class:`OfficerNameError` if it cannot be a stored officer's name."""
    problem = stored_officer_problem(name)
    if problem:
        raise OfficerNameError(problem)
    return name
