"""question-bank imports resumable

A question-bank import writes in chunks of short transactions; its job row records how many
chunks a committed transaction wrote, so "Tiếp tục" resumes after them.

Revision ID: b7c4f1a9d3e6
Revises: e41a7c9b2d58
Create Date: 2026-12-06 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c4f1a9d3e6'
down_revision = 'e41a7c9b2d58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resume_chunk', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('question_import_jobs', schema=None) as batch_op:
        batch_op.drop_column('resume_chunk')
