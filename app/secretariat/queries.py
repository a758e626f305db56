"""What the console shows, each page in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.comments.models import Comment
from app.core.audit import AuditEntry
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal, Topic
from app.proposals.similar import similar_for

SOON = timedelta(days=7)
RECENT = timedelta(days=7)
ROWS = 100
# The submitted proposals shown with their similar public proposals, the longest waiting.
SIMILAR_ROWS = 10
PAGE_SIZE = 50


@dataclass
class Dashboard:
    counts: dict[str, int]
    submitted: list[Proposal] = field(default_factory=list)
    hearings: list[Proposal] = field(default_factory=list)
    deadlines: list[Proposal] = field(default_factory=list)
    lapsed: list[Proposal] = field(default_factory=list)
    new_in_catalogue: list[Proposal] = field(default_factory=list)
    flagged: list[Comment] = field(default_factory=list)
    # Up to five similar public proposals beside each submitted one (app.proposals.similar).
    similar: dict[int, list] = field(default_factory=dict)


def dashboard(now: datetime) -> Dashboard:
    counts = dict(
        db.session.execute(select(Proposal.state, func.count()).group_by(Proposal.state)).all()
    )
    board = Dashboard(counts={state: counts.get(state, 0) for state in lc.STATES})
    wanted = or_(
        Proposal.state == lc.SUBMITTED,
        and_(Proposal.state == lc.HEARING, Proposal.hearing_ends_at <= now + SOON),
        and_(Proposal.state == lc.REVISION, Proposal.hearing_ends_at >= now - RECENT),
        and_(Proposal.state == lc.SUPPORT, Proposal.support_deadline <= now + SOON),
        and_(Proposal.state == lc.LAPSED, Proposal.state_changed_at >= now - timedelta(days=30)),
        and_(Proposal.state == lc.CATALOGUE, Proposal.state_changed_at >= now - RECENT),
    )
    rows = db.session.scalars(
        select(Proposal).where(wanted).order_by(Proposal.state_changed_at).limit(6 * ROWS)
    ).all()
    buckets = {
        lc.SUBMITTED: board.submitted,
        lc.HEARING: board.hearings,
        lc.REVISION: board.hearings,
        lc.SUPPORT: board.deadlines,
        lc.LAPSED: board.lapsed,
        lc.CATALOGUE: board.new_in_catalogue,
    }
    for proposal in rows:
        bucket = buckets[proposal.state]
        if len(bucket) < ROWS:
            bucket.append(proposal)
    # One query for the first SIMILAR_ROWS of the queue (one ranked search each, in one
    # statement): each costs a few ms, and up to 50 ms for a title of common words at
    # 20,000 proposals (docs/performance.md).
    board.similar = similar_for(board.submitted[:SIMILAR_ROWS])
    board.hearings.sort(key=lambda p: p.hearing_ends_at)
    board.deadlines.sort(key=lambda p: p.support_deadline)
    board.flagged = db.session.scalars(
        select(Comment)
        .options(joinedload(Comment.author))
        .where(
            Comment.open_flag_count > 0, Comment.hidden_at.is_(None), Comment.deleted_at.is_(None)
        )
        .order_by(Comment.open_flag_count.desc(), Comment.id)
        .limit(ROWS)
    ).all()
    return board


@dataclass
class Page:
    items: list
    total: int
    page: int
    pages: int


def _page(query, page: int) -> Page:
    rows = db.session.execute(
        query.add_columns(func.count().over().label("total"))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    total = rows[0].total if rows else 0
    return Page([row[0] for row in rows], total, page, max(1, -(-total // PAGE_SIZE)))


def members(q: str, page: int) -> Page:
    query = select(User).order_by(User.name, User.id)
    if q:
        pattern = (
            "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    return _page(query, page)


def log(page: int) -> Page:
    return _page(
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor), joinedload(AuditEntry.subject_user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
        page,
    )


def topics_with_counts() -> list[tuple[Topic, int]]:
    return db.session.execute(
        select(Topic, func.count(Proposal.id))
        .outerjoin(Proposal, Proposal.topic_id == Topic.id)
        .group_by(Topic.id)
        .order_by(Topic.retired, Topic.name)
    ).all()
