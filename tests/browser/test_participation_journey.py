"""In Chromium: a citizen gives a hearing response and a reply; a flagged comment is hidden
by the secretariat; members support until the threshold and the page shows the catalogue;
a member changes stance. Each page passes axe and the Nu HTML Checker in both languages."""

import re

import pytest
from playwright.sync_api import expect

from app.proposals import lifecycle as lc
from tests.plugins.live import live_env
from tests.support.http import sign_in
from tests.support.live import start_gunicorn

pytestmark = pytest.mark.browser


@pytest.fixture
def threshold_three(base_config, app, tmp_path):
    server = start_gunicorn(
        live_env(base_config, FORSLAG_SUPPORT_THRESHOLD="3"), tmp_path / "log.txt", workers=2
    )
    yield server
    server.stop()


def test_discussion_support_and_stance(
    browser,
    app,
    threshold_three,
    make_proposal,
    make_user,
    secretary,
    assert_accessible,
    assert_valid_html,
):
    made = make_proposal(lc.HEARING, title="Bedre busser på landet")
    url = f"/proposals/{made.id}"
    tabs = []

    def tab_as(account):
        """A tab signed in as `account` (with the cookie the login form gives)."""
        context = browser.new_context(base_url=threshold_three.url)
        sign_in(context, app, account, threshold_three.url)
        tab = context.new_page()
        tab.on("dialog", lambda d: pytest.fail(f"dialog opened: {d.message}"))
        tabs.append(tab)
        return tab

    def check_both_languages(tab, where):
        for lang, button in (("en", "English"), ("da", "Dansk")):
            if lang == "en":
                tab.get_by_role("button", name=button).click()
            assert_accessible(tab, f"{where} ({tab.locator('html').get_attribute('lang')})")
            assert_valid_html(tab.content(), f"{where} ({lang})")
            if lang == "en":
                tab.get_by_role("button", name="Dansk").click()

    citizen = tab_as(make_user(name="Peter Borger"))
    citizen.goto(url)
    citizen.get_by_label("Dit høringssvar").fill("Busserne skal også køre **om aftenen**.")
    citizen.get_by_role("button", name="Udgiv kommentar").click()
    expect(citizen.get_by_role("status")).to_contain_text("Din kommentar er udgivet")
    first = citizen.locator("article.comment").first
    expect(first).to_contain_text("om aftenen")
    expect(first.locator(".tag")).to_have_text("Høringssvar")
    first.get_by_text("Svar", exact=True).click()
    first.get_by_label("Dit svar").fill("Og i weekenden.")
    first.get_by_role("button", name="Udgiv svar").click()
    expect(citizen.locator("ol.replies article")).to_contain_text("Og i weekenden.")
    check_both_languages(citizen, "discussion, citizen")

    members = [make_user("member", name=f"Medlem {i}") for i in range(3)]
    reporter = tab_as(members[0])
    reporter.goto(url)
    comment = reporter.locator("article.comment").first
    comment.get_by_text("Anmeld", exact=True).click()
    comment.get_by_label("Hvorfor du anmelder den").fill("Reklame for et busselskab")
    comment.get_by_role("button", name="Anmeld til sekretariatet").click()
    expect(reporter.get_by_role("status")).to_contain_text("Sekretariatet kigger")

    staff = tab_as(secretary)
    staff.goto(url)
    flagged = staff.locator("article.comment").first
    expect(flagged).to_contain_text("1 anmeldelse")
    expect(flagged).to_contain_text("Reklame for et busselskab")
    check_both_languages(staff, "discussion, secretariat")
    flagged.get_by_text("Skjul", exact=True).click()
    flagged.get_by_label("Hvorfor den skjules").fill("Kommerciel reklame")
    flagged.get_by_role("button", name="Skjul kommentaren").click()
    expect(staff.get_by_role("status")).to_contain_text("Kommentaren er skjult")
    citizen.reload()
    expect(citizen.locator("article.comment").first).to_contain_text("skjult af sekretariatet")
    expect(citizen.locator("article.comment").first).not_to_contain_text("om aftenen")

    staff.get_by_role("button", name="Afslut høringen").click()
    author = tab_as(made.author)
    author.goto(url)
    author.get_by_role("button", name="Send til opbakning").click()
    expect(author.locator(".support-count")).to_have_text("0 af 3")
    expect(author.locator("#support")).to_contain_text("forfattere")

    supporters = [reporter] + [tab_as(m) for m in members[1:]]
    for i, tab in enumerate(supporters, start=1):
        tab.goto(url)
        if i == 1:
            check_both_languages(tab, "seeking support, member")
        tab.get_by_role("button", name="Støt forslaget").click()
        if i < 3:
            expect(tab.get_by_role("status")).to_contain_text("Tak for din støtte")
            expect(tab.locator(".support-count")).to_have_text(f"{i} af 3")
    last = supporters[-1]
    expect(last.get_by_role("status")).to_contain_text("kommet i det politiske katalog")
    expect(last.locator(".status-block")).to_contain_text("Politisk katalog")
    expect(last.locator(".timeline li").last).to_contain_text("af systemet")

    voter = supporters[0]
    voter.goto(url)
    voter.get_by_label("For", exact=True).check()
    voter.get_by_role("button", name="Gem min stillingtagen").click()
    expect(voter.get_by_role("status")).to_contain_text("Din stillingtagen er gemt: For")
    voter.get_by_label("Imod", exact=True).check()
    voter.get_by_role("button", name="Gem min stillingtagen").click()
    expect(voter.get_by_role("status")).to_contain_text("Imod")
    expect(voter.locator(".stance-against")).to_contain_text("Imod: 1 (100 %)")
    expect(voter.locator(".stance-for")).to_contain_text("For: 0")
    expect(voter.locator("svg polyline")).to_have_count(3)
    check_both_languages(voter, "catalogue with stances, member")
    for tab in tabs:
        tab.context.close()
    assert re.search(r"/proposals/\d+$", url)
