"""What each package stores about a person, as data: the sections of the person's data
download and what deleting their account does to each row that names them.

Each package registers its own share where it keeps its tables (a `privacy` module:
`section(...)` and `rules(...)`); app.privacy writes the download and erases an account
from what is registered here. The tests build the list of columns that reference a person
from the models and fail for one that no section covers or no rule names. The share of
core's own tables (the audit log, the outbox, saved texts) is registered below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Select, case, literal, or_, select

from app.core.audit import AuditEntry
from app.core.editing import Save
from app.core.outbox import Event, OutgoingMail

# What erasure does to a row that names the person, by (table, column):
DELETE = "delete"  # the row was the person's own: it goes
NULL = "null"  # the row stays (a count, a public record, someone else's thread), linked to no one
# As NULL, and the row is marked, so that it reads "Deleted user" rather than "the system".
NULL_MARKED = "null, marked erased"
# As NULL, after what was private to the person alone is deleted by the package's own
# function (`before_null`): a draft they are the only proposer of.
PRIVATE_DRAFTS_DELETED = "delete-if-private, else null"
VERBS = (DELETE, NULL, NULL_MARKED, PRIVATE_DRAFTS_DELETED)

RULES: dict[tuple[str, str], str] = {}
# The column that NULL_MARKED sets, per table.
MARKS: dict[str, str] = {}
# What a PRIVATE_DRAFTS_DELETED rule deletes first: a function of the person's id.
BEFORE_NULL: dict[tuple[str, str], Callable[[int], None]] = {}


@dataclass(frozen=True)
class Section:
    """A list of the download: at `path` (one key, or a key and a key inside it), the rows
    of `query(user_id)`, each an object of its labelled columns (or what `item` makes)."""

    path: tuple[str, ...]
    query: Callable[[int], Select]
    # The rows this section answers for: (table, column referencing users.id) -> (a column
    # of that table, the key of an item holding its value).
    covers: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    item: Callable[[object], dict] = lambda row: dict(row._mapping)


SECTIONS: dict[tuple[str, ...], Section] = {}


def section(path: tuple[str, ...], query, covers=None, item=None) -> None:
    """Register a section of the download (app.privacy.export puts them in its order)."""
    extra = {"item": item} if item is not None else {}
    SECTIONS[path] = Section(path, query, covers or {}, **extra)


def rules(mapping: dict[tuple[str, str], str], *, marks=None, before_null=None) -> None:
    """Register what erasure does to each (table, column) of a package's tables."""
    assert set(mapping.values()) <= set(VERBS), mapping
    RULES.update(mapping)
    MARKS.update(marks or {})
    BEFORE_NULL.update(before_null or {})


def own(model, column_name: str, *columns):
    """A section's query: rows of `model` whose `column_name` is the person."""

    def query(user_id: int) -> Select:
        return (
            select(model.id, *columns)
            .where(getattr(model, column_name) == user_id)
            .order_by(model.id)
        )

    return query


def by_id(table: str, column: str) -> dict[tuple[str, str], tuple[str, str]]:
    return {(table, column): ("id", "id")}


# --- core's own tables: saved texts, the audit log, the outbox ------------------------------


def _saves(user_id: int) -> Select:
    return own(
        Save, "author_id", Save.subject, Save.subject_id, Save.revision, Save.saved_at, Save.values
    )(user_id)


def _audit(user_id: int) -> Select:
    return own(
        AuditEntry,
        "actor_id",
        AuditEntry.action,
        AuditEntry.subject,
        AuditEntry.proposal_id,
        AuditEntry.subject_user_id,
        AuditEntry.comment_id,
        AuditEntry.reason,
        AuditEntry.at,
    )(user_id)


def _roles_changed(user_id: int) -> Select:
    """What the secretariat did to the person's roles, and when (not who did it)."""
    return own(AuditEntry, "subject_user_id", AuditEntry.action, AuditEntry.at)(user_id)


def _events(user_id: int) -> Select:
    return (
        select(
            Event.id,
            Event.kind,
            case((Event.actor_id == user_id, literal("actor")), else_=literal("subject")).label(
                "you_were"
            ),
            Event.proposal_id,
            Event.comment_id,
            Event.data,
            Event.created_at,
        )
        .where(or_(Event.actor_id == user_id, Event.subject_id == user_id))
        .order_by(Event.id)
    )


def _mail(user_id: int) -> Select:
    return own(
        OutgoingMail,
        "user_id",
        OutgoingMail.kind,
        OutgoingMail.to_address,
        OutgoingMail.subject,
        OutgoingMail.created_at,
        OutgoingMail.sent_at,
        OutgoingMail.failed_at,
    )(user_id)


section(("saves",), _saves, by_id("saves", "author_id"))
section(("audit_entries",), _audit, by_id("audit_entries", "actor_id"))
section(("roles_changed",), _roles_changed, by_id("audit_entries", "subject_user_id"))
section(("events",), _events, {**by_id("events", "actor_id"), **by_id("events", "subject_id")})
section(("mail",), _mail, by_id("outgoing_mail", "user_id"))
rules(
    {
        ("outgoing_mail", "user_id"): DELETE,
        ("events", "subject_id"): DELETE,  # what happened to the person (invited, hidden)
        ("events", "actor_id"): NULL,
        ("saves", "author_id"): NULL,
        # What the person did as secretariat, and what the secretariat did to their roles.
        ("audit_entries", "actor_id"): NULL,
        ("audit_entries", "subject_user_id"): NULL,
    }
)
