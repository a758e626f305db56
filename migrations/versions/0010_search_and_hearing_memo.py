"""Danish full-text search (stems for SQLite's FTS5, a weighted tsvector for PostgreSQL)
and the answers of the hearing memo

Revision ID: 0010_search_and_hearing_memo
Revises: 0009_accounts_and_site
Create Date: 2026-12-01 06:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_search_and_hearing_memo'
down_revision = '0009_accounts_and_site'
branch_labels = None
depends_on = None

# SQLite: an FTS5 index over the stemmed columns, kept by triggers on every write of them.
# Created after every change to `proposals` here: copying the table (as SQLite does to
# change a column) would drop the triggers.
SQLITE_INDEX = [
    """CREATE VIRTUAL TABLE proposals_fts USING fts5(
        search_title, search_summary, search_rest,
        content='proposals', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER proposals_fts_insert AFTER INSERT ON proposals BEGIN
        INSERT INTO proposals_fts(rowid, search_title, search_summary, search_rest)
        VALUES (new.id, new.search_title, new.search_summary, new.search_rest);
    END""",
    """CREATE TRIGGER proposals_fts_delete AFTER DELETE ON proposals BEGIN
        INSERT INTO proposals_fts(proposals_fts, rowid, search_title, search_summary, search_rest)
        VALUES ('delete', old.id, old.search_title, old.search_summary, old.search_rest);
    END""",
    """CREATE TRIGGER proposals_fts_update
    AFTER UPDATE OF search_title, search_summary, search_rest ON proposals BEGIN
        INSERT INTO proposals_fts(proposals_fts, rowid, search_title, search_summary, search_rest)
        VALUES ('delete', old.id, old.search_title, old.search_summary, old.search_rest);
        INSERT INTO proposals_fts(rowid, search_title, search_summary, search_rest)
        VALUES (new.id, new.search_title, new.search_summary, new.search_rest);
    END""",
]

# PostgreSQL: the text itself in Danish, the title weighing most, then the summary.
POSTGRESQL_INDEX = [
    """ALTER TABLE proposals ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('danish', coalesce(title, '')), 'A')
        || setweight(to_tsvector('danish', coalesce(summary, '')), 'B')
        || setweight(to_tsvector('danish', coalesce(body, '') || ' ' || coalesce(drawbacks, '')
                                 || ' ' || coalesce(organisations, '')), 'C')
    ) STORED""",
    "CREATE INDEX ix_proposals_search ON proposals USING gin (search_vector)",
]


def upgrade():
    with op.batch_alter_table('proposals') as batch_op:
        batch_op.drop_column('search_text')
        batch_op.add_column(sa.Column('search_title', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('search_summary', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('search_rest', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(
            sa.Column('hearing_answer_count', sa.Integer(), server_default='0', nullable=False)
        )

    op.create_table(
        'comment_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('verdict', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('text_html', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revision', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('comment_id'),
    )
    with op.batch_alter_table('comment_answers') as batch_op:
        batch_op.create_index('ix_comment_answers_proposal_id', ['proposal_id'], unique=False)
        batch_op.create_index('ix_comment_answers_author_id', ['author_id'], unique=False)

    # The stems of every proposal saved before, so the index starts complete.
    connection = op.get_bind()
    from app.search.text import indexed

    rows = connection.execute(sa.text(
        'SELECT id, title, summary, body, drawbacks, organisations FROM proposals'
    )).mappings().all()
    if rows:
        connection.execute(
            sa.text('UPDATE proposals SET search_title = :search_title, '
                    'search_summary = :search_summary, search_rest = :search_rest WHERE id = :id'),
            [{'id': row['id'], **indexed(dict(row))} for row in rows],
        )

    statements = SQLITE_INDEX if connection.dialect.name == 'sqlite' else POSTGRESQL_INDEX
    for statement in statements:
        op.execute(statement)
    if connection.dialect.name == 'sqlite':
        op.execute("INSERT INTO proposals_fts(proposals_fts) VALUES ('rebuild')")


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == 'sqlite':
        for trigger in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER IF EXISTS proposals_fts_{trigger}')
        op.execute('DROP TABLE IF EXISTS proposals_fts')
    else:
        op.execute('DROP INDEX IF EXISTS ix_proposals_search')
        op.execute('ALTER TABLE proposals DROP COLUMN IF EXISTS search_vector')

    with op.batch_alter_table('comment_answers') as batch_op:
        batch_op.drop_index('ix_comment_answers_author_id')
        batch_op.drop_index('ix_comment_answers_proposal_id')
    op.drop_table('comment_answers')

    with op.batch_alter_table('proposals') as batch_op:
        batch_op.drop_column('hearing_answer_count')
        batch_op.drop_column('search_rest')
        batch_op.drop_column('search_summary')
        batch_op.drop_column('search_title')
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    # The folded text the old search read.
    op.execute("UPDATE proposals SET search_text = lower(title || ' ' || summary || ' ' || body)")
