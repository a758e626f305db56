"""Visitors' pages carry a validator and answer a conditional request with 304."""

import time

import pytest

from app.proposals import lifecycle as lc
from tests.support.forms import client_for, csrf_token


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
    client.post("/language", data={"lang": "en"})
    english = client.get("/", headers={"If-None-Match": danish})
    assert english.status_code == 200 and english.headers["ETag"] != danish
    assert "Cookie" in english.headers["Vary"]


def test_logged_in_pages_are_private_and_not_validated(app, make_user):
    client = client_for(app, make_user())
    response = client.get("/")
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_errors_and_posts_are_not_validated(app):
    client = app.test_client()
    assert "ETag" not in client.get("/no-such-page").headers
    assert "ETag" not in client.post("/language").headers


# --- the page cache ----------------------------------------------------------------------


@pytest.fixture
def page_cache(app):
    cache = app.extensions["page_cache"]
    cache.seconds = 60
    yield cache
    cache.seconds = 0
    cache.clear()


def test_visitors_share_a_page_for_a_few_seconds_without_sql(
    app, page_cache, make_proposal, make_user, count_queries
):
    make_proposal(lc.HEARING, title="Det første forslag")
    first = app.test_client().get("/proposals").get_data(as_text=True)
    assert "Det første forslag" in first
    make_proposal(lc.HEARING, title="Et forslag lige nu")
    with count_queries() as statements:
        again = app.test_client().get("/proposals")
    assert statements == []
    assert again.get_data(as_text=True) == first and again.headers["ETag"]
    assert again.headers["Content-Security-Policy"]  # every response's headers still apply
    # Signed-in people see what happened at once.
    member = client_for(app, make_user("member"))
    assert "Et forslag lige nu" in member.get("/proposals").get_data(as_text=True)
    # When the seconds are up, so are visitors.
    page_cache.clear()
    assert "Et forslag lige nu" in app.test_client().get("/proposals").get_data(as_text=True)


def test_entries_expire(app, page_cache, make_proposal):
    page_cache.seconds = 0.2
    app.test_client().get("/proposals")
    make_proposal(lc.HEARING, title="Et forslag lige nu")
    time.sleep(0.3)
    assert "Et forslag lige nu" in app.test_client().get("/proposals").get_data(as_text=True)


def test_each_language_has_its_own_page(app, page_cache):
    assert 'lang="da"' in app.test_client().get("/").get_data(as_text=True)
    english = app.test_client()
    response = english.post("/language", data={"lang": "en", "next": "/"})
    assert response.status_code == 303
    page = english.get("/").get_data(as_text=True)
    assert 'lang="en"' in page and "Open hearings" in page
    assert 'lang="da"' in app.test_client().get("/").get_data(as_text=True)


def test_pages_with_a_form_token_are_never_shared(app, page_cache, make_user):
    account = make_user("citizen")
    first, second = app.test_client(), app.test_client()
    token_one, token_two = csrf_token(first, "/login"), csrf_token(second, "/login")
    assert token_one != token_two
    # The second visitor's own token works: nobody got the first one's page.
    response = second.post(
        "/login",
        data={"csrf_token": token_two, "email": account.email, "password": account.password},
    )
    assert response.status_code == 303


def test_a_waiting_message_is_shown_to_its_visitor_only(app, page_cache, make_user):
    app.test_client().get("/")  # the shared front page is in the cache
    member = client_for(app, make_user("member"))
    member.post("/logout", data={"csrf_token": csrf_token(member)})
    assert "Du er logget ud." in member.get("/").get_data(as_text=True)
    assert "Du er logget ud." not in app.test_client().get("/").get_data(as_text=True)
