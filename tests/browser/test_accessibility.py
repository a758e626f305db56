"""axe-core finds no WCAG 2.1 A/AA violation on any kind of page, in Danish or English."""

import pytest

from tests.plugins.errors import ERROR_STATUSES, error_page_path
from tests.support.forms import text_of
from tests.support.http import sign_in
from tests.support.pages import REFUSED_FORMS, VISITOR_PAGES, proposal_pages, reset_link

pytestmark = pytest.mark.browser


def choose_language(page, lang: str) -> None:
    page.goto("/")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == lang


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_page_is_accessible(page, failing_app, make_user, assert_accessible, lang):
    choose_language(page, lang)
    checked = []

    def check(name: str) -> None:
        assert page.locator("html").get_attribute("lang") == lang, name
        assert_accessible(page, f"{name} ({lang})")
        checked.append(name)

    for name, path in VISITOR_PAGES.items():
        page.goto(path)
        check(name)

    for name, (path, data) in REFUSED_FORMS.items():
        page.goto(path)
        for field, value in data.items():
            page.locator(f"[name={field}]").fill(value)
        page.locator("form.stacked-form button[type=submit]").click()
        page.get_by_role("alert").wait_for()
        check(name)

    # Statuses no visitor can provoke yet: render them with the app's own error page.
    client = failing_app.test_client()
    client.post("/language", data={"lang": lang})
    for status in ERROR_STATUSES:
        page.goto("/")
        page.set_content(text_of(client.get(error_page_path(status))))
        check(f"error {status}")

    user = make_user("member", name="Mette Nørgaard")
    page.goto(reset_link(failing_app, user.email))
    check("reset password")
    page.goto("/login")
    page.get_by_label("E-mail" if lang == "da" else "Email").fill(user.email)
    page.locator("[name=password]").fill(user.password)
    page.locator("form.stacked-form button[type=submit]").click()
    page.get_by_role("status").wait_for()
    check("front page logged in")

    assert len(checked) == len(VISITOR_PAGES) + len(REFUSED_FORMS) + len(ERROR_STATUSES) + 2


def test_skip_link_moves_focus_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Gå til indholdet")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_layout_fits_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    tab = context.new_page()
    for path in VISITOR_PAGES.values():
        tab.goto(path)
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is wider than a phone screen by {overflow}px"
    context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_proposal_page_is_accessible(
    browser, live_server, app, make_proposal, make_user, secretary, topic, assert_accessible, lang
):
    tabs = {}

    def tab_for(account):
        key = account.id if account else None
        if key not in tabs:
            context = browser.new_context(base_url=live_server.url)
            if account is not None:  # the login form is checked in the test above
                sign_in(context, app, account, live_server.url)
            tab = context.new_page()
            choose_language(tab, lang)
            signed_in = tab.locator('form[action="/logout"]')
            assert signed_in.count() == (0 if account is None else 1)
            tabs[key] = tab
        return tabs[key]

    for name, account, path in proposal_pages(app, make_proposal, make_user, secretary):
        tab = tab_for(account)
        response = tab.goto(path)
        assert response.status == 200, name
        assert_accessible(tab, f"{name} ({lang})")

    writer = tab_for(make_user("member"))
    writer.goto("/proposals/new")
    writer.locator("[name=title]").fill("Kort")
    writer.locator("form.stacked-form button[type=submit]").click()
    writer.get_by_role("alert").wait_for()
    assert_accessible(writer, f"new proposal with errors ({lang})")
    for tab in tabs.values():
        tab.context.close()
