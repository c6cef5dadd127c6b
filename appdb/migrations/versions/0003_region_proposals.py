"""Provincial leave figures proposed from an uploaded regulation and approved by a second curator.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appdb.models import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "region_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(20), nullable=False),
        sa.Column("doc_id", sa.String(120), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(64), nullable=False),
        sa.Column("proposed_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('proposed', 'approved', 'rejected', 'superseded')",
                           name=op.f("ck_region_proposals_status")),
        sa.PrimaryKeyConstraint("id", name="pk_region_proposals"),
    )
    op.create_index("ix_region_proposals_province", "region_proposals", ["province"])
    op.create_index("ix_region_proposals_status", "region_proposals", ["status"])


def downgrade() -> None:
    op.drop_table("region_proposals")
