"""One member cannot flood others through the proposal forms: at most 20 new drafts and 30
invitations a day, nobody is invited again within 30 days of declining, and an invitation
is mailed as the invitee's email setting says (never, when it is off), while the notice in
the app always comes."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Invitation, Proposal
from tests.notifications.helpers import kinds_of, set_email, tell, work
from tests.support.forms import client_for, post, text_of
from tests.support.proposals import CONTENT


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _new(client, topic):
    return post(client, "/proposals/new", {**CONTENT, "topic": str(topic),
                                           "development": CONTENT["process"]})  # fmt: skip


def test_twenty_drafts_a_day_then_a_clear_refusal(app, make_user, make_proposal, topic):
    author = make_user("member")
    # Nineteen made yesterday and today's morning: the window is the last 24 hours.
    for hours in range(19):
        make_proposal(lc.DRAFT, author=author, now=datetime.now(UTC) - timedelta(hours=hours))
    make_proposal(lc.DRAFT, author=author, now=datetime.now(UTC) - timedelta(hours=25))
    client = client_for(app, author)
    assert _new(client, topic).status_code == 303
    assert _count(app, Proposal, Proposal.created_by_id == author.id) == 21
    refused = _new(client, topic)
    assert refused.status_code == 429
    assert "20 forslag" in text_of(refused) and "i morgen" in text_of(refused)
    assert _count(app, Proposal, Proposal.created_by_id == author.id) == 21
    # Someone else is not held back by it.
    assert _new(client_for(app, make_user("member")), topic).status_code == 303


def test_thirty_invitations_a_day(app, make_user, make_proposal):
    made = make_proposal(lc.DRAFT)
    client = client_for(app, made.author)
    members = [make_user("member") for _ in range(31)]
    for member in members[:30]:
        response = post(client, f"/proposals/{made.id}/proposers", {"email": member.email})
        assert response.status_code == 303, text_of(response)
    refused = post(client, f"/proposals/{made.id}/proposers", {"email": members[30].email})
    assert refused.status_code == 429
    assert "30 invitationer" in text_of(refused)
    assert _count(app, Invitation, Invitation.user_id == members[30].id) == 0


def test_who_declined_is_not_invited_again_for_30_days(app, make_user, make_proposal):
    made = make_proposal(lc.DRAFT)
    invitee = make_user("member", name="Aisha Rahimi")
    author, their = client_for(app, made.author), client_for(app, invitee)
    invite = {"email": invitee.email}
    assert post(author, f"/proposals/{made.id}/proposers", invite).status_code == 303
    assert post(their, f"/proposals/{made.id}/invitation/decline").status_code == 303
    again = post(author, f"/proposals/{made.id}/proposers", invite)
    assert again.status_code == 409
    assert "Aisha Rahimi" in text_of(again) and "30 dage" in text_of(again)
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.user_id == invitee.id))
        assert invitation.status == Invitation.DECLINED
        # A month later the invitation may be sent again.
        invitation.answered_at -= timedelta(days=30, minutes=1)
        db.session.commit()
    assert post(author, f"/proposals/{made.id}/proposers", invite).status_code == 303


def test_an_invitation_is_mailed_as_the_invitee_chose(app, make_user, make_proposal, mailbox):
    made = make_proposal(lc.DRAFT)
    client = client_for(app, made.author)
    quiet, eager, usual = (make_user("member") for _ in range(3))
    set_email(app, quiet, "off")
    set_email(app, eager, "instant")
    for invitee in (quiet, eager, usual):
        post(client, f"/proposals/{made.id}/proposers", {"email": invitee.email})
    tell(app)
    assert [m["To"] for m in mailbox.messages] == [eager.email]
    assert CONTENT["title"] in mailbox.messages[0]["Subject"]
    # The one with the usual daily digest gets it there; the one who turned mail off, never.
    work(app, datetime.now(UTC) + timedelta(days=1))
    assert sorted(m["To"] for m in mailbox.messages) == sorted([eager.email, usual.email])
    # In the app, all three are told.
    for invitee in (quiet, eager, usual):
        assert kinds_of(app, invitee) == ["invited"]
