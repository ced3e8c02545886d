"""legal register: documents, article-level references, amendments

The documents the courses rest on become records trainers edit (issue 16); lessons and
questions cite them article by article (`legal_references`, rebuilt on load and publish);
amendments flag the citing courses until their next major version.

Revision ID: e4b1d7a93c25
Revises: e5b1a7c3d902
Create Date: 2026-12-06 00:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4b1d7a93c25"
down_revision = "e5b1a7c3d902"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "legal_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("number", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("issued", sa.Date(), nullable=True),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("replaced_by", sa.String(length=80), nullable=True),
        sa.Column("replaced_from", sa.Date(), nullable=True),
        sa.Column("last_checked", sa.Date(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("article_statuses", sa.JSON(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_documents")),
        sa.UniqueConstraint("code", name=op.f("uq_legal_documents_code")),
    )
    op.create_table(
        "legal_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("document_code", sa.String(length=80), nullable=False),
        sa.Column("place", sa.String(length=255), nullable=False),
        sa.Column("article", sa.String(length=255), nullable=False),
        sa.Column("historical", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_legal_references_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lessons.id"],
            name=op.f("fk_legal_references_lesson_id_lessons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_legal_references_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_references")),
    )
    with op.batch_alter_table("legal_references", schema=None) as batch_op:
        for column in ("course_id", "lesson_id", "question_id", "document_code"):
            batch_op.create_index(
                batch_op.f(f"ix_legal_references_{column}"), [column], unique=False
            )
    op.create_table(
        "legal_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("article", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("replaced_by", sa.String(length=80), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("courses", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["legal_documents.id"],
            name=op.f("fk_legal_amendments_document_id_legal_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_legal_amendments_recorded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_amendments")),
    )
    with op.batch_alter_table("legal_amendments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legal_amendments_document_id"), ["document_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("legal_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_amendments_document_id"))
    op.drop_table("legal_amendments")
    with op.batch_alter_table("legal_references", schema=None) as batch_op:
        for column in ("course_id", "lesson_id", "question_id", "document_code"):
            batch_op.drop_index(batch_op.f(f"ix_legal_references_{column}"))
    op.drop_table("legal_references")
    op.drop_table("legal_documents")
