"""Follows, events, notifications and the outgoing mail: the tables of staying informed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, undefer

from app.accounts.models import LOADER_OPTIONS, User
from app.core.database import UTCDateTime
from app.core.extensions import db

# How a notification reaches the person's inbox, decided when it is made.
EMAIL_NONE = "none"  # in the app only (email off, or the mail goes another way)
EMAIL_INSTANT = "instant"  # its own mail, at once
EMAIL_DIGEST = "digest"  # waits for the person's daily or weekly digest


class ProposalFollow(db.Model):
    """A person's own choice to follow a proposal (`following`) or not to (`following` is
    False: an unfollow that also silences what their taking part would have followed).
    Taking part follows by itself, without a row: see `audiences.followers`."""

    __tablename__ = "proposal_follows"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    following: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TopicFollow(db.Model):
    """Every proposal of the topic that opens a hearing is followed too."""

    __tablename__ = "topic_follows"
    __table_args__ = (UniqueConstraint("topic_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


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


class Notification(db.Model):
    """One event, told to one person: a row in their list, and maybe in a mail."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_notifications_user_newest", "user_id", "created_at", "id"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_mail_wait", "email", "mail_id", "user_id"),
        Index("ix_notifications_batch", "user_id", "proposal_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # Comments to proposers are batched: one notification an hour, counting them.
    count: Mapped[int] = mapped_column(default=1)
    # "What changed since you commented": the version the person commented on.
    from_version: Mapped[int | None] = mapped_column()
    email: Mapped[str] = mapped_column(String(10), default=EMAIL_NONE)
    mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_mail.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutgoingMail(db.Model):
    """A mail waiting to be sent, or the record that it was. A `message` carries its text
    (an invitation, a registration's link), which is erased once sent; a `notifications`
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


# The header's unread count comes with the signed-in person's own row (accounts.models
# load_user asks for it), so no page spends a query on it.
User.unread_notifications = column_property(
    select(func.count(Notification.id))
    .where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .correlate_except(Notification)
    .scalar_subquery(),
    deferred=True,
)
LOADER_OPTIONS.append(undefer(User.unread_notifications))
