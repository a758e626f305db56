"""discussion pages: the discussion's shape counted on the proposal, and indexes for a
page of threads, newest or most liked first

Revision ID: 0008_discussion_pages
Revises: 0007_saves
Create Date: 2026-12-01 00:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_discussion_pages'
down_revision = '0007_saves'
branch_labels = None
depends_on = None

COUNTERS = {
    'thread_count': 'parent_id IS NULL',
    'hearing_thread_count': "parent_id IS NULL AND written_in = 'hearing'",
    'hearing_comment_count': (
        "written_in = 'hearing' AND deleted_at IS NULL AND hidden_at IS NULL"
    ),
}


def upgrade():
    # Plain ALTER TABLE, as in 0007: a batch would copy a table others point to.
    for name in COUNTERS:
        op.add_column('proposals', sa.Column(name, sa.Integer(), server_default='0',
                                             nullable=False))
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(
            'ix_comments_threads', ['proposal_id', 'parent_id', 'created_at', 'id'], unique=False
        )
        batch_op.create_index(
            'ix_comments_threads_liked', ['proposal_id', 'parent_id', 'like_count'], unique=False
        )
    # The counters start equal to the rows they count: one pass over the comments, then an
    # UPDATE per proposal that has any (a correlated count per proposal can make SQLite's
    # planner walk every top-level comment for each proposal).
    conn = op.get_bind()
    counted = conn.execute(sa.text(
        'SELECT proposal_id, ' + ', '.join(
            f'sum(CASE WHEN {where} THEN 1 ELSE 0 END) AS {name}'
            for name, where in COUNTERS.items()
        ) + ' FROM comments GROUP BY proposal_id'
    )).mappings().all()
    if counted:
        conn.execute(
            sa.text('UPDATE proposals SET ' + ', '.join(f'{name} = :{name}' for name in COUNTERS)
                    + ' WHERE id = :proposal_id'),
            [dict(row) for row in counted],
        )


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_threads_liked')
        batch_op.drop_index('ix_comments_threads')
    for name in COUNTERS:
        op.drop_column('proposals', name)
