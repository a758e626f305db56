"""Proposals and what hangs on them: topics, proposers, invitations, the transition
events of the public timeline, numbered versions and outcomes."""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import Markup
from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from app.accounts.models import User
from app.core.database import UTCDateTime
from app.core.extensions import db
from app.proposals import lifecycle


class StoredHTML(TypeDecorator):
    """HTML made by render_markdown when it was saved: read back as Markup."""

    impl = Text
    cache_ok = True

    def process_result_value(self, value, dialect):
        # Only render_markdown writes these columns: sanitised before it was stored.
        return Markup(value or "")  # noqa: S704  # nosec B704


class Topic(db.Model):
    """A policy area the secretariat keeps, e.g. Velfærd or Landdistrikter."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    retired: Mapped[bool] = mapped_column(default=False)
    # Raised by each rename: a rename form carries the one it showed (app.core.editing).
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<Topic {self.name}>"


class StanceCounts:
    """Counts of for, against and abstain kept on a row (a catalogue proposal, a minority
    amendment), and their shares."""

    stance_for: int
    stance_against: int
    stance_abstain: int

    @property
    def stances(self) -> dict[str, int]:
        return {
            "for": self.stance_for,
            "against": self.stance_against,
            "abstain": self.stance_abstain,
        }

    @property
    def stance_total(self) -> int:
        return self.stance_for + self.stance_against + self.stance_abstain

    @property
    def stance_shares(self) -> dict[str, int]:
        """Each stance's share of those stated, in whole per cent (0 when none is): the
        figures the detail page, the catalogue and its PDF all show."""
        total = self.stance_total
        return {key: round(n / total * 100) if total else 0 for key, n in self.stances.items()}


class Proposal(StanceCounts, db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_state_created", "state", "created_at"),
        # The lists' order: newest change first.
        Index("ix_proposals_state_changed", "state_changed_at", "id"),
        Index("ix_proposals_state_state_changed", "state", "state_changed_at"),
        Index("ix_proposals_hearing_due", "state", "hearing_ends_at"),
        Index("ix_proposals_support_due", "state", "support_deadline"),
        # A person's drafts of the last day (lifecycle.check_new_draft).
        Index("ix_proposals_created_by", "created_by_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[Markup] = mapped_column(StoredHTML)
    drawbacks: Mapped[str] = mapped_column(Text, default="")
    drawbacks_html: Mapped[Markup] = mapped_column(StoredHTML, default="")
    process: Mapped[str] = mapped_column(Text, default="")
    process_html: Mapped[Markup] = mapped_column(StoredHTML, default="")
    materials: Mapped[str] = mapped_column(Text, default="")
    materials_html: Mapped[Markup] = mapped_column(StoredHTML, default="")
    organisations: Mapped[str] = mapped_column(Text, default="")
    # The Danish stems of the title, the summary and the rest, for SQLite's full-text index
    # (app.search); PostgreSQL indexes the text itself.
    search_title: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_rest: Mapped[str] = mapped_column(Text, default="", server_default="")
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=lifecycle.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hearing_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    support_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    support_threshold: Mapped[int | None] = mapped_column(Integer)
    # Numbers of the versions frozen when the hearing opened and when support began.
    hearing_version: Mapped[int | None] = mapped_column(Integer)
    final_version: Mapped[int | None] = mapped_column(Integer)
    # Stored counters, kept by the services in the same transaction as the rows they count,
    # so lists never count per row.
    proposer_count: Mapped[int] = mapped_column(default=0)
    version_count: Mapped[int] = mapped_column(default=0)
    # Raised by each save of the content: the edit form carries the one it showed, and a
    # save from an older one is merged with what was saved since (app.core.editing).
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    support_count: Mapped[int] = mapped_column(default=0)
    like_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # The discussion's shape, so that its pages count nothing: threads (top-level comments,
    # shown or not: a placeholder keeps its place), those written in the hearing, and the
    # hearing responses shown, replies included.
    thread_count: Mapped[int] = mapped_column(default=0, server_default="0")
    hearing_thread_count: Mapped[int] = mapped_column(default=0, server_default="0")
    hearing_comment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Hearing responses the proposers have answered in the hearing memo.
    hearing_answer_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Amendments filed (app.amendments): the last one's number; and their words, which the
    # search index holds with the proposal's (plain for PostgreSQL's, stems for SQLite's).
    amendment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    amendment_words: Mapped[str] = mapped_column(Text, default="", server_default="")
    amendment_stems: Mapped[str] = mapped_column(Text, default="", server_default="")
    stance_for: Mapped[int] = mapped_column(default=0)
    stance_against: Mapped[int] = mapped_column(default=0)
    stance_abstain: Mapped[int] = mapped_column(default=0)

    topic: Mapped[Topic] = relationship(lazy="joined", innerjoin=True)
    proposers: Mapped[list[Proposer]] = relationship(
        order_by="Proposer.position", back_populates="proposal", lazy="raise"
    )
    events: Mapped[list[TransitionEvent]] = relationship(
        order_by="TransitionEvent.id", back_populates="proposal", lazy="raise"
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        order_by="(Outcome.date, Outcome.id)", back_populates="proposal", lazy="raise"
    )

    @property
    def organisation_list(self) -> list[str]:
        return [line.strip() for line in self.organisations.splitlines() if line.strip()]


    @hybrid_property
    def is_public(self) -> bool:
        """Everyone may see it (lifecycle.is_public): in a public state, and, withdrawn,
        heard before (its hearing's end is set when the hearing opens)."""
        return lifecycle.is_public(self.state, heard=self.hearing_ends_at is not None)

    @is_public.inplace.expression
    @classmethod
    def _is_public_condition(cls):
        # The same rule as SQL: the states first, so that an index on state serves it.
        return and_(
            cls.state.in_(sorted(lifecycle.PUBLIC_STATES)),
            or_(cls.state != lifecycle.WITHDRAWN, cls.hearing_ends_at.is_not(None)),
        )

    @classmethod
    def unpublished(cls):
        """SELECT of the ids of those in a public state that are private nonetheless (those
        withdrawn before their hearing): few, read from an index. A search's index holds
        the state alone; its public hits are the public states' without these."""
        return select(cls.id).where(cls.state == lifecycle.WITHDRAWN, cls.hearing_ends_at.is_(None))

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.state}>"


class Proposer(db.Model):
    """A member on a proposal's numbered list: the creator is 1, then in order of accepting."""

    __tablename__ = "proposers"
    __table_args__ = (
        UniqueConstraint("proposal_id", "user_id"),
        UniqueConstraint("proposal_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="proposers", lazy="raise")
    user: Mapped[User | None] = relationship(lazy="raise")


class Invitation(db.Model):
    """A proposer's invitation to a member to join the proposer list."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("proposal_id", "user_id"),
        # The invitations a person sent in the last day (lifecycle.check_invitation).
        Index("ix_invitations_invited_by", "invited_by_id", "created_at"),
    )

    PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")


def seen_by(user_id, is_secretariat):
    """SQL: whether a person may see the proposal of the query's row (lifecycle.may_see),
    `user_id` and `is_secretariat` being columns (the reader of a notification) or values.
    What no longer holds (an invitation declined, a secretariat role taken away) no longer
    counts: a line about the proposal then names no title."""
    if isinstance(is_secretariat, bool):
        is_secretariat = true() if is_secretariat else false()
    # Aliases: the query may itself read proposers or invitations (a data download's).
    proposer, invitation = aliased(Proposer), aliased(Invitation)
    return or_(
        Proposal.is_public,
        is_secretariat,
        exists().where(proposer.proposal_id == Proposal.id, proposer.user_id == user_id),
        exists().where(
            invitation.proposal_id == Proposal.id,
            invitation.user_id == user_id,
            invitation.status == Invitation.PENDING,
        ),
    )


class TransitionEvent(db.Model):
    """One step of the public timeline. Written once, never changed."""

    __tablename__ = "transition_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    # None when the system acted (a deadline, a threshold), or when the person who acted
    # deleted their account since (then actor_erased is set).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_erased: Mapped[bool] = mapped_column(default=False, server_default=false())
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="events", lazy="raise")
    actor: Mapped[User | None] = relationship(lazy="raise")


class Version(db.Model):
    """The content as it stood at a numbered save, from the hearing on."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    drawbacks: Mapped[str] = mapped_column(Text, default="")
    process: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[str] = mapped_column(Text, default="")
    organisations: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Why this version exists: "hearing" (frozen as the hearing opened), "edit", "final",
    # "amendment" (an amendment adopted: its number in `amendment`).
    kind: Mapped[str] = mapped_column(String(10))
    amendment: Mapped[int | None] = mapped_column(Integer)

    author: Mapped[User | None] = relationship(lazy="raise")


class Outcome(db.Model):
    """A dated entry on the political treatment of a catalogue proposal."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    date: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    text_html: Mapped[Markup] = mapped_column(StoredHTML)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="outcomes", lazy="raise")


class ProposalLike(db.Model):
    __tablename__ = "proposal_likes"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Support(db.Model):
    """A member's backing of a proposal seeking support: one per member and proposal."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Stance(db.Model):
    """Where a member stands on a catalogue proposal now: for, against or abstain."""

    __tablename__ = "stances"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    value: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StanceDay(db.Model):
    """The stance counts at the end of each day with a change: the chart's points, kept
    as they happen so the page never replays history."""

    __tablename__ = "stance_days"
    __table_args__ = (UniqueConstraint("proposal_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    stance_for: Mapped[int] = mapped_column(default=0)
    stance_against: Mapped[int] = mapped_column(default=0)
    stance_abstain: Mapped[int] = mapped_column(default=0)
