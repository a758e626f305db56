"""discussion pages: indexes for a page of threads, newest or most liked first

Revision ID: 0008_discussion_pages
Revises: 0007_saves
Create Date: 2026-12-01 00:30:00

"""
from alembic import op


revision = '0008_discussion_pages'
down_revision = '0007_saves'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(
            'ix_comments_threads', ['proposal_id', 'parent_id', 'created_at', 'id'], unique=False
        )
        batch_op.create_index(
            'ix_comments_threads_liked', ['proposal_id', 'parent_id', 'like_count'], unique=False
        )


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_threads_liked')
        batch_op.drop_index('ix_comments_threads')
