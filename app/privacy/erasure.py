"""Deleting an account, as PRODUCT.md says: at once, in one transaction, leaving the public
record whole and nothing of the person.

What happens to each row that names the person is what the packages registered in
app.core.personal_data's RULES, one entry for every (table, column) that references
users.id; tests/privacy/test_erasure.py builds that list from the models and fails when a
table gains a column without a rule. The words stay: comments, reasons, outcomes and
versions are kept, their author shown as "Deleted user". The counts stay: supports, stances,
likes and flags keep their rows, linked to no one, so every stored counter still equals its
rows. What was the person's alone goes: tokens, follows, notifications, mail, invitations to
them, and drafts nobody else is a proposer of.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.core.extensions import db
from app.core.outbox import OutgoingMail
from app.core.personal_data import (
    BEFORE_NULL,
    DELETE,
    MARKS,
    NULL,
    NULL_MARKED,
    PRIVATE_DRAFTS_DELETED,
    RULES,
)
from app.core.sql import lock_rows


class RefusedErasure(ValueError):
    """An account that cannot be deleted now."""


class LastSecretariat(RefusedErasure):
    pass


def password_matches(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash, password or "")


def is_last_secretariat(user: User) -> bool:
    if not user.is_secretariat:
        return False
    others = select(User.id).where(User.is_secretariat.is_(True), User.id != user.id)
    return not db.session.scalar(select(exists(others)))


def columns_referencing_users(metadata) -> list[tuple[str, str]]:
    """Every (table, column) with a foreign key to users.id, read from the models."""
    return [
        (table.name, column.name)
        for table in metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "users" for fk in column.foreign_keys)
    ]


def erase(user: User, *, now: datetime) -> None:
    """Delete the account of `user` as the packages' RULES say (app.core.personal_data), in
    the caller's transaction (the caller commits, or rolls back on RefusedErasure). Raises
    LastSecretariat for the last secretariat account: someone must be left to run the site."""
    user_id, email = user.id, user.email
    if user.is_secretariat:
        # Two staff deleting themselves at the same moment must not leave nobody.
        staff = lock_rows(User, User.is_secretariat.is_(True))
        if not [uid for uid in staff if uid != user_id]:
            raise LastSecretariat(user_id)
    tables = {table.name: table for table in db.metadata.sorted_tables}
    for (table_name, column_name), rule in RULES.items():
        table = tables[table_name]
        column = table.c[column_name]
        if rule == DELETE:
            statement = delete(table).where(column == user_id)
        elif rule in (NULL, PRIVATE_DRAFTS_DELETED):
            if rule == PRIVATE_DRAFTS_DELETED:
                BEFORE_NULL[table_name, column_name](user_id)
            statement = update(table).where(column == user_id).values({column_name: None})
        elif rule == NULL_MARKED:
            marked = {column_name: None, MARKS[table_name]: True}
            statement = update(table).where(column == user_id).values(marked)
        else:  # pragma: no cover - RULES names only the verbs above
            raise ValueError(f"no such erasure rule: {rule!r}")
        db.session.execute(statement, execution_options={"synchronize_session": False})
    # The address, where it is written as text rather than as a reference.
    db.session.execute(
        delete(OutgoingMail).where(OutgoingMail.to_address == email),
        execution_options={"synchronize_session": False},
    )
    # That an account was deleted, by its number: the person did it, and is no more.
    db.session.add(
        AuditEntry(actor_id=None, action="delete_account", subject=f"#{user_id}", at=now)
    )
    db.session.flush()
    # The row itself, and only if a secretariat account is still left (the lock above makes
    # this certain on PostgreSQL; on SQLite the first write took the database's lock).
    staff = aliased(User)
    still_staff = select(staff.id).where(staff.is_secretariat.is_(True), staff.id != user_id)
    gone = db.session.execute(
        delete(User).where(
            User.id == user_id, ~and_(User.is_secretariat.is_(True), ~exists(still_staff))
        ),
        execution_options={"synchronize_session": False},
    )
    if gone.rowcount != 1:
        raise LastSecretariat(user_id)
    db.session.expunge(user)
