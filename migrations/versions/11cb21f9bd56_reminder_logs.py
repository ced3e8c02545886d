"""reminder logs: one row per reminder e-mail sent (idempotency of `flask reminders send`)

Revision ID: 11cb21f9bd56
Revises: ecf2c7be2ca6
Create Date: 2026-11-25 13:11:37.078400

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '11cb21f9bd56'
down_revision = 'ecf2c7be2ca6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('record_ids', sa.JSON(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_logs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_logs')),
    sa.UniqueConstraint('user_id', 'kind', 'sent_on', name=op.f('uq_reminder_logs_user_id_kind_sent_on'))
    )
    with op.batch_alter_table('reminder_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_logs_sent_on'), ['sent_on'], unique=False)


def downgrade():
    with op.batch_alter_table('reminder_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_logs_sent_on'))

    op.drop_table('reminder_logs')
