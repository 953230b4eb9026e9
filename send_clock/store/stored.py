"""Stored projections: each case's milestones and statuses, kept in step with its records.

Every write to a case re-projects that case in the same transaction (:func:`store_projections`).
Statuses that change with the date alone (``pending`` becomes ``due_soon``, then ``overdue``) are
brought up to date by :func:`refresh`: the daily job ``send-clock db refresh``, the service at
start-up, and any read that finds a projection older than today (:func:`ensure_current`). So a
stored status is always the status as of today, and no request projects the caseload.

The figures come from the breach report's own functions (:mod:`send_clock.reports.summary`), so
what is stored is what the report would say.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter, defaultdict
from datetime import date, datetime

import numpy as np
from sqlalchemy import Integer, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..calendars import load_calendar
from ..dates import iso
from ..errors import InputError, SendClockError
from ..ical.feed import utc_stamp
from ..ical.sequence import known_state
from ..ical.timeline import team_event
from ..ical.writer import event_parts, stamp_text
from ..timelines import load_process, schedule_at
from ..timelines.onecase import project_one
from ..timelines.projector import columns_of_one
from ..timelines.schedule import check_case
from .cases import CaseState, all_cases
from .models import (
    GENERATION_ROWS,
    CaseloadGenerationRow,
    CaseProjectionRow,
    CaseRow,
    MilestoneProjectionRow,
)
from .sums import (
    ONE_CASE,
    add_both,
    add_change,
    adding_new_case,
    changed,
    no_sums,
    summed,
    take_sqlite_write_lock,
)
from .together import run_together
from .tokens import now

#: how many cases a refresh re-projects per transaction
REFRESH_BATCH = 2000


def store_projections(
    session: Session, states: list[CaseState], as_of: date, replace: bool = True
) -> None:
    """Replace the stored projections of ``states`` with their projection as of ``as_of``,
    each milestone with its team-feed event (:class:`FeedEvents`); ``replace=False``: cases
    created in this transaction, which have none yet (nothing to delete, no SEQUENCE state)."""
    if not states:
        return
    if len(states) == 1:  # a write of one case (the service's): fewer round trips
        _store_one(session, states[0], as_of, replace)
        return
    ids = [state.id for state in states]
    sums_before = summed(session, ids) if replace else None  # the report's, see .sums
    previous: dict[tuple[int, str], tuple] = {}
    m = MilestoneProjectionRow.__table__.c
    for start in range(0, len(ids) if replace else 0, 500):  # keep each IN (...) list short
        chunk = ids[start : start + 500]
        # the rows' SEQUENCE state comes back with their deletion: no round trip of its own
        deleted = session.execute(
            delete(MilestoneProjectionRow.__table__)
            .where(m.case_id.in_(chunk))
            .returning(m.case_id, m.milestone, *_STATE)
        )
        previous.update(_known(deleted))
        session.execute(delete(CaseProjectionRow).where(CaseProjectionRow.case_id.in_(chunk)))
    feed = FeedEvents(previous, utc_stamp(now()))
    cases, milestones = projection_rows(states, as_of, feed)
    # Core inserts (one executemany each): the ORM's bulk insert would split the rows by
    # which columns are NULL, and run thousands of statements.
    session.execute(insert(CaseProjectionRow.__table__), cases)
    if milestones:
        session.execute(insert(MilestoneProjectionRow.__table__), milestones)
    # Last, so that the generation row's lock is held only until the commit; the report's
    # sums after it, in the same stripe (see .sums): writers that share a stripe pass it one
    # at a time, and no transaction holds a stripe's sums without its generation row
    stripe = _raise_generation(session)
    add_change(session, ids, sums_before, stripe)


def _store_one(session: Session, state: CaseState, as_of: date, replace: bool) -> None:
    """:func:`store_projections` of one case, its statements sent together (see
    :mod:`.together`)."""
    store_one(
        session, state, as_of, run_together(session, replacing(state.id)) if replace else None
    )


def replacing(case_id: int) -> list:
    """The statements that read the report's sums over the stored rows of the case ``case_id``
    and delete them (returning the SEQUENCE state the new rows carry on), for a write to send
    with its own first statements (see :func:`store_one`)."""
    case = {"case_id": case_id}
    return [(ONE_CASE, case), (_DELETE_MILESTONES, case), (_DELETE_CASE, case)]


def store_one(session: Session, state: CaseState, as_of: date, replaced: list | None) -> None:
    """Store the projection of one case as of ``as_of``; ``replaced``: what the statements of
    :func:`replacing` returned, run in this transaction (None: a case created in it, which has
    no rows yet). Two round trips, the last the only one that holds the generation row: the
    new rows and their sums; the generation raised and the sums' change added. A new case's
    sums are added by the database as it sums them: one round trip."""
    dialect = session.get_bind().dialect.name
    case = {"case_id": state.id}
    before, previous = no_sums(), {}
    if replaced is not None:
        old_sums, deleted, _ = replaced
        add_both(before, old_sums)
        previous = _known(deleted)
    feed = FeedEvents(previous, utc_stamp(now()))
    (case_row,), milestones = projection_rows([state], as_of, feed)
    steps = [(_INSERT_CASE, case_row)]
    if milestones:
        steps.append((_INSERT_MILESTONES, milestones))
    stripe = _generation_row(session)
    raising = (_RAISE, {"row": stripe})
    if replaced is None:  # last, so that the generation row is held only until the commit
        adding = [(statement, {**case, "stripe": stripe}) for statement in adding_new_case(dialect)]
        run_together(session, [*steps, raising, *adding])
        return
    *_, new_sums = run_together(session, [*steps, (ONE_CASE, case)])
    after = add_both(no_sums(), new_sums)
    run_together(session, [raising, *changed(dialect, after, before, stripe)])


def _generation_row(session: Session) -> int:
    """The caseload generation row this connection raises (see
    :class:`CaseloadGenerationRow`; always the same one, so a transaction never locks two)."""
    info = session.connection().info
    return info.setdefault("generation_row", random.randint(1, GENERATION_ROWS))


_generation = CaseloadGenerationRow.__table__
#: A Core statement: the ORM's UPDATE would first look for the row among the session's
#: objects to bring them up to date.
_RAISE = (
    update(_generation)
    .where(_generation.c.id == bindparam("row", type_=Integer))
    .values(generation=_generation.c.generation + 1)
)


def _raise_generation(session: Session) -> int:
    """Raise the caseload's generation (the row of :func:`_generation_row`), whose number it
    returns."""
    row = _generation_row(session)
    session.connection().execute(_RAISE, {"row": row})
    return row


class FeedEvents:
    """How a write renders the team feed's events: each open, dated milestone's event as
    text (:func:`send_clock.ical.writer.event_parts`), its SEQUENCE carried on from
    ``previous`` ((case id, milestone) -> (sequence, fingerprint, modified), as stored) while
    its content is unchanged, else raised, with ``stamp`` as the time it changed. So a write
    costs only its own case's events, and the daily refresh re-renders the events whose
    status word changed with the date."""

    def __init__(self, previous: dict[tuple[int, str], tuple], stamp: datetime):
        self.previous = previous
        self.stamp = stamp
        self.stamp_text = stamp_text(stamp)

    def columns(self, case_id: int, ref: str, schedule, status) -> dict:
        """The ``feed_*`` columns of one milestone row."""
        known = self.previous.get((case_id, status.id))
        try:
            event = team_event(schedule, status, ref)
        except InputError:  # a reference stored before they were checked: no event
            event = None
        if event is None:  # out of the feed: the SEQUENCE state is kept for its return
            sequence, found, modified = known or (None, None, None)
            return {
                **_NO_EVENT,
                "feed_sequence": sequence,
                "feed_fingerprint": found,
                "feed_modified": modified,
            }
        found = event.fingerprint
        state = known_state(known, found, self.stamp)
        written = self.stamp_text if state.modified == self.stamp else stamp_text(state.modified)
        head, tail = event_parts(event, state.sequence, written, found)
        return {
            "feed_day": event.first,
            "feed_uid": event.uid.rpartition("@")[0],
            "feed_head": head,
            "feed_tail": tail,
            "feed_sequence": state.sequence,
            "feed_fingerprint": found,
            "feed_modified": state.modified,
        }


_NO_EVENT = {"feed_day": None, "feed_uid": None, "feed_head": None, "feed_tail": None}


_STATE = (
    MilestoneProjectionRow.feed_sequence,
    MilestoneProjectionRow.feed_fingerprint,
    MilestoneProjectionRow.feed_modified,
)


_ONE_ID = bindparam("case_id", type_=Integer)
_milestone_table, _case_table = MilestoneProjectionRow.__table__, CaseProjectionRow.__table__
#: the stored rows of the one case ``:case_id`` deleted, its milestones' SEQUENCE state
#: returned (Core statements: compiled once, see :mod:`.together`)
_DELETE_MILESTONES = (
    delete(_milestone_table)
    .where(_milestone_table.c.case_id == _ONE_ID)
    .returning(
        _milestone_table.c.case_id,
        _milestone_table.c.milestone,
        *(_milestone_table.c[column.key] for column in _STATE),
    )
)
_DELETE_CASE = delete(_case_table).where(_case_table.c.case_id == _ONE_ID)
#: built once: :mod:`.together` compiles each statement object once
_INSERT_CASE, _INSERT_MILESTONES = insert(_case_table), insert(_milestone_table)


def feed_states(session: Session, ids: list[int]) -> dict[tuple[int, str], tuple]:
    """(case id, milestone) -> (SEQUENCE, fingerprint, modified) of the cases' stored events."""
    m = MilestoneProjectionRow
    found = {}
    for start in range(0, len(ids), 500):  # keep each IN (...) list short
        chunk = ids[start : start + 500]
        query = select(m.case_id, m.milestone, *_STATE).where(m.case_id.in_(chunk))
        found.update(_known(session.execute(query)))
    return found


def _known(rows) -> dict[tuple[int, str], tuple]:
    """(case id, milestone) -> (SEQUENCE, fingerprint, modified) of rows that have them."""
    return {
        (case_id, milestone): (sequence, found, modified)
        for case_id, milestone, sequence, found, modified in rows
        if sequence is not None
    }


def projection_rows(
    states: list[CaseState], as_of: date, feed: FeedEvents | None = None
) -> tuple[list[dict], list[dict]]:
    """The ``case_projections`` and ``milestone_projections`` rows of ``states``: one
    column-wise projection per process and calendar; with ``feed``, each milestone row holds
    its team-feed event too."""
    groups: dict[tuple[str, str], list[CaseState]] = defaultdict(list)
    for state in states:
        groups[(state.process, state.calendar)].append(state)
    cases, milestones = [], []
    for (process_id, calendar_id), group in groups.items():
        rows_of = _one_rows if len(group) == 1 else _group_rows
        found_cases, found_milestones = rows_of(process_id, calendar_id, group, as_of, feed)
        cases += found_cases
        milestones += found_milestones
    return cases, milestones


def _group_rows(process_id: str, calendar_id: str, states: list[CaseState], as_of: date, feed):
    """The rows of cases of one process and calendar: one column-wise projection."""
    from ..reports.batches import batch_from_cases

    try:
        process, calendar = load_process(process_id), load_calendar(calendar_id)
        cases = [state.to_case() for state in states]
        batch, rejected = batch_from_cases(process, calendar, cases, as_of, source="store")
    except SendClockError as error:  # the process or calendar itself cannot be used now
        return [_failed(state, as_of, str(error)) for state in states], []
    return _batch_rows(states, cases, batch, rejected, as_of, feed)


def _one_rows(process_id: str, calendar_id: str, states: list[CaseState], as_of: date, feed):
    """The rows of one case (every write stores one): the one-case projector's result as a
    batch of one, which the same functions then read (a fraction of the column-wise
    projector's fixed cost; ``tests/store/test_stored.py`` compares the two paths' rows)."""
    from ..reports.batches import CaseBatch

    (state,) = states
    try:
        process, calendar = load_process(process_id), load_calendar(calendar_id)
        case = state.to_case()
        check_case(process, case)
        one = project_one(process, calendar, case, as_of)
    except SendClockError as error:  # as the batch path: the case's error is stored
        return [_failed(state, as_of, str(error))], []
    projection = columns_of_one(process, calendar, one, as_of)
    batch = CaseBatch(projection, np.array([case.case_id], dtype=str), source="store")
    return _batch_rows(states, [case], batch, [], as_of, feed)


def _batch_rows(
    states: list[CaseState], cases: list, batch, rejected: list, as_of: date, feed=None
):
    from ..reports.batches import FINAL_MILESTONES
    from ..reports.summary import OPEN_STATUSES, case_measures, open_status_of, worklist_masks
    from ..reports.worklist import most_urgent

    by_ref = {state.ref: (state, case) for state, case in zip(states, cases, strict=True)}
    rows = [_failed(by_ref[r.case_id][0], as_of, r.reason) for r in rejected]
    measures = case_measures(batch)
    open_status = open_status_of(batch)
    worklists = worklist_masks(batch)
    urgent = most_urgent(batch)
    urgent_of = dict(
        zip(
            urgent["case_id"].tolist(),
            zip(urgent["milestone"], urgent["due"].tolist(), strict=True),
            strict=True,
        )
    )
    final = batch.milestone_of(FINAL_MILESTONES)
    excepted = (
        batch.projection.recorded_mask(final) if final is not None else np.zeros(len(batch), bool)
    )
    skipped_checks = batch.projection.closure_checks_skipped()
    milestone_rows = []
    for position, ref in enumerate(batch.case_ids.tolist()):
        state, case = by_ref[ref]
        schedule = schedule_at(batch.projection, position, case)
        rank = int(open_status[position])
        urgent_milestone, urgent_due = urgent_of.get(ref, (None, None))
        rows.append(
            {
                **_summary(state.id, schedule),
                **_standing(schedule),
                "as_of": as_of,
                "error": None,
                "open_status": OPEN_STATUSES[rank] if rank < len(OPEN_STATUSES) else None,
                "closed": bool(batch.projection.closed[position]),
                "final_issued": bool(measures.issued[position]),
                "final_within_20_weeks": bool(measures.within_20_weeks[position]),
                "final_days": int(measures.weeks_days[position])
                if measures.issued[position]
                else None,
                "decided": bool(measures.decided[position]),
                "decided_in_6_weeks": bool(measures.decided_in_6_weeks[position]),
                "final_detected": bool(measures.detected_case[position]),
                "final_excepted": bool(excepted[position]),
                "closure_checks_skipped": bool(skipped_checks[position]),
                "urgent_milestone": urgent_milestone,
                "urgent_due": urgent_due,
            }
        )
        for index, status in enumerate(schedule.milestones):
            late, soon, _days = worklists.get(status.id, (None, None, None))
            worklist = None
            if late is not None and late[position]:
                worklist = "overdue"
            elif soon is not None and soon[position]:
                worklist = "due_soon"
            skipped = bool(batch.projection.closure_skipped[status.id][position])
            row = _milestone_row(state.id, ref, index, status, worklist, skipped)
            if feed is not None:
                row.update(feed.columns(state.id, state.ref, schedule, status))
            milestone_rows.append(row)
    return rows, milestone_rows


def _summary(case_id: int, schedule) -> dict:
    """What a case list shows: status counts of the counted (not conditional) milestones, and
    the next deadline: the open milestone due soonest."""
    counted = [m for m in schedule.milestones if not m.conditional]
    waiting = [
        m
        for m in counted
        if m.actual is None
        and m.due is not None
        and m.status not in ("not_applicable", "unrecorded")  # nothing left to chase
    ]
    following = min(waiting, key=lambda m: m.due, default=None)
    return {
        "case_id": case_id,
        "statuses": json.dumps(dict(Counter(m.status for m in counted))),
        "outcomes": json.dumps(dict(schedule.outcomes)),
        "next_milestone": following and following.id,
        "next_due": following and following.due,
        "next_projected": following and following.projected,
        "next_status": following and following.status,
    }


def _standing(schedule) -> dict:
    """Where the case stands on the team's case list."""
    from ..reports.worklist import standing

    found = standing(schedule)
    return {
        "standing": found.status,
        "standing_days_late": found.days_late,
        "standing_urgent_due": found.urgent and found.urgent.due,
        "standing_next_milestone": found.next_due and found.next_due.id,
        "standing_next_due": found.next_due and found.next_due.due,
    }


def _milestone_row(
    case_id: int, ref: str, index: int, status, worklist: str | None, closure_skipped: bool
) -> dict:
    exceptions = [
        {**e, "window": {k: iso(v) for k, v in e["window"].items()} if e["window"] else None}
        for e in status.exceptions
    ]
    return {
        "case_id": case_id,
        "ref": ref,
        "milestone": status.id,
        "position": index,
        "due": status.due,
        "target": status.target,
        "earliest": status.earliest,
        "projected": status.projected,
        "actual": status.actual,
        "status": status.status,
        "days_late": status.days_late,
        "conditional": status.conditional,
        "worklist": worklist,
        "closure_skipped": closure_skipped,
        "exceptions": json.dumps(exceptions) if exceptions else None,
    }


def _failed(state: CaseState, as_of: date, reason: str) -> dict:
    return {
        "case_id": state.id,
        "as_of": as_of,
        "error": reason,
        "open_status": None,
        "closed": False,
        "final_issued": False,
        "final_within_20_weeks": False,
        "final_days": None,
        "decided": False,
        "decided_in_6_weeks": False,
        "final_detected": False,
        "final_excepted": False,
        "closure_checks_skipped": False,
        "urgent_milestone": None,
        "urgent_due": None,
        "standing": None,
        "standing_days_late": None,
        "standing_urgent_due": None,
        "standing_next_milestone": None,
        "standing_next_due": None,
        "next_milestone": None,
        "next_due": None,
        "next_projected": None,
        "next_status": None,
        "statuses": "{}",
        "outcomes": "{}",
    }


# -- keeping them current ------------------------------------------------------------------------
def stale_case_ids(session: Session, as_of: date) -> list[int]:
    """Cases with no stored projection, or one as of another day."""
    current = select(CaseProjectionRow.case_id).where(CaseProjectionRow.as_of == as_of)
    return list(
        session.scalars(select(CaseRow.id).where(CaseRow.id.not_in(current)).order_by(CaseRow.id))
    )


def is_current(session: Session, as_of: date) -> bool:
    """Whether every case has a stored projection as of ``as_of``."""
    oldest, newest, projected = session.execute(
        select(
            func.min(CaseProjectionRow.as_of),
            func.max(CaseProjectionRow.as_of),
            func.count(),
        )
    ).one()
    cases = session.scalar(select(func.count()).select_from(CaseRow))
    return projected == cases and (cases == 0 or oldest == newest == as_of)


def refresh(store, as_of: date, batch_size: int = REFRESH_BATCH) -> int:
    """Re-project every case whose stored projection is missing or not as of ``as_of``, a
    batch per transaction; returns how many were re-projected."""
    with store.session() as session:
        stale = stale_case_ids(session, as_of)
    for start in range(0, len(stale), batch_size):
        _refresh_batch(store, stale[start : start + batch_size], as_of)
    return len(stale)


def _refresh_batch(store, ids: list[int], as_of: date, attempts: int = 3) -> None:
    for attempt in range(attempts):
        try:
            with store.session() as session:
                # Lock the cases first, in the order writers lock them, so that a change made
                # meanwhile either waits for this batch or is read by it (never overwritten).
                session.execute(
                    select(CaseRow.id).where(CaseRow.id.in_(ids)).with_for_update()
                ).all()
                take_sqlite_write_lock(session)  # SQLite has no row locks: the whole database
                store_projections(session, all_cases(session, ids=ids), as_of)
            return
        except OperationalError:  # SQLite: a writer got in between the read and the write
            if attempt == attempts - 1:
                raise


_checking = threading.Lock()


def ensure_current(store, today: date) -> None:
    """Refresh the stored projections when they are older than ``today``: checked once per
    day and process (the check itself is one indexed look-up)."""
    if store.projections_checked == today:
        return
    with _checking:
        if store.projections_checked == today:
            return
        with store.session() as session:
            current = is_current(session, today)
        if not current:
            refresh(store, today)
        store.projections_checked = today
