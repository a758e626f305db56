"""An amendment, who backs it, and the stances on a minority amendment."""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import Markup
from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.database import UTCDateTime
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import StanceCounts, StoredHTML


class Amendment(StanceCounts, db.Model):
    """New wording for a proposal's hearing version. The three fields hold the amended
    text whole; `changed` names the fields that differ from the hearing version, and only
    those are shown, counted and merged. `hunks` is the word diff of the paragraphs it
    touches, made on each save (as Markdown is rendered once, on save)."""

    __tablename__ = "amendments"
    __table_args__ = (
        UniqueConstraint("proposal_id", "number"),
        Index("ix_amendments_author", "author_id", "proposal_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    # 1, 2, 3 … on its proposal: "Ændringsforslag 2".
    number: Mapped[int] = mapped_column(Integer)
    # None once the author deleted their account: shown as "Deleted user".
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The hearing version it amends.
    version: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    drawbacks: Mapped[str] = mapped_column(Text, default="")
    changed: Mapped[str] = mapped_column(String(40))  # "body drawbacks"
    hunks: Mapped[list] = mapped_column(JSON, default=list)
    justification: Mapped[str] = mapped_column(Text)
    justification_html: Mapped[Markup] = mapped_column(StoredHTML)
    # Raised by each save: the edit form carries the one it showed (app.core.editing).
    revision: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(10), default=lc.OPEN)
    verdict: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The proposal's version that took it in (adopted), and whether it went with the
    # proposal to support as a minority amendment (fixed when the proposal moved).
    adopted_in: Mapped[int | None] = mapped_column(Integer)
    minority: Mapped[bool] = mapped_column(default=False)
    backer_count: Mapped[int] = mapped_column(default=0)
    stance_for: Mapped[int] = mapped_column(default=0)
    stance_against: Mapped[int] = mapped_column(default=0)
    stance_abstain: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="raise")

    @property
    def fields(self) -> list[str]:
        return self.changed.split()

    @property
    def text(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in lc.AMENDABLE_FIELDS}


class AmendmentBacking(db.Model):
    """A member backs an amendment; only the count is ever shown."""

    __tablename__ = "amendment_backings"
    __table_args__ = (UniqueConstraint("amendment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AmendmentStance(db.Model):
    """Where a member stands on a minority amendment in the catalogue."""

    __tablename__ = "amendment_stances"
    __table_args__ = (UniqueConstraint("amendment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    value: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AmendmentStanceDay(db.Model):
    """A minority amendment's stance counts at the end of each day with a change: the
    chart's points, kept as they happen (as a proposal's StanceDay)."""

    __tablename__ = "amendment_stance_days"
    __table_args__ = (UniqueConstraint("amendment_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    stance_for: Mapped[int] = mapped_column(default=0)
    stance_against: Mapped[int] = mapped_column(default=0)
    stance_abstain: Mapped[int] = mapped_column(default=0)
