"""Full-text search on /proposals and /api/v1/proposals, on either database: Danish stems,
ranking, snippets, drafts kept private, hostile queries, and the index kept in step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.accounts.models import User
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services
from app.proposals.models import Proposal
from app.search import engine as search_engine
from tests.support.forms import login, text_of
from tests.support.naughty import naughty_strings


def titles(client, q: str, **args) -> list[str]:
    response = client.get("/api/v1/proposals", query_string={"q": q, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["title"] for item in response.json["items"]]


def test_danish_forms_find_each_other_ranked_with_snippets(app, client, make_proposal):
    old = datetime.now(UTC) - timedelta(days=3)
    make_proposal(
        lc.HEARING,
        title="Iværksætterhuse i alle kommuner",
        summary="Et hus til nye virksomheder.",
        body="Høringen viste opbakning.",
        now=old,
    )
    make_proposal(
        lc.HEARING,
        title="Flere cykelstier",
        summary="Sikre veje til skole.",
        body="Som i et iværksætterhus deler man værksted. <script>alert(1)</script> & co.",
        drawbacks="Kommunerne betaler.",
    )
    make_proposal(lc.HEARING, title="Ren luft", summary="Mindre trafik.", body="Intet andet.")

    both = ["Iværksætterhuse i alle kommuner", "Flere cykelstier"]
    # Stems: each form finds the others.
    assert titles(client, "iværksætterhus") == both
    assert titles(client, "høringer") == ["Iværksætterhuse i alle kommuner"]
    assert sorted(titles(client, "kommune")) == sorted(both)
    assert titles(client, "KOMMUNERNE cykelstien") == ["Flere cykelstier"]
    # A title match ranks above a body match; sort=newest keeps date order instead.
    assert titles(client, "iværksætterhuse", sort="newest") == [
        "Flere cykelstier",
        "Iværksætterhuse i alle kommuner",
    ]
    assert titles(client, "", sort="newest")[0] == "Ren luft"
    # Phrases and prefixes.
    assert titles(client, '"sikre veje"') == ["Flere cykelstier"]
    assert titles(client, '"veje sikre"') == []
    assert titles(client, "cykel*") == ["Flere cykelstier"]
    assert sorted(titles(client, "iværk*")) == sorted(both)

    # Snippets: escaped, the matching words marked, in the API and on the page.
    items = client.get("/api/v1/proposals?q=iværksætterhuse").json["items"]
    assert "<mark>iværksætterhus</mark>" in items[1]["snippet"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co." in items[1]["snippet"]
    assert "<script>" not in items[1]["snippet"]
    assert "snippet" not in client.get("/api/v1/proposals").json["items"][0]
    page = text_of(client.get("/proposals?q=iværksætterhuse"))
    assert '<p class="snippet">' in page and "<mark>iværksætterhus</mark>" in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert 'value="iværksætterhuse"' in page

    # Bad sort values are refused like other bad filters.
    assert client.get("/proposals?q=x&sort=oldest").status_code == 400
    response = client.get("/api/v1/proposals?sort=DROP")
    assert response.status_code == 400 and "sort" in response.json["message"]
    assert client.get("/feeds/proposals.atom").status_code == 200


def test_drafts_are_found_only_by_those_who_may_see_them(
    app, make_proposal, make_user, secretary, monkeypatch
):
    draft = make_proposal(lc.DRAFT, title="Hemmelig plan om vandmøller")
    make_proposal(lc.SUBMITTED, title="Indsendte vandmøller")
    make_proposal(lc.HEARING, title="Offentlige vandmøller")
    public = ["Offentlige vandmøller"]
    for who, expected in [
        (None, public),
        (make_user("member"), public),
        (draft.author, ["Hemmelig plan om vandmøller", "Offentlige vandmøller"]),
        (secretary, sorted(["Hemmelig plan om vandmøller", "Indsendte vandmøller", *public])),
    ]:
        client = app.test_client()
        if who:
            login(client, who)
        for sort in ("relevance", "newest"):
            assert sorted(titles(client, "vandmølle", sort=sort)) == expected
            listing = client.get(f"/api/v1/proposals?q=vandmølle&sort={sort}").json
            assert (listing["total"], listing["total_exact"]) == (len(expected), True)
        page = text_of(client.get("/proposals?q=vandmøller"))
        assert ("Hemmelig plan" in page) == ("Hemmelig plan om vandmøller" in expected)
        # Filtered by state, in the index as out of it.
        assert titles(client, "vandmølle", state=lc.DRAFT) == (
            ["Hemmelig plan om vandmøller"] if "Hemmelig plan om vandmøller" in expected else []
        )
        assert titles(client, "vandmølle", state=lc.HEARING) == public


def test_a_search_lists_the_newest_hits_ranked_and_says_there_are_more(
    app, client, make_proposal, make_user, monkeypatch
):
    """Above LISTED hits a search lists the newest LISTED, ranked among themselves (or in
    date order), and says that more match: its work is bounded whatever the data."""
    old = datetime.now(UTC) - timedelta(days=5)
    make_proposal(lc.HEARING, title="Havvindmøller ud for kysten", now=old)
    for i in range(4):
        make_proposal(
            lc.HEARING,
            title=f"Plan nummer {i}",
            body="Om havvindmøller." if i != 2 else "Havvindmøller, havvindmøller.",
            now=old + timedelta(days=i + 1),
        )
    make_proposal(lc.DRAFT, title="Havvindmøller i kladde")
    monkeypatch.setattr(search_engine, "LISTED", 3)

    listing = client.get("/api/v1/proposals?q=havvindmølle").json
    assert (listing["total"], listing["total_exact"], listing["pages"]) == (3, False, 1)
    # The oldest (the title match) is not among the three newest; among them the body
    # that says it twice ranks first, then the newest.
    assert [item["title"] for item in listing["items"]] == [
        "Plan nummer 2",
        "Plan nummer 3",
        "Plan nummer 1",
    ]
    assert titles(client, "havvindmølle", sort="newest") == [
        "Plan nummer 3",
        "Plan nummer 2",
        "Plan nummer 1",
    ]
    assert client.get("/api/v1/proposals?q=havvindmølle&page=2").json["items"] == []
    page = text_of(client.get("/proposals?q=havvindmøller"))
    assert "Mere end 3 forslag matcher" in page
    # Within the limit, the count is exact and nothing more is said.
    listing = client.get("/api/v1/proposals?q=kysten").json
    assert (listing["total"], listing["total_exact"]) == (1, True)
    assert "Mere end" not in text_of(client.get("/proposals?q=kysten"))
    client.post("/language", data={"lang": "en"})
    english = text_of(client.get("/proposals?q=havvindmøller"))
    assert "More than 3 proposals match" in english
    monkeypatch.setattr(search_engine, "LISTED", 200)
    assert titles(client, "havvindmølle")[0] == "Havvindmøller ud for kysten"


def test_hostile_and_empty_queries_never_fail(client, make_proposal):
    make_proposal(lc.HEARING, title="Bedre busser", body="Busser og tog, også om natten.")
    operators = [
        '"',
        "*",
        "**",
        "NEAR",
        "NEAR(busser tog)",
        "OR",
        "AND",
        "NOT",
        "busser OR tog",
        "busser NOT tog",
        "(",
        ")",
        "^busser",
        "title:busser",
        "search_title:bus",
        '"busser',
        'busser"',
        '"busser" "',
        "bus* *",
        "'",
        "\\",
        "-busser",
        "+tog",
        ":*",
        "busser & tog",
        "busser | tog",
        "!tog",
        "<->",
        "busser <-> tog",
        "{busser}",
    ]
    strings = operators + list(naughty_strings()[::25])
    for q in strings:
        for path in ("/proposals", "/api/v1/proposals"):
            response = client.get(path, query_string={"q": q})
            assert response.status_code < 500, (path, q)
            if response.status_code == 200 and path.startswith("/api"):
                assert response.json["total"] <= 1, q
    # The operators are plain words: these still find the proposal.
    assert titles(client, "tog:busser") == titles(client, '"busser"') == ["Bedre busser"]
    assert titles(client, "^busser*") == ["Bedre busser"]
    # Stop words alone, or punctuation: a friendly "no results", never every proposal.
    for q in ("og i at", "...", '""', "*", "også om"):
        assert client.get("/api/v1/proposals", query_string={"q": q}).json["total"] == 0, q
        page = text_of(client.get("/proposals", query_string={"q": q}))
        assert "Bedre busser" not in page and 'class="no-results"' in page, q
    assert "Ingen resultater" in text_of(client.get("/proposals?q=og+i"))


def test_the_index_follows_every_save_and_reindex_rebuilds_it(app, make_proposal):
    made = make_proposal(lc.DRAFT, title="Grønne tage", summary="Sedum på taget.")
    client = app.test_client()
    login(client, made.author)
    assert titles(client, "tage") == ["Grønne tage"]
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        content = services.Content(
            topic_id=proposal.topic_id,
            title="Solceller på skoler",
            summary="Strøm fra taget.",
            body=proposal.body,
            drawbacks=proposal.drawbacks,
            process=proposal.process,
            materials=proposal.materials,
            organisations=proposal.organisations,
        )
        author = db.session.get(User, made.author.id)
        services.edit(author, proposal, content, now=datetime.now(UTC))
        db.session.commit()
    assert titles(client, "solcellerne") == ["Solceller på skoler"]
    assert titles(client, "grønne") == []

    # Stems written wrong behind the app's back (which SQLite's index reads; PostgreSQL's
    # reads the text) are put right by the command.
    with app.app_context():
        db.session.get(Proposal, made.id).search_title = "noget forkert"
        db.session.commit()
        sqlite = db.engine.dialect.name == "sqlite"
    assert titles(client, "solceller") == ([] if sqlite else ["Solceller på skoler"])
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "1 proposal" in result.output
    assert titles(client, "solceller") == ["Solceller på skoler"]
