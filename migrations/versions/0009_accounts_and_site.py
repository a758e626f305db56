"""a person's account and data, and the organisation's own site: confirmed addresses,
single-use account links, rows that outlive a deleted account, and the site's settings

Revision ID: 0009_accounts_and_site
Revises: 0008_discussion_pages
Create Date: 2026-12-01 03:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_accounts_and_site'
down_revision = '0008_discussion_pages'
branch_labels = None
depends_on = None

# The columns that name a person and keep their row when the person deletes their
# account: the row stays (a comment, a support as a count), no longer linked to anyone.
# SQLite changes NOT NULL by copying the table (env.py turns foreign keys off for it).
ERASABLE = {
    'comments': ['author_id'],
    'comment_likes': ['user_id'],
    'flags': ['user_id'],
    'moderation_actions': ['actor_id'],
    'proposals': ['created_by_id'],
    'proposers': ['user_id'],
    'invitations': ['invited_by_id'],
    'outcomes': ['recorded_by_id'],
    'proposal_likes': ['user_id'],
    'supports': ['user_id'],
    'stances': ['user_id'],
    'audit_entries': ['actor_id'],
}


def upgrade():
    op.add_column('users', sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
    # Every account made before this could already log in: it counts as confirmed.
    op.execute('UPDATE users SET confirmed_at = created_at')

    op.create_table(
        'account_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('new_email', sa.String(length=254), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash')),
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tokens_user_id'), ['user_id'], unique=False)

    op.create_table(
        'site_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), server_default='', nullable=False),
        sa.Column('introduction', sa.Text(), server_default='', nullable=False),
        sa.Column('introduction_html', sa.Text(), server_default='', nullable=False),
        sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False),
        sa.Column('guidelines', sa.Text(), server_default='', nullable=False),
        sa.Column('guidelines_html', sa.Text(), server_default='', nullable=False),
        sa.Column('privacy', sa.Text(), server_default='', nullable=False),
        sa.Column('privacy_html', sa.Text(), server_default='', nullable=False),
        sa.Column('revision', sa.Integer(), server_default='0', nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_site_settings')),
    )

    op.add_column('transition_events', sa.Column('actor_erased', sa.Boolean(),
                                                 server_default=sa.false(), nullable=False))
    for table, columns in ERASABLE.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.Integer(), nullable=True)


def downgrade():
    for table, columns in ERASABLE.items():
        for column in columns:
            # A row whose person deleted their account has nobody to point to.
            op.execute(f'DELETE FROM {table} WHERE {column} IS NULL')
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('transition_events', schema=None) as batch_op:
        batch_op.drop_column('actor_erased')
    op.drop_table('site_settings')
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tokens_user_id'))
    op.drop_table('account_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
