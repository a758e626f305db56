"""amendments: members' new wording for a proposal in hearing, their backers, the
proposers' decisions, and stances on the minority amendments in the catalogue; the search
finds a proposal by its amendments' words too

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


def _search_sync(words: str) -> list[str]:
    """PostgreSQL: the trigger of migration 0011 that keeps proposal_search, reading the
    proposal's words and `words` (its amendments', or nothing)."""
    also = f" || ' ' || coalesce(NEW.{words}, '')" if words else ""
    column = f", {words}" if words else ""
    changed = f"\n           AND NEW.{words} IS NOT DISTINCT FROM OLD.{words}" if words else ""
    return [
        "DROP TRIGGER IF EXISTS proposal_search_sync ON proposals",
        f"""CREATE OR REPLACE FUNCTION proposal_search_sync() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND NEW.title IS NOT DISTINCT FROM OLD.title
           AND NEW.summary IS NOT DISTINCT FROM OLD.summary
           AND NEW.body IS NOT DISTINCT FROM OLD.body
           AND NEW.drawbacks IS NOT DISTINCT FROM OLD.drawbacks
           AND NEW.organisations IS NOT DISTINCT FROM OLD.organisations{changed} THEN
            UPDATE proposal_search SET state = NEW.state, topic_id = NEW.topic_id
            WHERE id = NEW.id;
            RETURN NULL;
        END IF;
        INSERT INTO proposal_search (id, state, topic_id, search_vector)
        VALUES (NEW.id, NEW.state, NEW.topic_id,
            setweight(to_tsvector('danish', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('danish', coalesce(NEW.summary, '')), 'B')
            || setweight(to_tsvector('danish', coalesce(NEW.body, '') || ' '
                         || coalesce(NEW.drawbacks, '') || ' ' || coalesce(NEW.organisations, '')
                         {also}),
                         'C'))
        ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, topic_id = EXCLUDED.topic_id,
            search_vector = EXCLUDED.search_vector;
        RETURN NULL;
    END $$""",
        f"""CREATE TRIGGER proposal_search_sync
    AFTER INSERT OR UPDATE OF title, summary, body, drawbacks, organisations{column}, state,
        topic_id
    ON proposals FOR EACH ROW EXECUTE FUNCTION proposal_search_sync()""",
    ]


def upgrade():
    with op.batch_alter_table("proposals") as batch_op:
        batch_op.add_column(
            sa.Column("amendment_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("amendment_words", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("amendment_stems", sa.Text(), server_default="", nullable=False)
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in _search_sync("amendment_words"):
            op.execute(statement)
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

    op.create_table(
        "amendment_stance_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("amendment_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("stance_for", sa.Integer(), nullable=False),
        sa.Column("stance_against", sa.Integer(), nullable=False),
        sa.Column("stance_abstain", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["amendment_id"], ["amendments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("amendment_id", "day"),
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in _search_sync(""):
            op.execute(statement)
    op.drop_table("amendment_stance_days")
    op.drop_table("amendment_stances")
    op.drop_table("amendment_backings")
    op.drop_table("amendments")
    with op.batch_alter_table("versions") as batch_op:
        batch_op.drop_column("amendment")
    with op.batch_alter_table("proposals") as batch_op:
        batch_op.drop_column("amendment_stems")
        batch_op.drop_column("amendment_words")
        batch_op.drop_column("amendment_count")
