"""Console accounts. Passwords are hashed with argon2id and never stored, returned or logged.

`authenticate` spends the same time whether or not the username exists (it verifies against a
dummy hash), so the login form does not reveal which accounts exist.
"""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from appdb import audit
from appdb.models import ROLES, User
from appdb.session import session_scope

MIN_PASSWORD_LENGTH = 10
MAX_DISPLAY_NAME = 32
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password-just-for-timing")


def normalize_username(username: str) -> str:
    return username.strip().lower()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def clean_display_name(name: str | None) -> str | None:
    """The name a worker reads (「王老师」), spaces folded; None when empty (the username is used).
    ValueError when it is longer than MAX_DISPLAY_NAME."""
    name = " ".join((name or "").split())
    if len(name) > MAX_DISPLAY_NAME:
        raise ValueError(f"display name must have at most {MAX_DISPLAY_NAME} characters")
    return name or None


def create_user(username: str, password: str, role: str, *, actor: str = "system",
                display_name: str | None = None) -> User:
    """Add an account. ValueError for an unknown role, a short password, a taken username or an
    over-long display name."""
    username = normalize_username(username)
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if not username or len(username) > 64:
        raise ValueError("username must have 1 to 64 characters")
    user = User(username=username, password_hash=hash_password(password), role=role, active=True,
                display_name=clean_display_name(display_name))
    try:
        with session_scope() as session:
            session.add(user)
            session.flush()
            audit.record(session, actor, "user.create", username, role=role)
    except IntegrityError:
        raise ValueError(f"username {username!r} is taken") from None
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way)."""
    with session_scope() as session:
        user = session.scalar(select(User).where(User.username == normalize_username(username)))
        if user is None:
            _verify(_dummy_hash(), password)
            return None
        if not _verify(user.password_hash, password) or not user.active:
            return None
        if _hasher.check_needs_rehash(user.password_hash):  # parameters were raised since
            user.password_hash = _hasher.hash(password)
        return user


def set_password(username: str, password: str, *, actor: str = "system") -> bool:
    with session_scope() as session:
        user = session.scalar(select(User).where(User.username == normalize_username(username)))
        if user is None:
            return False
        user.password_hash = hash_password(password)
        audit.record(session, actor, "user.set_password", user.username)
        return True


def set_active(username: str, active: bool, *, actor: str = "system") -> bool:
    with session_scope() as session:
        user = session.scalar(select(User).where(User.username == normalize_username(username)))
        if user is None:
            return False
        user.active = active
        audit.record(session, actor, "user.activate" if active else "user.deactivate", user.username)
        return True


def display_name(username: str | None) -> str:
    """How a worker reads this officer's name: the display name set for the account, else its username
    (an account created before display names, or without one, still has a name to show)."""
    if not username:
        return ""
    with session_scope() as session:
        name = session.scalar(select(User.display_name).where(User.username == normalize_username(username)))
    return name or normalize_username(username)


def set_display_name(username: str, name: str, *, actor: str = "system") -> bool:
    """Change the name workers read (ValueError when too long); False for an unknown account."""
    cleaned = clean_display_name(name)
    with session_scope() as session:
        user = session.scalar(select(User).where(User.username == normalize_username(username)))
        if user is None:
            return False
        if user.display_name != cleaned:
            audit.record(session, actor, "user.display_name", user.username, old=user.display_name, new=cleaned)
            user.display_name = cleaned
        return True


def list_users() -> list[User]:
    with session_scope() as session:
        return list(session.scalars(select(User).order_by(User.username)))
