"""Jobs carry a heartbeat, written by the worker that holds them: a job whose worker died is
found stale and marked failed instead of staying ``running`` for good.

Revision ID: 0004_issue12d
Revises: 0004_issue12b
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_issue12d"
down_revision = "0004_issue12b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("heartbeat_at")
