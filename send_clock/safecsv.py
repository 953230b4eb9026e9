"""CSV cells that a spreadsheet would run as formulas, neutralised (CSV injection, as OWASP
describes it).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
``'`` in front, which Excel and LibreOffice show but do not run. A number stays a number: ``-3``
(three days early) and ``+2.5`` are left as they are, since a spreadsheet reads them as numbers
and never as formulas. Commands that write CSV take ``--raw-csv`` to write cells exactly.

Every CSV the project writes goes through :class:`Writer` (or :func:`row_text`): a value holding
a carriage return or a line feed is quoted whatever the line end. (Python 3.11's ``csv`` quotes
only the characters of its own line terminator, so with ``\n`` line ends a lone ``\r`` was
written bare and a reader split the row there; from 3.12 it quotes both.)

>>> neutralised(["=HYPERLINK(\\"http://x\\")", "-3", "+2.5", "-3 days", "@SUM(A1)", "EHC-1", ""])
['\\'=HYPERLINK("http://x")', '-3', '+2.5', "'-3 days", "'@SUM(A1)", 'EHC-1', '']
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

TRIGGERS = "=+-@\t\r"
#: a cell that starts with a trigger, in cells joined by line breaks (one search per column)
_TRIGGER_AFTER_BREAK = re.compile("\n[=+\\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
#: :data:`TRIGGERS` at the start of a cell, for pyarrow's regular expressions (RE2)
_STARTS_WITH_TRIGGER = "^[=+\\-@\\t\\r]"


def neutral(cell: str) -> str:
    """``cell``, with a ``'`` in front if a spreadsheet would run it as a formula."""
    if cell[:1] and cell[0] in TRIGGERS and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


class Writer:
    """CSV rows written to ``stream`` ending with ``line_end``, each cell made :func:`neutral`
    unless ``raw``; a cell is quoted if it holds a separator, a quote, ``\r`` or ``\n``."""

    def __init__(self, stream: IO[str], line_end: str = "\n", raw: bool = False):
        # csv quotes the characters of its line terminator: \r\n, so both are always quoted;
        # each row's own \r\n (its last two characters) is then swapped for ``line_end``
        target = stream if line_end == "\r\n" else _LineEnd(stream, line_end)
        self._writer = csv.writer(target, lineterminator="\r\n")
        self.raw = raw

    def writerow(self, cells: Sequence[str]) -> None:
        self._writer.writerow(cells if self.raw else neutralised(cells))

    def writerows(self, rows: Iterable[Sequence[str]]) -> None:
        for cells in rows:
            self.writerow(cells)


class _LineEnd:
    """A stream's ``write`` for :class:`csv.writer`, which writes one whole row per call: the
    row's ``\r\n`` written as ``line_end``."""

    def __init__(self, stream: IO[str], line_end: str):
        self.stream, self.line_end = stream, line_end

    def write(self, row: str) -> int:
        return self.stream.write(row[:-2] + self.line_end)


def row_text(cells: Sequence[str], line_end: str = "\n") -> str:
    """One row as :class:`Writer` writes it with ``raw``: the cells as they are, quoted where
    they need it."""
    text = io.StringIO()
    Writer(text, line_end, raw=True).writerow(cells)
    return text.getvalue()


def neutralised(cells: Sequence[str]) -> Sequence[str]:
    """Every cell of ``cells`` made :func:`neutral`; the same sequence when none needs it
    (found by one search over the column, not a call per cell)."""
    if not _TRIGGER_AFTER_BREAK.search("\n" + "\n".join(cells)):
        return cells
    return [neutral(cell) for cell in cells]


def neutral_column(cells: pa.Array) -> pa.Array:
    """:func:`neutralised` for a pyarrow column of text: pyarrow finds the cells that start with
    a trigger, and only those are looked at one by one (a column of negative numbers, say,
    repeats a few values: each is looked at once).

    >>> import pyarrow as pa
    >>> neutral_column(pa.array(["=1+1", "-3", "EHC-1", "-3 days", "=1+1"])).to_pylist()
    ["'=1+1", '-3', 'EHC-1', "'-3 days", "'=1+1"]
    """
    import pyarrow as pa
    from pyarrow import compute

    starts = _starting_with_trigger(cells)
    if not starts.any():
        return cells
    encoded = cells.filter(starts).dictionary_encode()
    made = pa.array(map(neutral, encoded.dictionary.to_pylist()), pa.string())
    return compute.replace_with_mask(cells, pa.array(starts), made.take(encoded.indices))


def _starting_with_trigger(cells: pa.Array):
    """Which cells start with a trigger: the first byte of each value, looked at at once (the
    triggers are ASCII, so a first byte is a first character)."""
    import numpy as np
    import pyarrow as pa
    from pyarrow import compute

    if cells.type != pa.string() or cells.null_count:
        return compute.match_substring_regex(cells, _STARTS_WITH_TRIGGER).to_numpy(False)
    _, offsets, data = cells.buffers()
    bounds = np.frombuffer(offsets, np.int32)[cells.offset : cells.offset + len(cells) + 1]
    if data is None or not len(data):
        return np.zeros(len(cells), dtype=bool)
    first = np.frombuffer(data, np.uint8)[np.minimum(bounds[:-1], len(data) - 1)]
    return (bounds[1:] > bounds[:-1]) & np.isin(first, np.frombuffer(TRIGGERS.encode(), np.uint8))
