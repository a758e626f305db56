"""Similar proposals on a proposer's draft page and in the secretariat's queue, and the
fixed number of SQL queries of a search page, the draft page and the queue."""

from __future__ import annotations

from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal
from app.proposals.similar import similar_to
from tests.support.forms import login, text_of


def test_similar_public_proposals_for_the_proposers_and_the_queue(
    app, make_proposal, make_user, secretary, count_queries
):
    def make(state, title):
        return make_proposal(state, title=title, summary="Kort.", body="Tekst.", drawbacks="")

    draft = make(lc.DRAFT, "Gratis busser for unge i kommunen")
    make(lc.HEARING, "Billigere busser på landet")
    make(lc.SUPPORT, "Gratis frugt til unge")
    make(lc.HEARING, "Cykelstier langs vejene")
    make(lc.DRAFT, "Hemmelige gratis busser")
    make(lc.SUBMITTED, "Indsendte gratis busser til unge")
    with app.app_context():
        found = [s.title for s in similar_to(db.session.get(Proposal, draft.id))]
    assert sorted(found) == ["Billigere busser på landet", "Gratis frugt til unge"]

    proposer = app.test_client()
    login(proposer, draft.author)
    page = text_of(proposer.get(f"/proposals/{draft.id}"))
    assert 'id="similar-title"' in page and "Billigere busser på landet" in page
    assert "Hemmelige gratis" not in page.split('id="similar-title"')[1].split("</section>")[0]
    secretariat = app.test_client()
    login(secretariat, secretary)
    assert 'id="similar-title"' not in text_of(secretariat.get(f"/proposals/{draft.id}"))

    # The queue: similar public proposals beside each submitted one, in one query for all.
    make(lc.SUBMITTED, "Flere cykelstier")
    with count_queries() as one:
        queue = text_of(secretariat.get("/secretariat"))
    assert queue.count('class="similar"') == 2
    assert "Cykelstier langs vejene" in queue and "Billigere busser på landet" in queue
    for title in ("Flere busser i byen", "Nye cykelstier", "Busser og cykler"):
        make(lc.SUBMITTED, title)
    with count_queries() as more:
        queue = text_of(secretariat.get("/secretariat"))
    assert queue.count('class="similar"') == 5
    assert len(more) == len(one), (len(one), len(more))


def test_a_search_page_runs_the_same_queries_whatever_it_finds(
    app, make_proposal, make_user, count_queries
):
    member = make_user("member")
    client = app.test_client()
    login(client, member)
    client.get("/")
    counts = []
    for n in (1, 6):
        for i in range(n):
            make_proposal(lc.HEARING, title=f"Vindmøller nummer {i}", body="Om vindmøllerne.")
        for path in ("/proposals?q=vindmølle", "/api/v1/proposals?q=vindmøl*&sort=newest"):
            with count_queries() as statements:
                response = client.get(path)
            assert response.status_code == 200
            counts.append(len(statements))
    assert counts[:2] == counts[2:], counts
    assert max(counts) <= 8, counts
