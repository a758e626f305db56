"""In Chromium, with JavaScript off: a member follows a proposal, is told when it starts
seeking support, sees the unread count, opens the notifications, marks them read and
chooses weekly mail. Every new page passes axe and the Nu HTML Checker in both languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.accounts.mails import unsubscribe_token
from app.accounts.models import User
from app.core.database import utcnow
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services
from app.proposals.models import Proposal
from tests.notifications.helpers import tell
from tests.support.browser import log_in
from tests.support.forms import login, post_form

pytestmark = pytest.mark.browser



def seek_support(app, made, secretary) -> None:
    """The hearing ends and the proposers put the proposal forward for support."""
    now = utcnow()
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        services.transition(db.session.get(User, secretary.id), proposal, lc.REVISION, now=now)
        services.transition(db.session.get(User, made.author.id), proposal, lc.SUPPORT, now=now)
        db.session.commit()
    tell(app)


def test_follow_be_told_mark_read_and_choose_weekly_mail(
    browser, live_server, app, make_proposal, make_user, secretary
):
    made = make_proposal(lc.HEARING, title="Bedre busser på landet")
    member = make_user("member", name="Aisha Rahimi")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    log_in(tab, member)

    tab.goto(f"/proposals/{made.id}")
    tab.get_by_role("button", name="Følg forslaget").click()
    expect(tab.get_by_role("status")).to_contain_text("Du følger forslaget")
    expect(tab.get_by_role("button", name="Stop med at følge")).to_be_visible()
    expect(tab.locator(".count-badge")).to_have_count(0)

    seek_support(app, made, secretary)
    tab.reload()
    expect(tab.locator(".count-badge")).to_have_text("1 ulæste")
    tab.get_by_role("link", name=re.compile("^Notifikationer")).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Notifikationer")
    expect(tab.locator("li.notification-unread")).to_have_count(1)
    expect(tab.locator("li.notification")).to_contain_text("søger nu opbakning")

    tab.get_by_role("button", name=re.compile("^Markér som læst")).click()
    expect(tab.locator("li.notification-unread")).to_have_count(0)
    expect(tab.locator("li.notification")).to_have_count(1)
    expect(tab.locator(".count-badge")).to_have_count(0)
    tab.get_by_role("link", name=re.compile("søger nu opbakning")).click()
    assert re.search(rf"/proposals/{made.id}#support$", tab.url), tab.url

    tab.goto("/notifications")
    tab.get_by_role("link", name="Vælg hvad vi mailer dig").click()
    expect(tab.get_by_label(re.compile("^Dagligt"))).to_be_checked()
    tab.get_by_label(re.compile("^Ugentligt")).check()
    tab.get_by_label(re.compile("hver ny høring")).check()
    tab.get_by_role("button", name="Gem").click()
    expect(tab.get_by_role("status")).to_contain_text("Dine indstillinger for mails er gemt")
    expect(tab.get_by_label(re.compile("^Ugentligt"))).to_be_checked()
    with app.app_context():
        user = db.session.get(User, member.id)
        assert (user.email_setting, user.notify_new_hearings) == ("weekly", True)
    context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_new_pages_are_accessible_and_valid(
    browser,
    live_server,
    app,
    make_proposal,
    make_user,
    secretary,
    topic,
    assert_accessible,
    assert_valid_html,
    lang,
):
    made = make_proposal(lc.HEARING, title="Bedre busser på landet")
    member = make_user("member", name="Aisha Rahimi")
    newcomer = make_user(name="Peter Borger")
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.goto("/")
    if lang == "en":
        tab.get_by_role("button", name="English").click()
    log_in(tab, member)
    tab.goto(f"/proposals/{made.id}")
    tab.locator("form.follow-form button").click()
    seek_support(app, made, secretary)
    checked = []

    def check(name: str) -> None:
        assert tab.locator("html").get_attribute("lang") == lang, name
        assert_accessible(tab, f"{name} ({lang})")
        assert_valid_html(tab.content(), f"{name} ({lang})")
        checked.append(name)

    tab.goto("/notifications")
    check("notifications, unread")
    tab.locator("li.notification form button").click()
    check("notifications, read, with a flash")
    tab.goto("/account/notifications")
    check("email settings")
    # A setting no browser can send without tampering: the page that says what to correct.
    refused = app.test_client()
    refused.post("/language", data={"lang": lang})
    login(refused, member)
    html = post_form(refused, "/account/notifications", {"email": "hourly"}).get_data(as_text=True)
    tab.set_content(html)
    check("email settings refused")
    tab.locator("ul.topic-follows button").first.click()
    check("email settings, following a topic")
    tab.goto(f"/proposals?topic={topic}")
    check("list of a followed topic")
    tab.goto(f"/proposals/{made.id}")
    check("a followed proposal")

    tab.context.clear_cookies()
    tab.goto("/")
    if lang == "en":
        tab.get_by_role("button", name="English").click()
    log_in(tab, newcomer)
    tab.goto("/notifications")
    check("no notifications yet")
    with app.app_context():
        token = unsubscribe_token(db.session.get(User, newcomer.id))
    tab.context.clear_cookies()
    tab.goto("/")
    if lang == "en":
        tab.get_by_role("button", name="English").click()
    tab.goto(f"/unsubscribe/{token}")
    check("unsubscribe")
    tab.locator("main form button").click()
    expect(tab.locator("p.lead")).to_be_visible()
    check("unsubscribed")
    tab.goto("/unsubscribe/not-a-token")
    check("unsubscribe link that does not work")
    assert len(checked) == 11
    context.close()
