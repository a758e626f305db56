"""The proposal services as plain Python, with an injected clock."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services
from app.proposals.models import Invitation, Proposal, Proposer, TransitionEvent, Version
from tests.support.proposals import CONTENT

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session


def user(account) -> User:
    return db.session.get(User, account.id)


def content(topic, **changes):
    return services.Content(topic_id=topic, **{**CONTENT, **changes})


def new_draft(ctx, topic, author) -> Proposal:
    return services.create(user(author), content(topic), now=T0)


def test_create_makes_a_draft_with_its_author_as_proposer_one(ctx, topic, make_user):
    author = make_user("member", name="Søren")
    proposal = new_draft(ctx, topic, author)
    assert proposal.state == lc.DRAFT
    assert proposal.proposer_count == 1
    (proposer,) = ctx.scalars(select(Proposer)).all()
    assert (proposer.user_id, proposer.position) == (author.id, 1)
    # Headings start at h2 (the page owns h1), so "##" is h3.
    assert (
        str(proposal.body_html)
        == "<h3>Forslaget</h3>\n<p>En bus i timen til <strong>alle</strong> landsbyer.</p>"
    )
    # The stems the SQLite index reads: "landsbyer" is stored as "landsby".
    assert "bus i tim" in proposal.search_rest and "landsbyer" not in proposal.search_rest
    assert proposal.organisation_list == ["Landdistrikternes Fællesråd", "Danske Ældreråd"]
    assert ctx.scalar(select(func.count()).select_from(TransitionEvent)) == 0


def test_only_members_write_proposals(ctx, topic, make_user):
    with pytest.raises(lc.NotAllowed):
        services.create(user(make_user()), content(topic), now=T0)


def test_ten_proposers_numbered_in_the_order_they_accepted(ctx, topic, make_user):
    author = make_user("member")
    proposal = new_draft(ctx, topic, author)
    members = [make_user("member", name=f"Medlem {i}") for i in range(9)]
    for member in members:
        services.invite(user(author), proposal, member.email.upper(), now=T0)
    accept_order = list(reversed(members))  # accepting in the opposite order of inviting
    for i, member in enumerate(accept_order):
        services.answer_invitation(
            user(member), proposal, accept=True, now=T0 + timedelta(minutes=i)
        )
    positions = ctx.execute(
        select(Proposer.position, Proposer.user_id).order_by(Proposer.position)
    ).all()
    assert positions == [(1, author.id)] + [(i + 2, m.id) for i, m in enumerate(accept_order)]
    assert proposal.proposer_count == 10


@pytest.mark.parametrize(
    ("who", "key"),
    [
        ("stranger", "invitee_not_member"),
        ("citizen", "invitee_not_member"),
        ("author", "already_proposer"),
        ("invited", "already_invited"),
    ],
)
def test_invitations_that_cannot_be_made(ctx, topic, make_user, who, key):
    author = make_user("member")
    proposal = new_draft(ctx, topic, author)
    invited = make_user("member")
    services.invite(user(author), proposal, invited.email, now=T0)
    email = {
        "stranger": "nobody@example.org",
        "citizen": make_user().email,
        "author": author.email,
        "invited": invited.email,
    }[who]
    with pytest.raises(lc.Invalid) as refused:
        services.invite(user(author), proposal, email, now=T0)
    assert refused.value.key == key


def test_only_proposers_invite_and_only_while_editable(ctx, topic, make_user, secretary):
    author = make_user("member")
    proposal = new_draft(ctx, topic, author)
    other = make_user("member")
    with pytest.raises(lc.NotAllowed):
        services.invite(user(other), proposal, make_user("member").email, now=T0)
    services.transition(user(author), proposal, lc.SUBMITTED, now=T0)
    with pytest.raises(lc.WrongState):
        services.invite(user(author), proposal, other.email, now=T0)


def test_decline_then_invite_again(ctx, topic, make_user):
    author = make_user("member")
    proposal = new_draft(ctx, topic, author)
    member = make_user("member")
    services.invite(user(author), proposal, member.email, now=T0)
    assert services.answer_invitation(user(member), proposal, accept=False, now=T0) is None
    assert ctx.scalar(select(Invitation.status)) == "declined"
    with pytest.raises(lc.ConditionNotMet):
        services.answer_invitation(user(member), proposal, accept=True, now=T0)
    # Who declined is left in peace for a while: asked again only after REINVITE_AFTER.
    soon = T0 + lc.REINVITE_AFTER - timedelta(seconds=1)
    with pytest.raises(lc.ConditionNotMet) as refused:
        services.invite(user(author), proposal, member.email, now=soon)
    assert refused.value.key == "declined_recently"
    later = T0 + lc.REINVITE_AFTER
    services.invite(user(author), proposal, member.email, now=later)
    assert services.answer_invitation(user(member), proposal, accept=True, now=later).position == 2


def test_an_invitation_cannot_be_accepted_after_submission(ctx, topic, make_user):
    author = make_user("member")
    proposal = new_draft(ctx, topic, author)
    member = make_user("member")
    services.invite(user(author), proposal, member.email, now=T0)
    services.transition(user(author), proposal, lc.SUBMITTED, now=T0)
    with pytest.raises(lc.WrongState):
        services.answer_invitation(user(member), proposal, accept=True, now=T0)
    assert proposal.proposer_count == 1


def test_submission_needs_min_proposers(make_app, make_user, topic):
    app = make_app(MIN_PROPOSERS=2)
    author, member = make_user("member"), make_user("member")
    with app.app_context():
        proposal = services.create(user(author), content(topic), now=T0)
        with pytest.raises(lc.ConditionNotMet, match="too_few_proposers"):
            services.transition(user(author), proposal, lc.SUBMITTED, now=T0)
        assert proposal.state == lc.DRAFT
        services.invite(user(author), proposal, member.email, now=T0)
        services.answer_invitation(user(member), proposal, accept=True, now=T0)
        services.transition(user(author), proposal, lc.SUBMITTED, now=T0)
        assert proposal.state == lc.SUBMITTED


def walk_to_hearing(ctx, topic, author, secretary, **kwargs) -> Proposal:
    proposal = new_draft(ctx, topic, author)
    services.transition(user(author), proposal, lc.SUBMITTED, now=T0)
    services.transition(user(secretary), proposal, lc.HEARING, now=T0, **kwargs)
    return proposal


def test_hearing_freezes_version_one_and_ends_after_the_window(ctx, topic, make_user, secretary):
    proposal = walk_to_hearing(ctx, topic, make_user("member"), secretary)
    assert proposal.hearing_ends_at == T0 + timedelta(days=14)
    (version,) = ctx.scalars(select(Version)).all()
    assert (version.number, version.kind, version.body) == (1, "hearing", CONTENT["body"])
    assert proposal.hearing_version == 1


def test_hearing_with_a_chosen_end(ctx, topic, make_user, secretary):
    end = T0 + timedelta(days=3)
    proposal = walk_to_hearing(ctx, topic, make_user("member"), secretary, ends_at=end)
    assert proposal.hearing_ends_at == end


def test_no_editing_during_the_hearing(ctx, topic, make_user, secretary):
    author = make_user("member")
    proposal = walk_to_hearing(ctx, topic, author, secretary)
    with pytest.raises(lc.WrongState):
        services.edit(user(author), proposal, content(topic, title="Nyt navn her"), now=T0)
    assert ctx.scalar(select(Proposal.title)) == CONTENT["title"]


def test_revision_saves_are_numbered_versions(ctx, topic, make_user, secretary):
    author = make_user("member")
    proposal = walk_to_hearing(ctx, topic, author, secretary)
    services.apply_due(T0 + timedelta(days=14))
    assert proposal.state == lc.REVISION
    v2 = services.edit(user(author), proposal, content(topic, body="Ny tekst."), now=T0)
    same = services.edit(user(author), proposal, content(topic, body="Ny tekst."), now=T0)
    v3 = services.edit(user(author), proposal, content(topic, body="Nyere tekst."), now=T0)
    assert (v2.number, same, v3.number) == (2, None, 3)
    assert str(proposal.body_html) == "<p>Nyere tekst.</p>"
    services.transition(user(author), proposal, lc.SUPPORT, now=T0)
    assert proposal.final_version == 3


def test_drafts_are_edited_without_versions(ctx, topic, make_user):
    author = make_user("member")
    proposal = new_draft(ctx, topic, author)
    assert services.edit(user(author), proposal, content(topic, body="Ændret."), now=T0) is None
    assert ctx.scalar(select(func.count()).select_from(Version)) == 0
    with pytest.raises(lc.NotAllowed):
        services.edit(user(make_user("member")), proposal, content(topic), now=T0)


def test_support_stores_deadline_and_threshold_from_the_settings_of_that_moment(
    make_app, make_user, topic, secretary
):
    app = make_app(SUPPORT_THRESHOLD=7, SUPPORT_WINDOW=timedelta(days=3))
    author = make_user("member")
    with app.app_context():
        proposal = walk_to_hearing(db.session, topic, author, secretary)
        services.transition(user(secretary), proposal, lc.REVISION, now=T0)
        services.transition(user(author), proposal, lc.SUPPORT, now=T0 + timedelta(hours=1))
        assert proposal.support_threshold == 7
        assert proposal.support_deadline == T0 + timedelta(days=3, hours=1)
        app.config["SUPPORT_THRESHOLD"] = 99
        assert db.session.scalar(select(Proposal.support_threshold)) == 7


def test_ending_the_hearing_early_records_when(ctx, topic, make_user, secretary):
    proposal = walk_to_hearing(ctx, topic, make_user("member"), secretary)
    event = services.transition(user(secretary), proposal, lc.REVISION, now=T0 + timedelta(days=2))
    assert proposal.hearing_ends_at == T0 + timedelta(days=2)
    assert (event.from_state, event.to_state, event.actor_id) == (
        "hearing",
        "revision",
        secretary.id,
    )


def test_apply_due_is_exactly_once_and_by_the_system(ctx, topic, make_user, secretary):
    proposal = walk_to_hearing(ctx, topic, make_user("member"), secretary)
    assert services.apply_due(T0 + timedelta(days=14) - timedelta(seconds=1)) == []
    (event,) = services.apply_due(T0 + timedelta(days=14))
    assert (event.from_state, event.to_state, event.actor_id) == ("hearing", "revision", None)
    assert services.apply_due(T0 + timedelta(days=15)) == []
    assert proposal.state == lc.REVISION


def test_support_lapses_at_the_deadline(ctx, topic, make_user, secretary):
    author = make_user("member")
    proposal = walk_to_hearing(ctx, topic, author, secretary)
    services.transition(user(secretary), proposal, lc.REVISION, now=T0)
    services.transition(user(author), proposal, lc.SUPPORT, now=T0)
    deadline = T0 + timedelta(days=30)
    assert services.apply_due(deadline - timedelta(seconds=1)) == []
    (event,) = services.apply_due(deadline)
    assert (event.to_state, proposal.state) == ("lapsed", "lapsed")
    with pytest.raises(lc.ReasonRequired):
        services.transition(user(secretary), proposal, lc.REVISION, now=deadline)
    services.transition(user(secretary), proposal, lc.REVISION, reason="Genåbnet.", now=deadline)
    assert proposal.state == lc.REVISION


def test_a_stale_state_changes_nothing(ctx, topic, make_user, secretary):
    """Two requests that both saw `submitted`: only the first may move the proposal."""
    author = make_user("member")
    proposal = new_draft(ctx, topic, author)
    services.transition(user(author), proposal, lc.SUBMITTED, now=T0)
    ctx.commit()
    assert proposal.state == lc.SUBMITTED  # what this request saw
    ctx.execute(Proposal.__table__.update().values(state=lc.HEARING))  # someone else acted
    with pytest.raises(lc.WrongState, match="changed_meanwhile"):
        services._move(proposal, lc.REJECTED, actor=user(secretary), reason="x", now=T0)
    assert ctx.scalar(select(func.count()).select_from(TransitionEvent)) == 1


def test_outcomes_only_on_catalogue_proposals_by_the_secretariat(ctx, topic, make_user, secretary):
    author = make_user("member")
    proposal = walk_to_hearing(ctx, topic, author, secretary)
    with pytest.raises(lc.WrongState):
        services.add_outcome(user(secretary), proposal, on=T0.date(), text="Vedtaget.", now=T0)
    ctx.execute(Proposal.__table__.update().values(state=lc.CATALOGUE))
    ctx.expire_all()
    proposal = ctx.get(Proposal, proposal.id)
    with pytest.raises(lc.NotAllowed):
        services.add_outcome(user(author), proposal, on=T0.date(), text="Vedtaget.", now=T0)
    outcome = services.add_outcome(
        user(secretary), proposal, on=T0.date(), text="Vedtaget som *toårigt* forsøg.", now=T0
    )
    assert str(outcome.text_html) == "<p>Vedtaget som <em>toårigt</em> forsøg.</p>"
