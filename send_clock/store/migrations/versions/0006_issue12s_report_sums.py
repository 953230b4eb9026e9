"""The breach report's sums over every stored case, kept by every write.

``report_case_sums`` (by month of request and process) and ``report_milestone_sums`` (by
process, milestone and status) hold what the report summed over every stored case on each
request; every write of stored projections now adds its change to them in its transaction
(:mod:`send_clock.store.sums`). They are filled here from the stored projections as they are,
so the report says after the upgrade what it said before. Each row is one ``stripe`` of its
key's sums (the key's sum is that of its stripes): writers on different connections change
different stripes, so they do not queue on one row (0007_issue12l); the fill is stripe 1.
The sums are written out below as they stand at this revision (a migration does not follow
later changes to the package).

Revision ID: 0006_issue12s
Revises: 0005_issue12f
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_issue12s"
down_revision = "0005_issue12f"
branch_labels = None
depends_on = None

OPEN_STATUSES = ("overdue", "at_risk", "due_soon", "excused", "pending")
CASE_SUMS = (
    "cases",
    "issued",
    "within",
    "issued_kept",
    "within_kept",
    "issued_kept_all",
    "within_kept_all",
    "decided",
    "in_time",
    "days",
    *(f"open_{status}" for status in OPEN_STATUSES),
    "closure_checks_skipped",
    "rejected",
)
MILESTONE_SUMS = ("counted", "overdue", "due_soon")


def upgrade() -> None:
    op.create_table(
        "report_case_sums",
        sa.Column("stripe", sa.SmallInteger, primary_key=True, server_default="1"),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("month", sa.Integer, primary_key=True),
        sa.Column("process", sa.String(100), primary_key=True),
        *(
            sa.Column(name, sa.BigInteger if name == "days" else sa.Integer, nullable=False)
            for name in CASE_SUMS
        ),
    )
    op.create_table(
        "report_milestone_sums",
        sa.Column("stripe", sa.SmallInteger, primary_key=True, server_default="1"),
        sa.Column("process", sa.String(100), primary_key=True),
        sa.Column("milestone", sa.String(100), primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        *(sa.Column(name, sa.Integer, nullable=False) for name in MILESTONE_SUMS),
    )
    cases = sa.table("cases", *map(sa.column, ("id", "process", "received")))
    projections = sa.table(
        "case_projections",
        *map(
            sa.column,
            (
                "case_id",
                "error",
                "final_days",
                "final_excepted",
                "final_detected",
                "decided",
                "decided_in_6_weeks",
                "open_status",
                "closure_checks_skipped",
            ),
        ),
    )
    milestones = sa.table(
        "milestone_projections",
        *map(sa.column, ("case_id", "milestone", "status", "conditional", "worklist")),
    )
    _fill_case_sums(cases, projections)
    _fill_milestone_sums(cases, milestones)


def _flag(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _fill_case_sums(cases, p) -> None:
    c = p.c
    projected = c.error.is_(None)
    issued = projected & c.final_days.is_not(None)
    within = issued & (c.final_days <= 140)  # 20 weeks
    kept = c.final_excepted == sa.false()
    kept_all = kept & (c.final_detected == sa.false())
    sums = (
        _flag(projected),
        _flag(issued),
        _flag(within),
        _flag(issued & kept),
        _flag(within & kept),
        _flag(issued & kept_all),
        _flag(within & kept_all),
        _flag(projected & (c.decided == sa.true())),
        _flag(projected & (c.decided_in_6_weeks == sa.true())),
        sa.func.coalesce(sa.func.sum(sa.case((issued, c.final_days), else_=0)), 0),
        *(_flag(projected & (c.open_status == status)) for status in OPEN_STATUSES),
        _flag(c.closure_checks_skipped == sa.true()),
        _flag(c.error.is_not(None)),
    )
    year = sa.cast(sa.extract("year", cases.c.received), sa.Integer)
    month = sa.cast(sa.extract("month", cases.c.received), sa.Integer)
    query = (
        sa.select(year, month, cases.c.process, *sums)
        .select_from(p.join(cases, cases.c.id == c.case_id))
        .group_by(year, month, cases.c.process)
    )
    table = sa.table("report_case_sums", *map(sa.column, ("year", "month", "process", *CASE_SUMS)))
    op.execute(table.insert().from_select(["year", "month", "process", *CASE_SUMS], query))


def _fill_milestone_sums(cases, m) -> None:
    query = (
        sa.select(
            cases.c.process,
            m.c.milestone,
            m.c.status,
            _flag(m.c.conditional == sa.false()),
            _flag(m.c.worklist == "overdue"),
            _flag(m.c.worklist == "due_soon"),
        )
        .select_from(m.join(cases, cases.c.id == m.c.case_id))
        .group_by(cases.c.process, m.c.milestone, m.c.status)
    )
    keys = ("process", "milestone", "status")
    table = sa.table("report_milestone_sums", *map(sa.column, (*keys, *MILESTONE_SUMS)))
    op.execute(table.insert().from_select([*keys, *MILESTONE_SUMS], query))


def downgrade() -> None:
    op.drop_table("report_milestone_sums")
    op.drop_table("report_case_sums")
