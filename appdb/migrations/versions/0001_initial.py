"""Initial schema: services, slots, bookings, cases, case notes, users, audit log, unanswered questions.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Hand-written and checked against appdb/models.py (tests/unit/test_appdb.py asserts that
autogenerate finds no difference). `unanswered_questions` may already exist in databases created
by the old actions/db.py (`create_all`, identical columns): it is then kept with its rows.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from appdb.models import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "services",
        _id(),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("eligibility", sa.Text(), nullable=False),
        sa.Column("extra_fields", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_services"),
        sa.UniqueConstraint("key", name="uq_services_key"),
    )
    op.create_table(
        "slots",
        _id(),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("start_time", sa.String(5), nullable=False),
        sa.Column("end_time", sa.String(5), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.CheckConstraint("booked >= 0", name=op.f("ck_slots_booked_not_negative")),
        sa.CheckConstraint("booked <= capacity", name=op.f("ck_slots_booked_within_capacity")),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_slots_capacity_not_negative")),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_slots_status")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE",
                                name="fk_slots_service_id_services"),
        sa.PrimaryKeyConstraint("id", name="pk_slots"),
        sa.UniqueConstraint("service_id", "day", "period", name="uq_slots_service_day_period"),
    )
    op.create_index("ix_slots_day", "slots", ["day"])

    op.create_table(
        "bookings",
        _id(),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("work_unit", sa.String(128), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('confirmed', 'cancelled')", name=op.f("ck_bookings_status")),
        sa.ForeignKeyConstraint(["slot_id"], ["slots.id"], ondelete="RESTRICT",
                                name="fk_bookings_slot_id_slots"),
        sa.PrimaryKeyConstraint("id", name="pk_bookings"),
        sa.UniqueConstraint("code", name="uq_bookings_code"),
        sa.UniqueConstraint("idempotency_key", name="uq_bookings_idempotency_key"),
    )
    op.create_index("ix_bookings_slot_id", "bookings", ["slot_id"])
    op.create_index("ix_bookings_sender_id", "bookings", ["sender_id"])
    op.create_index("uq_bookings_slot_sender_confirmed", "bookings", ["slot_id", "sender_id"], unique=True,
                    sqlite_where=sa.text("status = 'confirmed'"),
                    postgresql_where=sa.text("status = 'confirmed'"))

    op.create_table(
        "cases",
        _id(),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("risk", sa.String(16), nullable=True),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("assigned_to", sa.String(64), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("sla_due_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.CheckConstraint("priority IN ('urgent', 'high', 'normal')", name=op.f("ck_cases_priority")),
        sa.CheckConstraint("status IN ('new', 'assigned', 'closed')", name=op.f("ck_cases_status")),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("code", name="uq_cases_code"),
        sa.UniqueConstraint("idempotency_key", name="uq_cases_idempotency_key"),
    )
    op.create_index("ix_cases_status_sla", "cases", ["status", "sla_due_at"])
    op.create_index("ix_cases_sender_id", "cases", ["sender_id"])

    op.create_table(
        "case_notes",
        _id(),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_notes_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_notes"),
    )
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"])

    op.create_table(
        "users",
        _id(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'curator', 'officer')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )

    op.create_table(
        "audit_log",
        _id(),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"])
    op.create_index("ix_audit_log_target", "audit_log", ["target"])

    if context.is_offline_mode() or "unanswered_questions" not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            "unanswered_questions",
            _id(),
            sa.Column("created_at", UTCDateTime(), nullable=False),
            sa.Column("conversation", sa.String(64), nullable=False),
            sa.Column("question", sa.Text(), nullable=False),
            sa.Column("reason", sa.String(32), nullable=False),
            sa.Column("confidence", sa.Float(), nullable=False),
            sa.Column("top_entry", sa.String(200), nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_unanswered_questions"),
        )
        op.create_index("ix_unanswered_questions_created_at", "unanswered_questions", ["created_at"])
        op.create_index("ix_unanswered_questions_conversation", "unanswered_questions", ["conversation"])


def downgrade() -> None:
    for table in ("audit_log", "users", "case_notes", "cases", "bookings", "slots", "services"):
        op.drop_table(table)
    # unanswered_questions is kept: it may predate this migration (see the module docstring).
