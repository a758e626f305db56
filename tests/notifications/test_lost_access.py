"""Someone who can no longer see a proposal (they declined the invitation to it, or their
secretariat role was taken away) is not shown its title later: not in their notifications,
not in a digest mail, not in their data download. The line is still there, in words that
name no proposal."""

import json
from datetime import UTC, datetime, timedelta

from app.proposals import lifecycle as lc
from tests.notifications.helpers import set_email, work
from tests.support.forms import client_for, post, text_of
from tests.support.smtp import text_of as text_of_mail

SECRET = "Hemmeligt udkast om havnebadet"
LOST_DA = "et forslag, du ikke længere har adgang til"


def _no_title_anywhere(app, account, mailbox) -> None:
    client = client_for(app, account)
    page = text_of(client.get("/notifications"))
    assert SECRET not in page
    assert "ikke længere har adgang til" in page
    data = text_of(client.get("/account/data"))
    assert SECRET not in data
    json.loads(data)
    work(app, datetime.now(UTC) + timedelta(days=1))  # the daily digest
    mails = [m for m in mailbox.messages if m["To"] == account.email]
    assert mails, "the digest still comes"
    for mail in mails:
        assert SECRET not in mail["Subject"]
        assert SECRET not in text_of_mail(mail)
        html = mail.get_body(("html",))
        assert html is None or SECRET not in html.get_content()


def test_a_declined_invitee_no_longer_reads_the_draft_s_title(app, make_user, make_proposal,
                                                             mailbox):  # fmt: skip
    made = make_proposal(lc.DRAFT, title=SECRET)
    invitee = make_user("member")
    set_email(app, invitee, "daily")
    post(client_for(app, made.author), f"/proposals/{made.id}/proposers", {"email": invitee.email})
    theirs = client_for(app, invitee)
    # While invited, they read it.
    work(app)
    assert SECRET in text_of(theirs.get("/notifications"))
    assert post(theirs, f"/proposals/{made.id}/invitation/decline").status_code == 303
    assert theirs.get(f"/proposals/{made.id}").status_code == 404
    _no_title_anywhere(app, invitee, mailbox)
    data = json.loads(text_of(theirs.get("/account/data")))
    (received,) = data["invitations"]["received"]
    assert received["proposal_title"] == LOST_DA


def test_a_former_secretary_no_longer_reads_submitted_titles(app, make_user, make_proposal,
                                                            secretary, mailbox):  # fmt: skip
    former = make_user("member", "secretariat")
    set_email(app, former, "daily")
    make_proposal(lc.SUBMITTED, title=SECRET)
    work(app)  # the secretariat is told of the submission (digest only)
    assert SECRET in text_of(client_for(app, former).get("/notifications"))
    staff = client_for(app, secretary)
    response = post(staff, "/secretariat/members", {"action": "revoke", "role": "secretariat",
                                                   "user_id": str(former.id)})  # fmt: skip
    assert response.status_code == 303, text_of(response)
    _no_title_anywhere(app, former, mailbox)


def test_those_who_still_may_see_it_read_its_title(app, make_user, make_proposal, secretary):
    make_proposal(lc.SUBMITTED, title=SECRET)
    work(app)
    assert SECRET in text_of(client_for(app, secretary).get("/notifications"))
