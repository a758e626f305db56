"""The table of who is told of what, against PRODUCT.md's: each event, fanned out in a world
with one person in each audience, tells exactly the people the table names, once each,
never the one who acted; and each kind of notification has words and a place to lead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import delete, select

from app.accounts.models import User
from app.comments.models import Comment
from app.core import outbox
from app.core.database import utcnow
from app.core.extensions import db
from app.core.outbox import Event
from app.notifications import fanout, rules
from app.notifications.items import Item
from app.notifications.models import Notification, ProposalFollow, TopicFollow
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal, Stance, Support

# PRODUCT.md, "What is told to whom", copied by hand: the people of the world below.
PROPOSERS = {"author", "coauthor"}
SUPPORTERS = {"supporter"}
STANCE_HOLDERS = {"stance", "unfollowed_stance"}
COMMENTERS = {"commenter", "replier", "unfollowed_commenter"}
# Followers by choice (the topic's too, since its hearing opened), or by taking part unless
# they unfollowed.
FOLLOWERS = {
    "follower",
    "topic_follower",
    *PROPOSERS,
    *SUPPORTERS,
    "stance",
    "commenter",
    "replier",
}
TOLD = {
    "invited": {"invitee"},
    "sent_back": PROPOSERS,
    "rejected": PROPOSERS,
    "hearing_opened": {"topic_follower", "every_hearing"},
    "comment": {"commenter"} | PROPOSERS,  # the author replied to, and the proposers
    "comment_hidden": {"replier"},
    "answered": {"replier"},  # the author of the hearing response answered
    "hearing_ended": PROPOSERS,
    "support_started": COMMENTERS | FOLLOWERS | {"every_support"},
    "deadline_near": PROPOSERS | FOLLOWERS,
    "entered_catalogue": PROPOSERS | SUPPORTERS | FOLLOWERS,
    "lapsed": PROPOSERS | SUPPORTERS | FOLLOWERS,
    "outcome": PROPOSERS | SUPPORTERS | FOLLOWERS | STANCE_HOLDERS,
    "retired": PROPOSERS | SUPPORTERS | FOLLOWERS | STANCE_HOLDERS,
    "submitted": {"staff", "karen"},
    "flagged": {"staff", "karen"},
}
# Who acts, and so is not told (None: the system).
ACTOR = {
    "invited": "author",
    "comment": "replier",
    "comment_hidden": "staff",
    "answered": "author",
    "flagged": "outsider",
}
ACTOR.update(
    dict.fromkeys(["sent_back", "rejected", "hearing_opened", "outcome", "retired"], "staff")
)
ACTOR.update(dict.fromkeys(["submitted", "support_started"], "coauthor"))

PEOPLE = [
    "author", "coauthor", "follower", "supporter", "stance", "unfollowed_stance", "commenter",
    "replier", "unfollowed_commenter", "topic_follower", "every_hearing", "every_support",
    "every_support_citizen", "staff", "invitee", "outsider",
]  # fmt: skip


# Who the amendments' events tell is shown on a world of amendments:
# tests/amendments/test_web.py (the proposers, batched; a decision's author and backers).
AMENDMENT_EVENTS = {"amendment", "amendment_decided"}


def test_the_table_is_product_mds():
    assert set(rules.RULES) == set(TOLD) | AMENDMENT_EVENTS
    for (source, target), kind in rules.TRANSITION_EVENTS.items():
        assert (source, target) in lc.TRANSITIONS, kind
        assert kind in rules.RULES


@pytest.fixture
def world(app, make_user, make_proposal, topic, secretary):
    people = {name: make_user("member", name=name) for name in PEOPLE}
    people["karen"] = secretary  # who walked the proposal into its hearing
    people["every_support_citizen"] = make_user(name="every_support_citizen")
    made = make_proposal(lc.HEARING, author=people["author"])
    now = utcnow()
    with app.app_context():
        user = {name: db.session.get(User, account.id) for name, account in people.items()}
        user["staff"].is_secretariat = True
        user["every_hearing"].notify_new_hearings = True
        for name in ("every_support", "every_support_citizen"):
            user[name].notify_seeking_support = True
        proposal = db.session.get(Proposal, made.id)
        from app.proposals.models import Proposer

        db.session.add(Proposer(proposal_id=made.id, user_id=user["coauthor"].id, position=2,
                                joined_at=now))  # fmt: skip
        db.session.add(ProposalFollow(proposal_id=made.id, user_id=user["follower"].id,
                                      following=True, created_at=now))  # fmt: skip
        db.session.add(TopicFollow(topic_id=topic, user_id=user["topic_follower"].id,
                                   created_at=now))  # fmt: skip
        db.session.add(Support(proposal_id=made.id, user_id=user["supporter"].id, created_at=now))
        for name in ("stance", "unfollowed_stance"):
            db.session.add(Stance(proposal_id=made.id, user_id=user[name].id, value="for",
                                  updated_at=now))  # fmt: skip
        said = {}
        for name in ("commenter", "unfollowed_commenter"):
            said[name] = Comment(proposal_id=made.id, author_id=user[name].id, body="Hm.",
                                 body_html=Markup("<p>Hm.</p>"), written_in=lc.HEARING,
                                 created_at=now - timedelta(minutes=5))  # fmt: skip
            db.session.add(said[name])
        db.session.flush()
        said["reply"] = Comment(proposal_id=made.id, author_id=user["replier"].id, body="Ja.",
                                body_html=Markup("<p>Ja.</p>"), written_in=lc.HEARING,
                                parent_id=said["commenter"].id, created_at=now)  # fmt: skip
        db.session.add(said["reply"])
        for name in ("unfollowed_stance", "unfollowed_commenter"):
            db.session.add(ProposalFollow(proposal_id=made.id, user_id=user[name].id,
                                          following=False, created_at=now))  # fmt: skip
        db.session.commit()
        fanout.process_events(now)  # what making the proposal told: not under test
        db.session.execute(delete(Notification))
        db.session.commit()
        ids = {name: account.id for name, account in people.items()}
        return {"people": ids, "proposal": proposal.id, "reply": said["reply"].id}


@pytest.mark.parametrize("kind", sorted(TOLD))
def test_each_event_tells_whom_the_table_names(app, world, kind):
    people = world["people"]
    names = {user_id: name for name, user_id in people.items()}
    actor = ACTOR.get(kind)
    now = utcnow()
    with app.app_context():
        outbox.record(
            kind,
            now=now,
            proposal_id=world["proposal"],
            comment_id=world["reply"]
            if kind in ("comment", "comment_hidden", "answered", "flagged")
            else None,
            actor_id=people[actor] if actor else None,
            subject_id=people["invitee"] if kind == "invited" else None,
            data={"reason": "Fordi."},
        )
        db.session.commit()
        assert fanout.process_events(now) == 1
        told = db.session.execute(select(Notification.user_id, Notification.kind)).all()
    who = sorted(names[user_id] for user_id, _ in told)
    assert who == sorted(TOLD[kind] - {actor}), kind
    if kind == "support_started":
        variants = {names[user_id]: told_kind for user_id, told_kind in told}
        assert {n for n, k in variants.items() if k == "changed_since_comment"} == COMMENTERS - {
            actor
        }


def test_an_event_is_fanned_out_once_however_often_the_worker_looks(app, world):
    now = utcnow()
    with app.app_context():
        outbox.record("outcome", now=now, proposal_id=world["proposal"], data={})
        db.session.commit()
        assert fanout.process_events(now) == 1
        assert fanout.process_events(now) == 0
        event = db.session.scalar(select(Event).where(Event.kind == "outcome"))
        assert event.processed_at is not None
        # Even an event stamped back by hand tells nobody twice: one row per person.
        event.processed_at = None
        db.session.commit()
        before = len(db.session.scalars(select(Notification.id)).all())
        fanout.process_events(now)
        assert len(db.session.scalars(select(Notification.id)).all()) == before


def test_a_timer_event_with_a_key_happens_once(app, world):
    now = utcnow()
    with app.app_context():
        key = f"deadline_near:{world['proposal']}:x"
        assert outbox.record("deadline_near", now=now, proposal_id=world["proposal"], key=key)
        assert not outbox.record("deadline_near", now=now, proposal_id=world["proposal"], key=key)
        db.session.commit()
        assert len(db.session.scalars(select(Event).where(Event.key == key)).all()) == 1


@pytest.mark.parametrize("kind", rules.NOTIFICATION_KINDS)
@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_kind_has_words_and_a_place_to_lead(app, kind, lang):
    item = Item(
        id=1, kind=kind, count=2, created_at=utcnow(), read_at=None, proposal_id=7,
        title="Bedre busser", comment_id=3, from_version=1, final_version=2, actor="Mette",
        data={"hearing_ends_at": "2026-12-01T10:00:00Z", "deadline": "2026-12-24T10:00:00Z",
              "threshold": 50, "count": 12, "date": "2026-12-01", "hearing_responses": 4,
              "reason": "Fordi.", "written_in": "hearing"},
    )  # fmt: skip
    with app.test_request_context(), force_locale(lang):
        headline = item.headline
        endpoint, values = item.target
        from flask import url_for

        url = url_for(endpoint, **values)
    assert "Bedre busser" in headline and "%(" not in headline
    assert url.startswith(("/proposals/7", "/secretariat", "/comments/3"))


def test_an_unknown_event_is_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        outbox.record("no such event", now=utcnow())
