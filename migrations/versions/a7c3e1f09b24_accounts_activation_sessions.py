"""accounts: sign-in by phone, activation and reset secrets, session versions

- users.phone becomes unique, stored in one canonical form (0xxxxxxxxx): officers sign in
  with it. Existing numbers are normalised here; a number two officers share stays with the
  officer created first, the others' copies are cleared and each clearing is written to
  audit_events (action "officer.phone_cleared", with the number) so nothing is lost silently.
- users.session_version: sessions and remember-me cookies carry it; logout and password
  changes raise it (server-side end of sessions).
- account_tokens: digests of invitation links, printed activation codes and reset links.

Revision ID: a7c3e1f09b24
Revises: e18a7c0d2b55
Create Date: 2026-12-06 00:50:00.000000

"""

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c3e1f09b24"
down_revision = "e18a7c0d2b55"
branch_labels = None
depends_on = None

_NOISE = re.compile(r"[\s.\-()]")


def _canonical_phone(value):
    """The same rule as app.core.text.normalise_phone at the time of this migration."""
    digits = _NOISE.sub("", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif re.fullmatch(r"[1-9]\d{8}", digits):
        digits = "0" + digits
    return digits if re.fullmatch(r"0[1-9]\d{8,9}", digits) else None


def _normalise_phones(connection) -> None:
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("phone", sa.String))
    events = sa.table(
        "audit_events",
        sa.column("at", sa.DateTime),
        sa.column("actor_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("target_type", sa.String),
        sa.column("target_id", sa.Integer),
        sa.column("details", sa.JSON),
    )
    rows = connection.execute(
        sa.select(users.c.id, users.c.phone).where(users.c.phone.is_not(None)).order_by(users.c.id)
    ).all()
    seen: set[str] = set()
    now = datetime.now(UTC).replace(tzinfo=None)
    for user_id, phone in rows:
        canonical = _canonical_phone(phone)
        if canonical is not None and canonical in seen:
            canonical = None
        if canonical is None:
            connection.execute(
                sa.insert(events).values(
                    at=now,
                    actor_id=None,
                    action="officer.phone_cleared",
                    target_type="user",
                    target_id=user_id,
                    details={"phone": phone},
                )
            )
        else:
            seen.add(canonical)
        if canonical != phone:
            connection.execute(
                sa.update(users).where(users.c.id == user_id).values(phone=canonical)
            )


def upgrade():
    _normalise_phones(op.get_bind())
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.create_unique_constraint(batch_op.f("uq_users_phone"), ["phone"])

    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("spent_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_account_tokens_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_account_tokens_digest")),
    )
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_tokens_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_account_tokens_user_id_kind", ["user_id", "kind"], unique=False)


def downgrade():
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_account_tokens_user_id_kind")
        batch_op.drop_index(batch_op.f("ix_account_tokens_user_id"))
    op.drop_table("account_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_phone"), type_="unique")
        batch_op.drop_column("session_version")
