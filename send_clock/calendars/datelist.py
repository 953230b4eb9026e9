"""``date add --input``: a CSV of start dates, amounts and units, a result (or an error) per row.

The file is read a block of rows at a time (:mod:`send_clock.csvfiles`) and each block is
computed column by column, with no Python per row: each column is dictionary-encoded by pyarrow,
so every distinct start, amount, unit and calendar is read once (a list of dates repeats the
same few), and the rows that share a calendar and a unit are added in one call of
:meth:`~send_clock.calendars.Calendar.add_many`. CSV is written a block at a time too: pyarrow
formats the dates, neutralises and quotes the cells that need it (as :mod:`send_clock.safecsv`
quotes them) and joins each block's rows into one string. Rows are written as they are computed,
so memory stays bounded whatever the file's size.

>>> import io
>>> out = io.StringIO()
>>> text = b"Start;Amount;Unit\\n2025-09-15;20;weeks\\n2025-09-15;x;weeks\\n"
>>> add_rows(io.BytesIO(text), "dates.csv", "england-and-wales", out)
1
>>> print(out.getvalue(), end="")
Start,Amount,Unit,result,error
2025-09-15,20,weeks,2026-02-02,
2025-09-15,x,weeks,,"'x' is not a whole number of units; write the amount as a whole number, \
e.g. 6 (negative counts backwards)"
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterator
from datetime import date
from typing import BinaryIO, TextIO

import numpy as np
import pyarrow as pa
from pyarrow import compute

from ..csvfiles import NotRowPerRow, missing_columns_message, open_columns
from ..dates import parse_date
from ..errors import InputError, SendClockError
from ..safecsv import neutral, neutral_column, neutralised, row_text
from .loader import load_calendar
from .units import amount_of, parse_unit

NEEDED = ("start", "amount", "unit")
EPOCH = date(1970, 1, 1)
ADDED = ("result", "error")
#: Rows read at a time by the row-by-row reader (files the columnar one refuses).
ROWS_AT_ONCE = 16_384

#: ``progress(rows_done)``
Progress = Callable[[int], None]


def add_rows(
    source: BinaryIO,
    name: str,
    default_calendar: str,
    out: TextIO,
    fmt: str = "csv",
    raw: bool = False,
    progress: Progress | None = None,
) -> int:
    """Compute every row of the CSV ``source`` and write them to ``out`` as ``csv`` or ``json``
    (cells that a spreadsheet would run as formulas neutralised unless ``raw``). Returns how
    many rows failed; raises :class:`InputError` for a file without the columns or the rows."""
    seekable = source.seekable()
    start = source.tell() if seekable else 0
    table = open_columns(source, name)
    keys = table.keys
    if any(column not in keys for column in NEEDED):
        raise InputError(
            missing_columns_message(name, table.header, NEEDED)
            + "; an optional calendar column overrides --calendar"
        )
    adder = _Adder(keys, default_calendar)
    writer = _Writer(out, [cell.strip() for cell in table.header], fmt, raw)
    try:
        chunks: Iterator[list[pa.Array]] = (
            chunk.batch.columns for chunk in table.chunks(skip_empty_lines=True)
        )
        written = _each(chunks, adder, writer, progress)
    except NotRowPerRow:
        if not seekable or writer.rows:  # pragma: no cover - a refused file is refused at once
            raise InputError(f"{name}: a row has more values than the header") from None
        source.seek(start)
        rows = _rows_at_once(source, name, table.separator, len(keys))
        written = _each(rows, adder, writer, progress)
    if not written:
        raise InputError(f"{name} has a header but no rows")
    writer.close()
    return adder.failed


def _each(chunks, adder: _Adder, writer: _Writer, progress: Progress | None) -> int:
    done = 0
    for columns in chunks:
        results, errors = adder.compute(columns)
        writer.write(columns, results, errors, adder.messages)
        done += len(results)
        if progress:
            progress(done)
    return done


def _rows_at_once(
    source: BinaryIO, name: str, separator: str, width: int
) -> Iterator[list[pa.Array]]:
    """The rows after the header as ``csv`` reads them, short rows padded and long ones cut (as
    :class:`csv.DictReader` gives them), a block at a time, as columns."""
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=separator)
    block: list[list[str]] = []
    try:
        next(reader, None)
        for row in reader:
            if row:
                block.append((row + [""] * width)[:width])
            if len(block) == ROWS_AT_ONCE:
                yield _as_columns(block)
                block = []
    except csv.Error as error:  # a value longer than csv's limit, say
        raise InputError(f"{name}, line {reader.line_num}: {error}; fix the row") from None
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8 text; save it as CSV UTF-8") from None
    finally:
        text.detach()
    if block:
        yield _as_columns(block)


def _as_columns(rows: list[list[str]]) -> list[pa.Array]:
    return [pa.array(column, pa.string()) for column in zip(*rows, strict=True)]


class _Messages:
    """Error messages as small numbers: 0 is no error."""

    def __init__(self):
        self.code: dict[str, int] = {"": 0}
        self.texts: list[str] = [""]

    def number(self, text: str) -> int:
        if text not in self.code:
            self.code[text] = len(self.texts)
            self.texts.append(text)
        return self.code[text]

    def column(self, numbers: np.ndarray, encode: Callable[[str], str] | None = None) -> pa.Array:
        """The messages numbered ``numbers``, each made ``encode(message)``."""
        texts = self.texts if encode is None else [encode(text) for text in self.texts]
        return pa.array(texts, pa.string()).take(pa.array(numbers))


class _Meanings:
    """What each distinct value of a column means, or the error reading it gives; each value is
    read once, and a block of rows becomes an array of codes into the distinct values."""

    def __init__(self, read: Callable[[str], object], messages: _Messages):
        self.read, self.messages = read, messages
        self.code: dict[str, int] = {}
        self.values: list[object] = []
        self.errors: list[int] = []  # a message number per value
        self._numbers: np.ndarray | None = None
        self._errors: np.ndarray | None = None

    def codes(self, column: pa.Array) -> np.ndarray:
        """The code of each value of ``column``: pyarrow finds the distinct values, and only
        those are looked up here."""
        encoded = column.dictionary_encode()
        distinct = encoded.dictionary.to_pylist()
        local = np.fromiter(map(self.code_of, distinct), dtype=np.int64, count=len(distinct))
        return local[encoded.indices.to_numpy(zero_copy_only=False)]

    def code_of(self, text: str) -> int:
        code = self.code.get(text)
        if code is None:
            code = self.code[text] = len(self.values)
            try:
                self.values.append(self.read(text))
                self.errors.append(0)
            except SendClockError as error:
                self.values.append(None)
                self.errors.append(self.messages.number(str(error)))
        return code

    def numbers(self) -> np.ndarray:
        """The values as whole numbers, 0 where unreadable."""
        if self._numbers is None or len(self._numbers) != len(self.values):
            values = self.values
            self._numbers = np.array([value or 0 for value in values], dtype=np.int64)
        return self._numbers

    def error_numbers(self) -> np.ndarray:
        """The message number of each value's error (0: none)."""
        if self._errors is None or len(self._errors) != len(self.errors):
            self._errors = np.array(self.errors, dtype=np.int64)
        return self._errors


class _Adder:
    """Computes blocks of rows, column by column."""

    def __init__(self, keys: list[str], default_calendar: str):
        self.at = {key: keys.index(key) for key in (*NEEDED, "calendar") if key in keys}
        self.default_calendar = default_calendar
        self.failed = 0
        self.messages = _Messages()
        self.starts = _Meanings(_day_number, self.messages)
        self.amounts = _Meanings(amount_of, self.messages)
        self.units = _Meanings(parse_unit, self.messages)
        self.calendars = _Meanings(self._calendar, self.messages)
        #: (calendar code, unit code, day, amount) -> message number, for additions that fail
        self.failures: dict[tuple[int, int, int, int], int] = {}

    def _calendar(self, ref: str):
        return load_calendar(ref.strip() or self.default_calendar)

    def _codes(self, meanings: _Meanings, column: str, count: int) -> np.ndarray:
        if column not in self.at:
            return np.full(count, meanings.code_of(""), dtype=np.int64)
        return meanings.codes(self._columns[self.at[column]])

    def compute(self, columns: list[pa.Array]) -> tuple[pa.Array, np.ndarray]:
        """The result of each row (a date as text, or empty) and its error (a number into
        ``self.messages``, 0 for none)."""
        self._columns, count = columns, len(columns[0])
        starts = self._codes(self.starts, "start", count)
        amounts = self._codes(self.amounts, "amount", count)
        units = self._codes(self.units, "unit", count)
        calendars = self._codes(self.calendars, "calendar", count)
        # the first error of each row: its start date's, else its amount's, else its unit's
        errors = np.zeros(count, dtype=np.int64)
        for meanings, codes in (
            (self.units, units),
            (self.amounts, amounts),
            (self.starts, starts),
        ):
            found = meanings.error_numbers()[codes]
            errors = np.where(found != 0, found, errors)
        days = self.starts.numbers()[starts]
        numbers = self.amounts.numbers()[amounts]
        results = np.zeros(count, dtype=np.int32)
        computed = np.zeros(count, dtype=bool)
        readable = errors == 0
        pairs = calendars * len(self.units.values) + units
        for pair in np.flatnonzero(np.bincount(pairs[readable])).tolist():
            rows = np.flatnonzero(readable & (pairs == pair))
            group = _Group(*divmod(pair, len(self.units.values)), rows)
            self._add_group(group, days, numbers, results, computed, errors)
        self.failed += int(np.count_nonzero(errors))
        dates = pa.array(results, pa.date32(), mask=~computed).cast(pa.string())
        return dates.fill_null(""), errors

    def _add_group(self, group, days, numbers, results, computed, errors) -> None:
        """One bulk call for the rows that share a calendar and a unit."""
        calendar = self.calendars.values[group.calendar]
        unit = self.units.values[group.unit]
        rows = group.rows
        if calendar is None:  # a calendar that cannot be loaded: its error, on every row
            errors[rows] = self.calendars.errors[group.calendar]
            return
        try:
            found = calendar.add_many(
                days[rows].astype("datetime64[D]"), numbers[rows], unit, errors="coerce"
            )
        except SendClockError as error:  # term weeks on a calendar without terms
            errors[rows] = self.messages.number(str(error))
            return
        missing = np.isnat(found)
        results[rows[~missing]] = found[~missing].astype(np.int64)
        computed[rows[~missing]] = True
        for row in rows[missing].tolist():  # the one-date path gives the precise message
            key = (group.calendar, group.unit, int(days[row]), int(numbers[row]))
            if key not in self.failures:
                self.failures[key] = self._failure(calendar, key[2], key[3], unit)
            errors[row] = self.failures[key]

    def _failure(self, calendar, day: int, amount: int, unit: str) -> int:
        try:
            calendar.add(date.fromordinal(EPOCH.toordinal() + day), amount, unit)
        except SendClockError as error:
            return self.messages.number(str(error))
        return self.messages.number("the date could not be computed")  # pragma: no cover


class _Group:
    """Rows that share a calendar and a unit (codes into their meanings)."""

    def __init__(self, calendar: int, unit: int, rows: np.ndarray):
        self.calendar, self.unit, self.rows = calendar, unit, rows


def _day_number(text: str) -> int:
    return (parse_date(text, "start date") - EPOCH).days


class _Writer:
    """Rows out, as they come: CSV with the input's columns plus ``result`` and ``error``, or one
    JSON array (written as ``json.dumps(rows, indent=2)`` would write it)."""

    def __init__(self, out: TextIO, header: list[str], fmt: str, raw: bool):
        self.out, self.fmt, self.raw = out, fmt, raw
        self.added = [column for column in ADDED if column not in header]
        # an input column named result or error is overwritten, as the output's own
        self.replaced = {header.index(column): column for column in ADDED if column in header}
        self.header = header + self.added
        self.rows = 0
        self.binary = None
        if fmt == "csv" and os.linesep == "\n":  # bytes go straight to the file: no newline
            self.binary = getattr(out, "buffer", None)  # translation to undo

    def write(
        self, columns: list[pa.Array], results: pa.Array, errors: np.ndarray, messages: _Messages
    ) -> None:
        if self.fmt == "csv":
            if not self.rows:
                if self.binary is not None:
                    self.out.flush()
                self._emit(_csv_line(self.header if self.raw else neutralised(self.header)))
            # the input's cells made CSV cells here; results (dates) need nothing, and each
            # message is made a cell once
            cells = [
                _csv_cells(column if self.raw else neutral_column(column)) for column in columns
            ]
            encoded = messages.column(errors, lambda text: _csv_cell(text, self.raw))
            self._emit(_csv_block(self._with_added(cells, results, encoded)))
        else:
            self._json(
                [c.to_pylist() for c in self._with_added(columns, results, messages.column(errors))]
            )
        self.rows += len(results)

    def _with_added(self, columns: list, results, errors) -> list:
        """The input's columns with ``result`` and ``error`` added (or in place of the input's
        own columns of those names)."""
        new = {"result": results, "error": errors}
        columns = [
            new[self.replaced[i]] if i in self.replaced else c for i, c in enumerate(columns)
        ]
        return columns + [new[column] for column in self.added]

    def _emit(self, data) -> None:
        if self.binary is not None:
            self.binary.write(data)
        else:
            self.out.write(bytes(data).decode())

    def _json(self, columns: list[list[str]]) -> None:
        for number, row in enumerate(zip(*columns, strict=True)):
            item = json.dumps(
                {key: value or None for key, value in zip(self.header, row, strict=True)},
                indent=2,
                ensure_ascii=False,
            )
            self.out.write(("[\n" if self.rows + number == 0 else ",\n") + _indented(item))

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.rows else "[]\n")


def _csv_line(cells: list[str]) -> bytes:
    return row_text(cells).encode()


def _csv_cell(text: str, raw: bool) -> str:
    """One cell as :class:`send_clock.safecsv.Writer` writes it, neutralised unless ``raw``."""
    return _csv_line([text if raw else neutral(text), ""])[:-2].decode()


def _csv_block(cells: list[pa.Array]):
    """Rows of CSV cells (as :func:`_csv_cells` makes them) joined into lines, each ended by
    ``\\n`` as :func:`csv.writer` ends it, as one buffer of UTF-8, without a Python call per
    row."""
    cells[-1] = compute.binary_join_element_wise(cells[-1], "", "\n")  # the line end
    lines = compute.binary_join_element_wise(*cells, ",")
    if lines.offset or lines.null_count:  # pragma: no cover - a computed array starts at 0
        lines = pa.concat_arrays([lines.fill_null("")])
    end = int(np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1)[-1])
    data = lines.buffers()[2]
    return memoryview(data)[:end] if data is not None else b""


def _csv_cells(column: pa.Array) -> pa.Array:
    """Cells as :class:`send_clock.safecsv.Writer` writes them: in quotes, with quotes doubled,
    where they hold a character that ``csv`` quotes for."""
    data = column.buffers()[2]
    text = b"" if data is None else bytes(data)
    if not any(char in text for char in _QUOTED_BYTES):
        return column  # (a look at the column's bytes: most columns hold none of them)
    needs = compute.match_substring_regex(column, _QUOTED)
    if not compute.any(needs).as_py():
        return column
    quoted = compute.binary_join_element_wise(
        '"', compute.replace_substring(column, '"', '""'), '"', ""
    )
    return compute.if_else(needs, quoted, column)


_QUOTED_BYTES = (b",", b'"', b"\n", b"\r")
#: the characters for which :mod:`send_clock.safecsv` quotes a cell (a lone ``\r`` too, which
#: Python 3.11's ``csv`` leaves bare with ``\n`` line ends)
_QUOTED = '[,"\\n\\r]'


def _indented(text: str) -> str:
    return "  " + text.replace("\n", "\n  ")
