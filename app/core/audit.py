"""The audit log: one row for every action the secretariat takes, written once.

An entry names what it was done to by ids (a person, a comment, a proposal), never by a
copy of their text or address: the log page puts the words in when it is read, so the
log (and the data download of whoever acted) holds no one else's words, and an erased
person is gone from it too."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.database import UTCDateTime
from app.core.extensions import db

if TYPE_CHECKING:  # a person is an account's row; core names no package above it
    from app.accounts.models import User


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # What was done, as a key the log page words: "transition", "outcome", "hide", …
    action: Mapped[str] = mapped_column(String(30))
    # What it was done to, in the secretariat's own words: a state change, a topic name.
    subject: Mapped[str] = mapped_column(Text, default="")
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), index=True
    )
    # Whom it was done to (a role granted or taken), and which comment (hidden, restored).
    subject_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise")
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id], lazy="raise")


def record(
    actor,
    action: str,
    *,
    subject: str = "",
    proposal_id: int | None = None,
    subject_user_id: int | None = None,
    comment_id: int | None = None,
    reason: str = "",
    now: datetime,
) -> None:
    """Write one audit entry in the caller's transaction."""
    db.session.add(
        AuditEntry(
            actor_id=actor.id,
            action=action,
            subject=subject,
            proposal_id=proposal_id,
            subject_user_id=subject_user_id,
            comment_id=comment_id,
            reason=(reason or "").strip(),
            at=now,
        )
    )
