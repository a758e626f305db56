"""the audit log names people and comments by id, not by copies of their address or text;
indexes for a person's drafts and invitations of the last day

Revision ID: 0012_hardening
Revises: 0011_search_filters
Create Date: 2026-12-07 22:00:00

"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0012_hardening'
down_revision = '0011_search_filters'
branch_labels = None
depends_on = None

ROLE_ACTIONS = ('grant_member', 'revoke_member', 'grant_secretariat', 'revoke_secretariat')
MODERATION_ACTIONS = ('hide', 'restore')
COMMENT = re.compile(r'#(\d+):')


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('comment_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_audit_entries_comment_id'), ['comment_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_audit_entries_subject_user_id'), ['subject_user_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_audit_entries_subject_user_id_users'),
            'users', ['subject_user_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_audit_entries_comment_id_comments'),
            'comments', ['comment_id'], ['id'], ondelete='SET NULL',
        )
    # Plain indexes: a batch operation on proposals would copy the table, and its search
    # index's triggers with it.
    op.create_index('ix_invitations_invited_by', 'invitations', ['invited_by_id', 'created_at'])
    op.create_index('ix_proposals_created_by', 'proposals', ['created_by_id', 'created_at'])

    # The entries written before: the address of whose role changed becomes their id, the
    # start of a hidden comment's text becomes its id. Nothing of either is kept as text.
    bind = op.get_bind()
    audit = sa.table(
        'audit_entries', sa.column('id'), sa.column('action'), sa.column('subject'),
        sa.column('subject_user_id'), sa.column('comment_id'),
    )
    users = sa.table('users', sa.column('id'), sa.column('email'))
    comments = sa.table('comments', sa.column('id'))
    bind.execute(
        audit.update()
        .where(audit.c.action.in_(ROLE_ACTIONS))
        .values(
            subject_user_id=sa.select(users.c.id)
            .where(users.c.email == sa.func.lower(audit.c.subject))
            .scalar_subquery(),
            subject='',
        )
    )
    rows = bind.execute(
        sa.select(audit.c.id, audit.c.subject).where(audit.c.action.in_(MODERATION_ACTIONS))
    ).all()
    known = set(bind.scalars(sa.select(comments.c.id)))
    for entry_id, subject in rows:
        found = COMMENT.match(subject or '')
        comment_id = int(found[1]) if found and int(found[1]) in known else None
        bind.execute(
            audit.update().where(audit.c.id == entry_id).values(comment_id=comment_id, subject='')
        )


def downgrade():
    bind = op.get_bind()
    audit = sa.table(
        'audit_entries', sa.column('action'), sa.column('subject'),
        sa.column('subject_user_id'), sa.column('comment_id'),
    )
    users = sa.table('users', sa.column('id'), sa.column('email'))
    bind.execute(
        audit.update()
        .where(audit.c.subject_user_id.is_not(None))
        .values(
            subject=sa.select(users.c.email)
            .where(users.c.id == audit.c.subject_user_id)
            .scalar_subquery()
        )
    )
    bind.execute(
        audit.update()
        .where(audit.c.comment_id.is_not(None))
        .values(subject=sa.literal('#') + sa.cast(audit.c.comment_id, sa.String) + ':')
    )
    op.drop_index('ix_proposals_created_by', table_name='proposals')
    op.drop_index('ix_invitations_invited_by', table_name='invitations')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_audit_entries_comment_id_comments'), type_='foreignkey'
        )
        batch_op.drop_constraint(
            batch_op.f('fk_audit_entries_subject_user_id_users'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_audit_entries_subject_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_comment_id'))
        batch_op.drop_column('comment_id')
        batch_op.drop_column('subject_user_id')
