"""revisions of shared text: every save kept, and the revision a form was based on

Revision ID: 0007_saves
Revises: 0006_notifications
Create Date: 2026-11-30 19:10:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0007_saves'
down_revision = '0006_notifications'
branch_labels = None
depends_on = None

PROPOSAL_FIELDS = ('title', 'summary', 'body', 'drawbacks', 'process', 'materials',
                   'organisations', 'topic_id')


def upgrade():
    saves = op.create_table(
        'saves',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_saves_author_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saves')),
        sa.UniqueConstraint('subject', 'subject_id', 'revision',
                            name=op.f('uq_saves_subject_subject_id_revision')),
    )
    # Plain ALTER TABLE on both databases (SQLite adds and drops such a column in place;
    # a batch would copy the tables, which their foreign keys forbid once they hold rows).
    for table in ('proposals', 'topics'):
        op.add_column(table, sa.Column('revision', sa.Integer(), server_default='0',
                                       nullable=False))

    # What exists now is revision 0 of its text: the base that a form opened before this
    # upgrade is merged against.
    proposals = sa.table(
        'proposals', sa.column('id', sa.Integer), sa.column('updated_at', sa.DateTime(timezone=True)),
        sa.column('topic_id', sa.Integer),
        *(sa.column(name, sa.Text) for name in PROPOSAL_FIELDS if name != 'topic_id'),
    )
    topics = sa.table('topics', sa.column('id', sa.Integer), sa.column('name', sa.String))
    conn = op.get_bind()
    moment = datetime.now(UTC)
    rows = [
        {'subject': 'proposal', 'subject_id': row.id, 'revision': 0, 'author_id': None,
         'saved_at': row.updated_at or moment,
         'values': {name: getattr(row, name) for name in PROPOSAL_FIELDS}}
        for row in conn.execute(sa.select(proposals))
    ] + [
        {'subject': 'topic', 'subject_id': row.id, 'revision': 0, 'author_id': None,
         'saved_at': moment, 'values': {'name': row.name}}
        for row in conn.execute(sa.select(topics))
    ]
    if rows:
        op.bulk_insert(saves, rows)


def downgrade():
    for table in ('topics', 'proposals'):
        op.drop_column(table, 'revision')
    op.drop_table('saves')
