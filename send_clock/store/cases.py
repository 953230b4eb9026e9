"""Cases and their append-only records.

The current state of a case is a fold over its records in order: ``set`` records an event date,
an outcome or a parameter (a later ``set`` of the same key supersedes it); ``add`` records an
exception; ``correct`` replaces an earlier record with a new value; ``withdraw`` removes one. No
row is ever updated or deleted, so ``history`` shows who changed what, and when.

Every change checks the case's ``version`` (the ETag the client saw) in the same statement that
raises it, so of two officers editing from the same version exactly one succeeds and the other
is told to reload: nothing is silently overwritten.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..calendars import load_calendar, shown_id
from ..dates import parse_date
from ..errors import Conflict, InputError, NotFound, StaleVersion
from ..ical import check_reference
from ..officers import check_officer
from ..timelines import Case, RecordedException, load_process, project
from .models import CaseRecordRow, CaseRow
from .queries import plain_rows
from .together import run_together
from .tokens import now

FIELDS = ("event", "outcome", "param", "exception")


@dataclass(frozen=True)
class Record:
    id: int
    action: str
    field: str
    key: str
    value: str | None
    corrects: int | None
    reason: str | None
    actor: str
    recorded_at: datetime

    @classmethod
    def of(cls, row: CaseRecordRow) -> Record:
        return cls(
            row.id,
            row.action,
            row.field,
            row.key,
            row.value,
            row.corrects,
            row.reason,
            row.actor,
            row.recorded_at,
        )

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "action": self.action,
            "field": self.field,
            "key": self.key,
            "value": self.value,
            "corrects": self.corrects,
            "reason": self.reason,
            "actor": self.actor,
            "recorded_at": self.recorded_at.isoformat(),
        }


@dataclass(frozen=True)
class Change:
    """What one new record says (who and when are added as it is stored)."""

    action: str  # set | add | correct | withdraw
    field: str  # event | outcome | param | exception
    key: str
    value: str | None = None
    corrects: int | None = None
    reason: str | None = None

    @classmethod
    def new(cls, field_name: str, key: str, value: str) -> Change:
        """A first record of ``field_name``: exceptions add up, everything else is set."""
        return cls("add" if field_name == "exception" else "set", field_name, key, value)


@dataclass
class CaseState:
    """A stored case and what its records add up to now."""

    id: int
    ref: str
    process: str
    calendar: str
    received: date
    officer: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    active: dict[int, Record] = field(default_factory=dict)  # record id -> live record

    @property
    def etag(self) -> str:
        return f'"{self.id}-{self.version}"'

    def live(self, kind: str) -> list[Record]:
        return [r for r in self.active.values() if r.field == kind]

    def to_case(self) -> Case:
        """The :class:`~send_clock.timelines.Case` these records describe."""
        return Case(
            received=self.received,
            events={r.key: parse_date(r.value) for r in self.live("event")},
            outcomes={r.key: r.value for r in self.live("outcome")},
            exceptions=tuple(RecordedException.parse(r.value) for r in self.live("exception")),
            params={r.key: int(r.value) for r in self.live("param")},
            case_id=self.ref,
        )

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "ref": self.ref,
            "process": self.process,
            "calendar": shown_id(self.calendar),  # a calendar file by its id, never its path
            "received": self.received.isoformat(),
            "officer": self.officer,
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "records": [r.to_dict() for r in self.active.values()],
        }


def _fold(row: CaseRow, records: list[Record]) -> CaseState:
    state = CaseState(
        row.id,
        row.ref,
        row.process,
        row.calendar,
        row.received,
        row.officer,
        row.version,
        row.created_at,
        row.updated_at,
    )
    for record in records:
        if record.action == "set":
            for old_id in [
                i for i, r in state.active.items() if (r.field, r.key) == (record.field, record.key)
            ]:
                del state.active[old_id]
            state.active[record.id] = record
        elif record.action == "add":
            state.active[record.id] = record
        elif record.action == "correct":
            state.active.pop(record.corrects, None)
            state.active[record.id] = record
        elif record.action == "withdraw":
            state.active.pop(record.corrects, None)
    return state


# -- reading --------------------------------------------------------------------------------------
def get_case(session: Session, case_id: int) -> CaseState:
    """The case and its records, in ``session``'s transaction (see :func:`read_case`)."""
    return read_case(session.connection(), case_id)


def _case_with_records(match):
    """The case matching ``match`` (a condition on the cases table) joined to its records."""
    case, records = CaseRow.__table__, CaseRecordRow.__table__
    return (
        select(case, *(column.label(f"record_{column.name}") for column in records.columns))
        .select_from(case.outerjoin(records, records.c.case_id == case.c.id))
        .where(match(case))
        .order_by(records.c.id)
    )


#: Built once: a statement object keeps its cache key, so each read skips building both.
_CASE_WITH_RECORDS = _case_with_records(lambda case: case.c.id == bindparam("case_id"))
_CASE_BY_REF_WITH_RECORDS = _case_with_records(lambda case: case.c.ref == bindparam("ref"))


def read_case(connection: Connection, case_id: int) -> CaseState:
    """:func:`get_case` in one statement, the case joined to its records: one round trip,
    and one snapshot (see :meth:`Store.reading <send_clock.store.Store.reading>`). Its rows
    are read on the driver's cursor where it can (:func:`.queries.plain_rows`): a case read's
    most frequent request spent half its time in SQLAlchemy's execution and rows."""
    rows = plain_rows(connection, _CASE_WITH_RECORDS, {"case_id": case_id}, named=True)
    if not rows:
        raise NotFound(f"no case {case_id}")
    return _folded(rows)


def get_case_by_ref(session: Session, ref: str) -> CaseState:
    """The case with reference ``ref`` and its records, in one statement as :func:`read_case`."""
    rows = session.connection().execute(_CASE_BY_REF_WITH_RECORDS, {"ref": ref}).all()
    if not rows:
        raise NotFound(f"no case with reference {ref!r}")
    return _folded(rows)


def _folded(rows: list) -> CaseState:
    """The case of rows of the case joined to its records (one row, records all NULL, when it
    has none)."""
    found = [
        Record(
            row.record_id,
            row.record_action,
            row.record_field,
            row.record_key,
            row.record_value,
            row.record_corrects,
            row.record_reason,
            row.record_actor,
            row.record_recorded_at,
        )
        for row in rows
        if row.record_id is not None
    ]
    return _fold(rows[0], found)


def history(session: Session, case_id: int) -> list[Record]:
    rows = session.scalars(
        select(CaseRecordRow).where(CaseRecordRow.case_id == case_id).order_by(CaseRecordRow.id)
    )
    return [Record.of(row) for row in rows]


def all_cases(
    session: Session, process: str | None = None, ids: list[int] | None = None
) -> list[CaseState]:
    """Every case (of one process, or with one of ``ids``), folded, in two queries whatever
    their number."""
    query = select(CaseRow).order_by(CaseRow.id)
    records_query = select(CaseRecordRow).order_by(CaseRecordRow.id)
    if process:
        query = query.where(CaseRow.process == process)
        records_query = records_query.join(CaseRow).where(CaseRow.process == process)
    if ids is not None:
        query = query.where(CaseRow.id.in_(ids))
        records_query = records_query.where(CaseRecordRow.case_id.in_(ids))
    by_case: dict[int, list[Record]] = defaultdict(list)
    for record in session.scalars(records_query):
        by_case[record.case_id].append(Record.of(record))
    return [_fold(row, by_case[row.id]) for row in session.scalars(query)]


def count_cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CaseRow)) or 0


# -- writing --------------------------------------------------------------------------------------
def create_case(
    session: Session,
    ref: str,
    process: str,
    calendar: str | None,
    received: date,
    officer: str | None,
    actor: str,
    records: list[tuple] = (),
) -> CaseState:
    """A new case, with optional initial records ``(field, key, value)``; checked by
    projecting it before anything is stored."""
    ref = ref.strip()
    if not ref:
        raise InputError("a case needs a reference (not a name), e.g. EHC-2025-0042")
    check_reference(ref)  # it names the case's calendar events too
    check_officer(officer)
    process_def = load_process(process)
    calendar = calendar or process_def.default_calendar
    load_calendar(calendar)
    stamp = now()
    values = {
        "ref": ref,
        "process": process_def.id,
        "calendar": calendar,
        "received": received,
        "officer": officer,
        "version": 1,
        "created_at": stamp,
        "updated_at": stamp,
    }
    cases = CaseRow.__table__
    try:  # a Core INSERT: the ORM's unit of work costs more than the statement, for one row
        case_id = session.execute(insert(cases).returning(cases.c.id), values).scalar_one()
    except IntegrityError:
        raise Conflict(f"a case with reference {ref!r} already exists") from None
    for field_name, key, value in records:
        _insert(session, case_id, Change.new(field_name, key, value), actor, stamp)
    # Without initial records the case is what was just written: nothing to read back.
    state = get_case(session, case_id) if records else CaseState(case_id, **values)
    validate(state)
    _store_projection(session, state, new=True)
    return state


def record(
    session: Session, case_id: int, expected: int, field_name: str, key: str, value: str, actor: str
) -> CaseState:
    """Record an event date, outcome, parameter or exception on a case at version
    ``expected``."""
    if field_name not in FIELDS:
        raise InputError(f"cannot record {field_name!r}; record one of: {', '.join(FIELDS)}")
    return _change(session, case_id, expected, Change.new(field_name, key, value), actor)


def correct(
    session: Session,
    case_id: int,
    expected: int,
    record_id: int,
    value: str,
    reason: str | None,
    actor: str,
) -> CaseState:
    target = _live_record(session, case_id, record_id)
    change = Change("correct", target.field, target.key, value, record_id, reason)
    return _change(session, case_id, expected, change, actor)


def withdraw(
    session: Session, case_id: int, expected: int, record_id: int, reason: str | None, actor: str
) -> CaseState:
    target = _live_record(session, case_id, record_id)
    change = Change("withdraw", target.field, target.key, None, record_id, reason)
    return _change(session, case_id, expected, change, actor)


def _live_record(session: Session, case_id: int, record_id: int) -> Record:
    state = get_case(session, case_id)
    if record_id not in state.active:
        raise NotFound(
            f"case {case_id} has no current record {record_id} (it may have been "
            "corrected or withdrawn already)"
        )
    return state.active[record_id]


def _change(session: Session, case_id: int, expected: int, change: Change, actor: str) -> CaseState:
    """Store ``change`` as a new record of the case at version ``expected`` and re-project it.
    The version check and bump, the record, the case read back and its stored projection's
    sums and deletion are sent together (see :mod:`.together`: one round trip on
    PostgreSQL); the record is inserted only if the case exists (no foreign-key error to
    tell from others), and a failed check rolls it all back."""
    from .stored import replacing, store_one

    stamp = now()
    record = {"actor": actor, "recorded_at": stamp, **dataclasses.asdict(change)}
    bumped, _inserted, rows, *replaced = run_together(
        session,
        [
            (_BUMP, {"case_id": case_id, "expected": expected, "stamp": stamp}),
            (_INSERT_IF_CASE, {"case_id": case_id, **record}),
            (_CASE_WITH_RECORDS, {"case_id": case_id}),
            *replacing(case_id),
        ],
    )
    if not bumped:  # the version check and the bump are one statement: one writer passes
        if not rows:
            raise NotFound(f"no case {case_id}")
        raise StaleVersion(
            f"case {case_id} changed since version {expected}; reload it and "
            "apply your change again"
        )
    session.expire_all()  # (Core statements: any case object the session holds is stale)
    state = _folded(rows)
    validate(state)
    store_one(session, state, date.today(), replaced)
    return state


_cases, _records = CaseRow.__table__, CaseRecordRow.__table__
_BUMP = (
    update(_cases)
    .where(_cases.c.id == bindparam("case_id"), _cases.c.version == bindparam("expected"))
    .values(version=_cases.c.version + 1, updated_at=bindparam("stamp"))
    .returning(_cases.c.version)
)
_RECORD_COLUMNS = ("case_id", "actor", "recorded_at", *(f.name for f in dataclasses.fields(Change)))
#: a record of the case ``:case_id`` if it exists
_INSERT_IF_CASE = insert(_records).from_select(
    list(_RECORD_COLUMNS),
    select(*(bindparam(name, type_=_records.c[name].type) for name in _RECORD_COLUMNS)).where(
        select(_cases.c.id).where(_cases.c.id == bindparam("case_id")).exists()
    ),
)


def _insert(session: Session, case_id: int, change: Change, actor: str, stamp: datetime) -> None:
    session.execute(
        insert(CaseRecordRow.__table__),
        {"case_id": case_id, "actor": actor, "recorded_at": stamp, **dataclasses.asdict(change)},
    )


def validate(state: CaseState) -> None:
    """Raise the case officer's error if the case, as it now stands, cannot be projected
    (unknown milestone, event before the request, contradictory outcome, out of coverage...).
    Called inside the transaction, so a rejected change is rolled back."""
    process = load_process(state.process)
    case = state.to_case()
    project(  # checks the case against the process first (columns_of -> check_case)
        process,
        load_calendar(state.calendar),
        case,
        as_of=max([state.received, *case.events.values()]),
    )


def _store_projection(session: Session, state: CaseState, new: bool = False) -> None:
    """The case's stored projection, in the transaction of the change (lists read it);
    ``new``: the case was created in this transaction, so it has none to replace yet."""
    from .stored import store_projections

    store_projections(session, [state], date.today(), replace=not new)


def records_of(case: Case) -> list[tuple[str, str, str]]:
    """The ``(field, key, value)`` records that store what ``case`` holds."""
    return [
        *(("event", key, day.isoformat()) for key, day in case.events.items()),
        *(("outcome", key, value) for key, value in case.outcomes.items()),
        *(("param", key, str(value)) for key, value in case.params.items()),
        *(("exception", exception.kind, str(exception)) for exception in case.exceptions),
    ]


def existing_refs(session: Session, refs: list[str]) -> set[str]:
    """Which of ``refs`` are already stored."""
    found: set[str] = set()
    for start in range(0, len(refs), 500):  # keep each IN (...) list short
        chunk = refs[start : start + 500]
        found.update(session.scalars(select(CaseRow.ref).where(CaseRow.ref.in_(chunk))))
    return found
