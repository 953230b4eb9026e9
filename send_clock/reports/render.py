"""Per case and milestone output: CSV and JSON lines (one row per case x milestone) and JSON.

The fields are those of the timeline JSON (``id``, ``title``, ``kind``, ``due``, ``target``,
``earliest``, ``projected``, ``actual``, ``status``, ``days_late``, ``basis``, ``conditional``,
``exceptions``) after ``case_id``, ``process``, ``calendar`` and ``received``. Rows are written
column by column (:mod:`send_clock.reports.records`): a million cases are eight million rows.

>>> import io
>>> from datetime import date
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import Case, load_process
>>> from send_clock.reports.batches import batch_from_cases
>>> batch, _ = batch_from_cases(load_process("england-ehcna"),
...     load_calendar("england-and-wales"),
...     [Case(date(2025, 9, 15), {"decision_to_assess": date(2025, 10, 20)}, case_id="A1")],
...     as_of=date(2025, 12, 1))
>>> out = io.BytesIO()
>>> write_csv([batch], out)
>>> print(out.getvalue().decode().splitlines()[2])
A1,england-ehcna,england-and-wales,2025-09-15,decision_to_assess,Decision whether to assess,\
statutory,2025-10-27,,,2025-10-20,2025-10-20,met,,false,,,"SEND Regulations 2014 reg 4(1), 5(1)"
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO

import numpy as np

from ..safecsv import TRIGGERS, neutralised, row_text
from ..timelines import Milestone
from ..timelines.projector import DETECTED, NOT_APPLICABLE, RECORDED, STATUSES
from ..timelines.schedule import MILESTONE_COLUMNS, exception_text
from .batches import FINAL_MILESTONES, CaseBatch, Report
from .records import Field, Item, lookup, per_record, records_size, write_records

CSV_COLUMNS = ("case_id", "process", "calendar", "received", *MILESTONE_COLUMNS)
DATE_FIELDS = ("due", "target", "earliest", "projected", "actual")
#: Beyond this many days between a batch's first and last date, dates are formatted one by one
#: instead of through a table.
LARGEST_DATE_TABLE = 400_000
#: ``progress(cases_done)``
Progress = Callable[[int], None]


# -- how each format writes a value -------------------------------------------------------------
class _Csv:
    null, true, false = b"", b"true", b"false"

    @staticmethod
    def text(value: str) -> bytes:
        """``value`` as one CSV cell, quoted if it holds a separator, a quote or a line break
        (a lone ``\r`` too, as :mod:`send_clock.safecsv` writes every CSV)."""
        return row_text([value], "").encode()

    @staticmethod
    def needs_escape(codes: np.ndarray) -> np.ndarray:
        return ((codes == 44) | (codes == 34) | (codes == 10) | (codes == 13)).any(axis=1)

    @staticmethod
    def exceptions(found: list[dict]) -> bytes:
        return _Csv.text("; ".join(exception_text(e) for e in found)) if found else b""


class _Json:
    null, true, false = b"null", b"true", b"false"

    @staticmethod
    def text(value) -> bytes:
        return json.dumps(value, ensure_ascii=False).encode()

    @staticmethod
    def needs_escape(codes: np.ndarray) -> np.ndarray:
        return ((codes == 34) | (codes == 92) | ((codes < 32) & (codes > 0))).any(axis=1)

    @staticmethod
    def exceptions(found: list[dict]) -> bytes:
        return _Json.text(found)


# -- the fields of a batch ----------------------------------------------------------------------
class _BatchFields:
    """Builds the items of one batch in one format (``style``: :class:`_Csv` or :class:`_Json`).

    Dates are written through a table of every day from the batch's first date to its last, so a
    column of dates is one gather. A column with no value at all becomes a constant.
    """

    def __init__(self, batch: CaseBatch, style):
        self.batch, self.style, self.projection = batch, style, batch.projection
        first, last = _date_range(self._date_columns())
        self.first_day = np.datetime64(first if first is not None else 10957, "D")  # 2000-01-01
        self.span = last - first + 1 if first is not None else 1
        self.windows = batch.calendar.qualifying_windows

    def _date_columns(self):
        yield self.batch.received
        for milestone in self.batch.process.ids:
            for name in DATE_FIELDS:
                yield getattr(self.projection, name)[milestone]

    def day_text(self, day: np.datetime64 | None) -> bytes:
        if day is None or np.isnat(day):
            return self.style.null
        text = str(day).encode()
        return b'"' + text + b'"' if self.style is _Json else text

    def _day_texts(self) -> list[bytes]:
        """The text of every day of the span, then of no date."""
        if self.span > LARGEST_DATE_TABLE:
            raise ValueError("too many days for a table")
        days = (self.first_day + np.arange(self.span)).astype("S10").tolist()
        quote = b'"' if self.style is _Json else b""
        return [quote + day + quote for day in days] + [self.style.null]

    def day_index(self, days: np.ndarray) -> np.ndarray:
        """Position of each date in :meth:`_day_texts` (the last position: no date)."""
        # (read as unsigned numbers, days count up from the first day, and NaT, -2**63, is
        # 2**63: past every day of the span, so the minimum with the span places it there)
        offsets = days.view(np.uint64) - np.uint64(self.first_day.astype(np.int64))
        return np.minimum(offsets, self.span, out=offsets).view(np.int64)

    def date(self, days: np.ndarray, suffix: bytes) -> Item:
        if np.isnat(days).all():
            return self.style.null + suffix
        if self.span > LARGEST_DATE_TABLE:  # dates decades apart: format them one by one
            return per_record(lookup([self.day_text(day) + suffix for day in days]))
        table = lookup([text + suffix for text in self._day_texts()])
        return Field(table, lambda start, stop: self.day_index(days[start:stop]))

    def projected_actual(self, milestone: str, between: bytes, suffix: bytes) -> list[Item]:
        """The projected and actual dates, as one field: an actual date, when recorded, is also
        the projected one, so the pair is one of three forms per day."""
        projected = self.projection.projected[milestone]
        actual = self.projection.actual[milestone]
        recorded = ~np.isnat(actual)
        if self.span > LARGEST_DATE_TABLE or (actual[recorded] != projected[recorded]).any():
            return [self.date(projected, b""), between, self.date(actual, suffix)]
        texts = self._day_texts()
        null = self.style.null
        table = lookup(
            [text + between + null + suffix for text in texts]
            + [text + between + text + suffix for text in texts]
        )
        both = self.span + 1

        def index(start: int, stop: int) -> np.ndarray:
            return self.day_index(projected[start:stop]) + both * recorded[start:stop]

        return [Field(table, index)]

    def state(
        self,
        milestone: Milestone,
        days_at: bytes,
        conditional_at,
        excusal_at: bytes,
        suffix: bytes,
    ) -> Item:
        """Status, days late, conditional and excusal as one field: status + ``days_at`` +
        days + ``conditional_at`` + true/false + ``excusal_at`` + recorded/detected/none +
        ``suffix``, through a table of every combination. ``conditional_at`` is bytes, or a
        function of the basis text giving them (the basis of the rule in force on each case's
        start date)."""
        m = milestone.id
        status = self.projection.status[m].astype(np.int64)
        days = self.projection.days_late[m]
        flags = self.projection.conditional[m].astype(np.int64)
        excusals = ("", RECORDED, DETECTED)
        how = self.projection.excusal_codes(m)  # (an index into excusals)
        largest = int(days.max()) if len(days) else 0
        day_texts = [self.style.null] + [str(d).encode() for d in range(largest + 1)]
        excusal_texts = [self.style.null] + [self._word(e) for e in excusals[1:]]
        if not callable(conditional_at):
            middles, version = [conditional_at], None
        elif milestone.revisions:
            bases, version = self.bases(milestone)
            middles = [conditional_at(basis) for basis in bases]
        else:
            middles, version = [conditional_at(milestone.basis)], None
        # every combination, in the order the index below counts them: middle, status, flag,
        # excusal, days (one numpy concatenation over a grid, not a Python call per entry)
        table = _combined(
            [
                [self._status_text(s) + days_at for s in range(len(STATUSES))],
                day_texts,
                middles,
                [self.style.false, self.style.true],
                [excusal_at + e for e in excusal_texts],
            ],
            order=(2, 0, 3, 4, 1),
            suffix=suffix,
        )
        per_flag = len(excusal_texts) * len(day_texts)
        per_version = len(STATUSES) * 2 * per_flag

        def index(start: int, stop: int) -> np.ndarray:
            found = (status[start:stop] * 2 + flags[start:stop]) * per_flag
            found += how[start:stop] * len(day_texts)
            if version is not None:  # a milestone whose rule changed: the version in force
                found += version[start:stop] * per_version
            return found + days[start:stop] + 1

        return Field(table, index)

    def bases(self, milestone: Milestone) -> tuple[list[str], np.ndarray]:
        """The milestone's bases, first the original then each revision's, and for each case
        the position of the one in force on its start date."""
        revisions = milestone.revisions
        bases = [milestone.basis] + [revision.basis for revision in revisions]
        starts = np.array([r.in_force_from for r in revisions], dtype="datetime64[D]")
        return bases, np.searchsorted(starts, self.batch.received, side="right").astype(np.int64)

    def basis(self, milestone: Milestone, suffix: bytes) -> Item:
        """The basis in force on each case's start date, then ``suffix``."""
        if not milestone.revisions:
            return self.style.text(milestone.basis) + suffix
        bases, version = self.bases(milestone)
        table = lookup([self.style.text(basis) + suffix for basis in bases])
        return Field(table, lambda start, stop: version[start:stop])

    def _status_text(self, index: int) -> bytes:
        return self._word(STATUSES[index])

    def _word(self, word: str) -> bytes:
        return self.style.text(word) if self.style is _Json else word.encode()

    def case_opening(self, before: bytes, between: bytes, after: bytes) -> list[Item]:
        """``before`` + case id + ``between`` + received date + ``after``: the ids are a table
        of one entry per case, shared by every milestone's row, and the dates a table of days."""
        return [
            before,
            per_record(_escaped(self.batch.case_ids, self.style)),
            between,
            self.date(self.batch.received, after),
        ]

    def exceptions(self, milestone: Milestone, suffix: bytes) -> Item:
        """Closure windows from the calendar (many cases share a few windows: a table), then the
        recorded exceptions and source flags (few cases: one by one)."""
        projection, style = self.projection, self.style
        applies = projection.status[milestone.id] != NOT_APPLICABLE
        window_of_case = np.where(applies, projection.closure_window[milestone.id], -1) + 1
        window_entries = (
            [self._closure(milestone, w) for w in self.windows]
            if "school_closure" in milestone.excused_by
            else []
        )
        extra = self._extra_exceptions(milestone, applies)
        if not extra and not window_of_case.any():
            return style.exceptions([]) + suffix
        table = lookup(
            [style.exceptions([]) + suffix]
            + [style.exceptions([entry]) + suffix for entry in window_entries]
        )
        positions = np.array(sorted(extra), dtype=np.int64)
        texts = lookup(
            [
                style.exceptions(
                    ([window_entries[window_of_case[p] - 1]] if window_of_case[p] else [])
                    + extra[p]
                )
                + suffix
                for p in positions.tolist()
            ]
        )
        entries = np.concatenate([table, texts]) if len(texts) else table
        extra_at = len(table) + np.arange(len(texts))  # where each case's own text is

        def index(start: int, stop: int) -> np.ndarray:
            found = window_of_case[start:stop].copy()
            first, last = np.searchsorted(positions, [start, stop])
            found[positions[first:last] - start] = extra_at[first:last]
            return found

        return Field(entries, index)

    @staticmethod
    def _closure(milestone: Milestone, window) -> dict:
        return {
            "kind": "school_closure",
            "source": "calendar",
            "basis": milestone.excused_by["school_closure"],
            "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
        }

    def _extra_exceptions(self, milestone: Milestone, applies: np.ndarray) -> dict[int, list]:
        found: dict[int, list] = {}
        for (case, milestone_id), exceptions in self.projection.recorded.items():
            if milestone_id == milestone.id and applies[case]:
                found[case] = [
                    {
                        "kind": e.kind,
                        "source": "recorded",
                        "basis": milestone.excused_by[e.kind],
                        "window": (
                            {"start": e.start.isoformat(), "end": e.end.isoformat()}
                            if e.start
                            else None
                        ),
                    }
                    for e in exceptions
                ]
        flagged = self.batch.exception_cases
        if flagged is not None and milestone.id in FINAL_MILESTONES and milestone.excused_by:
            basis = next(iter(milestone.excused_by.values()))
            for case in np.flatnonzero(flagged & applies).tolist():
                found.setdefault(case, []).append(
                    {"kind": "unspecified", "source": "sen2_week20", "basis": basis, "window": None}
                )
        return found


def _combined(parts: list[list[bytes]], order: tuple[int, ...], suffix: bytes) -> np.ndarray:
    """Every concatenation of one entry of each of ``parts`` (in that order) then ``suffix``,
    as an ``S`` array laid out with ``parts[order[0]]`` varying slowest and
    ``parts[order[-1]]`` fastest (a flat index into it counts in that order)."""
    shape = [len(parts[axis]) for axis in order]
    grid = np.array(b"", dtype="S1")
    for axis, entries in enumerate(parts):
        where = order.index(axis)
        values = np.array(entries, dtype="S").reshape(
            [len(entries) if dim == where else 1 for dim in range(len(order))]
        )
        grid = np.strings.add(grid, values)
    table = np.strings.add(np.broadcast_to(grid, shape), suffix).ravel()
    return table.astype(f"S{max(int(np.strings.str_len(table).max(initial=1)), 1)}")


def _date_range(columns) -> tuple[int | None, int | None]:
    """The first and last day (as day numbers) in any of ``columns``, ignoring NaT (as
    ``fmin`` and ``fmax`` do, in one plain pass each: a reduction ``where`` dates are is
    slower)."""
    first = last = None
    for days in columns:
        if not len(days):
            continue
        high = np.fmax.reduce(days)
        if np.isnat(high):
            continue
        low, high = int(np.fmin.reduce(days).astype(np.int64)), int(high.astype(np.int64))
        first = low if first is None else min(first, low)
        last = high if last is None else max(last, high)
    return first, last


def _escaped(case_ids: np.ndarray, style) -> np.ndarray:
    """Case ids as UTF-8 ``S`` values, quoted or escaped for ``style`` where they need it."""
    size = len(case_ids)
    ids = np.ascontiguousarray(case_ids) if size else np.array([""])
    codes = ids.view(np.uint32).reshape(len(ids), -1)
    if codes.size and codes.max() < 128:
        values = codes.astype(np.uint8).view(f"S{codes.shape[1]}").ravel()
    else:
        values = np.array([str(i).encode() for i in ids.tolist()], dtype="S")
    if style is _Json:
        values = np.strings.add(np.strings.add(b'"', values), b'"')
    escape = np.flatnonzero(style.needs_escape(codes)) if codes.size else []
    if len(escape):
        values = values.astype(object)
        for position in escape:
            values[position] = style.text(str(ids[position]))
        values = values.astype("S")
    return values[:size]


# -- the formats ----------------------------------------------------------------------------
def csv_items(batch: CaseBatch) -> list[Item]:
    """The items of one case's rows: one CSV line per milestone."""
    fields = _BatchFields(batch, _Csv)
    text = _Csv.text
    place = b"," + text(batch.process.id) + b"," + text(batch.calendar.id) + b","
    opening = fields.case_opening(b"", place, b",")
    items: list[Item] = []
    for milestone in batch.process.milestones:
        m, projection = milestone.id, batch.projection
        items += [*opening, b",".join(text(v) for v in (m, milestone.title, milestone.kind)) + b","]
        items += [fields.date(getattr(projection, name)[m], b",") for name in DATE_FIELDS[:3]]
        items += fields.projected_actual(m, b",", b",")
        items += [
            fields.state(milestone, b",", b",", b",", b","),
            fields.exceptions(milestone, b","),
        ]
        items.append(fields.basis(milestone, b"\n"))
    return items


def _case_opening(batch: CaseBatch, fields: _BatchFields) -> list[Item]:
    text = _Json.text
    place = b', "process": ' + text(batch.process.id) + b', "calendar": ' + text(batch.calendar.id)
    return fields.case_opening(b'{"case_id": ', place + b', "received": ', b"")


def _milestone_object(fields: _BatchFields, milestone: Milestone, opening: bytes) -> list[Item]:
    """A milestone as the timeline JSON writes it, after ``opening`` (``{`` or ``, ``)."""
    text, m, projection = _Json.text, milestone.id, fields.projection
    items: list[Item] = [
        opening + b'"id": ' + text(m) + b', "title": ' + text(milestone.title),
        b', "kind": ' + text(milestone.kind),
    ]
    for name in DATE_FIELDS[:3]:
        items += [f', "{name}": '.encode(), fields.date(getattr(projection, name)[m], b"")]
    items += [b', "projected": ', *fields.projected_actual(m, b', "actual": ', b"")]

    def between(basis: str) -> bytes:
        return b', "basis": ' + text(basis) + b', "conditional": '

    items += [
        b', "status": ',
        fields.state(milestone, b', "days_late": ', between, b', "excusal": ', b""),
    ]
    return items + [b', "exceptions": ', fields.exceptions(milestone, b""), b"}"]


def jsonl_items(batch: CaseBatch) -> list[Item]:
    """One JSON object per line for each milestone of a case, with the case's fields first."""
    fields = _BatchFields(batch, _Json)
    opening = _case_opening(batch, fields)
    items: list[Item] = []
    for milestone in batch.process.milestones:
        items += [*opening, *_milestone_object(fields, milestone, b", "), b"\n"]
    return items


def json_case_items(batch: CaseBatch, first: bool) -> list[Item]:
    """One case of the JSON document's ``cases`` list, with the separator before it."""
    fields = _BatchFields(batch, _Json)
    separators = lookup([b",\n    ", b"\n    "])

    def separator(start: int, stop: int) -> np.ndarray:
        which = np.zeros(stop - start, dtype=np.int64)
        if first and start == 0:
            which[0] = 1
        return which

    items: list[Item] = [Field(separators, separator), *_case_opening(batch, fields)]
    items.append(b', "milestones": [')
    for number, milestone in enumerate(batch.process.milestones):
        items += _milestone_object(fields, milestone, b"{" if number == 0 else b", {")
    return items + [b"]}"]


def _write_items(
    batches: Iterable[tuple[list[Item], int]], out: BinaryIO, progress: Progress | None
) -> None:
    """Write the rows of each batch (its items and how many cases it has), as they come;
    ``progress`` is told the cases written so far."""
    done = 0
    for items, count in batches:

        def advance(cases: int, before=done) -> None:
            if progress:
                progress(before + cases)

        write_records(items, count, out, advance)
        done += count


@dataclass
class Rows:
    """The rows of some batches in one format (CSV or JSON lines), ready to be written, or
    measured first: how many bytes they make is known before any is written."""

    head: bytes  # written first (the CSV header row)
    batches: list[tuple[list[Item], int]]  # the items of each batch's rows, and its cases

    def size(self) -> int:
        return len(self.head) + sum(records_size(items, count) for items, count in self.batches)

    def write(self, out: BinaryIO, progress: Progress | None = None) -> None:
        if self.head:
            out.write(self.head)
        _write_items(self.batches, out, progress)


def csv_rows(batches: Sequence[CaseBatch], header: bool = True, raw: bool = False) -> Rows:
    """The rows :func:`write_csv` writes."""
    if not raw:
        batches = [_neutral_ids(batch) for batch in batches]
    head = ",".join(CSV_COLUMNS).encode() + b"\n" if header else b""
    return Rows(head, [(csv_items(batch), len(batch)) for batch in batches])


def jsonl_rows(batches: Sequence[CaseBatch]) -> Rows:
    """The rows :func:`write_jsonl` writes."""
    return Rows(b"", [(jsonl_items(batch), len(batch)) for batch in batches])


def write_csv(
    batches: Sequence[CaseBatch],
    out: BinaryIO,
    progress: Progress | None = None,
    header: bool = True,
    raw: bool = False,
) -> None:
    """CSV, UTF-8, one row per case and milestone, after a header row (unless ``header`` is
    false: the rest of a file written in parts). Case ids a spreadsheet would run as formulas
    are neutralised (:mod:`send_clock.safecsv`) unless ``raw``."""
    csv_rows(batches, header, raw).write(out, progress)


def _neutral_ids(batch: CaseBatch) -> CaseBatch:
    if _no_trigger_first(batch.case_ids):
        return batch
    ids = batch.case_ids.tolist()
    safe = neutralised(ids)
    return batch if safe is ids else replace(batch, case_ids=np.array(safe, dtype=str))


def _no_trigger_first(ids: np.ndarray) -> bool:
    """Whether no id of a numpy text column starts with a character a spreadsheet would take
    for a formula (their first characters looked at at once, not a string per id)."""
    if ids.dtype.kind != "U" or not len(ids) or not ids.itemsize:
        return False
    first = np.ascontiguousarray(ids).view(np.uint32).reshape(len(ids), -1)[:, 0]
    return not np.isin(first, [ord(c) for c in TRIGGERS]).any()


def write_jsonl(batches: Sequence[CaseBatch], out: BinaryIO, progress: Progress | None = None):
    """JSON lines, one object per case and milestone."""
    jsonl_rows(batches).write(out, progress)


def write_json(
    report: Report, summary: dict, out: BinaryIO, progress: Progress | None = None
) -> None:
    """``{"as_of", "summary", "rejected", "cases": [{"case_id", "process", "calendar",
    "received", "milestones": [...]}]}``: the summary indented, one case per line."""
    head = {
        "as_of": report.as_of.isoformat(),
        "summary": summary,
        "rejected": [
            {"source": r.source, "line": r.line, "case_id": r.case_id, "reason": r.reason}
            for r in report.rejected
        ],
        "warnings": list(report.warnings),
    }
    text = json.dumps(head, indent=2, ensure_ascii=False)
    out.write(text[: text.rindex("}")].rstrip().encode() + b',\n  "cases": [')
    cases = (
        (json_case_items(batch, number == 0), len(batch))
        for number, batch in enumerate(report.batches)
    )
    _write_items(cases, out, progress)  # each batch's items made as it is written
    out.write(b"\n  ]\n}\n" if report.batches else b"]\n}\n")
