"""Deleting an account, as PRODUCT.md says: at once, in one transaction, leaving the public
record whole and nothing of the person.

What happens to each row that names the person is written down in RULES, one entry for every
(table, column) that references users.id; tests/accounts/test_erasure.py builds that list from
the models and fails when a table gains a column without a rule. The words stay: comments,
reasons, outcomes and versions are kept, their author shown as "Deleted user". The counts stay:
supports, stances, likes and flags keep their rows, linked to no one, so every stored counter
still equals its rows. What was the person's alone goes: tokens, follows, notifications, mail,
invitations to them, and drafts nobody else is a proposer of.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash

from app.accounts.models import User
from app.core.extensions import db
from app.core.sql import lock_rows

DELETE = "delete"  # the row was the person's own: it goes
NULL = "null"  # the row stays (a count, a public record, someone else's thread), linked to no one
# As NULL, and the row is marked, so that it reads "Deleted user" rather than "the system".
NULL_MARKED = "null, marked erased"
# A proposer list: a draft the person is the only proposer of is deleted (private, and
# nobody else's); on every other list the place stays, named "Deleted user".
PRIVATE_DRAFTS_DELETED = "delete-if-private, else null"

RULES: dict[tuple[str, str], str] = {
    # The account's own links and mail.
    ("password_reset_tokens", "user_id"): DELETE,
    ("account_tokens", "user_id"): DELETE,
    ("outgoing_mail", "user_id"): DELETE,
    # Staying informed: the person's choices and what they were told.
    ("proposal_follows", "user_id"): DELETE,
    ("topic_follows", "user_id"): DELETE,
    ("notifications", "user_id"): DELETE,
    ("events", "subject_id"): DELETE,  # what happened to the person (invited, comment hidden)
    ("events", "actor_id"): NULL,
    # Proposals.
    ("proposers", "user_id"): PRIVATE_DRAFTS_DELETED,
    ("proposals", "created_by_id"): NULL,
    ("invitations", "user_id"): DELETE,
    ("invitations", "invited_by_id"): NULL,
    ("transition_events", "actor_id"): NULL_MARKED,
    ("versions", "author_id"): NULL,
    ("saves", "author_id"): NULL,
    ("outcomes", "recorded_by_id"): NULL,
    # Taking part: the counts stay, linked to no one.
    ("proposal_likes", "user_id"): NULL,
    ("supports", "user_id"): NULL,
    ("stances", "user_id"): NULL,
    ("comments", "author_id"): NULL,
    ("comment_likes", "user_id"): NULL,
    ("flags", "user_id"): NULL,
    # The proposers' answers in a hearing memo stay, as the public record they are.
    ("comment_answers", "author_id"): NULL,
    # What the person did as secretariat.
    ("moderation_actions", "actor_id"): NULL,
    ("audit_entries", "actor_id"): NULL,
    # What the secretariat did to the person (a role granted): the entry stays, to no one.
    ("audit_entries", "subject_user_id"): NULL,
}

# The column that NULL_MARKED sets, per table.
MARKS = {"transition_events": "actor_erased"}


class RefusedErasure(ValueError):
    """An account that cannot be deleted now."""


class LastSecretariat(RefusedErasure):
    pass


def deleted_user() -> str:
    return _("Deleted user")


def person_name(user: User | None) -> str:
    """The name to show for a person: "Deleted user" once the account is gone."""
    return user.name if user is not None else deleted_user()


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


def private_drafts(user_id: int):
    """The drafts the person is a proposer of and no one else is (a place left by an earlier
    deleted account is no one)."""
    from app.proposals import lifecycle as lc
    from app.proposals.models import Proposal, Proposer

    others = select(Proposer.id).where(
        Proposer.proposal_id == Proposal.id, Proposer.user_id != user_id
    )
    mine = select(Proposer.proposal_id).where(Proposer.user_id == user_id)
    return select(Proposal.id).where(
        Proposal.state == lc.DRAFT, Proposal.id.in_(mine), ~exists(others)
    )


def _delete_private_drafts(user_id: int) -> None:
    from app.core.editing import Save
    from app.proposals.models import Proposal
    from app.proposals.services import TEXT

    ids = db.session.scalars(private_drafts(user_id)).all()
    if not ids:
        return
    # Saves name their text by kind and id, not by a foreign key: removed by hand. The rest
    # of a draft (proposers, invitations, events, notifications) goes with it (ON DELETE).
    db.session.execute(
        delete(Save).where(Save.subject == TEXT.kind, Save.subject_id.in_(ids)),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(Proposal).where(Proposal.id.in_(ids)),
        execution_options={"synchronize_session": False},
    )


def erase(user: User, *, now: datetime) -> None:
    """Delete the account of `user` as RULES say, in the caller's transaction (the caller
    commits, or rolls back on RefusedErasure). Raises LastSecretariat for the last
    secretariat account: someone must be left to run the site."""
    from app.core.audit import AuditEntry
    from app.core.outbox import OutgoingMail

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
                _delete_private_drafts(user_id)
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
