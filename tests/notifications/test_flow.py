"""The whole flow of staying informed, through the pages and a real SMTP server: a hearing
opens, input comes in, a reply, the hearing ends, the text changes, support is sought, a
deadline nears, the catalogue, an outcome; and what each email setting makes of it."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.comments.models import Comment
from app.core.database import utcnow
from app.core.extensions import db
from app.proposals import lifecycle as lc
from tests.notifications.helpers import (
    kinds_of,
    notifications_of,
    problems_of_mail,
    set_email,
    tell,
    work,
)
from tests.support.forms import client_for, post, text_of
from tests.support.proposals import CONTENT, force
from tests.support.smtp import text_of as text_of_mail

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
PUBLIC_URL = "http://localhost"


class Inbox:
    """The mailbox, read a step at a time, with everything ever received kept."""

    def __init__(self, mailbox) -> None:
        self.mailbox = mailbox
        self.everything: list = []

    def take(self) -> dict[str, list]:
        """The mails received since the last look, by recipient."""
        new = self.mailbox.messages
        self.mailbox.clear()
        self.everything += new
        by_address: dict[str, list] = {}
        for message in new:
            by_address.setdefault(message["To"], []).append(message)
        return by_address


def local(day: datetime, hour: int) -> datetime:
    return datetime.combine(day.astimezone(COPENHAGEN).date(), time(hour), COPENHAGEN)


def comment_ids(app, proposal_id: int) -> list[int]:
    with app.app_context():
        return db.session.scalars(
            select(Comment.id).where(Comment.proposal_id == proposal_id).order_by(Comment.id)
        ).all()


def test_the_whole_flow_over_smtp(app, make_user, make_proposal, topic, secretary, mailbox):
    inbox = Inbox(mailbox)
    author = make_user("member", name="Mette Nørgaard")
    follower = make_user("member", name="Aisha Rahimi")
    weekly = make_user("member", name="Søren Østergaard")
    daily = make_user(name="Lærke Bech")
    silent = make_user(name="Ole Olsen")
    citizen = make_user(name="Peter Borger")
    backer = make_user("member", name="Anne Jensen")
    stance_holder = make_user("member", name="Niels Hansen")
    for person in (author, follower, citizen, backer, stance_holder):
        set_email(app, person, "instant")
    set_email(app, weekly, "weekly")
    set_email(app, silent, "off")
    for person in (follower, weekly, daily, silent):
        assert post(client_for(app, person), f"/topics/{topic}/follow").status_code == 303

    made = make_proposal(lc.SUBMITTED, author=author)
    base = f"/proposals/{made.id}"
    work(app)
    assert inbox.take() == {}, "a submitted proposal reaches the secretariat in its digest only"
    assert kinds_of(app, secretary) == ["submitted"]

    # A hearing opens: the topic's followers are told; mailed at once only if they chose so.
    staff = client_for(app, secretary)
    assert post(staff, f"{base}/transition", {"to": "hearing"}).status_code == 303
    tell(app)
    mails = inbox.take()
    assert list(mails) == [follower.email]
    (opened,) = mails[follower.email]
    assert CONTENT["title"] in opened["Subject"]
    assert f"{PUBLIC_URL}{base}" in text_of_mail(opened)
    for person in (follower, weekly, daily, silent):
        assert kinds_of(app, person) == ["hearing_opened"]

    # Hearing responses: the proposer hears once within the hour, with the count kept.
    citizen_client, backer_client = client_for(app, citizen), client_for(app, backer)
    assert post(citizen_client, f"{base}/comments", {"body": "Husk cyklerne."}).status_code == 303
    tell(app)
    assert list(inbox.take()) == [author.email]
    post(citizen_client, f"{base}/comments", {"body": "Og gangstierne."})
    post(backer_client, f"{base}/comments", {"body": "Et godt forslag."})
    tell(app)
    assert inbox.take() == {}, "batched: at most one per proposal per hour"
    (batch,) = notifications_of(app, author)
    assert (batch.kind, batch.count, batch.read_at) == ("comment", 3, None)

    # A reply: the author of the comment replied to is told.
    author_client = client_for(app, author)
    first = comment_ids(app, made.id)[0]
    reply = post(author_client, f"{base}/comments", {"body": "Tak!", "parent_id": first})
    assert reply.status_code == 303
    tell(app)
    mails = inbox.take()
    (replied,) = mails[citizen.email]
    assert "Mette Nørgaard" in replied["Subject"]
    reply_id = comment_ids(app, made.id)[-1]
    assert f"{PUBLIC_URL}/comments/{reply_id}" in text_of_mail(replied)

    # The hearing ends: the proposers are told how many responses there are to go through.
    assert post(staff, f"{base}/transition", {"to": "revision"}).status_code == 303
    tell(app)
    (ended,) = inbox.take()[author.email]
    assert re.search(r"\b4\b", ended["Subject"]), ended["Subject"]

    # The text changes, and support is sought: commenters get what changed since they
    # commented, as a link to the word diff that works.
    edited = {**CONTENT, "development": CONTENT["process"], "topic": str(topic)}
    edited["body"] = CONTENT["body"] + "\n\nOgså cykelstier langs landevejene."
    assert post(author_client, f"{base}/edit", edited).status_code == 303
    assert post(author_client, f"{base}/transition", {"to": "support"}).status_code == 303
    tell(app)
    mails = inbox.take()
    for person in (citizen, backer):
        (changed,) = mails[person.email]
        link = re.search(rf"{PUBLIC_URL}({base}/diff\?from=1&to=2)", text_of_mail(changed))
        assert link, text_of_mail(changed)
        diff = client_for(app, person).get(link[1])
        assert diff.status_code == 200 and "<ins" in text_of(diff)
        assert kinds_of(app, person)[-1] == "changed_since_comment"
    assert kinds_of(app, follower)[-1] == "support_started"
    assert author.email not in mails, "the one who moved it is not told of it"

    # Three days before the deadline, still short: proposers and followers, once.
    force(app, made.id, support_deadline=utcnow() + timedelta(days=2, hours=12))
    work(app)
    mails = inbox.take()
    assert {author.email, follower.email, citizen.email, backer.email} <= set(mails)
    assert weekly.email not in mails and silent.email not in mails
    work(app)
    assert inbox.take() == {}, "the reminder comes once per deadline"

    # Into the catalogue: proposers, supporters and followers.
    force(app, made.id, support_threshold=1)
    assert post(backer_client, f"{base}/support").status_code == 303
    tell(app)
    mails = inbox.take()
    assert {author.email, backer.email, follower.email, citizen.email} <= set(mails)
    assert kinds_of(app, backer)[-1] == "entered_catalogue"

    # An outcome: also members with a stance, even one who stopped following.
    holder_client = client_for(app, stance_holder)
    assert post(holder_client, f"{base}/stance", {"stance": "for"}).status_code == 303
    assert post(holder_client, f"{base}/unfollow").status_code == 303
    outcome = {"date": utcnow().date().isoformat(), "text": "Vedtaget som forsøg."}
    assert post(staff, f"{base}/outcomes", outcome).status_code == 303
    tell(app)
    mails = inbox.take()
    assert {author.email, backer.email, follower.email, stance_holder.email} <= set(mails)
    (told,) = mails[stance_holder.email]
    assert "Vedtaget som forsøg." in text_of_mail(told)
    assert CONTENT["title"] in told["Subject"], "a long Danish subject keeps its spaces"

    # Digests: the daily one tomorrow morning, the weekly one on Monday morning (already in
    # tomorrow's run when a Monday 07:00 Danish time comes before it), nothing when off.
    tomorrow = local(utcnow() + timedelta(days=1), 8)
    monday = local(tomorrow - timedelta(days=tomorrow.weekday()), 7)  # this week's
    if monday < utcnow():
        monday += timedelta(days=7)
    work(app, tomorrow)
    mails = inbox.take()
    (digest,) = mails[daily.email]
    text = text_of_mail(digest)
    assert text.count(CONTENT["title"]) >= 2 and "== " in text, "grouped by proposal"
    assert len(mails[secretary.email]) == 1, "the secretariat's daily digest"
    assert silent.email not in mails
    if monday > tomorrow:
        assert weekly.email not in mails
        work(app, monday + timedelta(hours=1))
        mails = inbox.take()
        assert list(mails) == [weekly.email]
    (weekly_digest,) = mails[weekly.email]
    assert "support_started" in kinds_of(app, weekly)
    assert len(kinds_of(app, weekly)) > 1 and "== " in text_of_mail(weekly_digest)
    work(app, max(monday, tomorrow) + timedelta(days=1))
    assert inbox.take() == {}, "nothing is mailed twice"

    assert kinds_of(app, silent), "email off still keeps the notifications in the app"
    assert all(n.email == "none" for n in notifications_of(app, silent))
    assert not [m for m in inbox.everything if m["To"] == silent.email]

    # Every mail of the flow is one the site may send.
    assert len(inbox.everything) >= 20
    for message in inbox.everything:
        assert problems_of_mail(message, PUBLIC_URL) == [], message["Subject"]
