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
>>> table = open_columns(io.BytesIO(b"d\\n2025-09-15\\n15/09/2025\\n2025-02-30\\n\\n"), "x.csv")
>>> days, rest = next(table.chunks()).iso_dates(0)
>>> [str(day) for day in days], rest.tolist()
(['2025-09-15', 'NaT', 'NaT', 'NaT'], [1, 2])
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
#: The ASCII bytes Python counts as spaces (``str.isspace``), which ``strip`` removes.
_ASCII_SPACES = np.array([9, 10, 11, 12, 13, 28, 29, 30, 31, 32], dtype=np.uint8)


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

    def distinct(self, index: int) -> list[str]:
        """The distinct values of column ``index``."""
        return self.batch.column(index).unique().to_pylist()

    def unicode(self, index: int, stripped: bool = False) -> np.ndarray:
        """Column ``index`` as a numpy unicode array (as ``numpy.array(texts, dtype=str)``
        makes it), converted without a Python string per row where the column allows: values
        of one length in ASCII (references such as ``EHC0000001``) straight from their bytes,
        repeated values (choices) once per distinct value. ``stripped``: with the spaces around
        each value removed (as ``numpy.strings.strip`` removes them), looked for only where
        they can be: at the ends of values of one length, in each distinct value."""
        column = self.batch.column(index)
        _, offsets, data = column.buffers()
        bounds = np.frombuffer(offsets, np.int32)[column.offset : column.offset + len(column) + 1]
        widths = np.diff(bounds)
        if len(widths) and widths[0] > 0 and (widths == widths[0]).all() and data is not None:
            raw = np.frombuffer(data, np.uint8)[bounds[0] : bounds[-1]]
            if raw.max() < 128:
                values = raw.view(f"S{widths[0]}").astype(f"U{widths[0]}")
                ends = raw.reshape(len(widths), -1)[:, [0, -1]]
                spaced = stripped and np.isin(ends, _ASCII_SPACES).any()
                return np.strings.strip(values) if spaced else values
        encoded = column.dictionary_encode()
        if 2 * len(encoded.dictionary) <= len(column):
            distinct = np.array(encoded.dictionary.to_pylist(), dtype=str)
            distinct = np.strings.strip(distinct) if stripped else distinct
            return distinct[encoded.indices.to_numpy(zero_copy_only=False)]
        values = np.array(column.to_pylist(), dtype=str)
        return np.strings.strip(values) if stripped else values

    def filled(self, index: int) -> tuple[np.ndarray, list[str]]:
        """The positions of the values of column ``index`` that are not empty, and those
        values."""
        from pyarrow import compute

        column = self.batch.column(index)
        filled = compute.not_equal(column, "")
        if not compute.any(filled).as_py():
            return np.empty(0, dtype=np.int64), []
        positions = np.flatnonzero(filled.to_numpy(zero_copy_only=False))
        return positions, column.filter(filled).to_pylist()

    def iso_dates(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Column ``index`` as ``datetime64[D]``, where each value is an ISO date
        ``YYYY-MM-DD`` (pyarrow parses them; ``NaT`` elsewhere), and the positions of the
        values that are neither empty nor such a date (the caller reads those itself)."""
        import pyarrow as pa
        from pyarrow import compute

        column = self.batch.column(index)
        try:  # (pyarrow casts exactly YYYY-MM-DD, a real date, or refuses the whole column)
            days = compute.cast(_empty_as_null(column), pa.date32())
            return _days(days), np.empty(0, dtype=np.int64)
        except pa.ArrowInvalid:
            pass  # DD/MM/YYYY, or an impossible date: sorted out below
        empty = compute.equal(column, "")
        # pyarrow's strptime rolls 30 February over to March and reads 2025-9-15: a date is
        # taken only where it is written back exactly as it was read
        parsed = compute.cast(
            compute.strptime(column, format="%Y-%m-%d", unit="s", error_is_null=True),
            pa.date32(),
        )
        exact = compute.fill_null(compute.equal(compute.cast(parsed, pa.string()), column), False)
        days = _days(compute.if_else(exact, parsed, None))
        rest = compute.and_(compute.invert(exact), compute.invert(empty))
        return days, np.flatnonzero(rest.to_numpy(zero_copy_only=False))

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


def _empty_as_null(column):
    """A column of text with its empty values null. The values are not copied: the new column
    shares their buffers, with a bitmap of the values that are there made from their lengths
    (``if_else`` would copy every value)."""
    import pyarrow as pa
    from pyarrow import compute

    _, offsets, data = column.buffers()
    if column.type != pa.string() or column.null_count or data is None:
        return compute.if_else(compute.equal(column, ""), None, column)
    ends = np.frombuffer(offsets, np.int32)[: column.offset + len(column) + 1]
    there = np.packbits(np.diff(ends) > 0, bitorder="little")
    return pa.Array.from_buffers(
        pa.string(), len(column), [pa.py_buffer(there), offsets, data], offset=column.offset
    )


def _days(dates) -> np.ndarray:
    """A pyarrow ``date32`` array as ``datetime64[D]``, ``NaT`` where null."""
    return dates.to_numpy(zero_copy_only=False).astype("datetime64[D]")


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
