"""Staff console: login sessions, FAQ versions, managed documents, the answer log, and the
curation state of unanswered questions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appdb.models import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        _id(),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_staff_sessions_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_staff_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_staff_sessions_token_hash"),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])

    op.create_table(
        "faq_versions",
        _id(),
        sa.Column("entry_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("published_by", sa.String(64), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'reviewed', 'published', 'superseded', 'withdrawn')",
                           name=op.f("ck_faq_versions_status")),
        sa.PrimaryKeyConstraint("id", name="pk_faq_versions"),
        sa.UniqueConstraint("entry_id", "version", name="uq_faq_versions_entry_version"),
    )
    op.create_index("ix_faq_versions_entry_id", "faq_versions", ["entry_id"])
    op.create_index("ix_faq_versions_status", "faq_versions", ["status"])

    op.create_table(
        "documents",
        _id(),
        sa.Column("doc_id", sa.String(120), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.String(64), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("retired_by", sa.String(64), nullable=True),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.Column("retired_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('uploaded', 'published', 'retired')", name=op.f("ck_documents_status")),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("doc_id", name="uq_documents_doc_id"),
    )

    op.create_table(
        "answer_log",
        _id(),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("conversation", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.String(200), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answer_log"),
    )
    op.create_index("ix_answer_log_at", "answer_log", ["at"])

    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("status", sa.String(12), nullable=False, server_default="open"))
        batch.add_column(sa.Column("handled_entry", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_column("handled_entry")
        batch.drop_column("status")
    for table in ("answer_log", "documents", "faq_versions", "staff_sessions"):
        op.drop_table(table)
