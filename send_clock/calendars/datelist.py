"""``date add --input``: a CSV of start dates, amounts and units, a result (or an error) per row.

The file is read a block of rows at a time (:mod:`send_clock.csvfiles`) and each block is
computed column by column: every distinct start, amount, unit and calendar is read once (a list
of dates repeats the same few), and the rows that share a calendar and a unit are added in one
call of :meth:`~send_clock.calendars.Calendar.add_many`. Rows are written as they are computed,
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
from collections.abc import Callable, Iterator
from datetime import date
from typing import BinaryIO, TextIO

import numpy as np

from ..csvfiles import NotRowPerRow, missing_columns_message, open_columns
from ..dates import parse_date
from ..errors import InputError, SendClockError
from ..safecsv import neutralised
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
    writer = _Writer(out, [cell.strip() for cell in table.header], keys, fmt, raw)
    try:
        chunks: Iterator[list[list[str]]] = (
            chunk.columns for chunk in table.chunks(skip_empty_lines=True)
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
        writer.write(columns, results, errors)
        done += len(results)
        if progress:
            progress(done)
    return done


def _rows_at_once(
    source: BinaryIO, name: str, separator: str, width: int
) -> Iterator[list[list[str]]]:
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
                yield [list(column) for column in zip(*block, strict=True)]
                block = []
    except csv.Error as error:  # a value longer than csv's limit, say
        raise InputError(f"{name}, line {reader.line_num}: {error}; fix the row") from None
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8 text; save it as CSV UTF-8") from None
    finally:
        text.detach()
    if block:
        yield [list(column) for column in zip(*block, strict=True)]


class _Meanings:
    """What each distinct value of a column means, or the error reading it gives; each value is
    read once, and a block of rows becomes an array of codes into the distinct values."""

    def __init__(self, read: Callable[[str], object]):
        self.read = read
        self.code: dict[str, int] = {}
        self.values: list[object] = []
        self.errors: list[str] = []

    def codes(self, texts: list[str]) -> np.ndarray:
        for text in set(texts).difference(self.code):
            self.code[text] = len(self.values)
            try:
                self.values.append(self.read(text))
                self.errors.append("")
            except SendClockError as error:
                self.values.append(None)
                self.errors.append(str(error))
        return np.fromiter(map(self.code.__getitem__, texts), dtype=np.int64, count=len(texts))

    def numbers(self) -> np.ndarray:
        """The values as whole numbers, 0 where unreadable."""
        return np.array([0 if value is None else value for value in self.values], dtype=np.int64)


class _Adder:
    """Computes blocks of rows, column by column."""

    def __init__(self, keys: list[str], default_calendar: str):
        self.at = {key: keys.index(key) for key in (*NEEDED, "calendar") if key in keys}
        self.default_calendar = default_calendar
        self.failed = 0
        self.starts = _Meanings(_day_number)
        self.amounts = _Meanings(amount_of)
        self.units = _Meanings(parse_unit)
        self.calendars = _Meanings(self._calendar)

    def _calendar(self, ref: str):
        return load_calendar(ref.strip() or self.default_calendar)

    def _codes(self, meanings: _Meanings, column: str, count: int) -> np.ndarray:
        texts = self._columns[self.at[column]] if column in self.at else [""] * count
        return meanings.codes(texts)

    def compute(self, columns: list[list[str]]) -> tuple[list[str], list[str]]:
        self._columns, count = columns, len(columns[0])
        starts = self._codes(self.starts, "start", count)
        amounts = self._codes(self.amounts, "amount", count)
        units = self._codes(self.units, "unit", count)
        calendars = self._codes(self.calendars, "calendar", count)
        # the first error of each row: its start date's, else its amount's, else its unit's
        errors = np.full(count, "", dtype=object)
        for meanings, codes in (
            (self.units, units),
            (self.amounts, amounts),
            (self.starts, starts),
        ):
            if any(meanings.errors):
                texts = np.array(meanings.errors, dtype=object)[codes]
                errors = np.where(texts != "", texts, errors)
        days = self.starts.numbers()[starts].astype("datetime64[D]")
        numbers = self.amounts.numbers()[amounts]
        results = np.full(count, "", dtype=object)
        readable = errors == ""
        pairs = calendars * len(self.units.values) + units
        for pair in np.unique(pairs[readable]).tolist():
            rows = np.flatnonzero(readable & (pairs == pair))
            calendar_code, unit_code = divmod(pair, len(self.units.values))
            self._add_group(calendar_code, unit_code, rows, days, numbers, results, errors)
        self.failed += int(np.count_nonzero(errors != ""))
        return results.tolist(), errors.tolist()

    def _add_group(self, calendar_code, unit_code, rows, days, numbers, results, errors) -> None:
        """One bulk call for the rows that share a calendar and a unit."""
        calendar = self.calendars.values[calendar_code]
        unit = self.units.values[unit_code]
        if calendar is None:  # a calendar that cannot be loaded: its error, on every row
            errors[rows] = self.calendars.errors[calendar_code]
            return
        try:
            found = calendar.add_many(days[rows], numbers[rows], unit, errors="coerce")
        except SendClockError as error:  # term weeks on a calendar without terms
            errors[rows] = str(error)
            return
        missing = np.isnat(found)
        results[rows[~missing]] = np.datetime_as_string(found[~missing], unit="D").astype(object)
        for row in rows[missing].tolist():  # the one-date path gives the precise message
            try:
                calendar.add(days[row].item(), int(numbers[row]), unit)
            except SendClockError as error:
                errors[row] = str(error)


def _day_number(text: str) -> int:
    return (parse_date(text, "start date") - EPOCH).days


class _Writer:
    """Rows out, as they come: CSV with the input's columns plus ``result`` and ``error``, or one
    JSON array (written as ``json.dumps(rows, indent=2)`` would write it)."""

    def __init__(self, out: TextIO, header: list[str], keys: list[str], fmt: str, raw: bool):
        self.out, self.fmt, self.raw = out, fmt, raw
        self.added = [column for column in ADDED if column not in header]
        # an input column named result or error is overwritten, as the output's own
        self.replaced = {header.index(column): column for column in ADDED if column in header}
        self.header = header + self.added
        self.rows = 0
        self.csv = csv.writer(out, lineterminator="\n")

    def write(self, columns: list[list[str]], results: list[str], errors: list[str]) -> None:
        new = {"result": results, "error": errors}
        columns = [
            new[self.replaced[i]] if i in self.replaced else c for i, c in enumerate(columns)
        ]
        columns += [new[column] for column in self.added]
        if self.fmt == "csv":
            if not self.rows:
                self.csv.writerow(self.header if self.raw else neutralised(self.header))
            if not self.raw:
                columns = [neutralised(column) for column in columns]
            self.csv.writerows(zip(*columns, strict=True))
        else:
            self._json(columns)
        self.rows += len(results)

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


def _indented(text: str) -> str:
    return "  " + text.replace("\n", "\n  ")
