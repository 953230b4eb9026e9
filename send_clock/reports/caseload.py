"""The caseload CSV: one row per case, read column by column.

Columns (a header row is required; names are matched without regard to case or spaces):

* ``case_id`` (required) - the council's own reference, unique in the file;
* ``received`` (required) - the date the request was received (the process's start date);
* ``process``, ``calendar`` (optional) - a process id and a calendar id (or file) for the row;
  empty or absent: the ``process``/``calendar`` given to :func:`read_caseload` (the command's
  ``--process``/``--calendar``), else ``england-ehcna`` and the process's own calendar;
* one column per milestone id (``decision_to_assess``, ``final_plan``...) or case date
  (``school_asked``) holding its actual date; empty = not happened yet;
* one column per branch of the process holding its outcome (``decision`` = agreed|refused,
  ``outcome`` = plan|no_plan for ``england-ehcna``), and per parameter (``transfer_year``);
* ``exceptions`` (optional) - recorded exceptions, ``kind[:FROM..TO][@milestone]``, separated
  by ``;``.
* ``officer`` (optional) - the case officer: the worklist by case shows it, and the service
  keeps it when it imports the cases.

Dates are ``YYYY-MM-DD`` or ``DD/MM/YYYY``. Any other column is ignored, with one warning. A row
that cannot be used is rejected with its line number and the reason, and the rest are read.

>>> import io
>>> text = '''case_id,received,decision,decision_to_assess,notes
... A1,2025-09-15,agreed,20/10/2025,first
... A2,2025-09-16,maybe,,second
... '''
>>> caseload = read_caseload(io.StringIO(text), name="caseload.csv")
>>> [str(r) for r in caseload.rejected]
["caseload.csv, line 3, case A2: decision='maybe': decision is one of agreed, refused"]
>>> caseload.warnings
['caseload.csv: ignoring 1 column send-clock does not use: notes']
>>> group = caseload.groups[0]
>>> group.process.id, group.calendar.id, group.case_ids.tolist(), group.lines.tolist()
('england-ehcna', 'england-and-wales', ['A1'], [2])
>>> group.cases.actual["decision_to_assess"]
array(['2025-10-20'], dtype='datetime64[D]')
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, TextIO

import numpy as np

from ..calendars import Calendar, load_calendar
from ..calendars import bundled_ids as bundled_calendar_ids
from ..csvfiles import (
    Chunk,
    CsvColumns,
    NotRowPerRow,
    header_key,
    missing_columns_message,
    open_columns,
    sniff_separator,
)
from ..errors import InputError, SendClockError
from ..officers import CONTROL, CONTROL_MESSAGE
from ..timelines import Cases, Process, bundled_processes, load_process, parse_exceptions
from ..timelines import bundled_ids as bundled_process_ids
from .batches import CaseGroup, Caseload, Rejected
from .columns import (
    NAT,
    Problems,
    choice_codes,
    first_problems,
    parse_dates,
    repeated_positions,
    text_column,
)

REQUIRED_COLUMNS = ("case_id", "received")
#: ``officer`` is shown by the worklist by case and kept when the service stores the cases.
OWN_COLUMNS = ("case_id", "received", "process", "calendar", "exceptions", "officer")
DEFAULT_PROCESS = "england-ehcna"
#: Rows read before their columns are turned into arrays: few enough to stay in the processor's
#: cache, and to bound the Python objects alive at once.
CHUNK_ROWS = 8_192

#: ``progress(stage, done, total)``; ``total`` is 0 when unknown.
Progress = Callable[[str, int, int], None]


def read_caseload(
    source: str | Path | TextIO,
    *,
    process: str | Path | Process | None = None,
    calendar: str | Path | Calendar | None = None,
    name: str | None = None,
    progress: Progress | None = None,
    ids_only: bool = False,
) -> Caseload:
    """Read a caseload CSV file (a path, or an open text stream) into groups of cases.

    ``ids_only`` (a text stream only): the ``process`` and ``calendar`` cells must be bundled
    ids; a file path there is a rejected row and no file is opened (for a CSV sent over HTTP).

    Raises :class:`InputError` for an empty file or a missing required column; rows that
    cannot be used are in the result's ``rejected``.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            total = _count_lines(path) - 1 if progress else 0
            with path.open("rb") as binary:
                return _read_binary(binary, name or path.name, process, calendar, progress, total)
        except OSError as error:
            raise InputError(f"cannot read the caseload {path}: {error.strerror}") from None
        except UnicodeDecodeError as error:
            raise InputError(
                f"{path.name} is not UTF-8 text (byte {error.start}); save it as CSV UTF-8"
            ) from None
    if isinstance(source, io.BufferedIOBase | io.RawIOBase):
        return _read_binary(source, name or "caseload", process, calendar, progress, 0)
    reader = _Reader(source, name or "caseload", process, calendar, progress, 0)
    reader.ids_only = ids_only
    return reader.read()


def _read_binary(binary: BinaryIO, name, process, calendar, progress, total) -> Caseload:
    """A file open in binary mode: its columns through the columnar reader; when that refuses
    the file (rows of the wrong width, NUL bytes), through ``csv``, row by row, from the start."""
    start = binary.tell()
    table = open_columns(binary, name)
    try:
        return _Reader(None, name, process, calendar, progress, total).read_columns(table)
    except NotRowPerRow:
        binary.seek(start)
        stream = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        try:
            return _Reader(stream, name, process, calendar, progress, total).read()
        finally:
            stream.detach()  # the caller closes the file


def read_caseload_part(
    stream: TextIO | BinaryIO,
    header: list[str],
    first_line: int,
    *,
    name: str,
    process: str | Path | Process | None = None,
    calendar: str | Path | Calendar | None = None,
    separator: str = ",",
) -> Caseload:
    """Read rows of a caseload that start on line ``first_line`` of the file, without its
    header (``header``: the file's header row); for reading one file in parts at once. A
    binary ``stream`` is read by the columnar reader unless it refuses the rows."""
    if isinstance(stream, io.BufferedIOBase | io.RawIOBase):
        start = stream.tell()
        table = CsvColumns(name, header, separator, stream, first_line)
        try:
            return _Reader(None, name, process, calendar, None, 0).read_columns(table, part=True)
        except NotRowPerRow:
            stream.seek(start)
            stream = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    reader = _Reader(stream, name, process, calendar, None, 0)
    reader.line_offset = first_line - 1
    return reader.read(header, separator)


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 22):
            count += block.count(b"\n")
    return count


@dataclass
class _Resolved:
    """A process (or the reason it cannot be loaded) for a ``process`` cell value."""

    process: Process | None
    error: str = ""


@dataclass
class _Columns:
    """The file's columns as arrays, filled chunk by chunk."""

    dates: dict[str, list[np.ndarray]] = field(default_factory=dict)
    texts: dict[str, list[np.ndarray]] = field(default_factory=dict)
    exceptions: dict[int, str] = field(default_factory=dict)
    problems: Problems = field(default_factory=dict)
    lines: list[np.ndarray] = field(default_factory=list)
    size: int = 0

    def add(self, store: dict[str, list[np.ndarray]], name: str, chunk: np.ndarray) -> None:
        chunks = store.setdefault(name, [])
        if not chunks and self.size:  # recognised only now: earlier rows had nothing here
            filler = NAT if chunk.dtype.kind == "M" else ""
            chunks.append(np.full(self.size, filler, dtype=chunk.dtype))
        chunks.append(chunk)

    def joined(self, store: dict[str, list[np.ndarray]]) -> dict[str, np.ndarray]:
        return {name: np.concatenate(chunks) for name, chunks in store.items()}


def caseload_columns(name: str, header: list[str] | None) -> list[str]:
    """The column names of a caseload's ``header`` row (each cell as :func:`header_key` matches
    it), or :class:`InputError` for a file that cannot be a caseload whatever its rows hold: no
    header row, a column named twice, or no ``case_id`` or ``received`` column."""
    if header is None or not any(cell.strip() for cell in header):
        raise InputError(
            f"{name} is empty: a caseload needs a header row (case_id,received,...) "
            "and one row per case"
        )
    names = [header_key(cell) for cell in header]
    seen = set()
    for column in names:
        if column and column in seen:
            raise InputError(
                f"{name}: the column {column!r} appears twice in the header; keep one of them"
            )
        seen.add(column)
    if any(column not in seen for column in REQUIRED_COLUMNS):
        raise InputError(missing_columns_message(name, header, REQUIRED_COLUMNS))
    return names


class _Reader:
    def __init__(self, stream, name, process, calendar, progress, total):
        self.stream, self.name, self.progress, self.total = stream, name, progress, total
        self.default_process = process or DEFAULT_PROCESS
        self.default_calendar = calendar
        self.processes: dict[str, _Resolved] = {}
        self.rejected: list[Rejected] = []
        self.columns = _Columns()
        self.date_names: set[str] = set()
        self.text_names: set[str] = set()
        self.parsed_exceptions: dict[tuple, tuple | str] = {}
        self.line_offset = 0  # lines of the file before the stream's first line
        self.ids_only = False  # refuse file paths in process and calendar cells

    # -- the header ---------------------------------------------------------------------------
    def read(self, header: list[str] | None = None, separator: str = ",") -> Caseload:
        """Read row by row with ``csv`` (a text stream, or a file the columnar reader refused)."""
        part = header is not None
        if not part:
            first = self.stream.readline()
            separator = sniff_separator(first)
            reader = csv.reader(itertools.chain([first], self.stream), delimiter=separator)
            try:
                header = next(reader, None)
            except csv.Error as error:
                raise InputError(f"{self.name}, line 1: {error}") from None
        else:
            reader = csv.reader(self.stream, delimiter=separator)
        self._start(header)
        self._read_rows(reader)
        return self._finish(part)

    def read_columns(self, table: CsvColumns, part: bool = False) -> Caseload:
        """Read the file's columns a block at a time (raises :class:`NotRowPerRow` for a file
        that needs :meth:`read`)."""
        self._start(table.header)
        with _collector_paused():
            for chunk in table.chunks():
                chunk = chunk.without_blank_rows(self.names.index("case_id"))
                if len(chunk):
                    columns = [_ChunkColumn(chunk, index) for index in range(len(self.names))]
                    self._add_columns(columns, chunk.lines)
        return self._finish(part)

    def _start(self, header: list[str] | None) -> None:
        self.names = caseload_columns(self.name, header)
        self.header = header
        for known in (self._resolve(self.default_process), *map(_Resolved, bundled_processes())):
            self._learn(known.process)

    def _finish(self, part: bool) -> Caseload:
        if self.columns.size == 0 and not self.rejected and not part:
            raise InputError(f"{self.name} has a header but no cases")
        return self._caseload()

    def _resolve(self, reference) -> _Resolved:
        key = reference if isinstance(reference, str) else str(getattr(reference, "id", reference))
        if key not in self.processes:
            try:
                self._refuse_path(reference, bundled_process_ids(), "process")
                self.processes[key] = _Resolved(load_process(reference))
            except SendClockError as error:
                self.processes[key] = _Resolved(None, str(error))
        return self.processes[key]

    def _refuse_path(self, reference, ids: list[str], noun: str) -> None:
        """With ``ids_only``, a cell naming anything but a bundled id (a path) is refused
        before any file is opened, in the same words whether or not the file exists."""
        if self.ids_only and isinstance(reference, str) and reference and reference not in ids:
            raise InputError(f"no {noun} {reference[:60]!r}; only bundled {noun} ids can be used")

    def _learn(self, process: Process | None) -> None:
        """Recognise the columns of ``process``: its milestones and case dates hold dates; its
        branches and parameters hold text."""
        if process is None:
            return
        for milestone in process.ids:
            if milestone != process.start:
                self.date_names.add(milestone)
        self.date_names.update(process.dates)
        self.text_names.update(process.branches)
        self.text_names.update(process.params)

    # -- the rows -----------------------------------------------------------------------------
    def _read_rows(self, reader) -> None:
        """Read rows a chunk at a time; each chunk is checked and turned into columns at once."""
        try:
            with _collector_paused():
                while True:
                    first_line = self.line_offset + reader.line_num + 1
                    rows = list(islice(reader, CHUNK_ROWS))
                    if not rows:
                        return
                    lines = _first_lines(rows, first_line, self.line_offset + reader.line_num)
                    rows, lines = self._usable(rows, lines)
                    if rows:
                        self._add_chunk(rows, lines)
        except csv.Error as error:
            line = self.line_offset + reader.line_num
            raise InputError(
                f"{self.name}, line {line}: {error}; fix the row and run again"
            ) from None

    def _usable(self, rows: list[list[str]], lines: np.ndarray):
        """Rows of the header's width: blank rows dropped, short ones padded, long ones
        rejected."""
        width, id_at = len(self.names), self.names.index("case_id")
        widths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        dropped = set()
        for index in np.flatnonzero(widths != width).tolist():
            row = rows[index]
            if len(row) > width and any(cell.strip() for cell in row):
                dropped.add(index)
                self.rejected.append(
                    Rejected(
                        self.name,
                        int(lines[index]),
                        row[id_at].strip(),
                        f"the row has {len(row)} values but the header has {width} columns; "
                        "check for a stray comma or an unquoted value",
                    )
                )
            rows[index] = (row + [""] * width)[:width]
        case_ids = tuple(map(itemgetter(id_at), rows))
        if "" in case_ids:  # rows with no case id: blank ones are skipped
            dropped.update(
                index
                for index, case_id in enumerate(case_ids)
                if not case_id and not any(cell.strip() for cell in rows[index])
            )
        if not dropped:
            return rows, lines
        keep = [index not in dropped for index in range(len(rows))]
        return [row for row, kept in zip(rows, keep, strict=True) if kept], lines[keep]

    def _add_chunk(self, rows: list[list[str]], lines: np.ndarray) -> None:
        self._add_columns(list(zip(*rows, strict=True)), lines)

    def _add_columns(self, values_by_column: Sequence[Sequence[str]], lines: np.ndarray) -> None:
        columns, offset = self.columns, self.columns.size
        if "process" in self.names:
            for value in _distinct_texts(values_by_column[self.names.index("process")]):
                if value.strip():
                    self._learn(self._resolve(value.strip()).process)
        for column, values in zip(self.names, values_by_column, strict=True):
            if self._wanted(column):
                self._add_column(column, values, offset)
        columns.lines.append(lines)
        columns.size += len(lines)
        if self.progress:
            self.progress("reading", columns.size, self.total)

    def _wanted(self, column: str) -> bool:
        return column in OWN_COLUMNS or column in self.date_names or column in self.text_names

    def _add_column(self, column: str, values: Sequence[str] | _ChunkColumn, offset: int) -> None:
        columns = self.columns
        if column == "received" or column in self.date_names:
            what = "received date" if column == "received" else f"date of {column}"
            days, problems = _dates(values, what)
            columns.add(columns.dates, column, days)
            for position, reason in problems.items():
                columns.problems.setdefault(offset + position, reason)
            return
        if column == "exceptions":
            positions, filled = _filled_texts(values)
            for position, value in zip(positions.tolist(), filled, strict=True):
                if value.strip():
                    columns.exceptions[offset + position] = value
        elif column in ("case_id", "process", "calendar", "officer") or column in self.text_names:
            columns.add(columns.texts, column, _stripped(values))

    # -- from columns to groups ---------------------------------------------------------------
    def _caseload(self) -> Caseload:
        columns = self.columns
        self.lines = np.concatenate(columns.lines) if columns.lines else np.empty(0, np.int64)
        self.dates = columns.joined(columns.dates)
        self.dates.setdefault("received", np.empty(0, dtype="datetime64[D]"))
        self.texts = columns.joined(columns.texts)
        self.case_ids = self.texts.get("case_id", np.empty(0, dtype="U1"))
        self.exception_rows = np.array(sorted(columns.exceptions), dtype=np.int64)
        problems = first_problems(columns.problems, self._case_problems())
        groups = []
        for process, calendar, rows, error in self._groupings():
            if error:
                problems = first_problems(problems, dict.fromkeys(rows.tolist(), error))
                continue
            problems = first_problems(problems, self._group_problems(process, rows))
            rejected = np.zeros(columns.size, dtype=bool)
            rejected[list(problems)] = True
            keep = rows[~rejected[rows]]
            if len(keep):
                groups.append(self._group(process, calendar, keep))
        unreadable = len(self.rejected)  # rows with too many values, never turned into columns
        self.rejected.extend(
            Rejected(self.name, int(self.lines[row]), str(self.case_ids[row]), reason)
            for row, reason in problems.items()
        )
        self.rejected.sort(key=lambda r: r.line)
        return Caseload(
            self.name,
            groups,
            self.rejected,
            self._warnings(),
            columns.size + unreadable,
            case_ids=self.case_ids,
        )

    def _exception_rows(self, rows: np.ndarray) -> list[tuple[int, int]]:
        """(position in ``rows``, row) of the rows of ``rows`` with exceptions recorded."""
        in_rows = np.zeros(len(self.case_ids), dtype=bool)
        in_rows[rows] = True
        found = self.exception_rows[in_rows[self.exception_rows]]
        return list(zip(np.searchsorted(rows, found).tolist(), found.tolist(), strict=True))

    def _case_problems(self) -> Problems:
        problems: Problems = {}
        for row in np.flatnonzero(self.case_ids == "").tolist():
            problems[row] = "the case_id is empty; give every case its reference"
        for row, first in repeated_positions(self.case_ids).items():
            problems.setdefault(
                row,
                f"case_id {self.case_ids[row]} appears again (first on line {self.lines[first]}); "
                "each case needs its own row",
            )
        received = self.dates["received"]
        for row in np.flatnonzero(np.isnat(received)).tolist():
            problems.setdefault(
                row, "the received date is empty; give the date the request was received"
            )
        for row in self._controlled_officers():
            problems.setdefault(row, CONTROL_MESSAGE)
        return problems

    def _controlled_officers(self) -> list[int]:
        """Rows whose officer's name holds a control character (one search over the column
        first: almost every caseload has none)."""
        officers = self.texts.get("officer")
        names = [] if officers is None else officers.tolist()
        if not CONTROL.search("".join(names)):
            return []
        return [row for row, name in enumerate(names) if CONTROL.search(name)]

    def _groupings(self):
        """(process, calendar, row positions, error) for each process and calendar in use."""
        size = len(self.case_ids)
        process_names = self.texts.get("process", np.full(size, "", dtype="U1"))
        calendar_names = self.texts.get("calendar", np.full(size, "", dtype="U1"))
        merged: dict[tuple, list] = {}
        for process_name, process_rows in _distinct(process_names):
            resolved = self._resolve(process_name or self.default_process)
            if resolved.process is None:
                yield None, None, process_rows, resolved.error
                continue
            for calendar_name, rows in _distinct(calendar_names[process_rows]):
                calendar, error = self._calendar(calendar_name, resolved.process)
                if error:
                    yield None, None, process_rows[rows], error
                    continue
                key = (resolved.process.id, resolved.process.origin, calendar.id, calendar.origin)
                merged.setdefault(key, [resolved.process, calendar, []])[2].append(
                    process_rows[rows]
                )
        for process, calendar, parts in merged.values():
            yield process, calendar, np.sort(np.concatenate(parts)), ""

    def _calendar(self, name: str, process: Process) -> tuple[Calendar | None, str]:
        try:
            self._refuse_path(name, bundled_calendar_ids(), "calendar")
            return load_calendar(name or self.default_calendar or process.default_calendar), ""
        except SendClockError as error:
            return None, str(error)

    def _group_problems(self, process: Process, rows: np.ndarray) -> Problems:
        problems: Problems = {}
        for column, values in {**self.dates, **self.texts}.items():
            if column in OWN_COLUMNS or _belongs(process, column):
                continue
            for position in np.flatnonzero(_filled(values[rows])).tolist():
                problems.setdefault(
                    int(rows[position]),
                    f"{column} has a value, but {column} is not part of {process.id}; its "
                    f"columns are: {', '.join(_columns_of(process))}",
                )
        for branch in process.branches.values():
            if branch.id in self.texts:
                _, found = choice_codes(
                    self.texts[branch.id][rows],
                    branch.values,
                    lambda v, b=branch: f"{b.id}={v!r}: {b.id} is one of {', '.join(b.values)}",
                )
                problems = first_problems(problems, _at(rows, found))
        for param in process.params:
            if param in self.texts:
                problems = first_problems(problems, _at(rows, _years(self.texts[param][rows])[1]))
        for _, row in self._exception_rows(rows):
            found = self._exceptions(self.columns.exceptions[row], process)
            if isinstance(found, str):
                problems.setdefault(row, found)
        return problems

    def _exceptions(self, text: str, process: Process):
        """The exceptions written in ``text``, or why they cannot be read; remembered, since a
        caseload repeats the same few."""
        key = (text, process.id, process.origin)
        if key not in self.parsed_exceptions:
            try:
                self.parsed_exceptions[key] = parse_exceptions(text, process)
            except InputError as error:
                self.parsed_exceptions[key] = f"exceptions: {error}"
        return self.parsed_exceptions[key]

    def _group(self, process: Process, calendar: Calendar, rows: np.ndarray) -> CaseGroup:
        exceptions = {
            position: self._exceptions(self.columns.exceptions[row], process)
            for position, row in self._exception_rows(rows)
        }
        everyone = len(rows) == len(self.case_ids)  # then rows is 0, 1, 2...: no copies

        def take(values: np.ndarray) -> np.ndarray:
            return values if everyone else values[rows]

        cases = Cases(
            received=take(self.dates["received"]),
            actual={m: take(self.dates[m]) for m in process.ids if m in self.dates},
            dates={d: take(self.dates[d]) for d in process.dates if d in self.dates},
            outcomes={
                b.id: choice_codes(take(self.texts[b.id]), b.values, str)[0]
                for b in process.branches.values()
                if b.id in self.texts
            },
            params={p: _years(take(self.texts[p]))[0] for p in process.params if p in self.texts},
            exceptions=exceptions,
        )
        officers = self.texts.get("officer")
        return CaseGroup(
            process,
            calendar,
            take(self.case_ids),
            take(self.lines),
            cases,
            source=self.name,
            officers=None if officers is None else take(officers),
        )

    def _warnings(self) -> list[str]:
        used = {*OWN_COLUMNS, *self.date_names, *self.text_names}
        unused = [c or "(a column with no name)" for c in self.names if c not in used]
        if not unused:
            return []
        plural = "s" if len(unused) > 1 else ""
        return [
            f"{self.name}: ignoring {len(unused)} column{plural} send-clock does not use: "
            + ", ".join(unused)
        ]


@dataclass
class _ChunkColumn:
    """Column ``index`` of a :class:`~send_clock.csvfiles.Chunk`: its texts are fetched only if
    the reader uses the column, and ISO dates are parsed by pyarrow."""

    chunk: Chunk
    index: int


def _distinct_texts(values: Sequence[str] | _ChunkColumn) -> set[str]:
    if isinstance(values, _ChunkColumn):
        return set(values.chunk.distinct(values.index))
    return set(values)


def _stripped(values: Sequence[str] | _ChunkColumn) -> np.ndarray:
    """:func:`text_column` of the values (from a chunk, spaces are looked for only where they
    can be)."""
    if isinstance(values, _ChunkColumn):
        return values.chunk.unicode(values.index, stripped=True)
    return text_column(values)


def _filled_texts(values: Sequence[str] | _ChunkColumn) -> tuple[np.ndarray, list[str]]:
    """The positions of the values that are not empty, and those values."""
    if isinstance(values, _ChunkColumn):
        return values.chunk.filled(values.index)
    if values.count("") == len(values):
        return np.empty(0, dtype=np.int64), []
    positions = np.flatnonzero(np.array(values, dtype=object) != "")
    return positions, [values[position] for position in positions.tolist()]


def _dates(values: Sequence[str] | _ChunkColumn, what: str) -> tuple[np.ndarray, Problems]:
    if not isinstance(values, _ChunkColumn):
        return parse_dates(values, what)
    days, rest = values.chunk.iso_dates(values.index)
    if not len(rest):
        return days, {}
    texts = values.chunk.batch.column(values.index).take(rest).to_pylist()
    found, problems = parse_dates(texts, what)
    days[rest] = found
    return days, {int(rest[position]): reason for position, reason in problems.items()}


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector while rows are read: a chunk is tens of thousands
    of short-lived lists, which would otherwise set it off again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _first_lines(rows: list[list[str]], first_line: int, last_line: int) -> np.ndarray:
    """The line each row starts on. Rows are one line each unless a quoted value holds a line
    break; only then are the breaks counted."""
    if last_line - first_line + 1 == len(rows):
        return np.arange(first_line, first_line + len(rows), dtype=np.int64)
    spans = [
        1 + sum(cell.count("\n") + cell.count("\r") - cell.count("\r\n") for cell in row)
        for row in rows
    ]
    return first_line + np.concatenate(([0], np.cumsum(spans[:-1]))).astype(np.int64)


def _distinct(values: np.ndarray):
    """(value, positions) for each distinct value, in order of first appearance."""
    remaining = np.ones(len(values), dtype=bool)
    found = 0
    while remaining.any():
        first = int(np.argmax(remaining))
        same = remaining & (values == values[first])
        yield str(values[first]), np.flatnonzero(same)
        remaining &= ~same
        found += 1
        if found > 64 and remaining.any():  # many distinct values: sort once instead
            distinct, inverse = np.unique(values[remaining], return_inverse=True)
            rest = np.flatnonzero(remaining)
            for index, value in enumerate(distinct.tolist()):
                yield value, rest[inverse == index]
            return


def _belongs(process: Process, column: str) -> bool:
    return (
        (column in process.ids and column != process.start)
        or column in process.dates
        or column in process.branches
        or column in process.params
    )


def _columns_of(process: Process) -> list[str]:
    return [
        *(m for m in process.ids if m != process.start),
        *process.dates,
        *process.branches,
        *process.params,
    ]


def _filled(values: np.ndarray) -> np.ndarray:
    return ~np.isnat(values) if values.dtype.kind == "M" else values != ""


def _at(rows: np.ndarray, problems: Problems) -> Problems:
    """Problems keyed by position in ``rows`` -> keyed by row."""
    return {int(rows[position]): reason for position, reason in problems.items()}


def _years(values: np.ndarray) -> tuple[np.ndarray, Problems]:
    """Whole-number parameters (a year such as 2027); ``-1`` where empty."""
    years = np.full(len(values), -1, dtype=np.int64)
    problems: Problems = {}
    for position, text in enumerate(values.tolist()):
        if not text:
            continue
        if text.isdigit() and 1900 <= int(text) <= 2200:
            years[position] = int(text)
        else:
            problems[position] = f"{text!r} is not a year; give a year such as 2027"
    return years, problems
