"""The outbox: what happened (events) and the mail to send, written in the caller's
transaction beside the change itself, so that an event exists exactly when its change does
and a mail is never lost with a request. The worker reads both: it tells people of the
events (app.notifications) and sends the mail. Whether a session holds such work is marked
on it (WAKE_WORKER), and its commit wakes the worker.

Which kinds of event there are, and which steps of a proposal's lifecycle are events, is
the table of who is told of what (app.notifications.rules), which fills KINDS and
TRANSITION_KINDS here when it is loaded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import UTCDateTime
from app.core.extensions import db
from app.core.sql import insert_if_absent

# The kinds of event, and the lifecycle's steps that are events: (from, to) -> kind.
KINDS: set[str] = set()
TRANSITION_KINDS: dict[tuple[str, str], str] = {}


class Event(db.Model):
    """Something that happened which people are told of. Written in the same transaction as
    the change itself (the outbox); the worker fans it out once and stamps `processed_at`."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_pending", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # Who acted (never told of their own act), and whom the event is about when it is one
    # person: the invitee, the author of a hidden comment.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # What the words need: a reason, a count, a state.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # Events that a timer finds (a deadline near) carry a key, so each happens once.
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutgoingMail(db.Model):
    """A mail waiting to be sent, or the record that it was. A `message` carries its text
    (a registration's link), which is erased once sent; a `notifications`
    mail is written from its notifications when it is sent, in the recipient's language
    then; a `password_reset` is a request for a reset link to an address, which the worker
    looks up when it writes the mail."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (
        # A digest or an instant mail is made once per person and batch, however often
        # the run that makes it is repeated.
        UniqueConstraint("user_id", "batch_key"),
        # The mail still to send, in the order the worker takes it: only those rows.
        Index(
            "ix_outgoing_mail_waiting",
            "next_attempt_at",
            "id",
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
        # The records to forget when they are old. Partial, so that no plan can take them
        # for finding the mail that waits (sent_at IS NULL): that is the index above.
        Index(
            "ix_outgoing_mail_sent",
            "sent_at",
            sqlite_where=text("sent_at IS NOT NULL"),
            postgresql_where=text("sent_at IS NOT NULL"),
        ),
        Index(
            "ix_outgoing_mail_failed",
            "failed_at",
            sqlite_where=text("failed_at IS NOT NULL"),
            postgresql_where=text("failed_at IS NOT NULL"),
        ),
    )

    MESSAGE, NOTIFICATIONS, PASSWORD_RESET = "message", "notifications", "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(15))
    batch_key: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    # A worker's claim: others leave the mail alone until it is sent or the claim expires.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The server refused the address for good: no more attempts.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


# Set on the session when it holds work for the worker; after commit the worker is woken.
WAKE_WORKER = "wake_worker"


def record(
    kind: str,
    *,
    now: datetime,
    proposal_id: int | None = None,
    comment_id: int | None = None,
    actor_id: int | None = None,
    subject_id: int | None = None,
    data: dict | None = None,
    key: str | None = None,
) -> bool:
    """Write one event. With a `key`, an event with the same key is written only once;
    False when it already was."""
    if kind not in KINDS:
        raise ValueError(f"no rule says who is told of {kind!r}")
    values = dict(
        kind=kind,
        proposal_id=proposal_id,
        comment_id=comment_id,
        actor_id=actor_id,
        subject_id=subject_id,
        data=data or {},
        created_at=now,
    )
    if key is not None:
        if not insert_if_absent(Event, key=key, **values):
            return False
    else:
        db.session.add(Event(**values))
    db.session.info[WAKE_WORKER] = True
    return True


def transition(
    proposal_id: int,
    source: str,
    target: str,
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
    data: dict | None = None,
) -> None:
    """The event a step of the lifecycle is, if it is one."""
    kind = TRANSITION_KINDS.get((source, target))
    if kind is not None:
        record(
            kind,
            now=now,
            proposal_id=proposal_id,
            actor_id=actor_id,
            data={"reason": reason, **(data or {})},
        )


def queue_message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    user_id: int | None,
    now: datetime,
    kind: str = OutgoingMail.MESSAGE,
) -> OutgoingMail:
    """A mail of its own (a registration's link, an email change's) in the caller's
    transaction; its commit wakes the worker, which sends it. Never sent by the request
    itself: how long a request takes must not tell what it mailed, or to whom."""
    mail = OutgoingMail(
        user_id=user_id,
        to_address=to,
        kind=kind,
        subject=subject,
        body_text=text,
        body_html=html,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(mail)
    db.session.flush()
    db.session.info[WAKE_WORKER] = True
    return mail
