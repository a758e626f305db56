"""Likes, supports and stances through the services, with an injected clock."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import participation as p
from app.proposals.models import Proposal, ProposalLike, Stance, StanceDay, Support, TransitionEvent


def put(proposal, state):
    """Set the state directly, as if the lifecycle had got there."""
    proposal.state = state
    db.session.commit()


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


@pytest.fixture
def supporting(make_app, make_proposal, make_user):
    """A proposal seeking support with a threshold of 3, and five members."""
    app = make_app(SUPPORT_THRESHOLD=3)
    made = make_proposal(lc.HEARING)
    members = [make_user("member") for _ in range(5)]
    with app.app_context():
        from app.proposals import services

        proposal = db.session.get(Proposal, made.id)
        author = db.session.get(User, made.author.id)
        secretary = db.session.scalar(select(User).where(User.is_secretariat.is_(True)))
        services.transition(secretary, proposal, lc.REVISION, now=datetime.now(UTC))
        services.transition(author, proposal, lc.SUPPORT, now=datetime.now(UTC))
        db.session.commit()
    ctx = app.app_context()
    ctx.push()
    yield db.session.get(Proposal, made.id), [db.session.get(User, m.id) for m in members], author
    db.session.rollback()
    ctx.pop()


def test_supports_count_and_the_threshold_moves_the_proposal_exactly_once(supporting):
    proposal, members, _author = supporting
    now = datetime.now(UTC)
    assert p.add_support(members[0], proposal, now=now).changed
    assert not p.add_support(members[0], proposal, now=now).changed  # idempotent
    assert proposal.support_count == 1
    assert not p.add_support(members[1], proposal, now=now).entered_catalogue
    result = p.add_support(members[2], proposal, now=now)
    assert result.changed and result.entered_catalogue
    db.session.commit()
    assert proposal.state == lc.CATALOGUE
    assert count(Support, proposal_id=proposal.id) == 3
    assert count(TransitionEvent, proposal_id=proposal.id, to_state="catalogue") == 1
    event = db.session.scalar(
        select(TransitionEvent).where(TransitionEvent.to_state == "catalogue")
    )
    assert event.actor_id is None and event.from_state == "support"
    with pytest.raises(lc.WrongState, match="support_reached"):
        p.add_support(members[3], proposal, now=now)
    assert count(Support, proposal_id=proposal.id) == 3


def test_own_proposal_and_citizens_are_refused(supporting, make_user):
    proposal, _members, author = supporting
    with pytest.raises(lc.NotAllowed, match="own_proposal"):
        p.add_support(author, proposal, now=datetime.now(UTC))
    citizen = db.session.get(User, make_user().id)
    with pytest.raises(lc.NotAllowed, match="not_a_member"):
        p.add_support(citizen, proposal, now=datetime.now(UTC))
    assert proposal.support_count == 0


def test_a_support_after_the_deadline_is_refused_before_any_tick(supporting):
    proposal, members, _ = supporting
    deadline = proposal.support_deadline
    with pytest.raises(lc.WrongState, match="deadline_passed"):
        p.add_support(members[0], proposal, now=deadline)
    assert proposal.state == lc.SUPPORT and proposal.support_count == 0
    p.add_support(members[0], proposal, now=deadline - timedelta(seconds=1))
    assert proposal.support_count == 1


def test_withdraw_support(supporting):
    proposal, members, _ = supporting
    now = datetime.now(UTC)
    p.add_support(members[0], proposal, now=now)
    p.add_support(members[1], proposal, now=now)
    assert p.withdraw_support(members[0], proposal, now=now)
    assert not p.withdraw_support(members[0], proposal, now=now)  # idempotent
    assert not p.withdraw_support(members[4], proposal, now=now)  # never supported
    assert proposal.support_count == 1 == count(Support, proposal_id=proposal.id)
    put(proposal, lc.LAPSED)
    with pytest.raises(lc.WrongState, match="support_closed"):
        p.withdraw_support(members[1], proposal, now=now)


def test_likes_are_idempotent(supporting, make_user):
    proposal, members, _ = supporting
    now = datetime.now(UTC)
    citizen = db.session.get(User, make_user().id)
    assert p.like(citizen, proposal, now=now)
    assert not p.like(citizen, proposal, now=now)
    assert p.like(members[0], proposal, now=now)
    assert p.unlike(citizen, proposal, now=now)
    assert not p.unlike(citizen, proposal, now=now)
    assert proposal.like_count == 1 == count(ProposalLike, proposal_id=proposal.id)


def test_no_likes_on_terminal_proposals(supporting):
    proposal, members, _ = supporting
    put(proposal, lc.WITHDRAWN)
    with pytest.raises(lc.WrongState):
        p.like(members[0], proposal, now=datetime.now(UTC))


def test_stances_count_change_and_are_kept_per_day(supporting):
    proposal, members, _ = supporting
    day1 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    put(proposal, lc.CATALOGUE)
    assert p.set_stance(members[0], proposal, "for", now=day1)
    assert p.set_stance(members[1], proposal, "for", now=day1)
    assert p.set_stance(members[2], proposal, "against", now=day1)
    assert not p.set_stance(members[0], proposal, "for", now=day1)
    assert proposal.stances == {"for": 2, "against": 1, "abstain": 0}
    day2 = day1 + timedelta(days=1)
    assert p.set_stance(members[0], proposal, "abstain", now=day2)
    assert p.set_stance(members[2], proposal, "for", now=day2)
    assert proposal.stances == {"for": 2, "against": 0, "abstain": 1}
    assert count(Stance, proposal_id=proposal.id) == 3
    days = p.stance_history(proposal)
    assert [
        (d.day.isoformat(), d.stance_for, d.stance_against, d.stance_abstain) for d in days
    ] == [("2026-06-01", 2, 1, 0), ("2026-06-02", 2, 0, 1)]
    assert count(StanceDay) == 2
    viewer = p.viewer_state(members[0], proposal)
    # A stance follows the proposal.
    assert viewer == {"liked": False, "supported": False, "stance": "abstain", "following": True}
    with pytest.raises(lc.Invalid):
        p.set_stance(members[0], proposal, "maybe", now=day2)


def test_the_api_reports_the_figures(app, make_proposal, make_user):
    from app.comments import services as comments
    from tests.support.forms import client_for

    made = make_proposal(lc.HEARING)
    people = [make_user("member") for _ in range(4)]
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        users = [db.session.get(User, person.id) for person in people]
        now = datetime.now(UTC)
        comments.add_comment(users[0], proposal, "Første", now=now)
        comments.add_comment(users[1], proposal, "Anden", now=now)
        p.like(users[0], proposal, now=now)
        proposal.state = lc.CATALOGUE
        db.session.commit()
        for user, stance in zip(users, ["for", "for", "against", "abstain"], strict=True):
            p.set_stance(user, proposal, stance, now=now)
        db.session.commit()
    data = client_for(app).get(f"/api/v1/proposals/{made.id}").json
    assert data["stances"] == {"for": 2, "against": 1, "abstain": 1}
    assert (data["likes"], data["comment_count"]) == (1, 2)
    listed = client_for(app).get("/api/v1/proposals").json["items"][0]
    assert (listed["likes"], listed["comment_count"]) == (1, 2)
