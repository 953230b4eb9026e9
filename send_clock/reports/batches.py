"""Caseloads as batches of columns: what readers produce, what summaries and renderers read.

A reader (the caseload CSV, the SEN2 Blade export) turns its rows into :class:`CaseGroup`\\ s,
one per process and calendar, plus the rows it could not read (:class:`Rejected`).
:func:`project_caseload` projects each group in one call of
:func:`~send_clock.timelines.project_columns` and gives a :class:`Report` of
:class:`CaseBatch`\\ es. Cases that come from elsewhere (the service's database) become a batch
through :func:`batch_from_cases`; :func:`~send_clock.reports.summary.summarise` does not care
where a batch came from.

>>> from datetime import date
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import Case, load_process
>>> batch, rejected = batch_from_cases(
...     load_process("england-ehcna"), load_calendar("england-and-wales"),
...     [Case(received=date(2025, 9, 15), case_id="A"),
...      Case(received=date(2025, 9, 15), events={"decision_to_assess": date(2025, 9, 1)},
...           case_id="B")],
...     as_of=date(2025, 12, 1))
>>> batch.case_ids.tolist(), [r.case_id for r in rejected]
(['A'], ['B'])
>>> print(rejected[0])
case B: decision_to_assess is dated 2025-09-01, before the start date 2025-09-15; check both dates
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from ..calendars import Calendar
from ..timelines import Case, Cases, Process, Projection, columns_of, project_columns
from ..timelines.projector import EXCUSED, LATE, OVERDUE, closure_skipped_text

if TYPE_CHECKING:
    from .summary import Period

#: The milestone of each process that the DfE 20-week measure looks at (a final plan or record).
FINAL_MILESTONES = ("final_plan", "final_ron")
#: The milestone whose date is the decision whether to assess (the 6-week measure).
DECISION_MILESTONES = ("decision_to_assess", "request_panel")


@dataclass(frozen=True)
class Rejected:
    """A row that could not be used, with where it was and why."""

    source: str
    line: int | None
    case_id: str
    reason: str

    def __str__(self) -> str:
        where = [self.source] if self.source else []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.case_id:
            where.append(f"case {self.case_id}")
        return f"{', '.join(where)}: {self.reason}"


@dataclass
class CaseGroup:
    """Cases of one process on one calendar, read and checked, ready to project.

    ``exception_cases``: the source's own flag that an exception to the 20-week limit applies
    (SEN2 ``week20``); ``None`` when the source has no such flag. ``reported``: the milestones
    the source records, which the summary's status counts and worklists cover (``None`` = all).
    """

    process: Process
    calendar: Calendar
    case_ids: np.ndarray
    lines: np.ndarray | None  # line of each case in the source file, if it has lines
    cases: Cases
    source: str = ""
    exception_cases: np.ndarray | None = None
    reported: tuple[str, ...] | None = None
    #: who holds each case (the caseload's ``officer`` column), when the source says
    officers: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.case_ids)


@dataclass
class Caseload:
    """What a reader found: groups of readable cases, rejected rows, warnings."""

    source: str
    groups: list[CaseGroup]
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0
    #: every case id read, rejected rows too, in file order (when the reader keeps them)
    case_ids: np.ndarray | None = None
    #: rows read but left out of the figures, by reason (SEN2: ``rows_withdrawn``,
    #: ``rows_historical``)
    left_out: dict[str, int] = field(default_factory=dict)


@dataclass
class CaseBatch:
    """Projected cases of one process on one calendar."""

    projection: Projection
    case_ids: np.ndarray
    exception_cases: np.ndarray | None = None
    reported: tuple[str, ...] | None = None
    lines: np.ndarray | None = None
    source: str = ""  # the file the cases were read from, as rejected rows name it
    officers: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.case_ids)

    @property
    def process(self) -> Process:
        return self.projection.process

    @property
    def calendar(self) -> Calendar:
        return self.projection.calendar

    @property
    def received(self) -> np.ndarray:
        return self.projection.actual[self.process.start]

    @property
    def reported_milestones(self) -> tuple[str, ...]:
        return self.reported if self.reported is not None else self.process.ids

    def milestone_of(self, candidates: Sequence[str]) -> str | None:
        """The first of ``candidates`` that is a milestone of this batch's process."""
        return next((m for m in candidates if m in self.process.ids), None)


@dataclass
class Report:
    """Every batch of a caseload, projected as of one date, and what could not be used."""

    as_of: date
    batches: list[CaseBatch]
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: str = ""
    left_out: dict[str, int] = field(default_factory=dict)
    period: Period | None = None

    @property
    def cases(self) -> int:
        return sum(len(batch) for batch in self.batches)

    def summary(self, worklist_limit: int | None = None) -> dict:
        from .summary import summarise

        return summarise(
            self.batches,
            rows_rejected=len(self.rejected),
            worklist_limit=worklist_limit,
            left_out=self.left_out,
            period=self.period,
        )


def project_group(group: CaseGroup, as_of: date) -> tuple[CaseBatch, list[Rejected]]:
    """Project one group; cases the projector cannot date are taken out and rejected."""
    projection = project_columns(group.process, group.calendar, group.cases, as_of)
    failed = np.flatnonzero(projection.errors != None)  # noqa: E711 - elementwise
    rejected = [
        Rejected(
            group.source,
            None if group.lines is None else int(group.lines[position]),
            str(group.case_ids[position]),
            projection.errors[position][1],
        )
        for position in failed.tolist()
    ]
    keep = None
    if len(failed):
        keep = np.ones(len(group), dtype=bool)
        keep[failed] = False
        projection = kept(projection, keep)
    flagged = group.exception_cases
    batch = CaseBatch(
        projection=projection,
        case_ids=group.case_ids if keep is None else group.case_ids[keep],
        exception_cases=None if flagged is None else (flagged if keep is None else flagged[keep]),
        reported=group.reported,
        lines=group.lines if keep is None or group.lines is None else group.lines[keep],
        source=group.source,
        officers=group.officers if keep is None or group.officers is None else group.officers[keep],
    )
    excuse_flagged(batch)
    return batch, rejected


def project_caseload(
    caseload: Caseload,
    as_of: date,
    period: Period | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Project every group of ``caseload`` as of ``as_of``; ``period``: the plans issued in it
    are the ones the 20-week figures count; ``progress(cases_done, total)`` before the first
    group and after each."""
    batches, rejected = [], list(caseload.rejected)
    total, done = sum(len(group) for group in caseload.groups), 0
    if progress:
        progress(done, total)
    for group in caseload.groups:
        batch, failed = project_group(group, as_of)
        done += len(group)
        if progress:
            progress(done, total)
        rejected.extend(failed)
        if len(batch):
            batches.append(batch)
    rejected.sort(key=lambda r: (r.source, r.line if r.line is not None else -1))
    warnings = list(caseload.warnings) + closure_warnings(batches)
    return Report(
        as_of, batches, rejected, warnings, caseload.source, dict(caseload.left_out), period
    )


def closure_warnings(batches: Sequence[CaseBatch]) -> list[str]:
    """One warning per calendar on which some case's school-closure test could not be made:
    the exception was not checked, which is not the same as not applying."""
    found = []
    for batch in batches:
        text = closure_skipped_text(batch.calendar)
        # (no count in the text: the summary counts them, and a file read in two halves gives
        # one warning, not two)
        if batch.projection.closure_checks_skipped().any() and text not in found:
            found.append(text)
    return found


def batch_from_cases(
    process: Process,
    calendar: Calendar,
    cases: Sequence[Case],
    as_of: date,
    source: str = "",
    exception_cases: Sequence[bool] | None = None,
    officers: Sequence[str] | None = None,
) -> tuple[CaseBatch, list[Rejected]]:
    """A batch of :class:`~send_clock.timelines.Case` objects (each with its ``case_id``), for
    callers that hold cases rather than files. Raises :class:`InputError` for a case that
    records something the process does not know."""
    group = CaseGroup(
        process=process,
        calendar=calendar,
        case_ids=np.array([case.case_id for case in cases], dtype=str),
        lines=None,
        cases=columns_of(process, list(cases)),
        source=source,
        exception_cases=None if exception_cases is None else np.asarray(exception_cases, bool),
        officers=None if officers is None else np.array(officers, dtype=object),
    )
    return project_group(group, as_of)


def excuse_flagged(batch: CaseBatch) -> None:
    """Where the source flags an exception to the 20-week limit, a late or overdue final plan
    is ``excused`` (§9), as if the exception had been recorded."""
    final = batch.milestone_of(FINAL_MILESTONES)
    if batch.exception_cases is None or final is None:
        return
    status = batch.projection.status[final]
    flagged = batch.exception_cases & ((status == LATE) | (status == OVERDUE))
    status[flagged] = EXCUSED


def kept(projection: Projection, keep: np.ndarray) -> Projection:
    """The projection of the cases where ``keep`` is true, in the same order."""
    new_position = np.cumsum(keep) - 1

    def columns(by_id: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {key: values[keep] for key, values in by_id.items()}

    return replace(
        projection,
        due=columns(projection.due),
        target=columns(projection.target),
        earliest=columns(projection.earliest),
        projected=columns(projection.projected),
        actual=columns(projection.actual),
        status=columns(projection.status),
        days_late=columns(projection.days_late),
        conditional=columns(projection.conditional),
        closure_window=columns(projection.closure_window),
        closure_skipped=columns(projection.closure_skipped),
        closed=projection.closed[keep],
        outcomes=columns(projection.outcomes),
        recorded={
            (int(new_position[case]), milestone): found
            for (case, milestone), found in projection.recorded.items()
            if keep[case]
        },
        errors=projection.errors[keep],
    )
