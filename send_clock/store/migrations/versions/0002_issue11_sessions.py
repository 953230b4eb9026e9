"""Server-side web sessions, the sign-in audit trail, and disabling users (issue 11).

Revision ID: 0002_issue11
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_issue11"
down_revision = "0001"
branch_labels = None
depends_on = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(_timestamp("disabled_at", nullable=True))
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column(
            "token_id",
            sa.Integer,
            sa.ForeignKey("api_tokens.id", ondelete="CASCADE"),
            nullable=True,
        ),
        _timestamp("created_at"),
        _timestamp("last_seen_at"),
        _timestamp("revoked_at", nullable=True),
    )
    op.create_table(
        "auth_events",
        sa.Column("id", sa.Integer, primary_key=True),
        _timestamp("at"),
        sa.Column("event", sa.String(30), nullable=False),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
    )
    op.create_index("ix_auth_events_account", "auth_events", ["event", "account", "at"])
    op.create_index("ix_auth_events_client", "auth_events", ["event", "client", "at"])


def downgrade() -> None:
    op.drop_table("auth_events")
    op.drop_table("web_sessions")
    with op.batch_alter_table("users") as users:
        users.drop_column("disabled_at")
