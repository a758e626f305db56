"""The worker's fan-out: each event becomes one notification per person told, and an
instant mail for those who want one, in a few set-based statements whatever the number
of people, in one transaction with the stamp that says the event is done.

Two workers never fan out the same event: each claims it with a guarded UPDATE of its
`processed_at` (on PostgreSQL skipping rows another worker holds), and the unique
(event, person) row would refuse a second notification anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, case, exists, func, literal, or_, select, update
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.amendments.models import Amendment
from app.comments.models import Comment
from app.core.extensions import db
from app.core.i18n import iso
from app.core.outbox import Event, OutgoingMail
from app.core.sql import insert_statement
from app.notifications import audiences, rules
from app.notifications.models import (
    EMAIL_DIGEST,
    EMAIL_INSTANT,
    EMAIL_NONE,
    Notification,
    ProposalFollow,
)
from app.notifications.rules import Tell
from app.proposals.models import Proposal, Version


def _email_column(tell: Tell):
    """How each person's notification is mailed, from their setting, inside the INSERT."""
    if tell.mail == rules.DIGEST_ONLY:
        return case((User.email_setting == "off", EMAIL_NONE), else_=EMAIL_DIGEST)
    return case(
        (User.email_setting == "instant", EMAIL_INSTANT),
        (User.email_setting == "off", EMAIL_NONE),
        else_=EMAIL_DIGEST,
    )


def _from_version(proposal: Proposal):
    """The version a commenter commented on: the newest there was at their last comment
    (versions begin with the hearing, before which nobody comments)."""
    last_comment = (
        select(func.max(Comment.created_at))
        .where(Comment.proposal_id == proposal.id, Comment.author_id == User.id)
        .scalar_subquery()
    )
    newest_then = (
        select(func.max(Version.number))
        .where(Version.proposal_id == proposal.id, Version.created_at <= last_comment)
        .scalar_subquery()
    )
    return func.coalesce(newest_then, literal(proposal.hearing_version))


def _told_in_this_event(event: Event):
    told = aliased(Notification)
    return select(told.id).where(told.event_id == event.id, told.user_id == User.id).exists()


def _recipients(tell: Tell, event: Event, proposal, comment) -> list:
    """The WHERE of the people `tell` reaches: in its audience, not the actor."""
    audience = audiences.of(tell.audience, event, proposal, comment)
    if isinstance(audience, Select):
        audience = audience.correlate(None)  # its own users, not the outer query's
    conditions = [User.id.in_(audience)]
    if event.actor_id is not None:
        conditions.append(User.id != event.actor_id)
    return conditions


def _insert(tell: Tell, event: Event, proposal, comment, now: datetime, *extra) -> None:
    columns = {
        "event_id": literal(event.id),
        "user_id": User.id,
        "kind": literal(tell.kind),
        "proposal_id": literal(event.proposal_id),
        "comment_id": literal(event.comment_id),
        "count": literal(1),
        "from_version": _from_version(proposal)
        if tell.kind == "changed_since_comment"
        else literal(None),
        "email": _email_column(tell),
        "created_at": literal(event.created_at, Notification.created_at.type),
    }
    people = select(*columns.values()).where(*_recipients(tell, event, proposal, comment), *extra)
    statement = insert_statement(Notification).from_select(list(columns), people)
    db.session.execute(statement.on_conflict_do_nothing())


def _fold_into_batch(tell: Tell, event: Event, proposal, comment, now: datetime) -> None:
    """Comments to proposers: where the person has a notification of this kind on this
    proposal from within the batch window (and not yet in a digest that went out), count
    the comment there and mark it unread again; the others get a new notification."""

    def open_batch(row):
        return and_(
            row.kind == tell.kind,
            row.proposal_id == event.proposal_id,
            row.created_at > event.created_at - tell.batch,
            or_(row.email != EMAIL_DIGEST, row.mail_id.is_(None)),
        )

    db.session.execute(
        update(Notification)
        .where(
            open_batch(Notification),
            Notification.user_id.in_(
                select(User.id).where(
                    *_recipients(tell, event, proposal, comment),
                    ~_told_in_this_event(event),
                )
            ),
        )
        .values(count=Notification.count + 1, read_at=None)
        .execution_options(synchronize_session=False)
    )
    batch = aliased(Notification)
    has_open_batch = exists().where(open_batch(batch), batch.user_id == User.id)
    _insert(tell, event, proposal, comment, now, ~has_open_batch)


def _follow_by_topic(event: Event, proposal: Proposal, now: datetime) -> None:
    """A hearing opens: the topic's followers follow the proposal from now on."""
    followers = audiences.topic_followers(proposal.topic_id).subquery()
    people = select(
        literal(proposal.id),
        followers.c.user_id,
        literal(True),
        literal(now, ProposalFollow.created_at.type),
    ).where(followers.c.user_id.is_not(None))  # SQLite's upsert wants a WHERE
    db.session.execute(
        insert_statement(ProposalFollow)
        .from_select(["proposal_id", "user_id", "following", "created_at"], people)
        .on_conflict_do_nothing()
    )


def _queue_instant_mail(event: Event, now: datetime) -> None:
    """One mail for each notification of this event that its person wants at once."""
    key = f"event:{event.id}"
    wanted = (
        select(
            Notification.user_id,
            User.email,
            literal(OutgoingMail.NOTIFICATIONS),
            literal(key),
            literal(now, OutgoingMail.created_at.type),
            literal(now, OutgoingMail.next_attempt_at.type),
        )
        .join(User, User.id == Notification.user_id)
        .where(Notification.event_id == event.id, Notification.email == EMAIL_INSTANT)
    )
    db.session.execute(
        insert_statement(OutgoingMail)
        .from_select(
            ["user_id", "to_address", "kind", "batch_key", "created_at", "next_attempt_at"],
            wanted,
        )
        .on_conflict_do_nothing()
    )
    # UPDATE … FROM: a join the planner sees whole, not a subquery per row.
    db.session.execute(
        update(Notification)
        .where(
            Notification.event_id == event.id,
            Notification.email == EMAIL_INSTANT,
            OutgoingMail.user_id == Notification.user_id,
            OutgoingMail.batch_key == key,
        )
        .values(mail_id=OutgoingMail.id)
        .execution_options(synchronize_session=False)
    )


def _words(event: Event, proposal: Proposal | None) -> None:
    """Add what the notification's words need and the proposal now knows."""
    if proposal is None:
        return
    data = dict(event.data or {})
    if event.kind == "hearing_opened":
        data["hearing_ends_at"] = iso(proposal.hearing_ends_at)
    elif event.kind == "hearing_ended":
        data["hearing_responses"] = db.session.scalar(
            select(func.count(Comment.id)).where(
                Comment.proposal_id == proposal.id,
                Comment.written_in == "hearing",
                Comment.deleted_at.is_(None),
                Comment.hidden_at.is_(None),
            )
        )
    elif event.kind in ("support_started", "entered_catalogue", "lapsed"):
        data.update(threshold=proposal.support_threshold, deadline=iso(proposal.support_deadline))
    if event.kind == "support_started" and proposal.amendment_count:
        data["minority_amendments"] = db.session.scalar(
            select(func.count(Amendment.id)).where(
                Amendment.proposal_id == proposal.id, Amendment.minority.is_(True)
            )
        )
    event.data = data


def fan_out(event: Event, now: datetime) -> None:
    """Tell everyone the rules name of this event, in the caller's transaction."""
    proposal = db.session.get(Proposal, event.proposal_id) if event.proposal_id else None
    comment = db.session.get(Comment, event.comment_id) if event.comment_id else None
    _words(event, proposal)
    if event.kind == "hearing_opened" and proposal is not None:
        _follow_by_topic(event, proposal, now)
    for tell in rules.RULES[event.kind]:
        if tell.batch is not None:
            _fold_into_batch(tell, event, proposal, comment, now)
        else:
            _insert(tell, event, proposal, comment, now)
    _queue_instant_mail(event, now)


def _claim_next(now: datetime) -> Event | None:
    """Take the oldest event no one has fanned out, stamping it in this transaction."""
    waiting = aliased(Event)
    pending = select(waiting.id).where(waiting.processed_at.is_(None)).order_by(waiting.id).limit(1)
    if db.session.get_bind().dialect.name == "postgresql":
        pending = pending.with_for_update(skip_locked=True)
    event_id = db.session.execute(
        update(Event)
        .where(Event.id == pending.scalar_subquery(), Event.processed_at.is_(None))
        .values(processed_at=now)
        .returning(Event.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    return db.session.get(Event, event_id) if event_id is not None else None


def process_events(now: datetime, *, limit: int | None = None) -> int:
    """Fan out the events waiting, oldest first, each in its own transaction. Returns how
    many this call fanned out."""
    done = 0
    while limit is None or done < limit:
        event = _claim_next(now)
        if event is None:
            db.session.rollback()
            break
        fan_out(event, now)
        db.session.commit()
        done += 1
    return done
