"""In Chromium with JavaScript off: a member pages through a long discussion, changes its
order, opens a thread with all its replies, and follows a link to a comment on page 3,
which lands on that comment. The paginated pages pass axe and the Nu HTML Checker in both
languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.proposals import lifecycle as lc
from tests.browser.test_notifications_journey import log_in
from tests.comments.test_discussion_pages import add_threads

pytestmark = pytest.mark.browser


@pytest.fixture
def long_discussion(app, make_proposal):
    made = make_proposal(lc.HEARING, title="Længere åbningstider på biblioteket")
    ids = add_threads(app, made.id, 35, replies={30: 12})
    return made, ids


def test_a_member_pages_through_a_long_discussion(
    browser, live_server, app, make_user, long_discussion
):
    made, ids = long_discussion
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    log_in(tab, make_user("member"))
    tab.goto(f"/proposals/{made.id}")
    threads = tab.locator("ol.threads > li.thread")
    expect(threads).to_have_count(10)
    expect(threads.first).to_contain_text("Tråd 34")
    pages = tab.get_by_role("navigation", name="Sider med kommentarer")
    expect(pages).to_contain_text("Side 1 af 4")
    pages.get_by_role("link", name="Næste").click()
    expect(pages).to_contain_text("Side 2 af 4")
    expect(threads.first).to_contain_text("Tråd 24")
    tab.get_by_role("link", name="ældste først").click()
    expect(threads.first).to_contain_text("Tråd 0")
    assert "order=oldest" in tab.url and "page=" not in tab.url

    # Thread 30 has 12 replies: five shown, the rest a link away.
    tab.goto(f"/proposals/{made.id}")
    thread = tab.locator(f"li.thread:has(#comment-{ids[30]})")
    expect(thread.locator("ol.replies > li")).to_have_count(5)
    thread.get_by_role("link", name="Vis alle 12 svar").click()
    expect(tab.locator("ol.replies > li")).to_have_count(12)
    tab.get_by_role("link", name="Tilbage til alle kommentarer").click()
    expect(tab.locator(f"#comment-{ids[30]}")).to_be_visible()

    # A link to thread 7, the 28th newest, leads to page 3 and to the comment itself.
    tab.goto(f"/comments/{ids[7]}")
    assert re.search(rf"/proposals/{made.id}\?page=3#comment-{ids[7]}$", tab.url), tab.url
    expect(pages).to_contain_text("Side 3 af 4")
    expect(tab.locator(f"#comment-{ids[7]}")).to_contain_text("Tråd 7")
    expect(tab.locator(f"#comment-{ids[7]}")).to_be_in_viewport()
    context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_paginated_discussion_is_accessible_and_valid(
    browser,
    live_server,
    app,
    make_user,
    long_discussion,
    assert_accessible,
    assert_valid_html,
    lang,
):
    made, ids = long_discussion
    context = browser.new_context(base_url=live_server.url, java_script_enabled=True)
    tab = context.new_page()
    if lang == "en":
        tab.goto("/")
        tab.get_by_role("button", name="English").click()
    log_in(tab, make_user("member"))
    for name, path in (
        ("page 2, oldest first", f"/proposals/{made.id}?order=oldest&page=2"),
        ("hearing responses, page 2", f"/proposals/{made.id}?input=hearing&page=2"),
        ("one thread", f"/proposals/{made.id}?thread={ids[30]}"),
    ):
        tab.goto(path)
        assert tab.locator("html").get_attribute("lang") == lang
        assert_accessible(tab, f"{name} ({lang})")
        assert_valid_html(tab.content(), f"{name} ({lang})")
    context.close()
