"""Factories for amendments: a proposal in hearing with a text of paragraphs, and amendments
filed on it, through the services."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.accounts.models import User
from app.amendments import services
from app.amendments.models import Amendment
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal

PARAGRAPHS = [
    "Første afsnit: en bus i timen til alle landsbyer.",
    "Andet afsnit: busserne kører fra klokken seks.",
    "Tredje afsnit: kommunen betaler halvdelen.",
]
P1, P2, P3 = PARAGRAPHS
BODY = "\n\n".join(PARAGRAPHS)


def hearing_text(app, proposal_id: int) -> dict[str, str]:
    with app.app_context():
        return services.hearing_text(db.session.get(Proposal, proposal_id))


@pytest.fixture
def heard(make_proposal):
    """A proposal in hearing whose text is three paragraphs."""

    def make(state: str = lc.HEARING, **content):
        return make_proposal(state, body=BODY, **content)

    return make


@pytest.fixture
def amend(app, make_user):
    """File an amendment on a proposal in hearing: `amend(made, body=…)`, by a new member
    unless `author` is given; the hearing version's words where a field is not given."""

    def make(made, *, author=None, justification="Fordi det er bedre.", now=None, **text):
        author = author or make_user("member")
        with app.app_context():
            proposal = db.session.get(Proposal, made.id)
            words = {**services.hearing_text(proposal), **text}
            amendment = services.file(
                db.session.get(User, author.id),
                proposal,
                words,
                justification,
                now=now or datetime.now(UTC),
            )
            db.session.commit()
            return amendment.id

    return make


def get_amendment(app, amendment_id: int) -> Amendment:
    with app.app_context():
        amendment = db.session.get(Amendment, amendment_id)
        db.session.expunge(amendment)
        return amendment
