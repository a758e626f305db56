"""Every kind of refusal over HTTP: 409 for a wrong state, 403 for a wrong role, 404 for a
proposal the user may not see, 422 for bad input. A refused request changes nothing."""

import pytest

from app.proposals import lifecycle as lc
from tests.support.forms import client_for, post, text_of
from tests.support.proposals import CONTENT, event_count, get_proposal


def unchanged(app, made, before_events):
    proposal = get_proposal(app, made.id)
    assert proposal.state == made.state
    assert event_count(app, made.id) == before_events


@pytest.mark.parametrize(
    ("state", "who", "data", "status"),
    [
        # No such transition from this state: 409 whoever asks (if they can act at all).
        (lc.DRAFT, "author", {"to": "support"}, 409),
        (lc.DRAFT, "author", {"to": "catalogue"}, 409),
        (lc.HEARING, "secretariat", {"to": "hearing"}, 409),
        (lc.HEARING, "author", {"to": "submitted"}, 409),
        (lc.WITHDRAWN, "author", {"to": "draft"}, 409),
        (lc.REJECTED, "secretariat", {"to": "hearing"}, 409),
        (lc.SUPPORT, "secretariat", {"to": "catalogue"}, 403),  # the system's alone
        # The transition exists, but not for this role: 403.
        (lc.SUBMITTED, "author", {"to": "hearing"}, 403),
        (lc.SUBMITTED, "author", {"to": "rejected", "reason": "Nej."}, 403),
        (lc.REVISION, "secretariat", {"to": "support"}, 403),
        (lc.HEARING, "member", {"to": "withdrawn"}, 403),
        (lc.HEARING, "citizen", {"to": "withdrawn"}, 403),
        (lc.HEARING, "visitor", {"to": "withdrawn"}, 403),
        (lc.REVISION, "member", {"to": "support"}, 403),
        # The table's condition does not hold: 409.
        (lc.HEARING, "author", {"to": "revision"}, 403),
        (lc.SUBMITTED, "secretariat", {"to": "hearing", "ends_at": "2001-01-01T10:00"}, 409),
        # A reason is required: 422.
        (lc.SUBMITTED, "secretariat", {"to": "draft", "reason": "   "}, 422),
        (lc.SUBMITTED, "secretariat", {"to": "rejected"}, 422),
        # Malformed: 422.
        (lc.SUBMITTED, "secretariat", {"to": "nowhere"}, 422),
        (lc.SUBMITTED, "secretariat", {"to": ""}, 422),
        (lc.SUBMITTED, "secretariat", {"to": "hearing", "ends_at": "next tuesday"}, 422),
        (lc.SUBMITTED, "secretariat", {"to": "draft", "reason": "x" * 2001}, 422),
    ],
)
def test_refused_transitions(app, make_proposal, make_user, secretary, state, who, data, status):
    made = make_proposal(state)
    before = event_count(app, made.id)
    account = {
        "author": made.author,
        "secretariat": secretary,
        "member": make_user("member"),
        "citizen": make_user(),
        "visitor": None,
    }[who]
    response = post(client_for(app, account), f"/proposals/{made.id}/transition", data)
    assert response.status_code == status, text_of(response)
    assert "<h1>" in text_of(response)
    unchanged(app, made, before)


@pytest.mark.parametrize("state", [lc.DRAFT, lc.SUBMITTED])
@pytest.mark.parametrize("who", ["visitor", "citizen", "member"])
def test_private_proposals_are_not_found(app, make_proposal, make_user, state, who):
    made = make_proposal(state)
    account = {"visitor": None, "citizen": make_user(), "member": make_user("member")}[who]
    client = client_for(app, account)
    for path in ["", "/versions", "/diff?from=1&to=1", "/edit"]:
        response = client.get(f"/proposals/{made.id}{path}")
        assert (
            response.status_code in (404, 302)
            if who == "visitor" and path == "/edit"
            else (response.status_code == 404)
        ), path
    assert client.get(f"/api/v1/proposals/{made.id}").status_code == 404
    for path, data in [
        ("/transition", {"to": "withdrawn"}),
        ("/proposers", {"email": "a@example.org"}),
        ("/invitation/accept", {}),
        ("/outcomes", {"date": "2026-01-01", "text": "x"}),
    ]:
        response = post(client, f"/proposals/{made.id}{path}", data)
        assert response.status_code in ((403,) if who == "visitor" else (404,)), path
    listed = client.get("/proposals").get_data(as_text=True)
    assert CONTENT["title"] not in listed
    assert CONTENT["title"] not in client.get("/feeds/proposals.atom").get_data(as_text=True)
    assert client.get("/api/v1/proposals").json["total"] == 0


def test_who_may_see_a_draft(app, make_proposal, make_user, secretary):
    made = make_proposal(lc.DRAFT)
    invited = make_user("member")
    post(client_for(app, made.author), f"/proposals/{made.id}/proposers", {"email": invited.email})
    for account in (made.author, invited, secretary):
        client = client_for(app, account)
        assert client.get(f"/proposals/{made.id}").status_code == 200
        assert client.get(f"/api/v1/proposals/{made.id}").status_code == 200
        assert CONTENT["title"] in text_of(client.get("/proposals"))


def test_unknown_proposal_ids(app, make_user):
    client = client_for(app, make_user("member", "secretariat"))
    for path in [
        "/proposals/999",
        "/proposals/999/versions",
        "/proposals/999/edit",
        "/api/v1/proposals/999",
    ]:
        assert client.get(path).status_code == 404, path
    assert post(client, "/proposals/999/transition", {"to": "hearing"}).status_code == 404
    assert client.get("/proposals/abc").status_code == 404


def test_editing_outside_draft_and_revision_is_409(app, make_proposal):
    made = make_proposal(lc.HEARING)
    client = client_for(app, made.author)
    assert client.get(f"/proposals/{made.id}/edit").status_code == 409
    response = post(client, f"/proposals/{made.id}/edit", {**CONTENT, "title": "Et nyt navn"})
    assert response.status_code == 409
    assert "kan kun redigeres" in text_of(response)
    assert get_proposal(app, made.id).title == CONTENT["title"]


def test_only_proposers_edit(app, make_proposal, make_user, secretary):
    made = make_proposal(lc.REVISION)
    for account in (make_user("member"), secretary):
        response = client_for(app, account).get(f"/proposals/{made.id}/edit")
        assert response.status_code == 403


def test_only_members_write_proposals(app, make_user, topic):
    citizen = client_for(app, make_user())
    assert citizen.get("/proposals/new").status_code == 403
    response = post(citizen, "/proposals/new", {**CONTENT, "topic": str(topic)})
    assert response.status_code == 403
    visitor = app.test_client()
    assert visitor.get("/proposals/new").status_code == 302
    assert post(visitor, "/proposals/new", {**CONTENT, "topic": str(topic)}).status_code == 403
    assert client_for(app, make_user("member")).get("/api/v1/proposals").json["total"] == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Kort", "Skriv mellem 5 og 160 tegn."),
        ("title", "x" * 161, "Skriv mellem 5 og 160 tegn."),
        ("summary", "For kort resumé", "Skriv mellem 20 og 400 tegn."),
        ("body", "   ", "Feltet skal udfyldes."),
        ("body", "x" * 50_001, "Skriv højst 50000 tegn."),
        ("topic", "", "Feltet skal udfyldes."),
        ("topic", "999", "Vælg et af emnerne."),
        ("topic", "Rumfart", "Vælg et af emnerne."),
        ("organisations", "x" * 201, "højst 200 tegn hver"),
        ("drawbacks", "Nul\x00tegn", "Feltet indeholder tegn, der ikke er tilladt."),
    ],
)
def test_bad_proposal_content_is_refused_and_saves_nothing(
    app, make_user, topic, field, value, message
):
    client = client_for(app, make_user("member"))
    response = post(client, "/proposals/new", {**CONTENT, "topic": str(topic), field: value})
    assert response.status_code == 422
    assert message in text_of(response)
    assert client.get("/api/v1/proposals").json["total"] == 0


def test_topic_may_be_given_by_name(app, make_user, topic):
    client = client_for(app, make_user("member"))
    response = post(client, "/proposals/new", {**CONTENT, "topic": "landdistrikter"})
    assert response.status_code == 303


def test_bad_edit_keeps_the_saved_text(app, make_proposal, topic):
    made = make_proposal(lc.DRAFT)
    client = client_for(app, made.author)
    response = post(
        client,
        f"/proposals/{made.id}/edit",
        {**CONTENT, "topic": str(topic), "title": "", "body": "Ny tekst"},
    )
    assert response.status_code == 422
    assert "Ny tekst" in text_of(response)  # what was typed is kept in the form
    assert get_proposal(app, made.id).body == CONTENT["body"]


@pytest.mark.parametrize("who", ["member", "author"])
def test_outcomes_are_for_the_secretariat(app, make_proposal, make_user, who):
    made = make_proposal(lc.HEARING)
    account = made.author if who == "author" else make_user("member")
    response = post(
        client_for(app, account),
        f"/proposals/{made.id}/outcomes",
        {"date": "2026-04-01", "text": "Vedtaget."},
    )
    assert response.status_code == 403


def test_outcome_on_a_proposal_outside_the_catalogue_is_409(app, make_proposal, secretary):
    made = make_proposal(lc.HEARING)
    response = post(
        client_for(app, secretary),
        f"/proposals/{made.id}/outcomes",
        {"date": "2026-04-01", "text": "Vedtaget."},
    )
    assert response.status_code == 409


def test_answering_without_an_invitation_is_409(app, make_proposal, make_user):
    made = make_proposal(lc.DRAFT)
    member = make_user("member")
    post(client_for(app, made.author), f"/proposals/{made.id}/proposers", {"email": member.email})
    outsider = make_user("member")
    assert (
        post(client_for(app, outsider), f"/proposals/{made.id}/invitation/accept").status_code
        == 404
    )
    # The invited member declines, then cannot accept the same invitation.
    invited = client_for(app, member)
    assert post(invited, f"/proposals/{made.id}/invitation/decline").status_code == 303
    assert post(invited, f"/proposals/{made.id}/invitation/accept").status_code == 404


def test_transition_without_csrf_token_is_refused(app, make_proposal, secretary):
    made = make_proposal(lc.SUBMITTED)
    client = client_for(app, secretary)
    response = client.post(f"/proposals/{made.id}/transition", data={"to": "hearing"})
    assert response.status_code == 400
    assert get_proposal(app, made.id).state == lc.SUBMITTED
