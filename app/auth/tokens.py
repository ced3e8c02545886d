"""Issuing and redeeming one-time secrets (app.auth.models): invitation links, printed
activation codes, password-reset links. Every issue and every use is in the audit history."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from app.auth.models import AccountToken, TokenKind
from app.auth.services import set_password
from app.core import audit
from app.core.db import utcnow
from app.extensions import db
from app.org.models import User

VALIDITY = {
    TokenKind.INVITE: timedelta(days=14),
    TokenKind.CODE: timedelta(days=14),
    TokenKind.RESET: timedelta(hours=1),
}
# No 0/O, 1/I/L: a code is read off paper and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31^10 ≈ 2^49, against at most 10 wrong tries a minute per client
# Activation kinds: using one of them sets the first password and spends the others.
ACTIVATION = (TokenKind.INVITE, TokenKind.CODE)


def normalise_code(code: str) -> str:
    """What a person types from the slip: any case, with or without the dash and spaces."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def _digest(kind: str, secret: str) -> str:
    if kind == TokenKind.CODE:
        key = current_app.config["SECRET_KEY"].encode()
        return hmac.new(key, normalise_code(secret).encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(user: User, kind: TokenKind, actor_id: int | None) -> str:
    """A new secret of `kind` for `user`; an older unused one of that kind stops working.
    Returns the secret (shown or sent once, never stored). Does not commit."""
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.kind == kind.value,
            AccountToken.spent_at.is_(None),
        )
        .values(spent_at=now)
        .execution_options(synchronize_session=False)
    )
    if kind == TokenKind.CODE:
        secret = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    else:
        secret = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            kind=kind.value,
            digest=_digest(kind, secret),
            created_at=now,
            expires_at=now + VALIDITY[kind],
            created_by=actor_id,
        )
    )
    audit.record(f"account.{kind.value}_issued", "user", user.id, actor_id)
    return secret


def find(kinds: tuple[TokenKind, ...], secret: str) -> AccountToken | None:
    """The usable (unspent, unexpired, active person) token for `secret`, or None."""
    digests = {_digest(kind, secret) for kind in kinds}
    token = db.session.scalar(
        select(AccountToken).where(
            AccountToken.digest.in_(digests), AccountToken.kind.in_([k.value for k in kinds])
        )
    )
    if token is None or not token.usable(utcnow()):
        return None
    return token


def redeem(token: AccountToken, password: str) -> User | None:
    """Use `token` to set the password (the caller has checked the password rule). Spends it
    and every other activation/reset secret of the person, ends the person's sessions.
    None when a concurrent request used it first. The caller commits."""
    now = utcnow()
    spent = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.spent_at.is_(None))
        .values(spent_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        db.session.rollback()
        return None
    user = token.user
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.spent_at.is_(None))
        .values(spent_at=now)
        .execution_options(synchronize_session=False)
    )
    action = "account.password_reset" if token.kind == TokenKind.RESET else "account.activated"
    set_password(user, password, user.id, action)
    audit.record(f"account.{token.kind}_used", "user", user.id, user.id)
    return user
