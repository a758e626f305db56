"""The proposal's page reads its amendments in a fixed number of queries, however many there
are; what goes with a proposal to support is fixed when it moves."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from app.accounts.models import User
from app.amendments import services
from app.amendments.models import Amendment
from app.core.database import utcnow
from app.core.extensions import db
from app.notifications import fanout, follows
from app.proposals import lifecycle as lc
from app.proposals import services as proposal_services
from app.proposals.models import Proposal
from tests.amendments.test_merging import decide, to_revision
from tests.support.amendments import get_amendment
from tests.support.forms import client_for, post, text_of


def _queries(app, count_queries, client, path) -> int:
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_the_detail_page_runs_the_same_queries_for_3_or_30_amendments(
    app, heard, amend, make_user, count_queries, who
):
    counts = []
    for size in (3, 30):
        made = heard()
        reader = make_user("member") if who == "member" else None
        client = client_for(app, reader)
        ids = [amend(made, drawbacks=f"Ulempe nr. {n}.") for n in range(size)]
        if reader is not None:
            post(client, f"/amendments/{ids[0]}/back")
        path = f"/proposals/{made.id}"
        client.get(path)  # the first request of a client may warm caches
        counts.append(_queries(app, count_queries, client, path))
        page = text_of(client.get(path))
        assert page.count('class="amendment"') == size
    assert counts[0] == counts[1], counts


def test_not_adopted_amendments_with_enough_backers_go_with_the_proposal(
    app, heard, amend, make_user, secretary
):
    app.config["MINORITY_THRESHOLD"] = 3
    made = heard()
    follower = make_user("member")
    with app.app_context():
        follows.set_following(
            db.session.get(User, follower.id), db.session.get(Proposal, made.id), True, now=utcnow()
        )
        db.session.commit()
    backed = amend(made, drawbacks="Det koster mere.")
    few = amend(made, drawbacks="Det koster mindre.")
    adopted = amend(made, summary="Alle landsbyer skal have en bus i timen, også om natten.")
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        for amendment_id, backers in ((backed, 3), (few, 2), (adopted, 4)):
            amendment = db.session.get(Amendment, amendment_id)
            for _ in range(backers):
                member = db.session.get(User, make_user("member").id)
                services.back(member, amendment, proposal, now=utcnow())
        db.session.commit()
    to_revision(app, made, secretary)
    assert decide(app, made, backed, lc.NOT_ADOPTED, "Nej.") is None
    assert decide(app, made, few, lc.NOT_ADOPTED, "Nej.") is None
    assert isinstance(decide(app, made, adopted), int)
    assert not any(get_amendment(app, a).minority for a in (backed, few, adopted))
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        author = db.session.get(User, made.author.id)
        proposal_services.transition(author, proposal, lc.SUPPORT, now=utcnow())
        db.session.commit()
    assert [get_amendment(app, a).minority for a in (backed, few, adopted)] == [True, False, False]
    page = text_of(client_for(app).get(f"/amendments/{backed}"))
    assert "Et mindretalsforslag" in page
    # The proposal's followers are told with the support mail: the minority goes with it.
    with app.app_context():
        fanout.process_events(utcnow())
        db.session.commit()
    told = text_of(client_for(app, follower).get("/notifications"))
    assert "søger nu opbakning" in told and "1 mindretalsforslag følger med." in told


def test_stances_on_a_minority_amendment_are_counted_and_can_be_removed(
    app, heard, amend, make_user
):
    made = heard()
    amendment_id = amend(made, drawbacks="Det koster mere.")
    with app.app_context():
        db.session.execute(
            update(Amendment)
            .where(Amendment.id == amendment_id)
            .values(state=lc.DECIDED, verdict=lc.NOT_ADOPTED, minority=True)
        )
        db.session.execute(
            update(Proposal).where(Proposal.id == made.id).values(state=lc.CATALOGUE)
        )
        db.session.commit()
    member = client_for(app, make_user("member"))
    assert post(member, f"/amendments/{amendment_id}/stance", {"stance": "for"}).status_code == 303
    assert (
        post(member, f"/amendments/{amendment_id}/stance", {"stance": "against"}).status_code == 303
    )
    amendment = get_amendment(app, amendment_id)
    assert (amendment.stance_for, amendment.stance_against) == (0, 1)
    page = text_of(client_for(app).get(f"/amendments/{amendment_id}"))
    assert "Hvor medlemmerne står i mindretalsforslaget" in page and "(100 %)" in page
    # The chart of the shares over time, with the day's counts in its table.
    assert '<figure class="stance-chart">' in page
    assert re.search(r"<th scope=\"row\">[^<]+</th><td>0</td><td>1</td><td>0</td>", page)
    assert post(member, f"/amendments/{amendment_id}/stance", {"stance": ""}).status_code == 303
    assert get_amendment(app, amendment_id).stance_against == 0


def test_the_catalogue_shows_the_minority_amendments_on_screen_and_in_print(
    app, heard, amend, make_user
):
    from app.catalogue import files as catalogue_files
    from app.core import pdf_files
    from tests.core.test_pdf import pdf_text

    made = heard(title="Bedre busser på landet")
    amendment_id = amend(
        made, author=make_user("member", name="Mona Mindretal"), drawbacks="Det koster mere."
    )
    with app.app_context():
        db.session.execute(
            update(Amendment)
            .where(Amendment.id == amendment_id)
            .values(state=lc.DECIDED, verdict=lc.NOT_ADOPTED, minority=True)
        )
        db.session.execute(
            update(Proposal)
            .where(Proposal.id == made.id)
            .values(state=lc.CATALOGUE, support_threshold=50, support_count=50)
        )
        db.session.commit()
    member = client_for(app, make_user("member"))
    post(member, f"/amendments/{amendment_id}/stance", {"stance": "against"})

    page = text_of(client_for(app).get("/catalogue"))
    assert "1 mindretalsforslag følger med" in page
    assert f'href="/amendments/{amendment_id}"' in page and "Mona Mindretal" in page
    assert re.search(r"<ins>.*?mere\..*?</ins>", page) and "(100 %)" in page

    single = client_for(app).get(f"/proposals/{made.id}.pdf")
    assert single.status_code == 200
    assert "1 mindretalsforslag følger med" in pdf_text(single.data)
    with app.app_context(), pdf_files.making():
        catalogue_files.make_all(utcnow(), languages=["da"])
    printed = client_for(app).get("/catalogue.pdf")
    assert printed.status_code == 200
    text = pdf_text(printed.data)
    assert "Mona Mindretal" in text and "mere." in text


def test_a_proposal_is_found_by_the_words_of_its_amendments(
    app, heard, amend, make_user, secretary
):
    from tests.amendments.test_merging import proposers_edit

    made = heard(title="Bedre busser på landet")
    author = make_user("member")

    def found(word: str) -> bool:
        page = text_of(client_for(app).get(f"/proposals?q={word}"))
        return f'href="/proposals/{made.id}"' in page

    assert not found("trolleybusser")
    amendment_id = amend(
        made,
        author=author,
        drawbacks="Det koster penge, men trolleybusser er billigere i drift.",
        justification="Elektriske køretøjer.",
    )
    assert found("trolleybusser") and found("trolleybus*") and found("elektrisk")
    # The proposers' own save keeps the amendments' words in the index.
    to_revision(app, made, secretary)
    proposers_edit(app, made, body="Første afsnit: en bus hver halve time.")
    assert found("trolleybusser") and found("halve")
    assert not found("seks")  # the proposers' old words went
    with app.app_context():
        amendment = db.session.get(Amendment, amendment_id)
        amendment.state = lc.OPEN
        proposal = db.session.get(Proposal, made.id)
        proposal.state = lc.HEARING
        db.session.commit()
    post(client_for(app, author), f"/amendments/{amendment_id}/withdraw")
    assert not found("trolleybusser")
