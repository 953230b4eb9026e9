"""The breach report's per-case figures on stored projections, so that the database sums them;
the cached team feed.

Existing projections are marked stale (as of 1900-01-01): the service's start-up refresh (or
``send-clock db refresh``) fills the new columns.

Revision ID: 0004_issue12b
Revises: 0003_issue12
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_issue12b"
down_revision = "0004_issue12a"
branch_labels = None
depends_on = None

FLAGS = ("decided", "decided_in_6_weeks", "final_detected")


def upgrade() -> None:
    with op.batch_alter_table("case_projections") as table:
        table.add_column(sa.Column("final_days", sa.Integer, nullable=True))
        for name in FLAGS:
            table.add_column(sa.Column(name, sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE case_projections SET as_of = '1900-01-01'"))
    op.create_table(
        "feed_cache",
        sa.Column(
            "feed_id",
            sa.Integer,
            sa.ForeignKey("feeds.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("etag", sa.String(80), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feed_cache")
    with op.batch_alter_table("case_projections") as table:
        for name in ("final_days", *FLAGS):
            table.drop_column(name)
