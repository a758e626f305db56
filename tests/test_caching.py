"""Visitors' pages carry a validator and answer a conditional request with 304."""

import pytest

from app.proposals import lifecycle as lc
from tests.support.forms import client_for


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/proposals",
        "/api/v1/proposals",
        "/feeds/proposals.atom",
        "/proposals/{id}",
        "/api/v1/proposals/{id}",
    ],
)
def test_conditional_get_gives_304_until_the_page_changes(app, make_proposal, path):
    made = make_proposal(lc.HEARING)
    path = path.format(id=made.id)
    client = app.test_client()
    first = client.get(path)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and first.headers["Cache-Control"] == "no-cache"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert app.test_client().get(path, headers={"If-None-Match": etag}).status_code == 304
    make_proposal(lc.HEARING, title="Et nyt forslag i høring")
    if path in ("/", "/proposals", "/api/v1/proposals", "/feeds/proposals.atom"):
        changed = client.get(path, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_language_is_part_of_the_page(app):
    client = app.test_client()
    danish = client.get("/").headers["ETag"]
    client.post("/language", data={"csrf_token": _token(client), "lang": "en"})
    english = client.get("/", headers={"If-None-Match": danish})
    assert english.status_code == 200 and english.headers["ETag"] != danish
    assert "Cookie" in english.headers["Vary"]


def _token(client):
    from tests.support.forms import csrf_token

    return csrf_token(client)


def test_logged_in_pages_are_private_and_not_validated(app, make_user):
    client = client_for(app, make_user())
    response = client.get("/")
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_errors_and_posts_are_not_validated(app):
    client = app.test_client()
    assert "ETag" not in client.get("/no-such-page").headers
    assert "ETag" not in client.post("/language").headers
