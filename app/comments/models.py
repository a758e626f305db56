"""Comments, their likes, the flags people raise, and the secretariat's moderation."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.database import UTCDateTime
from app.core.extensions import db
from app.proposals.models import StoredHTML


class Comment(db.Model):
    """A comment or a reply (one level). It remembers the stage it was written in, so the
    hearing's input can be read on its own."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_proposal_created", "proposal_id", "created_at"),
        # A page of threads, newest (or oldest) first, and most liked first.
        Index("ix_comments_threads", "proposal_id", "parent_id", "created_at", "id"),
        Index("ix_comments_threads_liked", "proposal_id", "parent_id", "like_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # None once the author deleted their account: shown as "Deleted user".
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[Markup] = mapped_column(StoredHTML)
    written_in: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Deleted by its author: the text is gone, a placeholder keeps the thread.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Hidden by the secretariat: the text is kept for the record, shown only to staff.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    like_count: Mapped[int] = mapped_column(default=0)
    open_flag_count: Mapped[int] = mapped_column(default=0)

    author: Mapped[User | None] = relationship(lazy="raise")

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def is_shown(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class CommentLike(db.Model):
    __tablename__ = "comment_likes"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Flag(db.Model):
    """Someone's report that a comment breaks the rules; open until the secretariat acts."""

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ModerationAction(db.Model):
    """The secretariat hid or restored a comment, and why. Written once."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(10))  # "hide" or "restore"
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class CommentAnswer(db.Model):
    """The proposers' answer to a hearing response, for the hearing memo: a verdict and a
    short text. One per response; answering again replaces it."""

    __tablename__ = "comment_answers"

    ADOPTED = "adopted"
    PARTLY = "partly"
    NOT_ADOPTED = "not_adopted"
    NOTED = "noted"
    VERDICTS = (ADOPTED, PARTLY, NOT_ADOPTED, NOTED)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), unique=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    text_html: Mapped[Markup] = mapped_column(StoredHTML, default="")
    # None once the proposer who answered deleted their account.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Raised by each answer: the form carries the one it showed (app.core.editing).
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    author: Mapped[User | None] = relationship(lazy="raise")
