"""Staff console logins as data: how long one lasts idle, and removing those past their end.

The console (console/auth.py) creates and checks sessions; the expiry rule lives here, with the
data, so retention (appdb/retention.py) can purge them without importing the web stack.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from appdb.models import StaffSession, utcnow
from appdb.session import session_scope
from settings import get_settings


def idle_limit() -> timedelta:
    """A login ends after this long without a request (CONSOLE_SESSION_IDLE_MINUTES)."""
    return timedelta(minutes=get_settings().CONSOLE_SESSION_IDLE_MINUTES)


def purge_expired() -> int:
    """Drop sessions past their absolute end (idle ones go when next presented, or here)."""
    now = utcnow()
    with session_scope() as s:
        return s.execute(delete(StaffSession).where(
            (StaffSession.expires_at <= now) | (StaffSession.last_seen_at <= now - idle_limit()))).rowcount
