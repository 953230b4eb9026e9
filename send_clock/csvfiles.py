"""Reading CSV files people save from spreadsheets, column by column.

This is the reading layer only: how a file is laid out, never what its values mean (the readers
of caseloads and of date lists do that). It accepts what Excel writes:

* UTF-8 with or without a byte-order mark ("CSV UTF-8" in Excel adds one);
* ``,``, ``;`` (Excel in locales whose decimal mark is a comma) or tab between values: the
  separator is sniffed from the header row;
* header names in any case and spacing: ``Case ID``, ``case id`` and ``case_id`` are one name.

Values are read by pyarrow's CSV reader in blocks of rows (never the whole file at once), every
value as text; a row spanning several lines (a quoted line break) is counted so that messages
still name the line a row starts on.

>>> header_key("  Case ID ")
'case_id'
>>> sniff_separator('case_id;received;"notes, free text"')
';'
>>> import io
>>> table = open_columns(io.BytesIO(b"\\xef\\xbb\\xbfCase ID;Received\\nA1;2025-09-15\\n"), "x.csv")
>>> table.keys, table.separator
(['case_id', 'received'], ';')
>>> [(chunk.columns, chunk.lines.tolist()) for chunk in table.chunks()]
[([['A1'], ['2025-09-15']], [2])]
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from .errors import InputError

SEPARATORS = (",", ";", "\t")
#: Bytes of the file parsed at once: rows of a few hundred bytes come some thousands at a time,
#: which bounds memory whatever the file's size.
BLOCK_BYTES = 1 << 20
_SPACES = re.compile(r"[\s_-]+")


def header_key(name: str) -> str:
    """The name a header cell is matched by: lower case, runs of spaces, ``-`` and ``_`` as one
    ``_``, none at either end."""
    return _SPACES.sub("_", name.strip().lower()).strip("_")


def sniff_separator(header_line: str) -> str:
    """``,``, ``;`` or tab: whichever of them the header row uses most outside quotes (``,`` when
    it has none, a file of one column)."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {separator: outside.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: counts[separator])
    return best if counts[best] else ","


def missing_columns_message(name: str, found: Sequence[str], expected: Sequence[str]) -> str:
    """What a file lacks, what it has and what is expected, in one line.

    >>> missing_columns_message("dates.csv", ["Start", "Amount"], ["start", "amount", "unit"])
    'dates.csv has no unit column (found: Start, Amount; expected: start, amount, unit; names \
are matched ignoring case and spaces)'
    """
    keys = {header_key(cell) for cell in found}
    missing = [column for column in expected if column not in keys]
    shown = ", ".join(cell.strip() or "(a column with no name)" for cell in found) or "nothing"
    return (
        f"{name} has no {' or '.join(missing)} column (found: {shown}; expected: "
        f"{', '.join(expected)}; names are matched ignoring case and spaces)"
    )


class NotRowPerRow(Exception):
    """The columnar reader met a row it does not read as ``csv`` does (a row with more or fewer
    values than the header, a NUL byte): read that file with :func:`text_rows` instead."""


@dataclass
class Chunk:
    """Some consecutive rows (a pyarrow record batch of texts, a column per header cell) and the
    line each row starts on (the header is line 1)."""

    batch: object
    lines: np.ndarray

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def columns(self) -> list[list[str]]:
        return [self.texts(index) for index in range(self.batch.num_columns)]

    def texts(self, index: int) -> list[str]:
        """Column ``index`` as Python strings."""
        return self.batch.column(index).to_pylist()

    def iso_dates(self, index: int) -> np.ndarray | None:
        """Column ``index`` as ``datetime64[D]`` (``NaT`` where empty) when every value is an
        ISO date ``YYYY-MM-DD`` or empty; else None (the caller parses the texts itself)."""
        import pyarrow as pa
        from pyarrow import compute

        column = self.batch.column(index)
        lengths = compute.utf8_length(column)
        if not compute.all(compute.is_in(lengths, pa.array([0, 10], pa.int32()))).as_py():
            return None
        try:
            days = compute.cast(
                compute.if_else(compute.equal(lengths, 0), None, column), pa.date32()
            )
        except pa.ArrowInvalid:
            return None  # DD/MM/YYYY, or an impossible date: the caller says which
        return days.to_numpy(zero_copy_only=False).astype("datetime64[D]")

    def without_blank_rows(self, key: int = 0) -> Chunk:
        """The rows that hold something (a row of separators only is a blank row); only rows
        whose column ``key`` is empty are looked at."""
        from pyarrow import compute

        blank = compute.equal(self.batch.column(key), "")
        if not compute.any(blank).as_py():
            return self
        for column in self.batch.columns:
            blank = compute.and_(blank, compute.equal(compute.utf8_trim_whitespace(column), ""))
        if not compute.any(blank).as_py():
            return self
        keep = compute.invert(blank)
        return Chunk(self.batch.filter(keep), self.lines[keep.to_numpy(zero_copy_only=False)])


@dataclass
class CsvColumns:
    """An open CSV file: its header (as written, and as keys) and its separator."""

    name: str
    header: list[str]
    separator: str
    _binary: BinaryIO
    _first_line: int

    @property
    def keys(self) -> list[str]:
        return [header_key(cell) for cell in self.header]

    def chunks(self, skip_empty_lines: bool = False) -> Iterator[Chunk]:
        """The rows after the header, a block at a time (with ``skip_empty_lines``, an empty
        line is no row; else a row of empty values). Raises :class:`NotRowPerRow` where the
        file needs the row-by-row reader, :class:`InputError` for text that is not UTF-8."""
        import pyarrow as pa
        from pyarrow import csv as arrow_csv

        width = len(self.header)
        names = [f"c{index}" for index in range(width)]

        def refuse(_row) -> str:
            return "error"  # a row of another width: csv pads or rejects it, with its line

        try:
            reader = arrow_csv.open_csv(
                self._binary,
                read_options=arrow_csv.ReadOptions(
                    column_names=names, block_size=BLOCK_BYTES, use_threads=False
                ),
                parse_options=arrow_csv.ParseOptions(
                    delimiter=self.separator,
                    newlines_in_values=True,
                    ignore_empty_lines=skip_empty_lines,
                    invalid_row_handler=refuse,
                ),
                convert_options=arrow_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            next_line = self._first_line
            for batch in reader:
                if not batch.num_rows:
                    continue
                if _breaks(batch):
                    columns = [column.to_pylist() for column in batch.columns]
                    lines = _lines(columns, next_line)
                    next_line = int(lines[-1]) + _span(columns, len(lines) - 1)
                else:
                    lines = np.arange(next_line, next_line + batch.num_rows, dtype=np.int64)
                    next_line += batch.num_rows
                yield Chunk(batch, lines)
        except pa.ArrowInvalid as error:
            if "UTF8" in str(error) or "utf8" in str(error).lower():
                raise InputError(f"{self.name} is not UTF-8 text; save it as CSV UTF-8") from None
            raise NotRowPerRow from None  # a row too wide, a value too big: csv says which


def open_columns(source: BinaryIO, name: str) -> CsvColumns:
    """Read the header of a CSV file open in binary mode; :meth:`CsvColumns.chunks` gives the
    rows. Raises :class:`InputError` for an empty file or one that is not UTF-8."""
    first = source.readline()
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{name} is not UTF-8 text (it is UTF-16); save it as CSV UTF-8")
    if b"\0" in first:
        raise InputError(f"{name}, line 1: the header holds a NUL byte; save the file as CSV")
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name} is not UTF-8 text (byte {error.start}); save it as CSV UTF-8"
        ) from None
    lines_in_header = 1
    while text.count('"') % 2 and (more := source.readline()):  # a quoted break in the header
        text += more.decode("utf-8", errors="replace")
        lines_in_header += 1
    separator = sniff_separator(text)
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=separator), [])
    return CsvColumns(name, header, separator, source, lines_in_header + 1)


def text_rows(stream, separator: str):
    """The row-by-row reader for what the columnar one refuses: :func:`csv.reader` with the
    file's separator."""
    return csv.reader(stream, delimiter=separator)


def _breaks(batch) -> bool:
    """Whether a value of ``batch`` holds a line break; a NUL byte (which ``csv`` refuses, with
    its line) sends the file to the row-by-row reader. Looks at each column's bytes at once."""
    found = False
    for column in batch.columns:
        data = column.buffers()[2]  # the column's values, end to end, as UTF-8
        text = data.to_pybytes() if data is not None else b""
        if b"\0" in text:
            raise NotRowPerRow
        found = found or b"\n" in text or b"\r" in text
    return found


def _lines(columns: list[list[str]], first_line: int) -> np.ndarray:
    """The line each row starts on, for rows where a quoted value holds a line break."""
    count = len(columns[0]) if columns else 0
    spans = [_span(columns, row) for row in range(count)]
    return first_line + np.concatenate(([0], np.cumsum(spans[:-1]))).astype(np.int64)


def _span(columns: list[list[str]], row: int) -> int:
    """How many lines row ``row`` takes."""
    return 1 + sum(
        column[row].count("\n") + column[row].count("\r") - column[row].count("\r\n")
        for column in columns
    )
