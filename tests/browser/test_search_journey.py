"""In Chromium: a visitor searches the proposals in Danish and sees the matching words
highlighted in each snippet, sorts by date with the plain form, and a proposer opens their
draft and sees the similar public proposals. The search results and the draft page pass
axe in both languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.proposals import lifecycle as lc
from tests.support.browser import log_in

pytestmark = pytest.mark.browser


def test_search_with_highlights_and_similar_proposals_on_a_draft(
    page, make_proposal, assert_accessible
):
    make_proposal(
        lc.HEARING,
        title="Iværksætterhuse i hver kommune",
        summary="Et sted at starte en virksomhed.",
        body="Husene deles af <b>unge</b> iværksættere & andre.",
    )
    make_proposal(
        lc.SUPPORT,
        title="Billige lokaler",
        summary="Tomme butikker som værksteder.",
        body="Ligesom et iværksætterhus, men i en gammel butik.",
    )
    draft = make_proposal(
        lc.DRAFT, title="Flere iværksætterhuse på landet", summary="Kort.", body="Tekst."
    )

    page.goto("/proposals")
    page.locator("#filter-q").fill("iværksætterhus")
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"q=iv"))
    results = page.locator(".proposal-list .snippet")
    expect(results).to_have_count(2)
    expect(page.locator(".snippet mark").first).to_have_text(
        re.compile("iværksætterhus", re.IGNORECASE)
    )
    # What the proposer wrote is text, not markup.
    expect(page.locator(".snippet b")).to_have_count(0)
    expect(page.locator(".proposal-list h2").first).to_have_text("Iværksætterhuse i hver kommune")
    expect(page.locator("#filter-q")).to_have_value("iværksætterhus")
    assert_accessible(page, "search results (da)")

    page.locator("#filter-sort").select_option("newest")
    page.get_by_role("button", name="Vis").click()
    expect(page.locator(".proposal-list h2").first).to_have_text("Billige lokaler")

    page.locator("#filter-q").fill("og i")
    page.get_by_role("button", name="Vis").click()
    expect(page.locator(".no-results")).to_contain_text("for almindelige")

    log_in(page, draft.author)
    page.goto(f"/proposals/{draft.id}")
    similar = page.locator("section.similar")
    expect(similar.get_by_role("link")).to_have_count(2)
    expect(similar).to_contain_text("Iværksætterhuse i hver kommune")
    assert_accessible(page, "draft with similar proposals (da)")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Similar proposals")).to_be_visible()
    assert_accessible(page, "draft with similar proposals (en)")
    page.goto("/proposals?q=iv%C3%A6rks%C3%A6tterhuse")
    expect(page.locator(".snippet mark")).not_to_have_count(0)
    assert_accessible(page, "search results (en)")
