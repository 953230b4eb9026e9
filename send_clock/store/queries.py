"""Reading the caseload from the stored projections (:mod:`send_clock.store.stored`).

Every function here reads stored rows through indexes; none projects a case. Call
:func:`send_clock.store.stored.ensure_current` first (the service does, once a day) so that the
rows are as of today.

The case list pages by keyset: ``list_cases(session, filters, after=last_id, limit=50)``
returns the next cases in id order after ``last_id``, so a page costs the same at case 50 and at
case 50,000.
"""

from __future__ import annotations

import json
import re
import threading
import time
import weakref
from collections import OrderedDict, defaultdict, namedtuple
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache, lru_cache
from types import MappingProxyType, SimpleNamespace

from sqlalchemy import (
    BigInteger,
    Numeric,
    Select,
    and_,
    bindparam,
    cast,
    exists,
    extract,
    false,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy import case as sql_case
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from ..calendars import shown_id
from ..timelines import load_process
from .folding import lowered
from .models import (
    CaseloadGenerationRow,
    CaseProjectionRow,
    CaseRow,
    MilestoneProjectionRow,
)

#: counted milestones: not conditional (the same words as the partial index's, so it is used)
COUNTED = MilestoneProjectionRow.conditional == false()


# -- short reads on the driver's cursor ------------------------------------------------------------
@dataclass(frozen=True)
class _Plan:
    """A SELECT compiled once for one dialect: what :func:`plain_rows` needs to run it on the
    driver's cursor and to give its rows as SQLAlchemy would."""

    #: the SQL text, exactly as ``connection.execute`` sends it (compiled for the same dialect)
    text: str
    #: the names of its bound parameters given at each call
    names: tuple[str, ...]
    #: the values of those fixed in the statement (a literal compared with)
    fixed: MappingProxyType
    #: each column's result processor (None: the driver's value is the value), by position
    processors: tuple[Callable | None, ...]
    #: a namedtuple class of the columns' keys, for ``named=True``
    named: type


#: per dialect (one per engine), each statement's plan, or None when it is not one plain_rows
#: can run itself (see :func:`_plan_of`)
_PLANS: weakref.WeakKeyDictionary[Dialect, dict] = weakref.WeakKeyDictionary()

#: connection execution options that change nothing plain_rows does (the service's reader
#: engine runs in autocommit)
_PLAIN_OPTIONS = frozenset({"isolation_level"})


def plain_rows(
    connection: Connection, statement: Select, values: dict, named: bool = False
) -> list[tuple]:
    """The rows of ``statement`` (a SELECT built once, not per call) with ``values`` for its
    bound parameters: plain tuples, or namedtuples of the columns' keys when ``named``.

    Why: at 50 rows a page, SQLAlchemy's execution (the compiled cache's key, an execution
    context, a result with its Row objects) cost the case list more than the database's own
    work. On PostgreSQL the statement, compiled once for the dialect, runs on the driver's
    cursor; each column's result processor (a timestamp made UTC) is applied as SQLAlchemy
    would, so the values are the same. A driver's error goes through SQLAlchemy's own
    handling, so the caller gets the same :class:`sqlalchemy.exc.DBAPIError` (with
    ``connection_invalidated`` set when the database has gone, and the pool emptied).

    The ordinary ``connection.execute`` answers instead on SQLite (its driver's values need
    SQLAlchemy's processing: dates are text), whenever event listeners are attached (tests and
    logging see every statement), with SQL echo on, under execution options other than the
    isolation level, and in a transaction SQLAlchemy would refuse (it says why)."""
    plan = _usable_plan(connection, statement)
    parameters = plan and _parameters(plan, values)
    if parameters is None or not _may_run(connection):
        result = connection.execute(statement, values)
        return result.all() if named else [tuple(row) for row in result]
    driver = connection.connection  # reconnected first if invalidated, as execute does
    if connection._transaction is None:
        connection._autobegin()  # as connection.execute does (no round trip in autocommit)
    cursor = None
    try:
        cursor = driver.cursor()
        cursor.execute(plan.text, parameters)
        rows = cursor.fetchall()
    except BaseException as error:  # noqa: BLE001 - SQLAlchemy's handling raises it, wrapped
        connection._handle_dbapi_exception(error, plan.text, parameters, cursor, None)
    finally:
        if cursor is not None:
            cursor.close()
    if any(plan.processors):
        processors = plan.processors
        rows = [
            tuple(value if process is None else process(value) for process, value in pairs)
            for pairs in (zip(processors, row, strict=True) for row in rows)
        ]
    return [plan.named._make(row) for row in rows] if named else rows


def _parameters(plan: _Plan, values: dict) -> dict | None:
    """The driver's parameters: None when a value is missing (SQLAlchemy then says which)."""
    try:
        parameters = {name: values[name] for name in plan.names}
    except KeyError:
        return None
    if plan.fixed:  # a value given for one of them wins, as in SQLAlchemy
        parameters.update({name: values.get(name, value) for name, value in plan.fixed.items()})
    return parameters


def _may_run(connection: Connection) -> bool:
    """Whether the connection's transaction, if any, is one ``connection.execute`` would run a
    statement in without a word (not failed, not inside a ``with connection.begin()`` block
    whose checks are SQLAlchemy's)."""
    transaction, nested = connection._transaction, connection._nested_transaction
    if transaction is None:
        return True
    return (
        transaction.is_active
        and (nested is None or nested.is_active)
        and not connection._trans_context_manager
    )


def _usable_plan(connection: Connection, statement: Select) -> _Plan | None:
    """The statement's plan for this connection, or None when the ordinary execution must run
    it (see :func:`plain_rows`)."""
    dialect = connection.dialect
    if (
        dialect.name != "postgresql"
        or _listened(connection)
        or connection._echo
        or not _PLAIN_OPTIONS.issuperset(connection._execution_options)
    ):
        return None
    plans = _PLANS.get(dialect)
    if plans is None:
        plans = _PLANS.setdefault(dialect, {})
    try:
        return plans[statement]
    except KeyError:
        return plans.setdefault(statement, _plan_of(statement, dialect))


def _listened(connection: Connection) -> bool:
    """Whether a listener would see the statement run: one on the connection itself (SQLAlchemy
    then marks it), on its engine (asked by name: an engine made with execution options is
    always marked), or one of the dialect's that runs the cursor. The dialect's ``handle_error``
    (the store's, which says a lost database is :class:`~send_clock.store.ConnectionLost`)
    needs no fallback: plain_rows hands errors to SQLAlchemy's handling, which calls it."""
    if connection._has_events:
        return True
    # The engine's listeners, not the connection's joined copy of them: that copy is made anew
    # for each connection, at a cost of several microseconds a read.
    engine = connection.engine.dispatch
    if (
        engine.before_execute
        or engine.after_execute
        or engine.before_cursor_execute
        or engine.after_cursor_execute
    ):
        return True
    dialect = connection.dialect
    return dialect._has_events and bool(
        dialect.dispatch.do_execute
        or dialect.dispatch.do_execute_no_params
        or dialect.dispatch.do_setinputsizes
    )


def _plan_of(statement: Select, dialect: Dialect) -> _Plan | None:
    """``statement`` compiled for ``dialect``; None if its parameters need SQLAlchemy's work
    (bound values converted, renamed, computed, expanded at execution, or positional)."""
    if statement._execution_options:  # say, streamed results: SQLAlchemy's to honour
        return None
    compiled = statement.compile(dialect=dialect)
    binds = compiled.bind_names  # each bound parameter: its name in the SQL text
    if (
        compiled.positional
        or compiled._bind_processors
        or compiled.escaped_bind_names
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or any(bind.callable is not None for bind in binds)
    ):
        return None
    columns = compiled._result_columns
    if any(isinstance(column.type, Numeric) for column in columns):
        return None  # its result processor depends on the driver's type of each value
    keys = [column.keyname for column in columns]
    return _Plan(
        text=compiled.string,
        names=tuple(dict.fromkeys(name for bind, name in binds.items() if bind.required)),
        fixed=MappingProxyType(
            {name: bind.value for bind, name in binds.items() if not bind.required}
        ),
        processors=tuple(column.type._cached_result_processor(dialect, None) for column in columns),
        named=namedtuple("PlainRow", keys, rename=True),
    )


@dataclass(frozen=True)
class CaseFilters:
    """Which cases a list shows; every filter given must hold."""

    #: a counted (not conditional) milestone in this status, e.g. ``overdue``
    status: str | None = None
    officer: str | None = None
    process: str | None = None
    #: an open milestone due before this date
    due_before: date | None = None

    def where(self, query: Select, after: int | None = None) -> Select:
        """``query`` (over ``case_projections``, joined to ``cases`` when :attr:`on_cases`)
        narrowed to the cases that match, with an id above ``after`` when given."""
        if self.status is not None:
            has_status = exists().where(
                MilestoneProjectionRow.case_id == CaseProjectionRow.case_id,
                MilestoneProjectionRow.status == self.status,
                COUNTED,
            )
            if after is not None:  # the semi-join's index range starts at the page too
                has_status = has_status.where(MilestoneProjectionRow.case_id > after)
            query = query.where(has_status)
        if self.officer is not None:
            query = query.where(CaseRow.officer == self.officer)
        if self.process is not None:
            query = query.where(CaseRow.process == self.process)
        if self.due_before is not None:
            query = query.where(CaseProjectionRow.next_due < self.due_before)
        return query

    @property
    def on_cases(self) -> bool:
        """Whether a filter reads the ``cases`` table (a count without one does not join it)."""
        return self.officer is not None or self.process is not None


def _cases(*columns, on_cases: bool = True) -> Select:
    query = select(*columns).select_from(CaseProjectionRow)
    if on_cases:
        query = query.join(CaseRow, CaseRow.id == CaseProjectionRow.case_id)
    # a case that cannot be projected (say a stored file that has gone) is left out
    return query.where(CaseProjectionRow.error.is_(None))


#: what a case list shows of each case: no more is read
LISTED = (
    CaseRow.id,
    CaseRow.ref,
    CaseRow.process,
    CaseRow.calendar,
    CaseRow.received,
    CaseRow.officer,
    CaseRow.version,
    CaseProjectionRow.statuses,
    CaseProjectionRow.next_milestone,
    CaseProjectionRow.next_due,
    CaseProjectionRow.next_projected,
    CaseProjectionRow.next_status,
    CaseProjectionRow.error,
)
#: where a page's row (:data:`LISTED`, then the generation) has the caseload's generation
GENERATION = len(LISTED)


def list_cases(
    session: Session,
    filters: CaseFilters = CaseFilters(),
    after: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict]:
    """Up to ``limit`` cases matching ``filters`` with an id above ``after`` (the last id of
    the previous page), oldest first: each with its status counts and next deadline.
    ``offset`` skips that many more (it costs what it skips: prefer ``after``)."""
    statement, values = _page(filters, after, limit, offset)
    return [_listed(row) for row in plain_rows(session.connection(), statement, values)]


def page_of_cases(
    session: Session | Connection,
    filters: CaseFilters,
    remembered: Remembered,
    after: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """:func:`list_cases` and how many cases match (:func:`count_cases`, kept while the
    caseload is unchanged): the page's own statement reads the caseload's generation too, so
    a kept count costs no more round trip to the database. ``session``: a session or a
    connection (:meth:`~send_clock.store.Store.read_connection`)."""
    statement, values = _page(filters, after, limit, offset, generation=True)
    rows = plain_rows(_connection(session), statement, values)
    known = rows[0][GENERATION] if rows else None
    # A later page (after) may give the count of the first, made up to LATER_PAGE_COUNT_AGE
    # seconds before: under steady writes a count made again per page would cost a read of
    # every matching case on every page (30 ms and more at 50,000 cases).
    stale = LATER_PAGE_COUNT_AGE if after is not None else 0
    total = count_cases(session, filters, remembered, known, stale)
    return [_listed(row) for row in rows], total


def _connection(reader: Session | Connection) -> Connection:
    return reader.connection() if isinstance(reader, Session) else reader


#: how old (seconds) a later page's count of the matching cases may be, when cases changed
LATER_PAGE_COUNT_AGE = 60


def _page(
    filters: CaseFilters, after: int | None, limit: int, offset: int, generation: bool = False
) -> tuple[Select, dict]:
    """A page's statement (with the caseload's generation, if ``generation``) and the values
    of its parameters. The statement is made once for each shape of request (the filters
    given, with or without ``after`` and ``offset``), with every value a bound parameter: making
    a statement and its cache key anew cost a page more than running it."""
    values = {**vars(filters), "after": after, "limit": limit, "offset": offset or None}
    given = tuple(name for name, value in values.items() if value is not None)
    return _page_statement(given, generation), {name: values[name] for name in given}


@cache
def _page_statement(given: tuple[str, ...], generation: bool) -> Select:
    bound = {name: bindparam(name) for name in given}
    filters = CaseFilters(**{name: bound.get(name) for name in vars(CaseFilters())})
    after = bound.get("after")
    # Ordered by the case id: each table is read through an index in that order (the status
    # filter's semi-join too), merged, and the reading stops at the page's last case.
    query = filters.where(_cases(*LISTED), after).order_by(CaseProjectionRow.case_id)
    query = query.limit(bound["limit"])
    if "offset" in bound:
        query = query.offset(bound["offset"])
    if after is not None:
        # The bound on every table's key, not only the one ordered by: PostgreSQL does not
        # carry an inequality across a join, and without it the other tables' index scans
        # start at the first case and walk every case before the page (20-30 ms at 25,000).
        query = query.where(CaseProjectionRow.case_id > after, CaseRow.id > after)
    if generation:
        query = query.add_columns(caseload_generation().scalar_subquery().label("generation"))
    return query


def list_cases_as_of(
    session: Session,
    filters: CaseFilters,
    as_of: date,
    after: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """:func:`list_cases` as of another day than today, and how many match: the cases are
    projected for it (this costs the whole caseload; today's list reads stored rows)."""
    from .cases import all_cases
    from .stored import projection_rows

    states = [
        s
        for s in all_cases(session, filters.process)
        if filters.officer is None or s.officer == filters.officer
    ]
    case_rows, milestone_rows = projection_rows(states, as_of)
    statuses: dict[int, set] = defaultdict(set)
    for row in milestone_rows:
        if not row["conditional"]:
            statuses[row["case_id"]].add(row["status"])
    by_id = {state.id: state for state in states}
    matching = [
        row
        for row in sorted(case_rows, key=lambda row: row["case_id"])
        if row.get("error") is None
        and (filters.status is None or filters.status in statuses[row["case_id"]])
        and (
            filters.due_before is None
            or (row["next_due"] is not None and row["next_due"] < filters.due_before)
        )
    ]
    page = [row for row in matching if after is None or row["case_id"] > after]
    page = page[offset : offset + limit]
    summaries = [_summary(by_id[row["case_id"]], SimpleNamespace(**row)) for row in page]
    return summaries, len(matching)


def count_cases(
    session: Session | Connection,
    filters: CaseFilters = CaseFilters(),
    remembered: Remembered | None = None,
    generation: int | None = None,
    stale: float = 0,
) -> int:
    """How many cases match ``filters`` (``remembered``: kept while the caseload is unchanged,
    since a count reads every matching case, or up to ``stale`` seconds after it changed;
    ``generation``: the caseload's, if just read)."""

    def count() -> int:
        if filters == CaseFilters(status=filters.status) and filters.status is not None:
            # The status alone: the cases whose stored counts of their counted milestones by
            # status (a JSON object, '{"met": 1, "overdue": 4}') name it, in one read of the
            # case rows. Counting the distinct cases among the milestones read several rows a
            # case (360 ms against 50 at 50,000 cases, most of them overdue). A status is a
            # word that appears in that object as a key only; a case that cannot be projected
            # has none.
            quoted = f'"{filters.status}"'
            return session.scalar(
                select(func.count())
                .select_from(CaseProjectionRow)
                .where(CaseProjectionRow.statuses.contains(quoted, autoescape=True))
            )
        return session.scalar(filters.where(_cases(func.count(), on_cases=filters.on_cases)))

    if remembered is None:
        return count()
    return remembered.get(session, ("count", filters), count, generation, stale)


def caseload_generation() -> Select:
    """The caseload's generation (the sum of its rows, see
    :class:`~send_clock.store.models.CaseloadGenerationRow`): None on a schema made without its
    migrations."""
    return select(cast(func.sum(CaseloadGenerationRow.generation), BigInteger))


class Remembered:
    """Figures computed from the stored projections, kept while the caseload's generation (one
    number that every write of stored projections raises, in its transaction) is unchanged: a
    repeated count or dashboard then costs one look-up of that number. One per process; the
    oldest of more than ``size`` are dropped."""

    def __init__(self, size: int = 256):
        self.size = size
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        #: a lock per key being computed: requests that arrive meanwhile (a fresh worker's
        #: first ones, or every reader right after a write) wait for that one computation
        #: instead of each running the same queries at once
        self._computing: dict = {}

    def get(
        self,
        session: Session | Connection,
        key,
        compute,
        generation: int | None = None,
        stale: float = 0,
    ):
        """The value kept for ``key``, or ``compute()`` kept; ``generation``: the caseload's,
        when it was read just before (else it is read here); ``stale``: a value computed at
        most that many seconds ago will do even if the caseload changed since."""
        # The generation is read before the figures, so that figures kept under a generation
        # are never older than it.
        if generation is None:
            generation = session.scalar(caseload_generation())
        if generation is None:  # a schema made without its migrations: nothing is kept
            return compute()
        found = self._kept(key, generation, stale)
        if found is not None:
            return found[1]
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            found = self._kept(key, generation, stale)  # computed while this request waited
            if found is not None:
                return found[1]
            try:
                computed_at = time.monotonic()
                value = compute()
                with self._lock:
                    kept = self._values.get(key)
                    if kept is None or kept[0] <= generation:  # never replaced by older
                        self._values[key] = (generation, value, computed_at)
                    self._values.move_to_end(key)
                    while len(self._values) > self.size:
                        self._values.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return value

    def _kept(self, key, generation: int, stale: float = 0) -> tuple | None:
        """``(generation, value, computed_at)`` kept for ``key`` at ``generation`` or a later
        one (a request that read the generation just before a write may be shown the figures
        after it: never older ones), or computed at most ``stale`` seconds ago."""
        with self._lock:
            found = self._values.get(key)
            if found is not None and (
                found[0] >= generation or time.monotonic() - found[2] <= stale
            ):
                self._values.move_to_end(key)
                return found
        return None


@cache
def title(process_id: str, milestone: str) -> str:
    """A milestone's title. Kept for the process's life: a stored case names a bundled
    process by its id, and loading one looks through the bundled files (a page's cost)."""
    return load_process(process_id).milestone(milestone).title


def _listed(row: tuple) -> dict:
    """:func:`_summary` of a row of :data:`LISTED` (and more columns after), read by position:
    a page makes 50, and a key looked up on a row costs more than the rest of its making."""
    (
        case_id,
        ref,
        process,
        calendar,
        received,
        officer,
        version,
        statuses,
        milestone,
        due,
        projected,
        status,
        error,
    ) = row[:GENERATION]
    following = None
    if milestone is not None:
        following = {
            "milestone": milestone,
            "title": title(process, milestone),
            "due": due,
            "projected": projected,
            "status": status,
        }
    return {
        "id": case_id,
        "ref": ref,
        "process": process,
        "calendar": shown_id(calendar),  # never a calendar file's path
        "received": received,
        "officer": officer,
        "version": version,
        "statuses": dict(_statuses(statuses)),  # a copy: the decoded one is shared
        "next_due": following,
        "error": error,
    }


@lru_cache(maxsize=1024)
def _statuses(stored: str) -> dict[str, int]:
    """A case's stored counts by status, decoded: the same few texts repeat across thousands
    of cases. Shared: never change it (copy it)."""
    return json.loads(stored)


def _summary(case: CaseRow, projection: CaseProjectionRow) -> dict:
    """:func:`_listed` of a case and its projection read apart (another day's list)."""
    return _listed(
        (
            case.id,
            case.ref,
            case.process,
            case.calendar,
            case.received,
            case.officer,
            case.version,
            projection.statuses,
            projection.next_milestone,
            projection.next_due,
            projection.next_projected,
            projection.next_status,
            projection.error,
        )
    )


# -- the dashboard ---------------------------------------------------------------------------------
def caseload_figures(session: Session, filters: CaseFilters = CaseFilters()) -> dict:
    """The dashboard's figures, as the breach report counts them: ``total``, ``by_officer`` and
    ``by_process``, each with ``cases``, ``open_cases``, ``open_cases_by_status``,
    ``final_plans_issued``, ``final_plans_within_20_weeks`` and its percentage, and
    ``closure_checks_skipped``; ``total`` also has ``by_month`` (by month of request, what the
    timeliness chart shows). Counted in the database: one row per officer, process and status.
    An officer or process whose cases cannot be projected has a row of zeros, as a fresh
    projection shows it."""
    from ..reports.summary import OPEN_STATUSES, percent

    by_group, by_month = _counted(session, filters)

    def empty() -> dict:
        return {
            "cases": 0,
            "open_cases": 0,
            "open_cases_by_status": dict.fromkeys(OPEN_STATUSES, 0),
            "final_plans_issued": 0,
            "final_plans_within_20_weeks": 0,
            "closure_checks_skipped": 0,
        }

    total, by_officer, by_process = empty(), defaultdict(empty), defaultdict(empty)
    for officer, process in session.execute(_groups(filters)):
        by_officer[officer], by_process[process] = by_officer[officer], by_process[process]
    for officer, process, open_status, cases, issued, within, skipped in by_group:
        for figures in (total, by_officer[officer], by_process[process]):
            figures["cases"] += cases
            figures["final_plans_issued"] += issued or 0
            figures["final_plans_within_20_weeks"] += within or 0
            figures["closure_checks_skipped"] += skipped or 0
            if open_status is not None:
                figures["open_cases"] += cases
                figures["open_cases_by_status"][open_status] += cases
    for figures in (total, *by_officer.values(), *by_process.values()):
        figures["final_plans_within_20_weeks_pct"] = percent(
            figures["final_plans_within_20_weeks"], figures["final_plans_issued"]
        )
    total["by_month"] = _months(by_month)
    return {
        "total": total,
        # no officer first, then by name (the pages' order)
        "by_officer": {
            officer or "(none)": by_officer[officer]
            for officer in sorted(by_officer, key=lambda name: name or "")
        },
        "by_process": dict(sorted(by_process.items())),
    }


def _groups(filters: CaseFilters) -> Select:
    """Every officer and process with a case that ``filters`` let through, projected or not."""
    query = select(CaseRow.officer, CaseRow.process).distinct()
    if filters.officer is not None:
        query = query.where(CaseRow.officer == filters.officer)
    if filters.process is not None:
        query = query.where(CaseRow.process == filters.process)
    return query


def _counted(session: Session, filters: CaseFilters) -> tuple[list, list]:
    """The cases ``filters`` let through, counted per officer, process and status (``cases``,
    final plans issued and within 20 weeks, closure checks skipped) and per month of request
    (``cases``, final plans issued and within 20 weeks, with and without recorded
    exceptions). On PostgreSQL in one pass over the caseload (GROUPING SETS: a dashboard
    after a write costs one scan, not two); elsewhere one statement each."""

    def count(condition) -> object:
        return func.sum(sql_case((condition, 1), else_=0))

    issued, within = CaseProjectionRow.final_issued, CaseProjectionRow.final_within_20_weeks
    kept = CaseProjectionRow.final_excepted.is_(False)
    groups = (CaseRow.officer, CaseRow.process, CaseProjectionRow.open_status)
    year, month = extract("year", CaseRow.received), extract("month", CaseRow.received)
    counts = (
        func.count(),
        count(issued.is_(True)),
        count(within.is_(True)),
        count(CaseProjectionRow.closure_checks_skipped.is_(True)),
        count(and_(issued.is_(True), kept)),
        count(and_(within.is_(True), kept)),
    )
    if session.get_bind().dialect.name == "postgresql":
        # GROUPING(year) is 1 on the rows counted per officer, process and status
        both = _cases(*groups, year, month, func.grouping(year), *counts).group_by(
            func.grouping_sets(tuple_(*groups), tuple_(year, month))
        )
        rows = session.execute(filters.where(both)).all()
        per_group = [row[:3] + row[6:10] for row in rows if row[5]]
        per_month = sorted(row[3:5] + row[6:9] + row[10:12] for row in rows if not row[5])
        return per_group, per_month
    per_group = session.execute(filters.where(_cases(*groups, *counts[:4]).group_by(*groups)))
    per_month = session.execute(
        filters.where(
            _cases(year, month, *counts[:3], *counts[4:])
            .group_by(year, month)
            .order_by(year, month)
        )
    )
    return per_group.all(), per_month.all()


def _months(rows) -> list[dict]:
    """The final-plan figures by month of request (the timeliness chart's), as
    :func:`send_clock.reports.summarise` gives them in ``by_month``."""
    from ..reports.summary import percent

    return [
        {
            "month": f"{int(y):04d}-{int(m):02d}",
            "cases": cases,
            "final_plans_issued": issued,
            "final_plans_within_20_weeks": within,
            "final_plans_within_20_weeks_pct": percent(within, issued),
            "final_plans_issued_excluding_exceptions": issued_kept,
            "final_plans_within_20_weeks_excluding_exceptions": within_kept,
            "final_plans_within_20_weeks_excluding_exceptions_pct": percent(
                within_kept, issued_kept
            ),
        }
        for y, m, cases, issued, within, issued_kept, within_kept in rows
    ]


def cases_to_chase(
    session: Session,
    statuses: tuple[str, ...],
    as_of: date,
    filters: CaseFilters = CaseFilters(),
    limit: int | None = 25,
) -> tuple[list[dict], int]:
    """The worklist by case (``breaches --by case``): open cases whose most urgent milestone has
    one of ``statuses``, most urgent first (by status, most days late, reference), at most
    ``limit`` of them; and how many there are. Each row: ``ref``, ``officer``, ``process``,
    ``milestone``, ``title``, ``due``, ``status``, ``days_late`` (negative: days left)."""
    from ..reports.summary import OPEN_STATUSES

    wanted = CaseProjectionRow.open_status.in_(statuses)
    count = session.scalar(
        filters.where(_cases(func.count(), on_cases=filters.on_cases).where(wanted))
    )
    # The breach report's order: its status ranks (at_risk before due_soon), then the most
    # days late (the earliest due), then the reference in code-point order. Read one status
    # at a time, in rank order: each reads the index on (open_status, urgent_due) and stops at
    # the page's end, where one statement ordered by rank sorted every case of the statuses.
    found = []
    for status in sorted(statuses, key=OPEN_STATUSES.index):
        wanted_now = None if limit is None else limit - len(found)
        if wanted_now is not None and wanted_now <= 0:
            break
        query = filters.where(
            _cases(
                CaseRow.ref,
                CaseRow.officer,
                CaseRow.process,
                CaseProjectionRow.open_status,
                CaseProjectionRow.urgent_milestone,
                CaseProjectionRow.urgent_due,
            ).where(CaseProjectionRow.open_status == status)
        )
        ordered = query.order_by(CaseProjectionRow.urgent_due, CaseRow.ref.collate("C"))
        found += session.execute(ordered.limit(wanted_now)).all()
    rows = [
        {
            "ref": row.ref,
            "officer": row.officer,
            "process": row.process,
            "milestone": row.urgent_milestone,
            "title": title(row.process, row.urgent_milestone),
            "due": row.urgent_due,
            "status": row.open_status,
            "days_late": (as_of - row.urgent_due).days,
        }
        for row in found
    ]
    return rows, count


def worklist(
    session: Session, name: str, filters: CaseFilters = CaseFilters(), limit: int | None = 100
) -> tuple[list[dict], int]:
    """The breach report's ``overdue`` or ``due_soon`` worklist, most urgent first (at most
    ``limit`` entries), and its full length."""
    base = filters.where(
        _cases(CaseRow, MilestoneProjectionRow)
        .join(MilestoneProjectionRow, MilestoneProjectionRow.case_id == CaseRow.id)
        .where(MilestoneProjectionRow.worklist == name)
    )
    # The breach report's order: most days late (or soonest due) first, then by due date, by
    # reference in code-point order (collation "C", whatever the database's locale), then by
    # the milestone's place in the process.
    ref, position = CaseRow.ref.collate("C"), MilestoneProjectionRow.position
    urgency = (
        (MilestoneProjectionRow.days_late.desc(), MilestoneProjectionRow.due, ref, position)
        if name == "overdue"
        else (MilestoneProjectionRow.due, ref, position)
    )
    rows = session.execute(base.order_by(*urgency).limit(limit))
    count = session.scalar(base.with_only_columns(func.count()).order_by(None))
    entries = [
        {
            "case": case,
            "milestone": row.milestone,
            "title": load_process(case.process).milestone(row.milestone).title,
            "due": row.due,
            "status": row.status,
            "days_late": row.days_late,
        }
        for case, row in rows
    ]
    return entries, count


# -- the team's case list -------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseSearch:
    """The team's case list: ``text`` part of a reference or an officer's name (any case),
    ``status`` ``open``, ``closed`` or an open status, sorted by ``sort`` (``due``, ``late``,
    ``ref`` or ``received``)."""

    text: str = ""
    process: str = ""
    status: str = ""
    officer: str = ""
    sort: str = "due"

    def where(self, query: Select) -> Select:
        standing = CaseProjectionRow.standing
        if self.text:
            # lowered alike on both databases (.folding), the text by the same rule
            needle = "%" + re.sub(r"([\\%_])", r"\\\1", self.text.lower()) + "%"
            query = query.where(
                or_(
                    lowered(CaseRow.ref).like(needle, escape="\\"),
                    lowered(func.coalesce(CaseRow.officer, "")).like(needle, escape="\\"),
                )
            )
        if self.process:
            query = query.where(CaseRow.process == self.process)
        if self.officer:
            query = query.where(CaseRow.officer == self.officer)
        if self.status == "open":
            query = query.where(standing != "closed")
        elif self.status:
            query = query.where(standing == self.status)
        return query

    def order(self) -> tuple:
        ref, folded = CaseRow.ref.collate("C"), func.lower(CaseRow.ref).collate("C")
        projection = CaseProjectionRow
        if self.sort == "ref":
            return (folded, CaseRow.id)
        if self.sort == "received":
            return (CaseRow.received, ref, CaseRow.id)
        if self.sort == "late":  # the most days late, then the soonest due, then closed cases
            return (
                func.coalesce(projection.standing_days_late, 0).desc(),
                projection.standing_urgent_due.is_(None),
                projection.standing_urgent_due,
                folded,
                CaseRow.id,
            )
        return (  # the next date due; closed cases (nothing due) last
            projection.standing_next_due.is_(None),
            projection.standing_next_due,
            folded,
            CaseRow.id,
        )


def case_list(
    session: Session, search: CaseSearch, offset: int, limit: int, remembered: Remembered
) -> tuple[list[dict], int]:
    """``limit`` rows of the case list from ``offset``, and how many cases match (kept while
    the caseload is unchanged). Each row: the case's ``ref``, ``process``, ``officer``,
    ``received``, ``status``, ``days_late`` and ``next_due`` (``title`` and ``due``, or None)."""
    projection = CaseProjectionRow
    query = search.where(
        _cases(
            CaseRow.ref,
            CaseRow.process,
            CaseRow.officer,
            CaseRow.received,
            projection.standing,
            projection.standing_days_late,
            projection.standing_next_milestone,
            projection.standing_next_due,
        )
    )
    rows = session.execute(query.order_by(*search.order()).offset(offset).limit(limit))
    page = [
        {
            "ref": row.ref,
            "process": row.process,
            "officer": row.officer,
            "received": row.received,
            "status": row.standing,
            "days_late": row.standing_days_late,
            "next_due": row.standing_next_milestone
            and {
                "title": title(row.process, row.standing_next_milestone),
                "due": row.standing_next_due,
            },
        }
        for row in rows
    ]

    def count() -> int:
        return session.scalar(search.where(_cases(func.count())))

    return page, remembered.get(session, ("search", replace(search, sort="")), count)


def officers(session: Session, process: str | None = None) -> list[str]:
    """The officers named on cases (of one process), sorted."""
    query = select(CaseRow.officer).distinct().where(CaseRow.officer.is_not(None))
    if process:
        query = query.where(CaseRow.process == process)
    return sorted(session.scalars(query))


# -- the team feed -------------------------------------------------------
@dataclass(frozen=True)
class TeamFeedState:
    """What the team feed over a window of dates is made from, read before its events: the
    caseload's generation (raised by every write of stored projections), how many cases have
    an event in the window, the latest time one of those events changed, and when any case
    last changed (an event that left the feed changed its case)."""

    generation: int | None
    cases: int
    modified: datetime | None
    changed: datetime | None


def team_feed_state(
    session: Session, first: date, last: date, officer: str | None = None
) -> TeamFeedState:
    """:class:`TeamFeedState` of the events dated from ``first`` to ``last`` (of the cases
    of ``officer`` only, if given)."""
    m = MilestoneProjectionRow
    generation = session.scalar(caseload_generation())
    query = select(func.count(m.case_id.distinct()), func.max(m.feed_modified)).where(
        m.feed_day >= first, m.feed_day <= last
    )
    changed = select(func.max(CaseRow.updated_at))
    if officer is not None:
        query = query.join(CaseRow, CaseRow.id == m.case_id).where(CaseRow.officer == officer)
        changed = changed.where(CaseRow.officer == officer)
    cases, modified = session.execute(query).one()
    return TeamFeedState(generation, cases, modified, session.scalar(changed))


def team_feed_events(
    session: Session, first: date, last: date, officer: str | None = None, batch: int = 1000
) -> Iterator[tuple[str, str, str]]:
    """The team feed's events dated from ``first`` to ``last`` as stored (UID before the
    ``@``, text before and after the UID line), by date, case and milestone: read ``batch``
    rows at a time (a server-side cursor on PostgreSQL), so memory stays bounded."""
    m = MilestoneProjectionRow
    query = (
        select(m.feed_uid, m.feed_head, m.feed_tail)
        .where(m.feed_day >= first, m.feed_day <= last)
        .order_by(m.feed_day, m.case_id, m.position)
        .execution_options(stream_results=True, max_row_buffer=batch)
    )
    if officer is not None:
        query = query.join(CaseRow, CaseRow.id == m.case_id).where(CaseRow.officer == officer)
    # Core rows, a batch at a time: the ORM's per-row work would double the feed's time
    for rows in session.connection().execute(query).partitions(batch):
        yield from rows
