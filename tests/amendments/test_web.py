"""Amendments over HTTP, as members and proposers use them: filing from the hearing
version, the page of one and the section of the proposal's page, backing, withdrawing,
deciding; and every refusal of the contract, with its status and a message in the user's
language, changing nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.amendments.models import Amendment, AmendmentBacking
from app.core.database import utcnow
from app.core.extensions import db
from app.proposals import lifecycle as lc
from tests.amendments.test_merging import P1, P2, P3, _body, to_revision
from tests.core.test_pdf import pdf_text
from tests.support.amendments import get_amendment
from tests.support.forms import client_for, post, text_of
from tests.support.proposals import get_proposal


def rows(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def filing(body=None, justification="Bussen skal også køre om aftenen.", **fields):
    return {
        "summary": fields.get(
            "summary", "Alle landsbyer med over 200 indbyggere skal have en bus i timen."
        ),
        "body": body
        if body is not None
        else _body(P1, "Andet afsnit: busserne kører til midnat.", P3),
        "drawbacks": fields.get("drawbacks", "Det koster penge."),
        "justification": justification,
    }


def test_a_member_files_an_amendment_from_the_hearing_version(app, heard, make_user):
    made = heard()
    member = make_user("member", name="Ulla Ændring")
    client = client_for(app, member)
    form = client.get(f"/proposals/{made.id}/amendments/new")
    assert form.status_code == 200
    page = text_of(form)
    assert "Foreslå en ændring" in page and P2 in page  # the hearing version's words

    response = post(client, f"/proposals/{made.id}/amendments/new", filing())
    assert response.status_code == 303, text_of(response)
    (amendment_id,) = re.findall(r"/amendments/(\d+)$", response.headers["Location"])
    amendment = get_amendment(app, int(amendment_id))
    assert (amendment.number, amendment.fields, amendment.state) == (1, ["body"], lc.OPEN)

    shown = text_of(client.get(f"/amendments/{amendment_id}"))
    assert "Ændringsforslag 1" in shown and "Ulla Ændring" in shown
    assert "til midnat" in shown and "fra klokken seks" in shown  # the diff, both sides
    assert P1 not in shown  # only the paragraph it touches
    assert "Bussen skal også køre om aftenen." in shown

    detail = text_of(client_for(app).get(f"/proposals/{made.id}"))
    assert 'id="amendments"' in detail and "Ændringsforslag 1" in detail
    assert "Afventer forslagsstillernes beslutning" in detail


def test_backing_is_counted_once_and_can_be_taken_back(app, heard, amend, make_user):
    made = heard()
    amendment_id = amend(made, drawbacks="Det koster mere.")
    backer = client_for(app, make_user("member", name="Bent Bakker"))
    for _ in range(2):
        assert post(backer, f"/amendments/{amendment_id}/back").status_code == 303
    assert get_amendment(app, amendment_id).backer_count == 1
    page = text_of(client_for(app).get(f"/amendments/{amendment_id}"))
    assert "1 medlem bakker op" in page and "Bent Bakker" not in page  # only the count
    assert post(backer, f"/amendments/{amendment_id}/unback").status_code == 303
    assert get_amendment(app, amendment_id).backer_count == 0
    assert rows(app, AmendmentBacking, amendment_id=amendment_id) == 0


def test_the_author_edits_while_the_hearing_lasts_and_withdraws(app, heard, make_user):
    made = heard()
    author = make_user("member")
    client = client_for(app, author)
    post(client, f"/proposals/{made.id}/amendments/new", filing())
    (amendment,) = _all(app, made)
    edit = text_of(client.get(f"/amendments/{amendment.id}/edit"))
    assert 'name="base_revision" type="hidden" value="1"' in edit
    changed = {**filing(drawbacks="Det koster 5 mio. kr."), "base_revision": "1"}
    assert post(client, f"/amendments/{amendment.id}/edit", changed).status_code == 303
    amendment = get_amendment(app, amendment.id)
    assert (amendment.revision, amendment.fields) == (2, ["body", "drawbacks"])
    # A second window still on revision 1 changes the justification: merged, nothing lost.
    other = {**filing(justification="En bedre grund."), "base_revision": "1"}
    assert post(client, f"/amendments/{amendment.id}/edit", other).status_code == 303
    amendment = get_amendment(app, amendment.id)
    assert (
        amendment.drawbacks == "Det koster 5 mio. kr."
        and amendment.justification == "En bedre grund."
    )

    assert post(client, f"/amendments/{amendment.id}/withdraw").status_code == 303
    assert get_amendment(app, amendment.id).state == lc.WITHDRAWN
    # Withdrawn, the member may file again.
    assert post(client, f"/proposals/{made.id}/amendments/new", filing()).status_code == 303


def _all(app, made) -> list[Amendment]:
    with app.app_context():
        items = db.session.scalars(
            select(Amendment).where(Amendment.proposal_id == made.id).order_by(Amendment.number)
        ).all()
        for item in items:
            db.session.expunge(item)
        return items


def test_a_proposer_decides_and_support_waits_for_every_decision(
    app, heard, amend, make_user, secretary
):
    made = heard()
    adopted = amend(made, drawbacks="Det koster 10 mio. kr.")
    rejected = amend(made, body=_body(P1, P2, "Tredje afsnit: staten betaler."))
    to_revision(app, made, secretary)
    proposer = client_for(app, made.author)

    page = text_of(proposer.get(f"/amendments/{adopted}"))
    assert f'action="/amendments/{adopted}/decide"' in page

    moved = post(proposer, f"/proposals/{made.id}/transition", {"to": "support"})
    assert moved.status_code == 409
    assert "Stadig uafklaret: ændringsforslag 1, 2" in text_of(moved)
    assert get_proposal(app, made.id).state == lc.REVISION

    assert (
        post(proposer, f"/amendments/{adopted}/decide", {"verdict": "adopted"}).status_code == 303
    )
    assert get_proposal(app, made.id).drawbacks == "Det koster 10 mio. kr."
    decided = post(
        proposer,
        f"/amendments/{rejected}/decide",
        {"verdict": "not_adopted", "reason": "For dyrt."},
    )
    assert decided.status_code == 303
    page = text_of(client_for(app).get(f"/proposals/{made.id}"))
    assert "Vedtaget 1" in page and "Ikke vedtaget 1" in page and "For dyrt." in page
    assert "forslagsstillerne besluttede ændringsforslag 2: Ikke vedtaget" in page  # timeline
    versions = text_of(client_for(app).get(f"/proposals/{made.id}/versions"))
    assert "Ændringsforslag 1 indarbejdet" in versions

    assert post(proposer, f"/proposals/{made.id}/transition", {"to": "support"}).status_code == 303
    assert get_proposal(app, made.id).state == lc.SUPPORT


def test_the_collision_page_keeps_every_word(app, heard, amend, secretary):
    made = heard()
    amendment_id = amend(made, body=_body(P1, "Andet afsnit: busserne kører fra klokken fem.", P3))
    to_revision(app, made, secretary)
    proposer = client_for(app, made.author)
    ours = _body(P1, "Andet afsnit: busserne kører fra klokken syv.", P3)
    edit = post(
        proposer,
        f"/proposals/{made.id}/edit",
        {
            "title": get_proposal(app, made.id).title,
            "summary": get_proposal(app, made.id).summary,
            "body": ours,
            "drawbacks": "Det koster penge.",
            "topic": str(get_proposal(app, made.id).topic_id),
        },
    )
    assert edit.status_code == 303, text_of(edit)
    response = post(proposer, f"/amendments/{amendment_id}/decide", {"verdict": "adopted"})
    assert response.status_code == 409
    page = text_of(response)
    assert "Ikke gemt" in page
    # Both changes shown as word diffs against the hearing version; the form holds ours.
    assert re.search(r"<del>.*?seks.*?</del><ins>.*?syv\..*?</ins>", page)
    assert re.search(r"<del>.*?seks.*?</del><ins>.*?fem\..*?</ins>", page)
    assert f"{ours}</textarea>" in page
    assert get_proposal(app, made.id).body == ours
    assert get_amendment(app, amendment_id).state == lc.OPEN
    revision = re.search(r'name="base_revision" type="hidden" value="(\d+)"', page).group(1)
    finished = _body(P1, "Andet afsnit: busserne kører fra klokken fem (syv i weekenden).", P3)
    saved = post(
        proposer,
        f"/amendments/{amendment_id}/decide",
        {"verdict": "adopted", "body": finished, "base_revision": revision},
    )
    assert saved.status_code == 303, text_of(saved)
    assert get_proposal(app, made.id).body == finished


REFUSALS = {
    # who files or acts, on a proposal in which state, what: status and words
    "a non-member files": (403, "Kun medlemmer"),
    "a proposer files on their own proposal": (403, "ikke med ændringsforslag"),
    "a second undecided amendment": (409, "allerede et ændringsforslag"),
    "editing after the hearing": (409, "mens forslaget er i høring"),
    "deciding in hearing": (409, "når høringen er slut"),
    "not adopted without a reason": (422, "Giv en begrundelse"),
    "backing one's own amendment": (403, "dit eget ændringsforslag"),
    "filing after the hearing": (409, "mens forslaget er i høring"),
    "an amendment that changes nothing": (422, "ændrer ingenting"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_answer_in_danish_and_change_nothing(
    app, heard, amend, make_user, secretary, case
):
    status, words = REFUSALS[case]
    made = heard()
    author = make_user("member")
    amendment_id = amend(made, author=author, drawbacks="Det koster mere.")
    if case in (
        "editing after the hearing",
        "filing after the hearing",
        "not adopted without a reason",
    ):
        to_revision(app, made, secretary)
    before = (_all(app, made), get_proposal(app, made.id).revision, rows(app, AmendmentBacking))
    new = f"/proposals/{made.id}/amendments/new"
    if case == "a non-member files":
        response = post(client_for(app, make_user()), new, filing())
    elif case == "a proposer files on their own proposal":
        response = post(client_for(app, made.author), new, filing())
    elif case == "a second undecided amendment":
        response = post(client_for(app, author), new, filing())
    elif case == "editing after the hearing":
        response = post(
            client_for(app, author), f"/amendments/{amendment_id}/edit", filing(drawbacks="Nej.")
        )
    elif case == "deciding in hearing":
        response = post(
            client_for(app, made.author),
            f"/amendments/{amendment_id}/decide",
            {"verdict": "adopted"},
        )
    elif case == "not adopted without a reason":
        response = post(
            client_for(app, made.author),
            f"/amendments/{amendment_id}/decide",
            {"verdict": "not_adopted", "reason": " "},
        )
    elif case == "backing one's own amendment":
        response = post(client_for(app, author), f"/amendments/{amendment_id}/back")
    elif case == "filing after the hearing":
        response = post(client_for(app, make_user("member")), new, filing())
    else:
        hearing = filing(body=_body(P1, P2, P3))
        response = post(client_for(app, make_user("member")), new, hearing)
    assert response.status_code == status, text_of(response)
    assert words in text_of(response), text_of(response)
    after = (_all(app, made), get_proposal(app, made.id).revision, rows(app, AmendmentBacking))
    assert [(a.id, a.revision, a.state, a.drawbacks) for a in after[0]] == [
        (a.id, a.revision, a.state, a.drawbacks) for a in before[0]
    ]
    assert after[1:] == before[1:]


def test_english_refusal(app, heard, make_user):
    made = heard()
    client = client_for(app, made.author)
    post(client, "/language", {"lang": "en"})
    response = post(client, f"/proposals/{made.id}/amendments/new", filing())
    assert response.status_code == 403
    assert "Proposers change their own proposal by editing it" in text_of(response)


def test_the_hearing_memo_lists_every_amendment_with_its_decision(
    app, heard, amend, make_user, secretary
):
    made = heard()
    adopted = amend(made, drawbacks="Det koster 10 mio. kr.")
    rejected = amend(made, body=_body(P1, P2, "Tredje afsnit: staten betaler."))
    open_one = amend(made, summary="Alle landsbyer skal have en bus hver halve time.")
    to_revision(app, made, secretary)
    proposer = client_for(app, made.author)
    post(proposer, f"/amendments/{adopted}/decide", {"verdict": "adopted"})
    post(
        proposer,
        f"/amendments/{rejected}/decide",
        {"verdict": "not_adopted", "reason": "Staten betaler ikke."},
    )
    page = text_of(client_for(app).get(f"/proposals/{made.id}/hearing-memo"))
    section = page[page.index('id="amendments"') :]
    for number in (1, 2, 3):
        assert f"Ændringsforslag {number}" in section
    assert "Staten betaler ikke." in section
    counts = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "Vedtaget 1 Vedtaget med ændringer 0 Ikke vedtaget 1 Bortfaldet 0" in counts
    assert "Afventer forslagsstillernes beslutning 1" in counts
    assert open_one

    pdf = client_for(app).get(f"/proposals/{made.id}/hearing-memo.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Ændringsforslag 2" in text and "Staten betaler ikke." in text


def test_the_proposers_are_told_of_new_amendments_and_the_author_and_backers_of_decisions(
    app, heard, amend, make_user, secretary
):
    from app.notifications import fanout
    from app.notifications.models import Notification

    made = heard()
    author, backer = make_user("member"), make_user("member")
    first = amend(made, author=author, drawbacks="Det koster mere.")
    amend(made, summary="Alle landsbyer skal have en bus hver halve time.")
    with app.app_context():
        fanout.process_events(utcnow())
        db.session.commit()
    backing = client_for(app, backer)
    post(backing, f"/amendments/{first}/back")
    to_revision(app, made, secretary)
    post(client_for(app, made.author), f"/amendments/{first}/decide", {"verdict": "adopted"})
    with app.app_context():
        fanout.process_events(utcnow())
        db.session.commit()
        told = {
            (n.user_id, n.kind, n.count)
            for n in db.session.scalars(
                select(Notification).where(Notification.kind.like("amendment%"))
            )
        }
    # Two new amendments within the hour: one notification for the proposer, counting both.
    assert told == {
        (made.author.id, "amendment", 2),
        (author.id, "amendment_decided", 1),
        (backer.id, "amendment_decided", 1),
    }
    page = text_of(client_for(app, backer).get("/notifications"))
    assert "har besluttet ændringsforslag 1: Vedtaget" in page
    assert f'href="/amendments/{first}"' in page
    page = text_of(client_for(app, made.author).get("/notifications"))
    assert "2 nye ændringsforslag til" in page
