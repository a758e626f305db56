"""`flask demo` fills an empty database once, and its printed logins work."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from app.accounts.models import User
from app.amendments.models import Amendment
from app.cli import jobs
from app.cli.demo import DEMO_PASSWORD, DEMO_USERS, EXTRA_MEMBERS, load_demo, staying_informed
from app.comments.models import Comment, CommentAnswer
from app.core.database import utcnow
from app.core.extensions import db
from app.notifications.digests import LOCAL_TIME
from app.notifications.models import Notification, TopicFollow
from app.proposals import lifecycle as lc
from app.proposals.models import Outcome, Proposal, StanceDay, Support
from tests.support.forms import post_form, text_of


def test_demo_loads_once_with_every_role_state_and_login(app, client):
    """One load of the demo (a few seconds) for all that is checked of it as loaded."""
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "Demo loaded." in first.output
    for _name, email, _roles in DEMO_USERS:
        assert email in first.output
    assert DEMO_PASSWORD in first.output

    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
        proposals = db.session.scalars(select(Proposal)).all()
    assert len(users) == len(DEMO_USERS) + EXTRA_MEMBERS
    assert sum(u.is_secretariat for u in users.values()) == 1
    assert sum(u.is_member for u in users.values()) >= 50
    assert sum(not u.is_member for u in users.values()) == 1

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "not loaded" in second.output
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == len(users)
        assert len(db.session.scalars(select(Proposal)).all()) == len(proposals)
    has_every_state_and_real_participation(app)
    logins_work(client)


def has_every_state_and_real_participation(app):
    with app.app_context():
        by_state = {p.state: p for p in db.session.scalars(select(Proposal))}
        assert set(by_state) == set(lc.STATES)
        seeking = by_state["support"]
        assert seeking.support_threshold - 6 <= seeking.support_count < seeking.support_threshold
        assert seeking.support_deadline > utcnow()
        catalogue = db.session.scalar(
            select(Proposal).where(Proposal.title == "Forsøg med firedages arbejdsuge i kommunen")
        )
        assert catalogue.state == "catalogue"
        # The catalogue has several proposals across topics, each with stances.
        listed = db.session.scalars(select(Proposal).where(Proposal.state == "catalogue")).all()
        assert len(listed) >= 3 and len({p.topic_id for p in listed}) >= 2
        assert all(p.stance_total >= 20 for p in listed)
        # The proposal in revision has answered and unanswered hearing responses.
        revision = by_state["revision"]
        assert revision.hearing_thread_count == 4 and revision.hearing_answer_count == 3
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(CommentAnswer)
                .where(CommentAnswer.proposal_id == revision.id)
            )
            == 3
        )
        assert catalogue.support_count == catalogue.support_threshold
        assert (
            db.session.scalar(
                select(func.count()).select_from(Outcome).where(Outcome.proposal_id == catalogue.id)
            )
            == 2
        )
        assert catalogue.stance_total >= 30
        # Amendments in every state: open in the hearing and in revision (one that collides
        # with the proposers' own change), withdrawn, adopted (its version named after
        # it), not adopted with a reason, and a minority amendment in the catalogue.
        amendments = db.session.scalars(select(Amendment)).all()
        seen = {(a.state, a.verdict) for a in amendments}
        assert seen >= {
            (lc.OPEN, None),
            (lc.WITHDRAWN, None),
            (lc.DECIDED, lc.ADOPTED),
            (lc.DECIDED, lc.ADOPTED_MODIFIED),
            (lc.DECIDED, lc.NOT_ADOPTED),
            (lc.DECIDED, lc.OBSOLETE),
        }
        assert {by_state[lc.HEARING].id, revision.id} <= {
            a.proposal_id for a in amendments if a.state == lc.OPEN
        }
        assert all(a.reason for a in amendments if a.verdict in lc.REASONED)
        assert all(a.adopted_in for a in amendments if a.verdict in lc.ADOPTING)
        (minority,) = [a for a in amendments if a.minority]
        assert minority.proposal_id == catalogue.id and minority.backer_count >= 10
        assert minority.stance_for + minority.stance_against + minority.stance_abstain == 20
        assert (
            len(
                db.session.scalars(
                    select(StanceDay).where(StanceDay.proposal_id == catalogue.id)
                ).all()
            )
            > 3
        )
        for proposal in by_state.values():  # every counter equals its rows
            supports = db.session.scalar(
                select(func.count()).select_from(Support).where(Support.proposal_id == proposal.id)
            )
            assert supports == proposal.support_count, proposal.title
        hearing = by_state["hearing"]
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Comment)
                .where(Comment.proposal_id == hearing.id, Comment.written_in == "hearing")
            )
            >= 2
        )


def logins_work(client):
    for name, email, _roles in DEMO_USERS:
        response = post_form(client, "/login", {"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 303, email
        assert name in text_of(client.get("/"))
        post_form(client, "/logout", {}, token_from="/")


def test_demo_does_not_touch_a_database_with_other_accounts(app, make_user):
    make_user(email="real@example.org")
    result = app.test_cli_runner().invoke(args=["demo"])
    assert "not loaded" in result.output
    assert "Demo logins" not in result.output


def just_after_the_digests(now: datetime) -> datetime:
    """The last 07:30 Danish time before `now`: the daily digest (and on a Monday the weekly
    one) was due half an hour before, after the demo's comment from the last hour was made.
    Within a day of `now`, so that no deadline of the demo passes before the pages are read."""
    local = now.astimezone(LOCAL_TIME)
    moment = datetime.combine(local.date(), time(7, 30)).replace(tzinfo=LOCAL_TIME)
    if moment > local:
        moment -= timedelta(days=1)
    return moment.astimezone(UTC)


def test_the_demo_people_follow_and_are_told(app, client, mailbox):
    """/notifications is not empty for the demo people, some of it unread, and a mail waits
    for the worker: a comment from the last hour to a proposer who wants mail at once. The
    demo is made at the hardest moment of the day, just after the digests were due (which
    would have taken the comment then): the worker starting sends that one mail only."""
    now = just_after_the_digests(utcnow())
    with app.app_context():
        users = load_demo(now)
        db.session.commit()
        staying_informed(users, now)
        told = db.session.scalar(select(func.count(func.distinct(Notification.user_id))))
        assert told >= 20
        assert db.session.scalar(select(func.count()).select_from(TopicFollow)) >= 2
    for name, email, _roles in DEMO_USERS[1:]:
        post_form(client, "/login", {"email": email, "password": DEMO_PASSWORD})
        page = text_of(client.get("/notifications"))
        assert page.count('<li class="notification') >= 2, name
        post_form(client, "/logout", {}, token_from="/")
    post_form(client, "/login", {"email": "mette@example.org", "password": DEMO_PASSWORD})
    assert 'class="count-badge"' in text_of(client.get("/"))
    with app.app_context():
        summary = str(jobs.run_all(now))
    assert "0 digest(s) made, 1 mail(s) sent" in summary, summary
    (message,) = mailbox.to("mette@example.org")
    assert "Flere lærepladser i små virksomheder" in message["Subject"]
