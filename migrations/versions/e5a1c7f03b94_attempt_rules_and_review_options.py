"""attempt rules and review options per course

Attempts per day, the wait after two failed attempts, whether a failed attempt shows which
questions were wrong; right answers now wait for a pass by default (issue 15: every course
showed them after each failed attempt, so quizzes were passed by copying).

Revision ID: e5a1c7f03b94
Revises: a7c3e1f09b24
Create Date: 2026-12-06 00:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a1c7f03b94"
down_revision = "a7c3e1f09b24"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN with constant defaults: no table rebuild on SQLite (courses is referenced
    # by most tables; a batch rebuild would have to juggle every foreign key).
    op.add_column(
        "courses",
        sa.Column("review_wrong_on_fail", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column(
        "courses",
        sa.Column("attempts_per_day", sa.Integer(), server_default="3", nullable=False),
    )
    op.add_column(
        "courses",
        sa.Column("retry_wait_minutes", sa.Integer(), server_default="30", nullable=False),
    )
    op.execute("UPDATE courses SET review_answers = 'after_pass' WHERE review_answers = 'always'")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE courses ALTER COLUMN review_answers SET DEFAULT 'after_pass'")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE courses ALTER COLUMN review_answers SET DEFAULT 'always'")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("retry_wait_minutes")
        batch_op.drop_column("attempts_per_day")
        batch_op.drop_column("review_wrong_on_fail")
