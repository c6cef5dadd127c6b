"""Audit trail: who looked at or changed what (workers' cases are sensitive personal data).

`record` adds to the caller's session, so the entry commits or rolls back with the change it
describes. Strings in `detail` are masked; never put passwords or full texts in it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from appdb.models import AuditLog, utcnow
from knowledge.privacy import mask


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask(str(value))  # dates, enums …: stored as text


def record(session: Session, actor: str, action: str, target: str = "", **detail: Any) -> AuditLog:
    """Add one entry, e.g. record(s, "wang", "case.view", "AJ7K3Q2PYY")."""
    entry = AuditLog(at=utcnow(), actor=actor[:128], action=action[:64], target=(target or "")[:128],
                     detail=_masked(detail))
    session.add(entry)
    return entry


def entries(session: Session, *, actor: str | None = None, target: str | None = None,
            action: str | None = None, limit: int = 100) -> list[AuditLog]:
    """Most recent first."""
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
    if actor is not None:
        query = query.where(AuditLog.actor == actor)
    if target is not None:
        query = query.where(AuditLog.target == target)
    if action is not None:
        query = query.where(AuditLog.action == action)
    return list(session.scalars(query))
