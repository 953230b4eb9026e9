"""The team feed written with each case: every stored milestone keeps its team-feed event.

* ``milestone_projections`` gains the event's date, UID, text, and its SEQUENCE state
  (``feed_*``), written in the same transaction as every change to the case, with a partial
  index that serves the feed's window of dates in the order the feed is written.
* ``feeds`` gains ``officer``: a team feed of one officer's cases, a size calendar apps accept
  where the whole team's is not.
* ``feed_cache`` (the whole team feed, stored compressed and built again after any change) is
  dropped, and with it the team feed's SEQUENCE rows in ``ical_sequences`` (``team:`` UIDs):
  the state is now kept on the milestone rows.

The stored projections are marked as of no day, so that the next refresh (``send-clock db
refresh``, or the service at start-up) writes every case's events.

Revision ID: 0005_issue12f
Revises: 0005_issue12r
Create Date: 2026-12-02
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0005_issue12f"
down_revision = "0005_issue12r"
branch_labels = None
depends_on = None

#: the as-of date that no refresh ever writes: every stored projection becomes stale
STALE = date(1970, 1, 1)

COLUMNS = (
    ("feed_day", sa.Date),
    ("feed_uid", sa.String(300)),
    ("feed_head", sa.Text),
    ("feed_tail", sa.Text),
    ("feed_sequence", sa.Integer),
    ("feed_fingerprint", sa.String(64)),
    ("feed_modified", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("milestone_projections") as table:
        for name, kind in COLUMNS:
            table.add_column(sa.Column(name, kind, nullable=True))
    dated = sa.text("feed_day IS NOT NULL")
    op.create_index(
        "ix_milestone_projections_feed",
        "milestone_projections",
        ["feed_day", "case_id", "position"],
        postgresql_where=dated,
        sqlite_where=dated,
    )
    with op.batch_alter_table("feeds") as table:
        table.add_column(sa.Column("officer", sa.String(100), nullable=True))
    op.drop_table("feed_cache")
    op.execute(sa.text("DELETE FROM ical_sequences WHERE uid LIKE 'team:%'"))
    op.execute(
        sa.text("UPDATE case_projections SET as_of = :stale").bindparams(
            sa.bindparam("stale", STALE, type_=sa.Date)
        )
    )


def downgrade() -> None:
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
    with op.batch_alter_table("feeds") as table:
        table.drop_column("officer")
    op.drop_index("ix_milestone_projections_feed", "milestone_projections")
    with op.batch_alter_table("milestone_projections") as table:
        for name, _kind in reversed(COLUMNS):
            table.drop_column(name)
