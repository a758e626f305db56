"""Everything stored about a person, as one JSON document written a piece at a time.

The document's sections are data (SECTIONS): where each goes in the file, the query that
reads its rows, and which (table, column) that references users.id it answers for, so that
tests/accounts/test_data.py can check from the models that nothing stored about a person is
left out. Rows are read in batches (`yield_per`) and each is written as soon as it is read:
10,000 comments cost the memory of one batch. The structure is described in the README
("Your data").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, case, literal, or_, select

from app.accounts.models import User
from app.core.editing import Save
from app.core.extensions import db
from app.core.i18n import iso
from app.core.urls import public_url

FORMAT = "forslag-account-data/1"
BATCH = 500  # rows read at a time
CHUNK = 64 * 1024  # characters handed to the server at a time


@dataclass(frozen=True)
class Section:
    """A list of the document: at `path` (one key, or a key and a key inside it), the rows
    of `query(user_id)`, each an object of its labelled columns (or what `item` makes)."""

    path: tuple[str, ...]
    query: Callable[[int], Select]
    # The rows this section answers for: (table, column referencing users.id) -> (a column
    # of that table, the key of an item holding its value).
    covers: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    item: Callable[[object], dict] = lambda row: dict(row._mapping)


def _proposals(user_id: int) -> Select:
    from app.proposals.models import Proposal, Proposer, Topic

    return (
        select(
            Proposal.id,
            Proposal.state,
            Topic.name.label("topic"),
            Proposer.position.label("proposer_position"),
            (Proposal.created_by_id == user_id).label("created_by_you"),
            Proposal.created_at,
            Proposal.title,
            Proposal.summary,
            Proposal.body,
            Proposal.drawbacks,
            Proposal.process,
            Proposal.materials,
            Proposal.organisations,
        )
        .join(Topic, Topic.id == Proposal.topic_id)
        .outerjoin(Proposer, and_(Proposer.proposal_id == Proposal.id, Proposer.user_id == user_id))
        .where(or_(Proposer.user_id == user_id, Proposal.created_by_id == user_id))
        .order_by(Proposal.id)
    )


def _proposal(row) -> dict:
    return {**row._mapping, "url": public_url("proposals.detail", proposal_id=row.id)}


def _proposal_title(user_id: int):
    """The title of the row's proposal as the person may read it now: none for a proposal
    they can no longer see (an invitation declined, a secretariat role taken away)."""
    from app.proposals.models import Proposal, seen_by

    staff = select(User.is_secretariat).where(User.id == user_id).scalar_subquery()
    return case((seen_by(user_id, staff), Proposal.title), else_=literal(None)).label(
        "proposal_title"
    )


def _titled(row) -> dict:
    """A row naming a proposal, its title in words when the person may no longer see it."""
    from flask_babel import gettext as _

    item = dict(row._mapping)
    if item.get("proposal_title") is None:
        item["proposal_title"] = _("a proposal you no longer have access to")
    return item


def _comments(user_id: int) -> Select:
    from app.comments.models import Comment
    from app.proposals.models import Proposal

    return (
        select(
            Comment.id,
            Comment.proposal_id,
            _proposal_title(user_id),
            Comment.parent_id,
            Comment.written_in,
            Comment.created_at,
            Comment.body,
            Comment.deleted_at,
            Comment.hidden_at,
            Comment.hidden_reason,
            Comment.like_count,
        )
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Comment.author_id == user_id)
        .order_by(Comment.id)
    )


def _on_proposal(model, *columns):
    """Rows of `model` that are the person's and name a proposal, with its title."""

    def query(user_id: int) -> Select:
        from app.proposals.models import Proposal

        return (
            select(model.id, model.proposal_id, _proposal_title(user_id), *columns)
            .join(Proposal, Proposal.id == model.proposal_id)
            .where(model.user_id == user_id)
            .order_by(model.id)
        )

    return query


def _own(model, column_name: str, *columns):
    """Rows of `model` whose `column_name` is the person."""

    def query(user_id: int) -> Select:
        return (
            select(model.id, *columns)
            .where(getattr(model, column_name) == user_id)
            .order_by(model.id)
        )

    return query


def _proposal_likes(user_id: int) -> Select:
    from app.proposals.models import ProposalLike

    return _on_proposal(ProposalLike, ProposalLike.created_at)(user_id)


def _hearing_answers(user_id: int) -> Select:
    """The answers to hearing responses the person gave (or last changed) as a proposer."""
    from app.comments.models import CommentAnswer

    return _own(
        CommentAnswer,
        "author_id",
        CommentAnswer.proposal_id,
        CommentAnswer.comment_id,
        CommentAnswer.verdict,
        CommentAnswer.text,
        CommentAnswer.answered_at,
    )(user_id)


def _comment_likes(user_id: int) -> Select:
    from app.comments.models import CommentLike

    return _own(CommentLike, "user_id", CommentLike.comment_id, CommentLike.created_at)(user_id)


def _supports(user_id: int) -> Select:
    from app.proposals.models import Support

    return _on_proposal(Support, Support.created_at)(user_id)


def _stances(user_id: int) -> Select:
    from app.proposals.models import Stance

    return _on_proposal(Stance, Stance.value, Stance.updated_at)(user_id)


def _proposal_follows(user_id: int) -> Select:
    from app.notifications.models import ProposalFollow

    return _on_proposal(ProposalFollow, ProposalFollow.following, ProposalFollow.created_at)(
        user_id
    )


def _topic_follows(user_id: int) -> Select:
    from app.notifications.models import TopicFollow
    from app.proposals.models import Topic

    return (
        select(
            TopicFollow.id, TopicFollow.topic_id, Topic.name.label("topic"), TopicFollow.created_at
        )
        .join(Topic, Topic.id == TopicFollow.topic_id)
        .where(TopicFollow.user_id == user_id)
        .order_by(TopicFollow.id)
    )


def _notifications(user_id: int) -> Select:
    from app.notifications.items import item_query
    from app.notifications.models import Notification

    return (
        item_query()
        .add_columns(Notification.email.label("email"))
        .where(Notification.user_id == user_id)
        .order_by(Notification.id)
    )


def _notification(row) -> dict:
    """A notification in the words the person's list shows, and what it is made of."""
    from app.notifications.items import item_of

    item = item_of(row)
    return {
        "id": item.id,
        "kind": item.kind,
        "text": item.headline,
        "proposal_id": item.proposal_id,
        "comment_id": item.comment_id,
        "count": item.count,
        "email": row.email,
        "created_at": item.created_at,
        "read_at": item.read_at,
    }


def _invitations(column_name: str):
    def query(user_id: int) -> Select:
        from app.proposals.models import Invitation, Proposal

        return (
            select(
                Invitation.id,
                Invitation.proposal_id,
                _proposal_title(user_id),
                Invitation.status,
                Invitation.created_at,
                Invitation.answered_at,
            )
            .join(Proposal, Proposal.id == Invitation.proposal_id)
            .where(getattr(Invitation, column_name) == user_id)
            .order_by(Invitation.id)
        )

    return query


def _flags(user_id: int) -> Select:
    from app.comments.models import Flag

    return _own(Flag, "user_id", Flag.comment_id, Flag.reason, Flag.created_at, Flag.resolved_at)(
        user_id
    )


def _saves(user_id: int) -> Select:
    return _own(
        Save, "author_id", Save.subject, Save.subject_id, Save.revision, Save.saved_at, Save.values
    )(user_id)


def _versions(user_id: int) -> Select:
    from app.proposals.models import Version

    return _own(
        Version,
        "author_id",
        Version.proposal_id,
        Version.number,
        Version.kind,
        Version.created_at,
        Version.title,
        Version.summary,
        Version.body,
        Version.drawbacks,
        Version.process,
        Version.materials,
        Version.organisations,
    )(user_id)


def _transitions(user_id: int) -> Select:
    from app.proposals.models import TransitionEvent

    return _own(
        TransitionEvent,
        "actor_id",
        TransitionEvent.proposal_id,
        TransitionEvent.from_state.label("from"),
        TransitionEvent.to_state.label("to"),
        TransitionEvent.reason,
        TransitionEvent.at,
    )(user_id)


def _outcomes(user_id: int) -> Select:
    from app.proposals.models import Outcome

    return _own(
        Outcome,
        "recorded_by_id",
        Outcome.proposal_id,
        Outcome.date,
        Outcome.text,
        Outcome.recorded_at,
    )(user_id)


def _moderation(user_id: int) -> Select:
    from app.comments.models import ModerationAction

    return _own(
        ModerationAction,
        "actor_id",
        ModerationAction.comment_id,
        ModerationAction.action,
        ModerationAction.reason,
        ModerationAction.at,
    )(user_id)


def _audit(user_id: int) -> Select:
    from app.core.audit import AuditEntry

    return _own(
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
    from app.core.audit import AuditEntry

    return _own(AuditEntry, "subject_user_id", AuditEntry.action, AuditEntry.at)(user_id)


def _events(user_id: int) -> Select:
    from app.core.outbox import Event

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
    from app.core.outbox import OutgoingMail

    return _own(
        OutgoingMail,
        "user_id",
        OutgoingMail.kind,
        OutgoingMail.to_address,
        OutgoingMail.subject,
        OutgoingMail.created_at,
        OutgoingMail.sent_at,
        OutgoingMail.failed_at,
    )(user_id)


def _reset_links(user_id: int) -> Select:
    from app.accounts.models import PasswordResetToken as Token

    return _own(Token, "user_id", Token.created_at, Token.expires_at, Token.used_at)(user_id)


def _account_links(user_id: int) -> Select:
    from app.accounts.models import AccountToken as Token

    return _own(
        Token,
        "user_id",
        Token.purpose,
        Token.new_email,
        Token.created_at,
        Token.expires_at,
        Token.used_at,
    )(user_id)


def _by_id(table: str, column: str) -> dict[tuple[str, str], tuple[str, str]]:
    return {(table, column): ("id", "id")}


SECTIONS: tuple[Section, ...] = (
    Section(
        ("proposals",),
        _proposals,
        {("proposers", "user_id"): ("proposal_id", "id"), **_by_id("proposals", "created_by_id")},
        item=_proposal,
    ),
    Section(("comments",), _comments, _by_id("comments", "author_id"), item=_titled),
    Section(
        ("hearing_answers",), _hearing_answers, _by_id("comment_answers", "author_id")
    ),
    Section(
        ("likes", "proposals"),
        _proposal_likes,
        _by_id("proposal_likes", "user_id"),
        item=_titled,
    ),
    Section(("likes", "comments"), _comment_likes, _by_id("comment_likes", "user_id")),
    Section(("supports",), _supports, _by_id("supports", "user_id"), item=_titled),
    Section(("stances",), _stances, _by_id("stances", "user_id"), item=_titled),
    Section(
        ("follows", "proposals"),
        _proposal_follows,
        _by_id("proposal_follows", "user_id"),
        item=_titled,
    ),
    Section(("follows", "topics"), _topic_follows, _by_id("topic_follows", "user_id")),
    Section(
        ("notifications",), _notifications, _by_id("notifications", "user_id"), item=_notification
    ),
    Section(
        ("invitations", "received"),
        _invitations("user_id"),
        _by_id("invitations", "user_id"),
        item=_titled,
    ),
    Section(
        ("invitations", "sent"),
        _invitations("invited_by_id"),
        _by_id("invitations", "invited_by_id"),
        item=_titled,
    ),
    Section(("flags",), _flags, _by_id("flags", "user_id")),
    Section(("saves",), _saves, _by_id("saves", "author_id")),
    Section(("versions",), _versions, _by_id("versions", "author_id")),
    Section(("transitions",), _transitions, _by_id("transition_events", "actor_id")),
    Section(("outcomes",), _outcomes, _by_id("outcomes", "recorded_by_id")),
    Section(("moderation",), _moderation, _by_id("moderation_actions", "actor_id")),
    Section(("audit_entries",), _audit, _by_id("audit_entries", "actor_id")),
    Section(("roles_changed",), _roles_changed, _by_id("audit_entries", "subject_user_id")),
    Section(
        ("events",), _events, {**_by_id("events", "actor_id"), **_by_id("events", "subject_id")}
    ),
    Section(("mail",), _mail, _by_id("outgoing_mail", "user_id")),
    Section(("password_reset_links",), _reset_links, _by_id("password_reset_tokens", "user_id")),
    Section(("account_links",), _account_links, _by_id("account_tokens", "user_id")),
)


def _plain(value):
    """What json.dumps cannot write itself: times as ISO 8601 UTC."""
    if isinstance(value, datetime | date):
        return iso(value)
    return str(value)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_plain)


def account_of(user: User) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "roles": user.roles,
        "language": user.language,
        "email_setting": user.email_setting,
        "notify_new_hearings": user.notify_new_hearings,
        "notify_seeking_support": user.notify_seeking_support,
        "created_at": user.created_at,
        "confirmed_at": user.confirmed_at,
    }


def _items(section: Section, user_id: int) -> Iterator[str]:
    """The section's rows as JSON objects, read a batch at a time."""
    result = db.session.execute(section.query(user_id).execution_options(yield_per=BATCH))
    for row in result:
        yield _dumps(section.item(row))


def pieces(user: User, *, now: datetime) -> Iterator[str]:
    """The document, as pieces of text that together are one JSON object."""
    user_id = user.id
    yield "{\n"
    yield f'"format": {_dumps(FORMAT)},\n"exported_at": {_dumps(now)},\n'
    yield f'"account": {_dumps(account_of(user))}'
    group = None
    for section in SECTIONS:
        top, *inner = section.path
        if group is not None and group != top:
            yield "\n}"
            group = None
        if inner:
            yield f",\n{_dumps(top)}: {{\n" if group is None else ",\n"
            group = top
            yield f"{_dumps(inner[0])}: ["
        else:
            yield f",\n{_dumps(top)}: ["
        first = True
        for item in _items(section, user_id):
            yield ("\n" if first else ",\n") + item
            first = False
        yield "]" if first else "\n]"
    if group is not None:
        yield "\n}"
    yield "\n}\n"


def chunks(user: User, *, now: datetime) -> Iterator[str]:
    """The document in pieces of about CHUNK characters: few writes to the client, and
    never more than a batch of rows in memory."""
    buffer: list[str] = []
    size = 0
    for piece in pieces(user, now=now):
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)
