"""GET /api/v1/proposals/<id>/amendments: the contract's fields, as the OpenAPI document
describes them, with the visibility of the proposal."""

from __future__ import annotations

from sqlalchemy import update

from app.amendments.models import Amendment
from app.core.extensions import db
from app.proposals import lifecycle as lc
from tests.amendments.test_merging import decide, to_revision
from tests.amendments.test_web import _all
from tests.support.forms import client_for
from tests.support.proposals import force


def test_the_list_says_what_became_of_each_amendment(app, heard, amend, make_user, secretary):
    made = heard()
    author = make_user("member", name="Ulla Ændring")
    open_one = amend(made, author=author, drawbacks="Det koster mere.")
    rejected = amend(made, summary="Alle landsbyer skal have en bus hver halve time.")
    to_revision(app, made, secretary)
    assert decide(app, made, rejected, lc.NOT_ADOPTED, "Det er for dyrt.") is None
    force(app, made.id, state=lc.CATALOGUE)
    with app.app_context():
        db.session.execute(
            update(Amendment).where(Amendment.id == rejected).values(minority=True, stance_for=2)
        )
        db.session.commit()
    assert len(_all(app, made)) == 2

    response = client_for(app).get(f"/api/v1/proposals/{made.id}/amendments")
    assert response.status_code == 200 and response.is_json
    first, second = response.json
    assert first == {
        "id": open_one,
        "proposal_id": made.id,
        "url": f"http://localhost/amendments/{open_one}",
        "author": "Ulla Ændring",
        "fields": ["drawbacks"],
        "state": "open",
        "verdict": None,
        "reason": "",
        "backers": 0,
        "minority": False,
        "stances": None,
        "created_at": first["created_at"],
        "decided_at": None,
    }
    assert first["created_at"].endswith("Z")
    assert (second["state"], second["verdict"], second["reason"]) == (
        "decided",
        "not_adopted",
        "Det er for dyrt.",
    )
    assert second["fields"] == ["summary"] and second["minority"] is True
    assert second["stances"] == {"for": 2, "against": 0, "abstain": 0}

    spec = client_for(app).get("/api/v1/openapi.json").json
    schema = spec["paths"]["/api/v1/proposals/{id}/amendments"]["get"]["responses"]["200"]
    item = schema["content"]["application/json"]["schema"]["items"]
    assert set(item["required"]) == set(first)

    force(app, made.id, state=lc.DRAFT)
    assert client_for(app).get(f"/api/v1/proposals/{made.id}/amendments").status_code == 404
