"""The breach report's sums over every stored case, kept exact by every write.

Every figure the report sums over the stored cases is additive over cases: counts, flags and
days to the final plan by month of request and process (:class:`CaseSumRow`), and milestones
counted by process, milestone and status (:class:`MilestoneSumRow`). Each sum is defined once,
as an aggregate query over the stored projections (:data:`CASE_SUMS`, :data:`MILESTONE_SUMS`).
Run over every case, it gives the sums from scratch (the tests compare); restricted to the
cases a write replaces, run before and after the write, it gives what the write changes, which
is added to the kept rows (``n = n + change``) in the write's transaction
(:func:`send_clock.store.stored.store_projections` calls :func:`add_change`; new cases, which
had no rows, are summed and added by one ``INSERT ... SELECT ... ON CONFLICT`` per table). The
report then reads these few hundred rows instead of summing every case.

Why counters changed in place, rather than rows of changes appended and summed when read: the
report then has nothing to fold and nothing to compact. Why in stripes: a key's counters are
kept as up to :data:`~send_clock.store.models.GENERATION_ROWS` rows, one per stripe, and its
sum is theirs. A write adds its change in the stripe of the caseload generation row its
connection raises, just after raising it: writers on different connections seldom share a
stripe, so they do not queue on the counters of a busy month (every new case of a month
changes the same key), and writers that share a stripe have already queued on its generation
row, so they cannot deadlock on its counters (which are changed in key order all the same).
On SQLite writers are one at a time anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    Integer,
    Select,
    SmallInteger,
    Table,
    bindparam,
    case,
    cast,
    delete,
    extract,
    false,
    func,
    insert,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..reports.summary import OPEN_STATUSES, TWENTY_WEEKS_DAYS
from .models import (
    CaseloadGenerationRow,
    CaseProjectionRow,
    CaseRow,
    CaseSumRow,
    MilestoneProjectionRow,
    MilestoneSumRow,
)

#: how many cases one restricted query reads (a short IN (...) list)
CHUNK = 500


#: numbers written into the statements, not bound: psycopg converts and prepares a statement
#: once only if its text is short (4 KB), and these run on every write
_ONE, _ZERO, _LIMIT = map(literal_column, ("1", "0", str(TWENTY_WEEKS_DAYS)))


def _flag(condition) -> object:
    """How many rows ``condition`` holds for."""
    return func.sum(case((condition, _ONE), else_=_ZERO))


# Core tables under short names, not the ORM's classes: a statement over ORM attributes goes
# through the ORM's compiling on every run (and the statements' text stays short, as above).
_projections = CaseProjectionRow.__table__.alias("p")
_milestones = MilestoneProjectionRow.__table__.alias("m")
_cases = CaseRow.__table__.alias("c")
_p, _m, _c = _projections.c, _milestones.c, _cases.c
_projected = _p.error.is_(None)  # a case that cannot be projected counts as rejected only
_issued = _projected & _p.final_days.is_not(None)
_within = _issued & (_p.final_days <= _LIMIT)
_kept = _p.final_excepted.is_(False)  # no recorded exception to the 20-week limit
_kept_all = _kept & _p.final_detected.is_(False)  # nor a detected school closure

#: per month of request and process: :data:`send_clock.reports.summary.COUNTS` over the cases
#: that can be projected, the open ones by open status, those that skipped a school-closure
#: check, and those that cannot be projected
CASE_SUMS = {
    "cases": _flag(_projected),
    "issued": _flag(_issued),
    "within": _flag(_within),
    "issued_kept": _flag(_issued & _kept),
    "within_kept": _flag(_within & _kept),
    "issued_kept_all": _flag(_issued & _kept_all),
    "within_kept_all": _flag(_within & _kept_all),
    "decided": _flag(_projected & _p.decided.is_(True)),
    "in_time": _flag(_projected & _p.decided_in_6_weeks.is_(True)),
    "days": func.coalesce(func.sum(case((_issued, _p.final_days), else_=_ZERO)), _ZERO),
    **{f"open_{name}": _flag(_projected & (_p.open_status == name)) for name in OPEN_STATUSES},
    "closure_checks_skipped": _flag(_p.closure_checks_skipped.is_(True)),
    "rejected": _flag(_p.error.is_not(None)),
}

#: per process, milestone and status: the counted (not conditional) milestones, and those on
#: each of the report's worklists
MILESTONE_SUMS = {
    "counted": _flag(_m.conditional == false()),
    "overdue": _flag(_m.worklist == "overdue"),
    "due_soon": _flag(_m.worklist == "due_soon"),
}


def _case_sums(pad: bool = False) -> Select:
    """The case sums by key, in key order; ``pad``: in the shape of :data:`_BOTH`, unordered."""
    year = cast(extract("year", _c.received), Integer)
    month = cast(extract("month", _c.received), Integer)
    keys = (year, month, _c.process)
    gap, zeros = (null(), null()), (_ZERO,) * len(MILESTONE_SUMS)
    query = (
        select(*keys, *(gap if pad else ()), *CASE_SUMS.values(), *(zeros if pad else ()))
        .select_from(_projections.join(_cases, _c.id == _p.case_id))
        .group_by(*keys)
    )
    return query if pad else query.order_by(*keys)  # the kept rows' key order


def _milestone_sums(pad: bool = False) -> Select:
    """The milestone sums by key, in key order; ``pad``: as :func:`_case_sums`."""
    keys = (_c.process, _m.milestone, _m.status)
    gap, zeros = (null(), null()), (_ZERO,) * len(CASE_SUMS)
    query = (
        select(*(gap if pad else ()), *keys, *(zeros if pad else ()), *MILESTONE_SUMS.values())
        .select_from(_milestones.join(_cases, _c.id == _m.case_id))
        .group_by(*keys)
    )
    return query if pad else query.order_by(*keys)


_IDS = bindparam("ids", expanding=True)
_ID = bindparam("case_id", type_=Integer)


def _both(of_case, of_milestone) -> Select:
    """Both tables' sums over some cases in one statement (a write reads them before and
    after itself: one round trip each time, not two): each row is (year, month, process,
    milestone, status, the case sums, the milestone sums), the other table's key NULL and its
    sums 0."""
    return union_all(
        _case_sums(pad=True).where(of_case), _milestone_sums(pad=True).where(of_milestone)
    )


#: :func:`_both` over the cases ``:ids``
_BOTH = _both(_p.case_id.in_(_IDS), _m.case_id.in_(_IDS))
#: :func:`_both` over the one case ``:case_id`` (a write of one case, whose statements are
#: sent together: see :mod:`.together`)
ONE_CASE = _both(_p.case_id == _ID, _m.case_id == _ID)


@dataclass(frozen=True, eq=False)  # kept by identity: a key of _adding's cache
class Kept:
    """One table of kept sums: its key columns, its sums, and the query that sums them over
    every case (``everything``) or over the cases ``:ids`` (``some``)."""

    table: Table
    keys: tuple[str, ...]
    sums: tuple[str, ...]
    everything: Select
    some: Select
    #: over the one case ``:case_id``
    one: Select


def _kept(row_class, keys: tuple[str, ...], sums: dict, query: Select, case_id) -> Kept:
    some, one = query.where(case_id.in_(_IDS)), query.where(case_id == _ID)
    return Kept(row_class.__table__, keys, tuple(sums), query, some, one)


CASE = _kept(CaseSumRow, ("year", "month", "process"), CASE_SUMS, _case_sums(), _p.case_id)
MILESTONE = _kept(
    MilestoneSumRow,
    ("process", "milestone", "status"),
    MILESTONE_SUMS,
    _milestone_sums(),
    _m.case_id,
)
KEPT = (CASE, MILESTONE)

#: table name -> key -> its sums (in :attr:`Kept.sums` order), none all zero
Sums = dict[str, dict[tuple, tuple[int, ...]]]


def summed(session: Session, ids: list[int] | None = None) -> Sums:
    """The sums over every stored case, or over the cases ``ids`` only (a write's)."""
    found = no_sums()
    connection = session.connection()
    if ids is None:
        for kept in KEPT:
            for row in connection.execute(kept.everything):
                _add(found[kept.table.name], row, len(kept.keys))
        return found
    for start in range(0, len(ids), CHUNK):
        add_both(found, connection.execute(_BOTH, {"ids": ids[start : start + CHUNK]}))
    return found


def add_both(found: Sums, rows) -> Sums:
    """Add the rows of :func:`_both` (:data:`ONE_CASE`'s) to ``found``; returns it."""
    by_case, by_milestone = found[CASE.table.name], found[MILESTONE.table.name]
    width = len(CASE.sums)
    for row in rows:
        if row[3] is None:  # no milestone: a case sums' row
            _add(by_case, (*row[:3], *row[5 : 5 + width]), 3)
        else:
            _add(by_milestone, (*row[2:5], *row[5 + width :]), 3)
    return found


def no_sums() -> Sums:
    """Sums with no key in either table: what a count starts from."""
    return {kept.table.name: {} for kept in KEPT}


def kept_sums(session: Session) -> Sums:
    """The sums as kept, each key's stripes added up by the database: a few hundred rows."""
    found: Sums = {}
    for kept in KEPT:
        keys = [kept.table.c[name] for name in kept.keys]
        sums = [func.sum(kept.table.c[name]) for name in kept.sums]
        found[kept.table.name] = {}
        for row in session.connection().execute(select(*keys, *sums).group_by(*keys)):
            _add(found[kept.table.name], row, len(kept.keys))
    return found


def _add(into: dict, row, width: int) -> None:
    """Add a row of a key (its first ``width`` values) and its sums to ``into``."""
    key, values = tuple(row[:width]), tuple(int(value) for value in row[width:])
    if key in into:  # another chunk of cases with the same key
        values = tuple(a + b for a, b in zip(into.pop(key), values, strict=True))
    if any(values):
        into[key] = values


def add_change(session: Session, ids: list[int], before: Sums | None, stripe: int) -> None:
    """Add to the kept sums' ``stripe`` what a write of the stored projections of the cases
    ``ids`` changed: their sums now less their sums ``before`` it (None: new cases, which had
    no rows). Called just after the write has raised the caseload generation row ``stripe``
    (see the module's text)."""
    connection = session.connection()
    dialect = connection.dialect.name
    if before is None:  # nothing to take away: the database adds their sums as it sums them
        for kept in KEPT:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                connection.execute(_adding_sums(dialect, kept), {"ids": chunk, "stripe": stripe})
        return
    for statement, changes in changed(dialect, summed(session, ids), before, stripe):
        connection.execute(statement, changes)


def changed(dialect: str, after: Sums, before: Sums, stripe: int) -> list[tuple]:
    """The statements, with their rows, that add ``after`` less ``before`` to the kept sums'
    ``stripe``: one per table that changed, each key's change a row, in key order (the rows'
    locks taken in one order)."""
    found = []
    for kept in KEPT:
        new, old = after[kept.table.name], before[kept.table.name]
        zero = (0,) * len(kept.sums)
        changes = []
        for key in sorted(new.keys() | old.keys()):
            change = [a - b for a, b in zip(new.get(key, zero), old.get(key, zero), strict=True)]
            if any(change):
                names, values = ("stripe", *kept.keys, *kept.sums), (stripe, *key, *change)
                changes.append(dict(zip(names, values, strict=True)))
        if changes:
            found.append((_adding(dialect, kept), changes))
    return found


def _upsert(dialect: str, kept: Kept, rows=None):
    """INSERT ``rows`` (None: VALUES given when run), or add each to the row of its key."""
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = dialect_insert(kept.table)
    if rows is not None:
        statement = statement.from_select(["stripe", *kept.keys, *kept.sums], rows)
    return statement.on_conflict_do_update(
        index_elements=["stripe", *kept.keys],
        set_={name: kept.table.c[name] + statement.excluded[name] for name in kept.sums},
    )


@cache
def _adding(dialect: str, kept: Kept):
    """Add one change per key (given when run) to the kept sums."""
    return _upsert(dialect, kept)


@cache
def _adding_sums(dialect: str, kept: Kept, one: bool = False):
    """Add the sums of the cases ``:ids`` (``one``: of the case ``:case_id``) to the kept
    sums' ``:stripe``, in one statement."""
    stripe = bindparam("stripe", type_=SmallInteger)
    query = kept.one if one else kept.some
    return _upsert(dialect, kept, query.with_only_columns(stripe, *query.selected_columns))


def adding_new_case(dialect: str) -> list:
    """The statements that add the sums of the new case ``:case_id`` to the kept sums'
    ``:stripe``, one per table."""
    return [_adding_sums(dialect, kept, one=True) for kept in KEPT]


def take_sqlite_write_lock(session: Session) -> bool:
    """On SQLite, take the database's write lock now, before the transaction's reads (SQLite
    has no row locks, and its driver begins a transaction only at the first write): a write
    that changes nothing. Returns whether it did (False: another database)."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    generation = CaseloadGenerationRow.__table__
    session.execute(update(generation).values(generation=generation.c.generation))
    return True


def checked(session: Session) -> bool:
    """Compare the kept sums with summing every case, no write in between (every generation
    row locked, in order: a writer holds its stripe's sums only with its generation row), and
    make them those when they differ (a case deleted by hand in the database, say); returns
    whether they differed. The daily ``db refresh`` runs it: a few hundred milliseconds at
    50,000 cases, during which writes wait."""
    if not take_sqlite_write_lock(session):  # PostgreSQL: every generation row, in order
        generation = CaseloadGenerationRow.__table__
        session.execute(select(generation.c.id).order_by(generation.c.id).with_for_update()).all()
    fresh = summed(session)
    if kept_sums(session) == fresh:
        return False
    for kept in KEPT:
        session.execute(delete(kept.table))
        names = ("stripe", *kept.keys, *kept.sums)
        rows = [
            dict(zip(names, (1, *key, *values), strict=True))
            for key, values in fresh[kept.table.name].items()
        ]
        if rows:
            session.execute(insert(kept.table), rows)
    return True
