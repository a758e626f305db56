"""A proposal withdrawn before it was ever public (from draft or submitted) stays private:
its proposers, invited members and the secretariat see it, no one else, on no surface. One
withdrawn after its hearing began stays public, as it was."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal
from app.proposals.similar import similar_to
from tests.support.forms import client_for, post, text_of
from tests.support.proposals import PATHS

TITLE = "Solcellelaug på alle kommunale tage"
WORD = "solcellelaug"


def _withdrawn(app, make_proposal, secretary, before: str):
    """A proposal walked to `before`, then withdrawn by its author through the form."""
    made = make_proposal(before, title=TITLE)
    response = post(
        client_for(app, made.author), f"/proposals/{made.id}/transition", {"to": lc.WITHDRAWN}
    )
    assert response.status_code == 303, text_of(response)
    with app.app_context():
        assert db.session.get(Proposal, made.id).state == lc.WITHDRAWN
    return made


def _surfaces(client, proposal_id: int) -> dict[str, str]:
    """Every public surface a proposal can be found on, as text."""
    return {
        "list": text_of(client.get("/proposals")),
        "list withdrawn": text_of(client.get("/proposals?state=withdrawn")),
        "search": text_of(client.get(f"/proposals?q={WORD}")),
        "search withdrawn": text_of(client.get(f"/proposals?q={WORD}&state=withdrawn")),
        "api list": json.dumps(client.get("/api/v1/proposals").json, ensure_ascii=False),
        "api search": json.dumps(client.get(f"/api/v1/proposals?q={WORD}").json,
                                 ensure_ascii=False),  # fmt: skip
        "feed": text_of(client.get("/feeds/proposals.atom")),
        "feed withdrawn": text_of(client.get("/feeds/proposals.atom?state=withdrawn")),
        "proposals.csv": text_of(client.get("/data/proposals.csv")),
        "events.csv": text_of(client.get("/data/events.csv")),
    }


@pytest.mark.parametrize("before", [lc.DRAFT, lc.SUBMITTED])
def test_withdrawn_before_the_hearing_stays_private(app, make_proposal, make_user, secretary,
                                                    before):  # fmt: skip
    made = _withdrawn(app, make_proposal, secretary, before)
    for who in ("visitor", "citizen", "member"):
        account = {"visitor": None, "citizen": make_user(), "member": make_user("member")}[who]
        client = client_for(app, account)
        assert client.get(f"/proposals/{made.id}").status_code == 404, who
        assert client.get(f"/proposals/{made.id}.pdf").status_code == 404, who
        assert client.get(f"/proposals/{made.id}/versions").status_code == 404, who
        assert client.get(f"/api/v1/proposals/{made.id}").status_code == 404, who
        for surface, text in _surfaces(client, made.id).items():
            assert TITLE not in text, (who, surface)
        assert client.get("/api/v1/proposals").json["total"] == 0, who
        assert client.get(f"/api/v1/proposals?q={WORD}").json["total"] == 0, who
        rows = list(csv.DictReader(io.StringIO(text_of(client.get("/data/events.csv")))))
        assert not [row for row in rows if row["proposal_id"] == str(made.id)], who
    # Those who saw it before still do, and are told it stays private.
    for account in (made.author, secretary):
        client = client_for(app, account)
        page = client.get(f"/proposals/{made.id}")
        assert page.status_code == 200
        assert "forbliver privat" in text_of(page)
        assert TITLE in text_of(client.get(f"/proposals?q={WORD}"))
        assert TITLE in text_of(client.get("/proposals?state=withdrawn"))
        assert client.get(f"/api/v1/proposals/{made.id}").status_code == 200


def test_an_invited_member_still_sees_a_withdrawn_draft(app, make_proposal, make_user,
                                                        secretary):  # fmt: skip
    made = make_proposal(lc.DRAFT, title=TITLE)
    invited = make_user("member")
    author = client_for(app, made.author)
    post(author, f"/proposals/{made.id}/proposers", {"email": invited.email})
    post(author, f"/proposals/{made.id}/transition", {"to": lc.WITHDRAWN})
    assert client_for(app, invited).get(f"/proposals/{made.id}").status_code == 200


def test_withdrawn_during_the_hearing_stays_public(app, make_proposal, make_user, secretary):
    made = _withdrawn(app, make_proposal, secretary, lc.HEARING)
    client = client_for(app, None)
    assert client.get(f"/proposals/{made.id}").status_code == 200
    assert client.get(f"/api/v1/proposals/{made.id}").status_code == 200
    surfaces = _surfaces(client, made.id)
    for surface in ("list", "list withdrawn", "search", "search withdrawn", "api list",
                    "api search", "feed", "feed withdrawn", "proposals.csv"):  # fmt: skip
        assert TITLE in surfaces[surface], surface
    assert client.get(f"/api/v1/proposals?q={WORD}").json["total"] == 1


def test_similar_proposals_leave_out_a_withdrawn_draft(app, make_proposal):
    hidden = make_proposal(lc.DRAFT, title=TITLE)
    post(client_for(app, hidden.author), f"/proposals/{hidden.id}/transition",
         {"to": lc.WITHDRAWN})  # fmt: skip
    shown = make_proposal(lc.HEARING, title=TITLE + " og skoler")
    asking = make_proposal(lc.DRAFT, title=TITLE + " i byen")
    with app.app_context():
        ids = {found.id for found in similar_to(db.session.get(Proposal, asking.id))}
    assert shown.id in ids
    assert hidden.id not in ids


def test_the_model_says_what_the_lifecycle_table_says(app, make_proposal):
    """Proposal.is_public, in Python and as SQL, is lifecycle.is_public."""
    made = [make_proposal(state) for state in PATHS]
    draft = make_proposal(lc.DRAFT)
    post(client_for(app, draft.author), f"/proposals/{draft.id}/transition",
         {"to": lc.WITHDRAWN})  # fmt: skip
    with app.app_context():
        public = set(db.session.scalars(select(Proposal.id).where(Proposal.is_public)))
        for one in [*made, draft]:
            proposal = db.session.get(Proposal, one.id)
            expected = lc.is_public(proposal.state, heard=proposal.hearing_ends_at is not None)
            assert proposal.is_public is expected, proposal.state
            assert (one.id in public) is expected, proposal.state
        assert db.session.get(Proposal, draft.id).is_public is False
