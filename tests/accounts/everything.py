"""A person with something in every table that can hold a user id, and the checks that the
site's stored counters still equal their rows: shared by the download and the erasure tests.

Built through the services, as the app would make it. `users_columns()` lists, from the
models, every (table, column) that references users.id; `rows_of()` reads what each holds
about one person, so a test can ask that every one of them has something to check.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, text

from app.accounts import mails
from app.accounts import services as accounts
from app.accounts.models import AccountToken, User
from app.amendments import services as amendments
from app.amendments.models import Amendment
from app.comments import answers
from app.comments import services as comments
from app.core.database import utcnow
from app.core.extensions import db
from app.notifications import fanout, follows
from app.privacy.erasure import columns_referencing_users
from app.proposals import lifecycle as lc
from app.proposals import participation, services
from app.proposals.models import Proposal, Topic
from tests.support.proposals import CONTENT, PATHS, counted_discussion

PASSWORD = "correct horse battery"
NAME = "Zebulon Quistgaard"
EMAIL = "zebulon.quistgaard@example.org"


@dataclass
class Everything:
    person: int  # the user id of the person with content everywhere
    email: str
    name: str
    password: str
    staff: int  # another secretariat account
    other: int  # a member who writes and proposes alongside
    proposals: dict[str, int]  # by name: mine, shared, private, hearing, support, catalogue
    comments: dict[str, int]


def users_columns() -> list[tuple[str, str]]:
    return columns_referencing_users(db.metadata)


def rows_of(user_id: int) -> dict[tuple[str, str], list[dict]]:
    """Every row of every table that names the person, by (table, column)."""
    tables = {table.name: table for table in db.metadata.sorted_tables}
    return {
        (table, column): [
            dict(row._mapping)
            for row in db.session.execute(
                select(tables[table]).where(tables[table].c[column] == user_id)
            )
        ]
        for table, column in users_columns()
    }


def _amended(proposal, drawbacks: str) -> dict[str, str]:
    """The proposal's amendable fields with other drawbacks."""
    return {"summary": proposal.summary, "body": proposal.body, "drawbacks": drawbacks}


def build(app) -> Everything:
    """The person takes part in every way the site offers, as member and secretariat."""
    now = utcnow()
    with app.app_context():

        def person(name, email, roles):
            return accounts.create_user(
                email=email, name=name, password=PASSWORD, roles=roles, now=now
            )

        me = person(NAME, EMAIL, {"member", "secretariat"})
        me.email_setting = "instant"
        staff = person("Karen Holm", "karen.holm@example.org", {"member", "secretariat"})
        other = person("Anne Andersen", "anne.andersen@example.org", {"member"})
        helper = person("Ivan Iversen", "ivan.iversen@example.org", {"member"})
        citizen = person("Carl Carlsen", "carl.carlsen@example.org", set())
        topic = Topic(name="Landdistrikter")
        db.session.add(topic)
        db.session.flush()

        def proposal(author, state, *, title, before=None):
            content = services.Content(topic_id=topic.id, **{**CONTENT, "title": title})
            made = services.create(author, content, now=now)
            if before is not None:
                before(made)
            walked = lc.SUPPORT if state == lc.CATALOGUE else state
            for target, who in PATHS[walked]:
                actor = author if who == "author" else staff
                services.transition(actor, made, target, reason="Fordi.", now=now)
            made.state = state
            return made

        def with_helper(made):
            services.invite(me, made, helper.email, now=now)
            services.answer_invitation(helper, made, accept=True, now=now)

        mine = proposal(me, lc.HEARING, title="Mit eget forslag om busser", before=with_helper)
        response = comments.add_comment(other, mine, "Annes høringssvar om busser.", now=now)
        to_mine = amendments.file(
            other, mine, _amended(mine, "Annes ændring: det koster mere."), "Fordi.", now=now
        )
        amendments.back(helper, to_mine, mine, now=now)
        services.transition(staff, mine, lc.REVISION, now=now)
        amendments.decide(me, to_mine, mine, lc.NOT_ADOPTED, "Det er dækket.", now=now)
        answers.answer(
            me, response, mine, "partly", "Mit svar til Anne.", is_proposer=True, now=now
        )
        services.edit(
            me,
            mine,
            services.Content(topic_id=topic.id, **{**CONTENT, "body": "En ny tekst om busser."}),
            now=now,
        )
        services.transition(me, mine, lc.SUPPORT, now=now)
        shared = proposal(other, lc.DRAFT, title="Et fælles udkast om skoler")
        services.invite(other, shared, me.email, now=now)
        services.answer_invitation(me, shared, accept=True, now=now)
        private = proposal(me, lc.DRAFT, title="Mit hemmelige udkast om cykelstier")
        hearing = proposal(other, lc.HEARING, title="Et forslag i høring om havne")
        support = proposal(other, lc.SUPPORT, title="Et forslag der søger støtte om broer")
        catalogue = proposal(other, lc.CATALOGUE, title="Et forslag i kataloget om skove")
        # The person amends a proposal in hearing and backs another member's amendment; and
        # states a stance on a minority amendment that went with a proposal to the catalogue.
        amendments.file(me, hearing, _amended(hearing, "Min ændring om havnen."), "Ja.", now=now)
        helpers = amendments.file(
            helper, hearing, _amended(hearing, "Ivans ændring om havnen."), "Ja.", now=now
        )
        amendments.back(me, helpers, hearing, now=now)
        minority = Amendment(
            proposal_id=catalogue.id,
            number=1,
            author_id=helper.id,
            version=catalogue.hearing_version,
            **_amended(catalogue, "Ivans mindretalsforslag."),
            changed="drawbacks",
            hunks=[],
            justification="Ja.",
            justification_html="<p>Ja.</p>",
            state=lc.DECIDED,
            verdict=lc.NOT_ADOPTED,
            minority=True,
            created_at=now,
            updated_at=now,
        )
        catalogue.amendment_count = 1
        db.session.add(minority)
        db.session.flush()
        amendments.set_stance(me, minority, catalogue, "for", now=now)
        amendments.set_stance(other, minority, catalogue, "abstain", now=now)

        said = {
            "mine": comments.add_comment(me, hearing, "Min kommentar om havnen.", now=now),
            "liked": comments.add_comment(other, hearing, "Anne skriver om havnen.", now=now),
            "flagged": comments.add_comment(other, hearing, "Anne skælder ud.", now=now),
            "hidden": comments.add_comment(other, hearing, "Anne skælder mere ud.", now=now),
        }
        said["my_reply"] = comments.add_comment(
            me, hearing, "Mit svar til Anne.", parent_id=said["liked"].id, now=now
        )
        said["reply_to_me"] = comments.add_comment(
            other, hearing, "Annes svar til mig.", parent_id=said["mine"].id, now=now
        )
        comments.like_comment(me, said["liked"], hearing, now=now)
        comments.like_comment(other, said["mine"], hearing, now=now)
        comments.flag_comment(me, said["flagged"], "Personangreb", now=now)
        comments.flag_comment(citizen, said["mine"], "Uenig", now=now)
        comments.hide_comment(me, said["hidden"], hearing, "Udenfor emnet", now=now)

        participation.add_support(me, support, now=now)
        participation.add_support(helper, support, now=now)
        participation.set_stance(me, catalogue, "against", now=now)
        participation.set_stance(helper, catalogue, "for", now=now)
        participation.like(me, catalogue, now=now)
        participation.like(other, catalogue, now=now)
        services.add_outcome(me, catalogue, on=now.date(), text="Vedtaget som forsøg.", now=now)

        follows.set_following(me, hearing, True, now=now)
        follows.follow_topic(me, topic, now=now)
        # The secretariat's own acts, with the person's address as their subject.
        accounts.change_role(me, citizen, "member", granted=True, now=now)
        accounts.change_role(staff, me, "member", granted=False, now=now)
        accounts.change_role(staff, me, "member", granted=True, now=now)

        _, token = accounts.issue_reset_token(EMAIL, now=now, valid_for=timedelta(hours=1))
        mails.registration_of_known_address(me, token, now=now)
        # A reset asked for and not yet sent: the worker has not looked the address up.
        mails.password_reset(EMAIL, now=now)
        db.session.add(
            AccountToken(
                user_id=me.id,
                purpose=AccountToken.EMAIL,
                token_hash=secrets.token_hex(32),
                new_email="zebulon.ny@example.org",
                created_at=now,
                expires_at=now + timedelta(days=1),
            )
        )
        db.session.commit()
        fanout.process_events(now)  # the notifications, and the instant mail they make
        db.session.commit()
        return Everything(
            person=me.id,
            email=EMAIL,
            name=NAME,
            password=PASSWORD,
            staff=staff.id,
            other=other.id,
            proposals={
                "mine": mine.id,
                "shared": shared.id,
                "private": private.id,
                "hearing": hearing.id,
                "support": support.id,
                "catalogue": catalogue.id,
            },
            comments={name: comment.id for name, comment in said.items()},
        )


# --- every stored counter, against its rows ------------------------------------------------

PROPOSAL_COUNTERS = {
    "support_count": "SELECT count(*) FROM supports WHERE proposal_id = :id",
    "like_count": "SELECT count(*) FROM proposal_likes WHERE proposal_id = :id",
    "proposer_count": "SELECT count(*) FROM proposers WHERE proposal_id = :id",
    "stance_for": "SELECT count(*) FROM stances WHERE proposal_id = :id AND value = 'for'",
    "stance_against": "SELECT count(*) FROM stances WHERE proposal_id = :id AND value = 'against'",
    "stance_abstain": "SELECT count(*) FROM stances WHERE proposal_id = :id AND value = 'abstain'",
    "version_count": "SELECT count(*) FROM versions WHERE proposal_id = :id",
}
AMENDMENT_COUNTERS = {
    "backer_count": "SELECT count(*) FROM amendment_backings WHERE amendment_id = :id",
    **{
        f"stance_{value}": (
            f"SELECT count(*) FROM amendment_stances WHERE amendment_id = :id AND value = '{value}'"
        )
        for value in ("for", "against", "abstain")
    },
}
COMMENT_COUNTERS = {
    "like_count": "SELECT count(*) FROM comment_likes WHERE comment_id = :id",
    "open_flag_count": (
        "SELECT count(*) FROM flags WHERE comment_id = :id AND resolved_at IS NULL"
    ),
}


def counter_problems() -> list[str]:
    """Each stored counter of every proposal and comment that differs from its rows, in the
    current app context."""
    from app.comments.models import Comment

    problems = []
    for proposal in db.session.scalars(select(Proposal)):
        counted = {
            name: db.session.scalar(text(sql), {"id": proposal.id})
            for name, sql in PROPOSAL_COUNTERS.items()
        }
        counted.update(counted_discussion(proposal.id))
        problems += [
            f"proposal {proposal.id} {name}: stored {getattr(proposal, name)}, rows {rows}"
            for name, rows in counted.items()
            if getattr(proposal, name) != rows
        ]
    for amendment in db.session.scalars(select(Amendment)):
        for name, sql in AMENDMENT_COUNTERS.items():
            rows = db.session.scalar(text(sql), {"id": amendment.id})
            if getattr(amendment, name) != rows:
                problems.append(
                    f"amendment {amendment.id} {name}: stored {getattr(amendment, name)}, "
                    f"rows {rows}"
                )
    for comment in db.session.scalars(select(Comment)):
        for name, sql in COMMENT_COUNTERS.items():
            rows = db.session.scalar(text(sql), {"id": comment.id})
            if getattr(comment, name) != rows:
                problems.append(
                    f"comment {comment.id} {name}: stored {getattr(comment, name)}, rows {rows}"
                )
    return problems


def user_exists(user_id: int) -> bool:
    return db.session.get(User, user_id) is not None
