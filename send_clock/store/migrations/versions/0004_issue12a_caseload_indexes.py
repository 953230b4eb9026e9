"""What the case list, its counts and the dashboard read from the stored projections.

* ``case_projections`` gains each open case's most urgent milestone (``urgent_milestone``,
  ``urgent_due``: the worklist by case), whether its final plan has a recorded exception
  (``final_excepted``: the timeliness chart) and whether a school-closure test could not be
  made (``closure_checks_skipped``), with an index that serves the worklists in their order.
* A partial index on the counted (not conditional) milestones by status serves the status
  filter and its count; an index on ``cases.officer`` the officer filter.
* ``caseload_generation`` holds one number that every write of stored projections raises in
  its own transaction, so that a process may keep a count as long as the number is unchanged.

The stored projections are marked as of no day, so that the next refresh (``send-clock db
refresh``, or the service at start-up) fills the new columns for every case.

Revision ID: 0004_issue12a
Revises: 0003_issue12
Create Date: 2026-12-02
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0004_issue12a"
down_revision = "0003_issue12"
branch_labels = None
depends_on = None

#: the as-of date that no refresh ever writes: every stored projection becomes stale
STALE = date(1970, 1, 1)


def upgrade() -> None:
    with op.batch_alter_table("case_projections") as table:
        table.add_column(sa.Column("urgent_milestone", sa.String(100), nullable=True))
        table.add_column(sa.Column("urgent_due", sa.Date, nullable=True))
        table.add_column(sa.Column("standing", sa.String(16), nullable=True))
        table.add_column(sa.Column("standing_days_late", sa.Integer, nullable=True))
        table.add_column(sa.Column("standing_urgent_due", sa.Date, nullable=True))
        table.add_column(sa.Column("standing_next_milestone", sa.String(100), nullable=True))
        table.add_column(sa.Column("standing_next_due", sa.Date, nullable=True))
        for name in ("final_excepted", "closure_checks_skipped"):
            table.add_column(sa.Column(name, sa.Boolean, nullable=False, server_default=sa.false()))
    op.drop_index("ix_case_projections_open_status", "case_projections")
    op.create_index(
        "ix_case_projections_urgent",
        "case_projections",
        ["open_status", "urgent_due", "case_id"],
    )
    counted = sa.text("conditional = false")
    op.create_index(
        "ix_milestone_projections_counted",
        "milestone_projections",
        ["status", "case_id"],
        postgresql_where=counted,
        sqlite_where=counted,
    )
    op.create_index("ix_cases_officer", "cases", ["officer"])
    op.create_table(
        "caseload_generation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO caseload_generation (id, generation) VALUES (1, 1)")
    op.execute(
        sa.text("UPDATE case_projections SET as_of = :stale").bindparams(
            sa.bindparam("stale", STALE, type_=sa.Date)
        )
    )


def downgrade() -> None:
    op.drop_table("caseload_generation")
    op.drop_index("ix_cases_officer", "cases")
    op.drop_index("ix_milestone_projections_counted", "milestone_projections")
    op.drop_index("ix_case_projections_urgent", "case_projections")
    op.create_index("ix_case_projections_open_status", "case_projections", ["open_status"])
    with op.batch_alter_table("case_projections") as table:
        for name in (
            "closure_checks_skipped",
            "final_excepted",
            "standing_next_due",
            "standing_next_milestone",
            "standing_urgent_due",
            "standing_days_late",
            "standing",
            "urgent_due",
            "urgent_milestone",
        ):
            table.drop_column(name)
