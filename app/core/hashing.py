"""Password hashes (argon2id). Here, below org and auth, because creating an officer (org)
stores a hash and must not import the sign-in package; auth keeps the password *policy*
(auth/passwords.py) and sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hasher = PasswordHasher()
# Tests create many accounts: the cheapest argon2 parameters keep them fast. Never in production.
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# A hash of nothing anybody types, per hasher: an unknown account is verified against it so
# that sign-in takes as long as for a real one (no timing oracle for who has an account).
_dummy_hashes: dict[int, str] = {}


def _current_hasher() -> PasswordHasher:
    return _fast_hasher if current_app.config.get("TESTING") else _hasher


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


def _dummy_hash() -> str:
    hasher = _current_hasher()
    if id(hasher) not in _dummy_hashes:
        _dummy_hashes[id(hasher)] = hasher.hash("tdkt-learn: no such account")
    return _dummy_hashes[id(hasher)]


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password_hash(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches `password_hash`. No hash (an account without a password, or
    no account at all: pass None) is False after the same argon2 work as a real check."""
    if not password_hash:
        _verify(_dummy_hash(), password)  # same time as a real check
        return False
    return _verify(password_hash, password)
