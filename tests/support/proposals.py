"""Factories for proposals (topics, and proposals already walked to a given state), loaded
as a pytest plugin by the root conftest so every test folder can use them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services
from app.proposals.models import Proposal, Proposer, Topic, TransitionEvent

CONTENT = dict(
    title="Bedre busser på landet",
    summary="Alle landsbyer med over 200 indbyggere skal have en bus i timen.",
    body="## Forslaget\n\nEn bus i timen til **alle** landsbyer.",
    drawbacks="Det koster penge.",
    process="Skrevet efter et borgermøde.",
    materials="- Trafikstyrelsens tal",
    organisations="Landdistrikternes Fællesråd\nDanske Ældreråd",
)

# The path from draft to each state: (target, who acts).
PATHS = {
    lc.DRAFT: [],
    lc.SUBMITTED: [(lc.SUBMITTED, "author")],
    lc.HEARING: [(lc.SUBMITTED, "author"), (lc.HEARING, "secretariat")],
    lc.REVISION: [
        (lc.SUBMITTED, "author"),
        (lc.HEARING, "secretariat"),
        (lc.REVISION, "secretariat"),
    ],
    lc.SUPPORT: [
        (lc.SUBMITTED, "author"),
        (lc.HEARING, "secretariat"),
        (lc.REVISION, "secretariat"),
        (lc.SUPPORT, "author"),
    ],
    # Withdrawn during its hearing: public, as every withdrawn proposal that was heard.
    # (One withdrawn as a draft stays private: tests/proposals/test_withdrawn_privacy.py.)
    lc.WITHDRAWN: [(lc.SUBMITTED, "author"), (lc.HEARING, "secretariat"), (lc.WITHDRAWN, "author")],
    lc.REJECTED: [(lc.SUBMITTED, "author"), (lc.REJECTED, "secretariat")],
}


@dataclass
class Made:
    id: int
    author: object  # tests.plugins.accounts.Account
    state: str


@pytest.fixture
def topic(app) -> int:
    with app.app_context():
        topic = Topic(name="Landdistrikter")
        db.session.add(topic)
        db.session.commit()
        return topic.id


@pytest.fixture
def secretary(make_user):
    return make_user("member", "secretariat", name="Karen Holm")


@pytest.fixture
def make_proposal(app, make_user, topic, secretary):
    """Make a proposal by its author (a new member unless given), walked to `state`."""

    def make(state: str = lc.DRAFT, *, author=None, now: datetime | None = None, **content):
        author = author or make_user("member")
        now = now or datetime.now(UTC)
        with app.app_context():
            user = db.session.get(User, author.id)
            proposal = services.create(
                user, services.Content(topic_id=topic, **{**CONTENT, **content}), now=now
            )
            for target, who in PATHS[state]:
                actor = user if who == "author" else db.session.get(User, secretary.id)
                services.transition(actor, proposal, target, reason="Fordi.", now=now)
            db.session.commit()
            return Made(proposal.id, author, proposal.state)

    return make


def get_proposal(app, proposal_id: int) -> Proposal:
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        db.session.expunge(proposal)
        return proposal


def event_count(app, proposal_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(TransitionEvent)
            .where(TransitionEvent.proposal_id == proposal_id)
        )


def force(app, proposal_id: int, **values) -> None:
    """Set columns directly: for putting a proposal where a test needs it (deadlines)."""
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        for name, value in values.items():
            setattr(proposal, name, value)
        db.session.commit()


HOUR = timedelta(hours=1)


def add_proposer(proposal_id: int, user_id: int) -> None:
    """Put a member on a proposal's proposer list directly, as if invited and accepted, in
    the current app context; committed."""
    from app.core.database import utcnow

    position = db.session.scalar(
        select(func.count()).select_from(Proposer).where(Proposer.proposal_id == proposal_id)
    )
    db.session.add(
        Proposer(
            proposal_id=proposal_id, user_id=user_id, position=position + 1, joined_at=utcnow()
        )
    )
    db.session.get(Proposal, proposal_id).proposer_count = position + 1
    db.session.commit()


# What each of the proposal's discussion counters counts, as SQL over its comments.
DISCUSSION_COUNTERS = {
    "comment_count": "deleted_at IS NULL AND hidden_at IS NULL",
    "thread_count": "parent_id IS NULL",
    "hearing_thread_count": "parent_id IS NULL AND written_in = 'hearing'",
    "hearing_comment_count": "written_in = 'hearing' AND deleted_at IS NULL AND hidden_at IS NULL",
}


def counted_discussion(proposal_id: int) -> dict[str, int]:
    """The discussion counters as the comment rows have them, in the current app context."""
    from sqlalchemy import text

    return {
        name: db.session.scalar(
            text(f"SELECT count(*) FROM comments WHERE proposal_id = :p AND {where}"),  # noqa: S608
            {"p": proposal_id},
        )
        for name, where in DISCUSSION_COUNTERS.items()
    }


def recount_discussion(proposal_id: int) -> None:
    """Set the discussion counters from the rows, after a test wrote comments directly."""
    proposal = db.session.get(Proposal, proposal_id)
    for name, value in counted_discussion(proposal_id).items():
        setattr(proposal, name, value)
    db.session.commit()
