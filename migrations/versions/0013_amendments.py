"""amendments: members' new wording for a proposal in hearing, their backers, the
proposers' decisions, and stances on the minority amendments in the catalogue

Revision ID: 0013_amendments
Revises: 0012_hardening
Create Date: 2026-12-08 02:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0013_amendments"
down_revision = "0012_hardening"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("proposals") as batch_op:
        batch_op.add_column(
            sa.Column("amendment_count", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("versions") as batch_op:
        batch_op.add_column(sa.Column("amendment", sa.Integer(), nullable=True))

    op.create_table(
        "amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("drawbacks", sa.Text(), nullable=False),
        sa.Column("changed", sa.String(length=40), nullable=False),
        sa.Column("hunks", sa.JSON(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("justification_html", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("adopted_in", sa.Integer(), nullable=True),
        sa.Column("minority", sa.Boolean(), nullable=False),
        sa.Column("backer_count", sa.Integer(), nullable=False),
        sa.Column("stance_for", sa.Integer(), nullable=False),
        sa.Column("stance_against", sa.Integer(), nullable=False),
        sa.Column("stance_abstain", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "number"),
    )
    with op.batch_alter_table("amendments") as batch_op:
        batch_op.create_index("ix_amendments_author_id", ["author_id"], unique=False)
        batch_op.create_index(
            "ix_amendments_author", ["author_id", "proposal_id", "state"], unique=False
        )

    for table, column in (("amendment_backings", None), ("amendment_stances", "value")):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("amendment_id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=True),
            *([sa.Column(column, sa.String(length=10), nullable=False)] if column else []),
            sa.Column(
                "updated_at" if column else "created_at",
                sa.DateTime(timezone=True),
                nullable=False,
            ),
            sa.ForeignKeyConstraint(["amendment_id"], ["amendments.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("amendment_id", "user_id"),
        )
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_index(f"ix_{table}_user_id", ["user_id"], unique=False)


def downgrade():
    op.drop_table("amendment_stances")
    op.drop_table("amendment_backings")
    op.drop_table("amendments")
    with op.batch_alter_table("versions") as batch_op:
        batch_op.drop_column("amendment")
    with op.batch_alter_table("proposals") as batch_op:
        batch_op.drop_column("amendment_count")
