"""Sign-in by e-mail or phone number (password hashes: app/core/hashing.py), and the session
version that lets the server end sessions (logout, password change or reset)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.core import audit
from app.core.hashing import hash_password, verify_password_hash
from app.core.text import normalise_email, normalise_phone
from app.extensions import db
from app.org.models import User


def verify_password(user: User, password: str) -> bool:
    return verify_password_hash(user.password_hash, password)


def find_account(identifier: str) -> User | None:
    """The officer signing in as `identifier`: an e-mail address (has "@") or a phone number
    in any usual spelling (+84…, 84…, 0…, with spaces or dots)."""
    if "@" in (identifier or ""):
        email = normalise_email(identifier)
        return db.session.scalar(select(User).where(func.lower(User.email) == email))
    phone = normalise_phone(identifier)
    if phone is None:
        return None
    return db.session.scalar(select(User).where(User.phone == phone))


def authenticate(identifier: str, password: str) -> User | None:
    """The active user with this e-mail or phone and password, or None. Every failure gives
    the same answer and spends the same argon2 verification (unknown account included)."""
    user = find_account(identifier)
    if user is None:
        verify_password_hash(None, password)  # same time as for a real account
        return None
    if not verify_password(user, password) or not user.active:
        return None
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session and remember cookie of `user` (they carry the old version).
    Done in SQL so that two concurrent ends both count. Does not commit."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["session_version"])


def set_password(user: User, password: str, actor_id: int | None, action: str) -> None:
    """Store a new password and end the person's sessions (the caller signs the current
    browser in again with the new version). Audited as `action`. Does not commit."""
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record(action, "user", user.id, actor_id)


def change_password(user: User, current: str, new: str) -> bool:
    """ "Đổi mật khẩu": False (nothing changed) when `current` is wrong. The caller commits."""
    if not verify_password(user, current):
        return False
    set_password(user, new, user.id, "account.password_change")
    return True


def logout(user: User) -> None:
    """End the session on the server too: a copy of its cookie or of the remember cookie
    no longer signs anyone in. The caller commits."""
    end_sessions(user)
