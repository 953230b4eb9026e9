"""Stored projections (one row per case, one per milestone) and background jobs.

The rows are filled by ``send-clock db refresh``, which the service also runs at start-up
whenever a case has no projection or one older than today.

Revision ID: 0003_issue12
Revises: 0002_issue11
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_issue12"
down_revision = "0002_issue11"
branch_labels = None
depends_on = None


def _case_id() -> sa.Column:
    return sa.Column(
        "case_id",
        sa.Integer,
        sa.ForeignKey("cases.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "case_projections",
        _case_id(),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("open_status", sa.String(16), nullable=True),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("final_issued", sa.Boolean, nullable=False),
        sa.Column("final_within_20_weeks", sa.Boolean, nullable=False),
        sa.Column("next_milestone", sa.String(100), nullable=True),
        sa.Column("next_due", sa.Date, nullable=True),
        sa.Column("next_projected", sa.Date, nullable=True),
        sa.Column("next_status", sa.String(16), nullable=True),
        sa.Column("statuses", sa.Text, nullable=False),
        sa.Column("outcomes", sa.Text, nullable=False),
    )
    op.create_index("ix_case_projections_as_of", "case_projections", ["as_of"])
    op.create_index("ix_case_projections_next_due", "case_projections", ["next_due", "case_id"])
    op.create_index("ix_case_projections_open_status", "case_projections", ["open_status"])
    op.create_table(
        "milestone_projections",
        _case_id(),
        sa.Column("milestone", sa.String(100), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        *(sa.Column(name, sa.Date, nullable=True) for name in ("due", "target", "earliest")),
        sa.Column("projected", sa.Date, nullable=True),
        sa.Column("actual", sa.Date, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("days_late", sa.Integer, nullable=True),
        sa.Column("conditional", sa.Boolean, nullable=False),
        sa.Column("closure_skipped", sa.Boolean, nullable=False),
        sa.Column("worklist", sa.String(10), nullable=True),
        sa.Column("exceptions", sa.Text, nullable=True),
    )
    op.create_index(
        "ix_milestone_projections_status", "milestone_projections", ["status", "case_id"]
    )
    op.create_index(
        "ix_milestone_projections_worklist", "milestone_projections", ["worklist", "due"]
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("rows_total", sa.Integer, nullable=True),
        sa.Column("rows_done", sa.Integer, nullable=False),
        sa.Column("errors", sa.Text, nullable=True),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    for table in ("jobs", "milestone_projections", "case_projections"):
        op.drop_table(table)
