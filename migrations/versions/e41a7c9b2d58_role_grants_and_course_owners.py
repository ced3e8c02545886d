"""role grants tied to a unit subtree; course owners

`users.role` (one role, scoped to the officer's own unit) becomes rows of `role_grants`: each
staff role is granted over the officer's own unit, so nobody's access changes. Every trainer
becomes an owner of every existing course (he could edit them all until now). The column is
dropped: grants are the only source of roles.

Revision ID: e41a7c9b2d58
Revises: e4b1d7a93c25
Create Date: 2026-12-06 01:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e41a7c9b2d58"
down_revision = "e4b1d7a93c25"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('trainer', 'unit_manager', 'province_admin')",
            name=op.f("ck_role_grants_role"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_role_grants_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_units.id"], name=op.f("fk_role_grants_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["users.id"],
            name=op.f("fk_role_grants_granted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_role_grants_revoked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grants")),
    )
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_grants_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_grants_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "course_owners",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_owners_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_course_owners_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_course_owners_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("course_id", "user_id", name=op.f("pk_course_owners")),
    )
    with op.batch_alter_table("course_owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_owners_user_id"), ["user_id"], unique=False)

    # Data: each staff role, granted over the officer's own unit; trainers own every course.
    op.execute(
        "INSERT INTO role_grants (user_id, role, unit_id, granted_at) "
        "SELECT id, role, unit_id, CURRENT_TIMESTAMP FROM users "
        "WHERE role IN ('trainer', 'unit_manager', 'province_admin') ORDER BY id"
    )
    op.execute(
        "INSERT INTO course_owners (course_id, user_id, added_at) "
        "SELECT courses.id, users.id, CURRENT_TIMESTAMP FROM courses CROSS JOIN users "
        "WHERE users.role = 'trainer'"
    )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("role")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=20), nullable=False, server_default="learner")
        )
    # The highest role in force comes back as the one role (its scope: the officer's unit).
    for role in ("trainer", "unit_manager", "province_admin"):
        op.execute(
            f"UPDATE users SET role = '{role}' WHERE id IN (SELECT user_id FROM role_grants "
            f"WHERE role = '{role}' AND revoked_at IS NULL)"
        )
    with op.batch_alter_table("course_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_owners_user_id"))
    op.drop_table("course_owners")
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_grants_unit_id"))
        batch_op.drop_index(batch_op.f("ix_role_grants_user_id"))
    op.drop_table("role_grants")
