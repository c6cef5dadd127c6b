"""The live handover (issue 13, finding 5): an officer's display name, when she last wrote to a case
(and its opening, masked), and when each officer last looked at each case (the unread marker).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appdb.models import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(32), nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("worker_last_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("worker_last_text", sa.Text(), nullable=True))
    op.create_table(
        "case_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("viewed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_views_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_views"),
        sa.UniqueConstraint("case_id", "username", name="uq_case_views_case_id_username"),
    )
    op.create_index("ix_case_views_case_id", "case_views", ["case_id"])


def downgrade() -> None:
    op.drop_table("case_views")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("worker_last_text")
        batch.drop_column("worker_last_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("display_name")
