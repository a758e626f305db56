"""In Chromium, JavaScript off: a proposer answers three hearing responses, one from the
discussion and two from the memo, reads "3 of 3 answered" on the proposal, opens the memo
with its counts, and moves the proposal to support, after which the memo has no forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from app.comments import services as comments
from app.core.database import utcnow
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services
from app.proposals.models import Proposal
from tests.browser.test_notifications_journey import log_in

pytestmark = pytest.mark.browser

RESPONSES = (
    "Hvad koster det for kommunen?",
    "Tag flextrafik med i forslaget.",
    "Busserne skal kunne tage cykler med.",
)


@pytest.fixture
def heard(app, make_proposal, make_user, secretary):
    made = make_proposal(lc.HEARING)
    citizen = make_user(name="Åse Ærø")
    now = utcnow()
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        writer = db.session.get(User, citizen.id)
        for i, text in enumerate(RESPONSES):
            comments.add_comment(writer, proposal, text, now=now + timedelta(seconds=i))
        services.transition(db.session.get(User, secretary.id), proposal, lc.REVISION, now=now)
        db.session.commit()
    return made, citizen


def answer_on(tab, scope, verdict: str, text: str) -> None:
    scope.locator("summary", has_text="Besvar høringssvaret").click()
    scope.get_by_label(verdict, exact=True).check()
    scope.get_by_label("Svar", exact=True).fill(text)
    scope.get_by_role("button", name="Gem svaret").click()
    expect(tab.get_by_role("status")).to_contain_text("Dit svar er gemt")


def test_a_proposer_answers_the_hearing_and_moves_on(browser, live_server, app, heard):
    made, citizen = heard
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    log_in(tab, made.author)

    # From the discussion: the oldest response, in the hearing responses' own view.
    tab.goto(f"/proposals/{made.id}?input=hearing&order=oldest")
    expect(tab.locator(".memo-progress")).to_contain_text("0 af 3 høringssvar er besvaret.")
    first = tab.locator("article.comment", has_text=RESPONSES[0])
    answer_on(tab, first, "Delvis vedtaget", "Prisen står nu under **ulemper**.")
    first = tab.locator("article.comment", has_text=RESPONSES[0])
    expect(first.locator(".answer")).to_contain_text("Delvis vedtaget")
    expect(first.locator(".answer strong")).to_have_text("ulemper")

    # From the memo: the other two, each back on the memo.
    tab.get_by_role("link", name="Besvar dem i høringsnotatet").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Høringsnotat")
    for text, verdict in [(RESPONSES[1], "Vedtaget"), (RESPONSES[2], "Ikke vedtaget")]:
        item = tab.locator("li", has=tab.locator("article", has_text=text))
        answer_on(tab, item, verdict, f"Svar på: {text}")
        assert "/hearing-memo" in tab.url
    memo = tab.locator(".memo-summary")
    expect(memo).to_contain_text("3 høringssvar · 3 besvaret · 0 endnu ikke besvaret")
    for verdict, count in [("Vedtaget", "1"), ("Delvis vedtaget", "1"), ("Ikke vedtaget", "1")]:
        row = memo.locator("tr", has=tab.locator("th", has_text=verdict))
        expect(row.locator("td").first).to_have_text(count)
    expect(tab.locator(".answer")).to_have_count(3)

    # Back on the proposal: all answered, then on to support.
    tab.get_by_role("link", name="Tilbage til forslaget").click()
    expect(tab.locator(".memo-progress")).to_contain_text("3 af 3 høringssvar er besvaret.")
    tab.get_by_role("button", name="Send til opbakning").click()
    expect(tab.get_by_role("status")).to_contain_text("Søger opbakning")
    with app.app_context():
        assert db.session.get(Proposal, made.id).state == lc.SUPPORT
    # The memo stays public, its answers final: no forms any more.
    tab.goto(f"/proposals/{made.id}/hearing-memo")
    expect(tab.locator(".answer-form")).to_have_count(0)
    expect(tab.locator(".answer")).to_have_count(3)
    context.close()
