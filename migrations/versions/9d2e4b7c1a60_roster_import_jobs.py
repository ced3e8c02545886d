"""roster import jobs

A confirmed roster import runs as a job (app.org.jobs) whose page shows progress.

Revision ID: 9d2e4b7c1a60
Revises: 4f1c2a9e7b30
Create Date: 2026-11-26 01:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9d2e4b7c1a60"
down_revision = "4f1c2a9e7b30"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "roster_import_jobs",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_units.id"],
            name=op.f("fk_roster_import_jobs_unit_id_org_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_roster_import_jobs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_import_jobs")),
        sa.UniqueConstraint("token", name=op.f("uq_roster_import_jobs_token")),
    )
    with op.batch_alter_table("roster_import_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roster_import_jobs_unit_id"), ["unit_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("roster_import_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_import_jobs_unit_id"))
    op.drop_table("roster_import_jobs")
