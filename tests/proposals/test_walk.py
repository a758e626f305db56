"""One proposal walked through the whole happy path over HTTP, checking the page, the API
and the timeline at every step."""

import re

from sqlalchemy import select

from app.core.extensions import db
from app.proposals.models import Proposal
from tests.support.forms import csrf_token, login, post_form, text_of
from tests.support.proposals import CONTENT


def as_user(app, account):
    client = app.test_client()
    login(client, account)
    return client


def act(client, path, data):
    response = client.post(path, data={"csrf_token": csrf_token(client), **data})
    assert response.status_code == 303, text_of(response)
    return response


def check_step(visitor, proposal_id, state, label, timeline_length):
    api = visitor.get(f"/api/v1/proposals/{proposal_id}").json
    assert api["state"] == state
    assert len(api["timeline"]) == timeline_length
    assert api["timeline"][-1]["to"] == state if timeline_length else True
    page = text_of(visitor.get(f"/proposals/{proposal_id}"))
    assert label in page
    return api, page


def test_happy_path(app, make_user, topic, secretary):
    author = make_user("member", name="Søren Østergaard")
    members = [make_user("member", name=f"Medforslagsstiller {i}") for i in range(2, 11)]
    visitor = app.test_client()
    sec = as_user(app, secretary)

    # Draft: the author writes it through the form.
    writer = as_user(app, author)
    response = post_form(writer, "/proposals/new", {**CONTENT, "topic": str(topic)})
    assert response.status_code == 303
    proposal_id = int(re.search(r"/proposals/(\d+)$", response.headers["Location"]).group(1))
    assert visitor.get(f"/proposals/{proposal_id}").status_code == 404
    assert visitor.get(f"/api/v1/proposals/{proposal_id}").status_code == 404

    # Nine co-proposers invited; they accept in another order than invited.
    for member in members:
        act(writer, f"/proposals/{proposal_id}/proposers", {"email": member.email})
    accepting = members[::2] + members[1::2]
    for member in accepting:
        act(as_user(app, member), f"/proposals/{proposal_id}/invitation/accept", {})
    page = text_of(writer.get(f"/proposals/{proposal_id}"))
    numbered = re.findall(r'<li value="(\d+)">([^<]+)</li>', page)
    assert numbered == [("1", "Søren Østergaard")] + [
        (str(i + 2), m.name) for i, m in enumerate(accepting)
    ]

    # Submitted.
    act(writer, f"/proposals/{proposal_id}/transition", {"to": "submitted"})
    assert visitor.get(f"/proposals/{proposal_id}").status_code == 404
    assert "Indsendt" in text_of(sec.get(f"/proposals/{proposal_id}"))

    # Hearing: now public; the proposers in the API in their order.
    act(
        sec,
        f"/proposals/{proposal_id}/transition",
        {"to": "hearing", "ends_at": "2099-01-01T12:00"},
    )
    api, page = check_step(visitor, proposal_id, "hearing", "I høring", 2)
    assert [p["position"] for p in api["proposers"]] == list(range(1, 11))
    assert api["proposers"][0] == {"position": 1, "name": "Søren Østergaard"}
    assert api["hearing_ends_at"] == "2099-01-01T11:00:00Z"  # 12:00 Danish winter time
    assert api["support"] == {"count": 0, "threshold": None, "deadline": None}
    assert writer.get(f"/proposals/{proposal_id}/edit").status_code == 409

    # Revision: the secretariat ends the hearing early; the author edits the text.
    act(sec, f"/proposals/{proposal_id}/transition", {"to": "revision"})
    check_step(visitor, proposal_id, "revision", "Under udvikling efter høring", 3)
    act(
        writer,
        f"/proposals/{proposal_id}/edit",
        {
            **CONTENT,
            "body": "## Forslaget\n\nTo busser i timen til **alle** landsbyer.",
            "topic": str(topic),
        },
    )
    page = text_of(visitor.get(f"/proposals/{proposal_id}"))
    assert "To busser i timen" in page
    diff_link = re.search(
        r'href="(/proposals/\d+/diff\?[^"]+)">Hvad er ændret efter høringen', page
    )
    assert diff_link, "the detail page links what changed after the hearing"
    diff = text_of(visitor.get(diff_link.group(1).replace("&amp;", "&")))
    assert re.search(r"<del>.*En.*</del>", diff) and re.search(r"<ins>.*To.*</ins>", diff)
    versions = text_of(visitor.get(f"/proposals/{proposal_id}/versions"))
    assert "høringsversion" in versions

    # Support: deadline and threshold stored.
    act(writer, f"/proposals/{proposal_id}/transition", {"to": "support"})
    api, page = check_step(visitor, proposal_id, "support", "Søger opbakning", 4)
    assert api["support"]["threshold"] == 50 and api["support"]["count"] == 0
    assert api["support"]["deadline"].endswith("Z")
    assert "0 af 50" in page and "<progress" in page
    assert [(e["from"], e["to"], e["actor"]) for e in api["timeline"]] == [
        ("draft", "submitted", "Søren Østergaard"),
        ("submitted", "hearing", "Karen Holm"),
        ("hearing", "revision", "Karen Holm"),
        ("revision", "support", "Søren Østergaard"),
    ]
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert (proposal.hearing_version, proposal.final_version, proposal.version_count) == (
            1,
            2,
            2,
        )
