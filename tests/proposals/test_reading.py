"""Reading proposals: the list and its filters, the front page, the API, the feed, the
timed transitions applied by reads and by `flask lifecycle tick`, and the query budget."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from app.accounts.models import User
from app.api.views import API_PAGE_SIZE
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal, Proposer, TransitionEvent
from app.proposals.queries import PAGE_SIZE
from tests.support.forms import login, text_of
from tests.support.proposals import force, get_proposal

ATOM = "{http://www.w3.org/2005/Atom}"


def titles(response) -> list[str]:
    return [item["title"] for item in response.json["items"]]


def test_list_filters_and_search(app, client, make_proposal, topic):
    make_proposal(lc.HEARING, title="Bedre busser på Mors")
    make_proposal(
        lc.REVISION,
        title="Gratis frugt i skolen",
        summary="Frugt hver dag.",
        body="Æbler og pærer til alle.",
    )
    make_proposal(lc.REJECTED, title="Reklamer på busser")
    make_proposal(lc.DRAFT, title="Hemmelig kladde om busser")
    assert sorted(titles(client.get("/api/v1/proposals"))) == [
        "Bedre busser på Mors",
        "Gratis frugt i skolen",
        "Reklamer på busser",
    ]
    assert titles(client.get("/api/v1/proposals?state=hearing")) == ["Bedre busser på Mors"]
    assert sorted(titles(client.get("/api/v1/proposals?q=BUSSER"))) == [
        "Bedre busser på Mors",
        "Reklamer på busser",
    ]
    assert titles(client.get("/api/v1/proposals?q=æbler")) == ["Gratis frugt i skolen"]
    assert titles(client.get("/api/v1/proposals?q=ÆBLER")) == ["Gratis frugt i skolen"]
    assert titles(client.get("/api/v1/proposals?q=100%25")) == []
    assert len(titles(client.get(f"/api/v1/proposals?topic={topic}"))) == 3
    assert len(titles(client.get("/api/v1/proposals?topic=Landdistrikter"))) == 3

    page = text_of(client.get("/proposals?state=hearing&q=mors"))
    assert "Bedre busser på Mors" in page and "Gratis frugt" not in page
    assert "1 forslag" in page


@pytest.mark.parametrize(
    "query",
    ["state=flying", "page=0", "page=-1", "page=x", "page=999999999"],
)
def test_list_refuses_filters_it_cannot_understand(client, query, topic):
    page = client.get(f"/proposals?{query}")
    assert page.status_code == 400
    assert "<h1>" in text_of(page)
    api = client.get(f"/api/v1/proposals?{query}")
    assert api.status_code == 400 and api.is_json


@pytest.mark.parametrize("topic_value", ["Rumfart", "999", "0"])
def test_an_unknown_topic_matches_nothing(client, make_proposal, topic_value):
    make_proposal(lc.HEARING)
    assert client.get(f"/api/v1/proposals?topic={topic_value}").json["total"] == 0
    assert "0 forslag" in text_of(client.get(f"/proposals?topic={topic_value}"))


def test_ids_beyond_the_database_are_not_found(client):
    for path in [
        "/proposals/99999999999999999999",
        "/api/v1/proposals/3316847140194917285888",
        "/proposals/0",
        "/proposals/-1",
    ]:
        assert client.get(path).status_code == 404, path


def test_a_wrong_method_says_which_are_allowed(client):
    response = client.delete("/api/v1/proposals")
    assert response.status_code == 405 and response.is_json
    assert "GET" in response.headers["Allow"]
    assert "POST" in client.get("/logout").headers["Allow"]


def test_pagination(app, client, make_proposal):
    made = [make_proposal(lc.HEARING, title=f"Forslag nummer {i:02}") for i in range(23)]
    first = text_of(client.get("/proposals"))
    assert "Side 1 af 2" in first and 'rel="next"' in first
    second = text_of(client.get("/proposals?page=2"))
    assert second.count('class="proposal-row"') == 3
    assert text_of(client.get("/proposals?page=3")).count('class="proposal-row"') == 0
    api = client.get("/api/v1/proposals").json
    assert (api["total"], api["pages"], len(api["items"])) == (23, 1, 23)
    assert {item["id"] for item in api["items"]} == {m.id for m in made}


def test_front_page_shows_hearings_support_and_catalogue(client, make_proposal, app):
    make_proposal(lc.HEARING, title="En åben høring her")
    supported = make_proposal(lc.SUPPORT, title="Søger opbakning nu")
    catalogued = make_proposal(lc.SUPPORT, title="Står i kataloget")
    force(app, catalogued.id, state=lc.CATALOGUE)
    make_proposal(lc.DRAFT, title="En hemmelig kladde")
    page = text_of(client.get("/"))
    for text in [
        "Åbne høringer",
        "En åben høring her",
        "Søger opbakning nu",
        "Står i kataloget",
        "0 af 50",
    ]:
        assert text in page
    assert "En hemmelig kladde" not in page
    assert supported.id


def test_api_detail_has_the_contract_fields(client, make_proposal):
    made = make_proposal(lc.HEARING)
    data = client.get(f"/api/v1/proposals/{made.id}").json
    for field in [
        "id",
        "title",
        "summary",
        "state",
        "topic",
        "proposers",
        "support",
        "stances",
        "likes",
        "comment_count",
        "created_at",
        "timeline",
    ]:
        assert field in data, field
    assert data["stances"] == {"for": 0, "against": 0, "abstain": 0}
    assert data["topic"] == "Landdistrikter"
    assert data["created_at"].endswith("Z")
    assert [(e["from"], e["to"]) for e in data["timeline"]] == [
        ("draft", "submitted"),
        ("submitted", "hearing"),
    ]
    assert all(e["at"].endswith("Z") for e in data["timeline"])
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/v1/proposals",
        "/api/v1/proposals/{id}",
        "/api/v1/proposals/{id}/amendments",
    }


def test_atom_feed(client, make_proposal):
    make_proposal(lc.HEARING, title="I høring nu")
    make_proposal(lc.WITHDRAWN, title="Trukket tilbage igen")
    make_proposal(lc.SUBMITTED, title="Indsendt og privat")
    response = client.get("/feeds/proposals.atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.data)
    entries = [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")]
    assert sorted(entries) == ["I høring nu", "Trukket tilbage igen"]
    hearing = ET.fromstring(client.get("/feeds/proposals.atom?state=hearing").data)
    assert [e.find(f"{ATOM}title").text for e in hearing.iter(f"{ATOM}entry")] == ["I høring nu"]
    assert client.get("/feeds/proposals.atom?state=draft").status_code == 400


def test_a_read_applies_an_overdue_hearing_end(app, client, make_proposal):
    made = make_proposal(lc.HEARING)
    force(app, made.id, hearing_ends_at=datetime.now(UTC) - timedelta(seconds=1))
    data = client.get(f"/api/v1/proposals/{made.id}").json
    assert data["state"] == "revision"
    assert data["timeline"][-1]["actor"] == "system"
    again = client.get(f"/api/v1/proposals/{made.id}").json
    assert len(again["timeline"]) == len(data["timeline"])


def test_list_applies_overdue_deadlines_too(app, client, make_proposal):
    made = make_proposal(lc.SUPPORT)
    force(app, made.id, support_deadline=datetime.now(UTC) - timedelta(seconds=1))
    assert titles(client.get("/api/v1/proposals?state=lapsed")) != []
    assert get_proposal(app, made.id).state == lc.LAPSED


def test_support_after_the_deadline_page_says_lapsed(app, client, make_proposal):
    made = make_proposal(lc.SUPPORT)
    force(app, made.id, support_deadline=datetime.now(UTC) - timedelta(seconds=1))
    assert "Udløbet" in text_of(client.get(f"/proposals/{made.id}"))


def test_tick_applies_due_transitions_once_and_says_what_it_did(app, make_proposal):
    hearing = make_proposal(lc.HEARING)
    support = make_proposal(lc.SUPPORT)
    past = datetime.now(UTC) - timedelta(minutes=1)
    force(app, hearing.id, hearing_ends_at=past)
    force(app, support.id, support_deadline=past)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lifecycle", "tick"])
    assert first.exit_code == 0
    assert f"proposal {hearing.id}: hearing -> revision" in first.output
    assert f"proposal {support.id}: support -> lapsed" in first.output
    assert "2 transition(s) applied." in first.output
    second = runner.invoke(args=["lifecycle", "tick"])
    assert "0 transition(s) applied." in second.output


# --- the query budget ------------------------------------------------------------------


def grow(app, proposal_id: int, *, proposers: int, events: int) -> None:
    """Give a proposal many proposers and timeline events, in bulk."""
    now = datetime.now(UTC)
    with app.app_context():
        if proposers > 1:
            users = (
                db.session.execute(
                    insert(User).returning(User.id),
                    [
                        {
                            "email": f"bulk{proposal_id}-{i}@example.org",
                            "name": f"Bulk {i}",
                            "is_member": True,
                            "is_secretariat": False,
                            "login_version": 1,
                            "created_at": now,
                        }
                        for i in range(proposers - 1)
                    ],
                )
                .scalars()
                .all()
            )
            db.session.execute(
                insert(Proposer),
                [
                    {
                        "proposal_id": proposal_id,
                        "user_id": uid,
                        "position": i + 2,
                        "joined_at": now,
                    }
                    for i, uid in enumerate(users)
                ],
            )
            db.session.get(Proposal, proposal_id).proposer_count = proposers
        if events:
            db.session.execute(
                insert(TransitionEvent),
                [
                    {
                        "proposal_id": proposal_id,
                        "from_state": "hearing",
                        "to_state": "hearing",
                        "actor_id": None,
                        "reason": f"r{i}",
                        "at": now,
                    }
                    for i in range(events)
                ],
            )
        db.session.commit()


def queries_for(client, count_queries, path: str) -> int:
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def test_list_and_detail_query_budget(app, make_proposal, make_user, count_queries):
    """The same number of queries with 3 proposals or more than a page of the list and of
    the API (60), 1 or 30 proposers, 0 or 300 timeline events, for a visitor and for a
    logged-in member of the secretariat."""
    visitor, staff = app.test_client(), app.test_client()
    login(staff, make_user("member", "secretariat"))
    small = [make_proposal(lc.HEARING) for _ in range(3)]
    grow(app, small[0].id, proposers=1, events=0)
    pages = [
        "/proposals",
        "/api/v1/proposals",
        "/",
        f"/proposals/{small[0].id}",
        f"/api/v1/proposals/{small[0].id}",
    ]

    def measure():
        return {
            (who, path): queries_for(client, count_queries, path)
            for who, client in (("visitor", visitor), ("staff", staff))
            for path in pages
        }

    before = measure()
    for _ in range(max(PAGE_SIZE, API_PAGE_SIZE) + 10 - len(small)):
        make_proposal(lc.HEARING)
    grow(app, small[0].id, proposers=30, events=300)
    assert measure() == before
    for (_who, path), count in before.items():
        budget = 10 if path.startswith(("/proposals/", "/api/v1/proposals/")) else 5
        # A page (not the API) also reads the organisation's settings once (app.site).
        page = not path.startswith("/api/")
        assert count <= (6 if path == "/" else budget) + page, (path, count)


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=a%00b",
        "topic=%00%12",
        "topic=99999999999999999999",
        "topic=%C2%B2",
        "page=%C2%B2",
        "state=%00",
        "q=" + "x" * 5000,
    ],
)
def test_odd_filters_never_fail(client, make_proposal, query):
    make_proposal(lc.HEARING)
    for path in ("/proposals", "/api/v1/proposals", "/feeds/proposals.atom"):
        assert client.get(f"{path}?{query}").status_code in (200, 400), (path, query)


@pytest.mark.parametrize(
    "query", ["from=1&to=%C2%B2", "from=0&to=1", "from=&to=1", "from=99999999999999999999&to=1"]
)
def test_odd_version_numbers_never_fail(client, make_proposal, query):
    made = make_proposal(lc.HEARING)
    assert client.get(f"/proposals/{made.id}/diff?{query}").status_code in (400, 404)
