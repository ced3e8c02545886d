"""courses.bank_digest: the question bank as `flask courses load` left it

Revision ID: c3a7e5d19b42
Revises: 5ebbf82e24f6
Create Date: 2026-11-25 19:05:00

Courses loaded before this revision have no fingerprint: their next load behaves as before
(and records one).
"""
from alembic import op
import sqlalchemy as sa


revision = 'c3a7e5d19b42'
down_revision = '5ebbf82e24f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_digest', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('bank_digest')
