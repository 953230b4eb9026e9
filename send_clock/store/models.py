"""The database tables (SQLAlchemy 2). Only :mod:`send_clock.store` imports SQLAlchemy.

Cases hold what cannot change (reference, process, calendar, received) and a ``version`` that
rises with every change, for optimistic concurrency. Everything that happens to a case is a row
in ``case_records``, append only: a correction or a withdrawal is a new row pointing at the one it
corrects, so the history is never lost.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy import DateTime as _DateTime
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class DateTime(TypeDecorator):
    """A UTC timestamp that comes back time-zone aware from every database (SQLite keeps no
    zone)."""

    impl = _DateTime(timezone=True)
    cache_ok = True

    def __init__(self, timezone: bool = True):
        super().__init__()

    def process_bind_param(self, value, dialect):
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: text compared by code point (a case reference's order in the breach report): SQLite's own
#: comparison, collation "C" on PostgreSQL (whatever the database's locale)
CODE_POINT_TEXT = String(100).with_variant(String(100, collation="C"), "postgresql")


class Base(DeclarativeBase):
    pass


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(100), unique=True)
    process: Mapped[str] = mapped_column(String(100))
    calendar: Mapped[str] = mapped_column(String(200))
    received: Mapped[date] = mapped_column(Date)
    officer: Mapped[str | None] = mapped_column(String(100), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # the case list filtered by process or officer, a page at a time in id order: each
        # page is a range of one of these indexes
        Index("ix_cases_process", "process", "id"),
        Index("ix_cases_officer", "officer", "id"),
    )


class CaseRecordRow(Base):
    """One thing recorded on a case. ``action``: set (an event date, outcome or parameter),
    add (an exception), correct (replaces record ``corrects``), withdraw (removes it)."""

    __tablename__ = "case_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(20))  # event | outcome | param | exception
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[str | None] = mapped_column(Text, nullable=True)
    corrects: Mapped[int | None] = mapped_column(ForeignKey("case_records.id"), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_case_records_case", "case_id", "id"),)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(10))  # read | write
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class FeedRow(Base):
    """A calendar subscription: one case's milestones, or (case_id NULL) the team's open
    deadlines. Only the hash of its token is stored."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: a team feed of one officer's cases only (NULL: every case)
    officer: Mapped[str | None] = mapped_column(String(100), nullable=True)


class IcalSequenceRow(Base):
    """The last SEQUENCE and fingerprint served for each event UID, so that a changed event
    rises and an unchanged one keeps its number across regenerations and processes."""

    __tablename__ = "ical_sequences"

    uid: Mapped[str] = mapped_column(String(300), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserRow(Base):
    """A member of staff who signs in to the web pages."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Set by ``send-clock users disable``: no sign-in, and the user's sessions end.
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (UniqueConstraint("username", name="uq_users_username"),)


class CaseProjectionRow(Base):
    """One case's projection as of ``as_of``, kept in step with its records: written in the same
    transaction as every change, and re-projected by the daily refresh (statuses such as
    ``overdue`` change with the date alone). Lists, counts and the dashboard read these rows
    instead of projecting the caseload per request. ``error`` holds why a case cannot be
    projected (then nothing else is filled)."""

    __tablename__ = "case_projections"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    as_of: Mapped[date] = mapped_column(Date)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: the most urgent status of an open case's open milestones (the breach report's open
    #: classes: overdue, at_risk, due_soon, excused, pending); NULL once the case is closed
    open_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: the process reached an end (see :attr:`send_clock.timelines.Projection.closed`)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    final_issued: Mapped[bool] = mapped_column(Boolean, default=False)
    final_within_20_weeks: Mapped[bool] = mapped_column(Boolean, default=False)
    #: what the breach report's figures count per case (over all time), so that the database
    #: can sum them: days from received to the final plan (NULL: none issued), the decision
    #: made and made within 6 weeks, a detected school closure at the final plan (with
    #: ``final_excepted`` and ``closure_checks_skipped``)
    final_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_in_6_weeks: Mapped[bool] = mapped_column(Boolean, default=False)
    final_detected: Mapped[bool] = mapped_column(Boolean, default=False)
    next_milestone: Mapped[str | None] = mapped_column(String(100), nullable=True)
    next_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_projected: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: JSON: status -> how many counted (not conditional) milestones are in it
    statuses: Mapped[str] = mapped_column(Text, default="{}")
    #: JSON: branch -> value (or null), for the wording of conditional milestones
    outcomes: Mapped[str] = mapped_column(Text, default="{}")
    #: an open case's most urgent milestone (the one ``open_status`` comes from, the earliest
    #: due of those): the worklist by case, as ``breaches --by case`` lists it
    urgent_milestone: Mapped[str | None] = mapped_column(String(100), nullable=True)
    urgent_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: where the case stands on the team's case list (:func:`send_clock.reports.worklist.standing`):
    #: ``closed`` or its most urgent open status; the days late (overdue only), the due date of
    #: that milestone, and the open milestone due soonest
    standing: Mapped[str | None] = mapped_column(String(16), nullable=True)
    standing_days_late: Mapped[int | None] = mapped_column(Integer, nullable=True)
    standing_urgent_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    standing_next_milestone: Mapped[str | None] = mapped_column(String(100), nullable=True)
    standing_next_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: the final plan has a recorded exception to the 20-week limit (the DfE leaves it out)
    final_excepted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: some milestone's school-closure test could not be made (no term dates there)
    closure_checks_skipped: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_case_projections_as_of", "as_of"),
        Index("ix_case_projections_next_due", "next_due", "case_id"),
        # the worklists by case, most urgent first: a dashboard reads the first rows only
        Index("ix_case_projections_urgent", "open_status", "urgent_due", "case_id"),
    )


class MilestoneProjectionRow(Base):
    """One milestone of one case as projected (see :class:`CaseProjectionRow`). ``worklist`` is
    ``overdue`` or ``due_soon`` when the breach report lists it there."""

    __tablename__ = "milestone_projections"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    milestone: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: the case's reference (which never changes), kept here so that a worklist's order (due
    #: date, reference in code-point order, place in the process) is one index; code-point
    #: order is SQLite's own, and collation "C" on PostgreSQL
    ref: Mapped[str | None] = mapped_column(CODE_POINT_TEXT, nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    target: Mapped[date | None] = mapped_column(Date, nullable=True)
    earliest: Mapped[date | None] = mapped_column(Date, nullable=True)
    projected: Mapped[date | None] = mapped_column(Date, nullable=True)
    actual: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    days_late: Mapped[int | None] = mapped_column(Integer, nullable=True)
    conditional: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the school-closure test could not be made (no term dates there)
    closure_skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    worklist: Mapped[str | None] = mapped_column(String(10), nullable=True)
    exceptions: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list, or NULL
    #: The team feed's event of this milestone, written with the row, so that serving the
    #: feed reads text instead of projecting the caseload: its date (NULL while the milestone
    #: is not open or has no date: then no event), its UID before the ``@`` (the domain is
    #: the service's setting), and its text before and after the UID line.
    feed_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    feed_uid: Mapped[str | None] = mapped_column(String(300), nullable=True)
    feed_head: Mapped[str | None] = mapped_column(Text, nullable=True)
    feed_tail: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The event's SEQUENCE, fingerprint and the time its content last changed: carried on
    #: while its content is unchanged (also while it is out of the feed), raised when it
    #: changes (see :mod:`send_clock.ical.sequence`).
    feed_sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feed_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    feed_modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        Index("ix_milestone_projections_status", "status", "case_id"),
        # the team feed: its events in a window of dates, in the order it writes them
        Index(
            "ix_milestone_projections_feed",
            "feed_day",
            "case_id",
            "position",
            postgresql_where=text("feed_day IS NOT NULL"),
            sqlite_where=text("feed_day IS NOT NULL"),
        ),
        # the breach report's worklists in their order, a page at a time (keyset on the due
        # date, reference and place): only the rows on a worklist
        Index(
            "ix_milestone_projections_worklist",
            "worklist",
            "due",
            "ref",
            "position",
            postgresql_where=text("worklist IS NOT NULL"),
            sqlite_where=text("worklist IS NOT NULL"),
        ),
        # the status filter and its count: counted milestones only
        Index(
            "ix_milestone_projections_counted",
            "status",
            "case_id",
            postgresql_where=text("conditional = false"),
            sqlite_where=text("conditional = false"),
        ),
    )


#: How many rows the caseload's generation is spread over (see :class:`CaseloadGenerationRow`).
GENERATION_ROWS = 32


class CaseloadGenerationRow(Base):
    """The caseload's generation: the sum of these rows' numbers, one of which is raised in the
    same transaction as every write of stored projections; while the sum is unchanged, so is
    every count over them (see :mod:`send_clock.store.queries`).

    Why :data:`GENERATION_ROWS` rows and not one: a writer holds the row it raised locked until
    its commit (a WAL flush, milliseconds), so with one row every write of the service waited
    for the one before it to commit. Each database connection raises a row of its own choosing,
    so concurrent writers seldom meet on one and their commits can share a flush; the sum, read
    in one statement, still rises with every committed write and never falls."""

    __tablename__ = "caseload_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)


class CaseSumRow(Base):
    """The breach report's per-case figures summed over the cases received in one month with
    one process (see :mod:`send_clock.store.sums`): kept exact in the transaction of every
    write of stored projections, so that the report reads these few rows instead of summing
    every case. The sums are :data:`send_clock.reports.summary.COUNTS` over the cases that
    can be projected, how many of those are open in each open status, how many skipped a
    school-closure check, and how many cannot be projected (``rejected``)."""

    __tablename__ = "report_case_sums"

    #: which connections' changes (see :data:`GENERATION_ROWS`): a key's sum is its stripes'
    stripe: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="1")

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    process: Mapped[str] = mapped_column(String(100), primary_key=True)
    cases: Mapped[int] = mapped_column(Integer, default=0)
    issued: Mapped[int] = mapped_column(Integer, default=0)
    within: Mapped[int] = mapped_column(Integer, default=0)
    issued_kept: Mapped[int] = mapped_column(Integer, default=0)
    within_kept: Mapped[int] = mapped_column(Integer, default=0)
    issued_kept_all: Mapped[int] = mapped_column(Integer, default=0)
    within_kept_all: Mapped[int] = mapped_column(Integer, default=0)
    decided: Mapped[int] = mapped_column(Integer, default=0)
    in_time: Mapped[int] = mapped_column(Integer, default=0)
    #: days from request to final plan, summed over the plans issued
    days: Mapped[int] = mapped_column(BigInteger, default=0)
    open_overdue: Mapped[int] = mapped_column(Integer, default=0)
    open_at_risk: Mapped[int] = mapped_column(Integer, default=0)
    open_due_soon: Mapped[int] = mapped_column(Integer, default=0)
    open_excused: Mapped[int] = mapped_column(Integer, default=0)
    open_pending: Mapped[int] = mapped_column(Integer, default=0)
    closure_checks_skipped: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)


class MilestoneSumRow(Base):
    """How many stored milestones of one process's cases have one id and status: counted (not
    conditional, the report's status counts), and on each of the report's worklists. Kept
    like :class:`CaseSumRow`."""

    __tablename__ = "report_milestone_sums"

    #: which connections' changes (see :data:`GENERATION_ROWS`): a key's sum is its stripes'
    stripe: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="1")

    process: Mapped[str] = mapped_column(String(100), primary_key=True)
    milestone: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    counted: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    due_soon: Mapped[int] = mapped_column(Integer, default=0)


class JobRow(Base):
    """Long work done off the request path (a caseload import): its state, progress and result.
    ``state``: queued, running, succeeded, failed."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10))
    rows_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list
    result: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON object
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: last written by the worker holding the job (queued or running); stale means it died
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebSessionRow(Base):
    """A signed-in web session. The cookie holds a random key; only its hash is stored, and a
    session ends for good when ``revoked_at`` is set (sign-out, token revoked, user disabled,
    idle too long)."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))  # the user's or the token's name
    scope: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuthEventRow(Base):
    """The audit trail of signing in: failures (which also drive the sign-in limit), refusals
    by that limit, sign-ins and sign-outs. ``client`` is the address the request came from."""

    __tablename__ = "auth_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event: Mapped[str] = mapped_column(String(30))
    account: Mapped[str] = mapped_column(String(100))
    client: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_auth_events_account", "event", "account", "at"),
        Index("ix_auth_events_client", "event", "client", "at"),
    )
