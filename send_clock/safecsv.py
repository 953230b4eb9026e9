"""CSV cells that a spreadsheet would run as formulas, neutralised (CSV injection, as OWASP
describes it).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
``'`` in front, which Excel and LibreOffice show but do not run. A number stays a number: ``-3``
(three days early) and ``+2.5`` are left as they are, since a spreadsheet reads them as numbers
and never as formulas. Commands that write CSV take ``--raw-csv`` to write cells exactly.

>>> neutralised(["=HYPERLINK(\\"http://x\\")", "-3", "+2.5", "-3 days", "@SUM(A1)", "EHC-1", ""])
['\\'=HYPERLINK("http://x")', '-3', '+2.5', "'-3 days", "'@SUM(A1)", 'EHC-1', '']
"""

from __future__ import annotations

import re
from collections.abc import Sequence

TRIGGERS = "=+-@\t\r"
#: a cell that starts with a trigger, in cells joined by line breaks (one search per column)
_TRIGGER_AFTER_BREAK = re.compile("\n[=+\\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutral(cell: str) -> str:
    """``cell``, with a ``'`` in front if a spreadsheet would run it as a formula."""
    if cell[:1] and cell[0] in TRIGGERS and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralised(cells: Sequence[str]) -> Sequence[str]:
    """Every cell of ``cells`` made :func:`neutral`; the same sequence when none needs it
    (found by one search over the column, not a call per cell)."""
    if not _TRIGGER_AFTER_BREAK.search("\n" + "\n".join(cells)):
        return cells
    return [neutral(cell) for cell in cells]
