"""Initial schema: cases, their append-only records, API tokens, feeds, iCal sequences, users.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ref", sa.String(100), nullable=False, unique=True),
        sa.Column("process", sa.String(100), nullable=False),
        sa.Column("calendar", sa.String(200), nullable=False),
        sa.Column("received", sa.Date, nullable=False),
        sa.Column("officer", sa.String(100), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    )
    op.create_index("ix_cases_process", "cases", ["process"])
    op.create_table(
        "case_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text, nullable=True),
        sa.Column("corrects", sa.Integer, sa.ForeignKey("case_records.id"), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        _timestamp("recorded_at"),
    )
    op.create_index("ix_case_records_case", "case_records", ["case_id", "id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
    )
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
    )
    op.create_table(
        "ical_sequences",
        sa.Column("uid", sa.String(300), primary_key=True),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        _timestamp("updated_at"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        _timestamp("created_at"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )


def downgrade() -> None:
    for table in ("users", "ical_sequences", "feeds", "api_tokens", "case_records", "cases"):
        op.drop_table(table)
