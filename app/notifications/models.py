"""Follows and notifications: the tables of staying informed (the events and the mail they
become are the outbox, app.core.outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    select,
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
