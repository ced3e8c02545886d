"""jobs claimed by a worker; roster imports resumable

Each job row names the worker ("host:pid") that claimed it with one conditional UPDATE, so a
job runs once even when two workers start it together, and is given up on only when that worker
is known dead. A roster import records the last line a committed chunk wrote, so "Tiếp tục"
resumes after it.

Revision ID: e18a7c0d2b55
Revises: 9d2e4b7c1a60
Create Date: 2026-12-06 01:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e18a7c0d2b55'
down_revision = '9d2e4b7c1a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('roster_import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('resume_line', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('question_import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sa.String(length=120), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('question_import_jobs', schema=None) as batch_op:
        batch_op.drop_column('worker')
    with op.batch_alter_table('roster_import_jobs', schema=None) as batch_op:
        batch_op.drop_column('resume_line')
        batch_op.drop_column('worker')
