"""Passwords (argon2id) and sign-in."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from app.core.text import nfc
from app.extensions import db
from app.org.models import User

_hasher = PasswordHasher()
# Tests create many accounts: the cheapest argon2 parameters keep them fast. Never in production.
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _current_hasher() -> PasswordHasher:
    return _fast_hasher if current_app.config.get("TESTING") else _hasher


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same answer for every failure)."""
    email = nfc(email).lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None or not user.active or not verify_password(user, password):
        return None
    return user
