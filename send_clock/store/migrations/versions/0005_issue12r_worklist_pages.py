"""The breach report's worklists a page at a time, and the case list's filters as index ranges.

* ``milestone_projections`` gains the case's reference (``ref``, which never changes; collation
  "C" on PostgreSQL, code-point order as on SQLite), filled from ``cases``, and the worklist
  index becomes (worklist, due, ref, position) over the worklists' rows only: a worklist's
  order, so that a page after a cursor is one range of it and the whole list streams in order.
* ``ix_cases_process`` and ``ix_cases_officer`` gain the case id, so that the case list
  filtered by process or officer reads a page as a range in id order (keyset on ``after``).

Revision ID: 0005_issue12r
Revises: 0004_issue12d
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_issue12r"
down_revision = "0004_issue12d"
branch_labels = None
depends_on = None

ON_WORKLIST = sa.text("worklist IS NOT NULL")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    ref_type = sa.String(100, collation="C") if postgresql else sa.String(100)
    with op.batch_alter_table("milestone_projections") as table:
        table.add_column(sa.Column("ref", ref_type, nullable=True))
    if postgresql:
        op.execute(
            "UPDATE milestone_projections AS m SET ref = c.ref "
            "FROM cases AS c WHERE c.id = m.case_id"
        )
    else:
        op.execute(
            "UPDATE milestone_projections SET ref = "
            "(SELECT ref FROM cases WHERE cases.id = milestone_projections.case_id)"
        )
    op.drop_index("ix_milestone_projections_worklist", "milestone_projections")
    op.create_index(
        "ix_milestone_projections_worklist",
        "milestone_projections",
        ["worklist", "due", "ref", "position"],
        postgresql_where=ON_WORKLIST,
        sqlite_where=ON_WORKLIST,
    )
    for column in ("process", "officer"):
        op.drop_index(f"ix_cases_{column}", "cases")
        op.create_index(f"ix_cases_{column}", "cases", [column, "id"])


def downgrade() -> None:
    for column in ("process", "officer"):
        op.drop_index(f"ix_cases_{column}", "cases")
        op.create_index(f"ix_cases_{column}", "cases", [column])
    op.drop_index("ix_milestone_projections_worklist", "milestone_projections")
    op.create_index(
        "ix_milestone_projections_worklist", "milestone_projections", ["worklist", "due"]
    )
    with op.batch_alter_table("milestone_projections") as table:
        table.drop_column("ref")
