"""Adopting an amendment merges its changes into the proposal's text as it stands, against
the hearing version (the three-way merge of "Writing together"): as a table of what the
amendment changed and what the proposers changed since. Where the two meet, nothing is
saved and no words are lost. On SQLite and on PostgreSQL, as the whole suite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.amendments import services
from app.amendments.models import Amendment
from app.core.audit import AuditEntry
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services as proposal_services
from app.proposals.models import Proposal, Version
from tests.support.amendments import PARAGRAPHS, get_amendment

P1, P2, P3 = PARAGRAPHS
DRAWBACKS = "Det koster penge."


def _body(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


def to_revision(app, made, secretary) -> None:
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        actor = db.session.get(User, secretary.id)
        proposal_services.transition(actor, proposal, lc.REVISION, now=datetime.now(UTC))
        db.session.commit()


def proposers_edit(app, made, **fields) -> None:
    """The proposers change their text after the hearing."""
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        content = proposal_services.Content(
            title=proposal.title,
            summary=fields.get("summary", proposal.summary),
            body=fields.get("body", proposal.body),
            topic_id=proposal.topic_id,
            drawbacks=fields.get("drawbacks", proposal.drawbacks),
        )
        author = db.session.get(User, made.author.id)
        proposal_services.edit(author, proposal, content, now=datetime.now(UTC))
        db.session.commit()


def decide(app, made, amendment_id, verdict=lc.ADOPTED, reason="", **kwargs):
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        amendment = db.session.get(Amendment, amendment_id)
        author = db.session.get(User, made.author.id)
        try:
            version = services.decide(
                author, amendment, proposal, verdict, reason, now=datetime.now(UTC), **kwargs
            )
        except (services.Collision, lc.Refusal) as refused:
            db.session.rollback()
            return refused
        db.session.commit()
        return version.number if version else None


def text_of(app, made) -> dict[str, str]:
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        return {"body": proposal.body, "drawbacks": proposal.drawbacks, "summary": proposal.summary}


def versions(app, made) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Version).where(Version.proposal_id == made.id)
        )


# (what the amendment changes, what the proposers change after the hearing, the text after
# adopting it: None where the two meet and adopting is a collision)
CASES = {
    "a different field": (
        {"drawbacks": "Det koster 10 mio. kr. om året."},
        {"body": _body("Første afsnit: en bus hver halve time.", P2, P3)},
        {
            "body": _body("Første afsnit: en bus hver halve time.", P2, P3),
            "drawbacks": "Det koster 10 mio. kr. om året.",
        },
    ),
    "a different paragraph": (
        {"body": _body("Første afsnit: en bus i timen til alle byer.", P2, P3)},
        {"body": _body(P1, P2, "Tredje afsnit: staten betaler det hele.")},
        {
            "body": _body(
                "Første afsnit: en bus i timen til alle byer.",
                P2,
                "Tredje afsnit: staten betaler det hele.",
            ),
            "drawbacks": DRAWBACKS,
        },
    ),
    "the same paragraph": (
        {"body": _body(P1, "Andet afsnit: busserne kører fra klokken fem.", P3)},
        {"body": _body(P1, "Andet afsnit: busserne kører fra klokken syv.", P3)},
        None,
    ),
    "a deleted paragraph the proposers edited": (
        {"body": _body(P1, P2)},
        {"body": _body(P1, P2, "Tredje afsnit: kommunen betaler det hele.")},
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_adopting_merges_or_meets(app, heard, amend, secretary, case):
    amended, edited, expected = CASES[case]
    made = heard()
    amendment_id = amend(made, **amended)
    to_revision(app, made, secretary)
    proposers_edit(app, made, **edited)
    before = text_of(app, made)
    versions_before = versions(app, made)

    outcome = decide(app, made, amendment_id)

    if expected is None:
        assert isinstance(outcome, services.Collision), outcome
        assert outcome.conflicts == ["body"]
        # Nothing saved: the proposers' words stand, the amendment waits, no version.
        assert text_of(app, made) == before
        assert get_amendment(app, amendment_id).state == lc.OPEN
        assert versions(app, made) == versions_before
        # Nothing lost: the text to finish holds the proposers' words where the two meet.
        assert outcome.proposed["body"] == before["body"]
        assert outcome.current["body"] == before["body"]
        return
    assert isinstance(outcome, int), outcome
    after = text_of(app, made)
    assert {name: after[name] for name in expected} == expected
    amendment = get_amendment(app, amendment_id)
    assert (amendment.state, amendment.verdict, amendment.adopted_in) == (
        lc.DECIDED,
        lc.ADOPTED,
        outcome,
    )
    with app.app_context():
        version = db.session.scalar(
            select(Version).where(Version.proposal_id == made.id, Version.number == outcome)
        )
        assert (version.kind, version.amendment) == ("amendment", amendment.number)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "amendment"))
        assert entry.subject == f"{amendment.number} adopted" and entry.proposal_id == made.id


def test_two_amendments_on_one_paragraph_the_second_meets_the_first(app, heard, amend, secretary):
    made = heard()
    first = amend(made, body=_body(P1, "Andet afsnit: busserne kører fra klokken fem.", P3))
    second = amend(made, body=_body(P1, "Andet afsnit: busserne kører hele døgnet.", P3))
    to_revision(app, made, secretary)

    assert isinstance(decide(app, made, first), int)
    adopted = text_of(app, made)["body"]
    assert "klokken fem" in adopted

    outcome = decide(app, made, second)
    assert isinstance(outcome, services.Collision)
    assert text_of(app, made)["body"] == adopted  # never a silent overwrite
    assert get_amendment(app, second).state == lc.OPEN

    # The proposer finishes the text by hand and adopts it so: saved as the new version.
    finished = _body(P1, "Andet afsnit: busserne kører hele døgnet, fra klokken fem.", P3)
    number = decide(
        app,
        made,
        second,
        lc.ADOPTED,
        edited={"body": finished},
        base_revision=outcome.revision,
    )
    assert isinstance(number, int)
    assert text_of(app, made)["body"] == finished
    assert get_amendment(app, second).adopted_in == number


def test_adopted_with_changes_saves_the_proposers_text(app, heard, amend, secretary):
    made = heard()
    amendment_id = amend(made, drawbacks="Det koster 10 mio. kr.")
    to_revision(app, made, secretary)
    refused = decide(app, made, amendment_id, lc.ADOPTED_MODIFIED)
    assert isinstance(refused, lc.Invalid) and refused.key == "modified_text_required"
    number = decide(
        app,
        made,
        amendment_id,
        lc.ADOPTED_MODIFIED,
        "Beløbet er rettet.",
        edited={"drawbacks": "Det koster 12 mio. kr."},
    )
    assert text_of(app, made)["drawbacks"] == "Det koster 12 mio. kr."
    amendment = get_amendment(app, amendment_id)
    assert (amendment.verdict, amendment.reason, amendment.adopted_in) == (
        lc.ADOPTED_MODIFIED,
        "Beløbet er rettet.",
        number,
    )


@pytest.mark.parametrize("verdict", [lc.NOT_ADOPTED, lc.OBSOLETE])
def test_a_verdict_that_keeps_the_text_needs_a_reason(app, heard, amend, secretary, verdict):
    made = heard()
    amendment_id = amend(made, drawbacks="Det koster 10 mio. kr.")
    to_revision(app, made, secretary)
    before = text_of(app, made)
    refused = decide(app, made, amendment_id, verdict, "  ")
    assert isinstance(refused, lc.ReasonRequired)
    assert get_amendment(app, amendment_id).state == lc.OPEN
    assert decide(app, made, amendment_id, verdict, "Det har vi ikke råd til.") is None
    assert text_of(app, made) == before
    amendment = get_amendment(app, amendment_id)
    assert (amendment.state, amendment.verdict, amendment.reason) == (
        lc.DECIDED,
        verdict,
        "Det har vi ikke råd til.",
    )
