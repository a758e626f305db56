"""Supports and stances are political opinions (GDPR article 9): no page, API answer, feed or
export shows who supported a proposal or how a member stands, only counts; nor who backs an
amendment, or how a member stands on a minority amendment.

A supporter and a stance-holder with names found nowhere else do nothing visible but that;
then every address a visitor, a citizen, a member and a proposer can GET (the URL map, the
API as its OpenAPI description lists it, the feeds, and every link on the pages read) is read,
and neither name nor address may appear on any of them.
"""

from __future__ import annotations

from app.accounts.models import User
from app.amendments import services as amendments
from app.core.database import utcnow
from app.core.extensions import db
from app.notifications import fanout
from app.proposals import lifecycle as lc
from app.proposals import participation
from app.proposals.models import Proposal
from tests.support.forms import client_for
from tests.support.public_sweep import sweep

SUPPORTER = ("Sigvard Stottemand", "sigvard.stottemand@example.org")
STANCE_HOLDER = ("Hildegard Holdningsen", "hildegard.holdningsen@example.org")
PROPOSER = "Petronella Forslagsstiller"


def test_nobody_can_read_who_supported_or_how_a_member_stands(app, make_user, make_proposal):
    proposer = make_user("member", name=PROPOSER)
    supporter = make_user("member", name=SUPPORTER[0], email=SUPPORTER[1])
    holder = make_user("member", name=STANCE_HOLDER[0], email=STANCE_HOLDER[1])
    seeking = make_proposal(lc.SUPPORT, author=proposer)
    backed_in = make_proposal(lc.SUPPORT, author=proposer)
    heard = make_proposal(lc.HEARING, author=proposer)
    for state in (lc.REVISION, lc.WITHDRAWN, lc.REJECTED, lc.SUBMITTED, lc.DRAFT):
        make_proposal(state, author=proposer)
    now = utcnow()
    with app.app_context():
        backer = db.session.get(User, supporter.id)
        stands = db.session.get(User, holder.id)
        participation.add_support(backer, db.session.get(Proposal, seeking.id), now=now)
        # The support that reaches the threshold moves the proposal into the catalogue.
        entered = db.session.get(Proposal, backed_in.id)
        entered.support_threshold = 1
        db.session.commit()
        assert participation.add_support(backer, entered, now=now).entered_catalogue
        participation.set_stance(stands, entered, "against", now=now)
        participation.set_stance(backer, entered, "for", now=now)
        db.session.commit()
        fanout.process_events(now)
        db.session.commit()
        assert entered.state == lc.CATALOGUE and entered.stance_total == 2

        # An amendment in hearing the supporter backs, and a minority amendment that went
        # with a proposal to the catalogue, where the stance-holder stands against it.
        in_hearing = db.session.get(Proposal, heard.id)
        amended = {**amendments.hearing_text(in_hearing), "drawbacks": "Det koster mere."}
        other = db.session.get(User, make_user("member", name="Otto Ændrer").id)
        backed = amendments.file(other, in_hearing, amended, "Fordi.", now=now)
        amendments.back(backer, backed, in_hearing, now=now)
        second = db.session.get(User, make_user("member", name="Olga Ændrer").id)
        minority = amendments.file(second, in_hearing, amended, "Fordi.", now=now)
        minority.proposal_id, minority.number, minority.minority = entered.id, 1, True
        entered.amendment_count = 1
        db.session.flush()
        amendments.set_stance(stands, minority, entered, "against", now=now)
        db.session.commit()
        assert backed.backer_count == 1 and minority.stance_against == 1

    secrets = {
        SUPPORTER[0]: "the supporter's name",
        SUPPORTER[1]: "the supporter's email",
        STANCE_HOLDER[0]: "the stance-holder's name",
        STANCE_HOLDER[1]: "the stance-holder's email",
        PROPOSER: "the proposer's name",
    }
    readers = {
        "visitor": None,
        "citizen": make_user(name="Clara Citizen"),
        "member": make_user("member", name="Morten Member"),
        "proposer": proposer,
    }
    problems = []
    for role, account in readers.items():
        found = sweep(app, client_for(app, account), secrets)
        assert len(found.pages) > 30, f"{role}: the sweep read too few pages to mean anything"
        # The proposer is shown by name, as they should be: the sweep sees names.
        shown = [p for p in found.problems if "the proposer's name" in p]
        assert shown, f"{role}: the sweep did not find the proposer's name on any page"
        problems += [f"{role}: {p}" for p in found.problems if p not in shown]
    assert not problems, "\n".join(problems)
