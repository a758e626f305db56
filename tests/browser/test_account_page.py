"""The account page and the pages behind the links mailed about an account, in Chromium: a
person changes their name and email address (following the link that arrives over SMTP),
and every one of these pages passes axe and the Nu HTML Checker in both languages."""

import re

import pytest
from playwright.sync_api import expect

from tests.support import send_queued_mail
from tests.support.browser import log_in

pytestmark = pytest.mark.browser

LINK = r"(http://127\.0\.0\.1:\d+{path}/\S+)"


def link_in(mailbox, address: str, path: str) -> str:
    body = mailbox.bodies_to(address)[-1]
    return re.search(LINK.format(path=path), body).group(1)



def test_change_name_and_email_through_the_mail(app, live_server, page, make_user, mailbox):
    person = make_user("member", name="Sofie Lund", email="sofie@example.org")
    log_in(page, person)
    page.get_by_role("navigation").get_by_role("link", name="Konto").click()
    expect(page).to_have_url(re.compile("/account$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Din konto")

    page.get_by_role("textbox", name="Navn", exact=True).fill("Sofie Lund-Hansen")
    page.get_by_role("button", name="Skift navn").click()
    expect(page.get_by_role("status")).to_contain_text("Dit navn er ændret.")
    expect(page.get_by_role("navigation")).to_contain_text("Sofie Lund-Hansen")

    page.get_by_label("Ny e-mailadresse").fill("sofie.ny@example.org")
    page.locator("#email-current-password").fill(person.password)
    page.get_by_role("button", name="Skift e-mailadresse").click()
    expect(page.get_by_role("status")).to_contain_text("Vi har sendt et link til sofie.ny@")
    send_queued_mail(app, public_url=live_server.url)
    assert "sofie.ny@example.org" in mailbox.bodies_to("sofie@example.org")[0]

    page.goto(link_in(mailbox, "sofie.ny@example.org", "/account/email"))
    page.get_by_role("button", name="Brug denne adresse").click()
    expect(page).to_have_url(re.compile("/account$"))
    expect(page.get_by_role("status")).to_contain_text("Din e-mailadresse er nu sofie.ny@")
    expect(page.locator("main")).to_contain_text("sofie.ny@example.org")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_account_page_is_accessible_and_valid(
    app, live_server, page, make_user, mailbox, assert_accessible, assert_valid_html, lang
):
    checked = []

    def check(name: str) -> None:
        assert page.locator("html").get_attribute("lang") == lang, name
        assert_accessible(page, f"{name} ({lang})")
        assert_valid_html(page.content(), f"{name} ({lang})")
        checked.append(name)

    page.goto("/")
    if lang == "en":
        page.get_by_role("button", name="English").click()

    page.goto("/register")
    page.locator("[name=name]").fill("Ny Person")
    page.locator("[name=email]").fill("ny@example.org")
    page.locator("[name=password]").fill("mindst ti tegn her")
    page.locator("form.stacked-form button[type=submit]").click()
    page.get_by_role("status").wait_for()
    check("check your email")
    send_queued_mail(app, public_url=live_server.url)
    page.goto(link_in(mailbox, "ny@example.org", "/register/confirm"))
    check("confirm a registration")
    page.locator("[name=password]").fill("not the password")
    page.locator("main form button[type=submit]").click()
    page.get_by_role("alert").wait_for()
    check("confirm a registration with the wrong password")
    page.goto("/account/email/not-a-token")
    check("a link that does not work")

    make_user(email="taken@example.org")
    sofie = make_user(name="Sofie Lund")
    log_in(page, sofie)
    page.goto("/account")
    check("account")
    page.locator("[name=name]").fill("")
    page.locator("form:has([value=name]) button[type=submit]").click()
    page.get_by_role("alert").wait_for()
    check("account with errors")
    page.locator("[name=email]").fill("taken@example.org")
    page.locator("form:has([value=email]) [name=current_password]").fill(sofie.password)
    page.locator("form:has([value=email]) button[type=submit]").click()
    page.get_by_role("status").wait_for()
    send_queued_mail(app, public_url=live_server.url)
    page.goto(link_in(mailbox, "taken@example.org", "/account/email"))
    check("confirm a new email address")
    page.locator("main form button[type=submit]").click()
    page.get_by_role("heading", level=1).wait_for()
    check("the new address is taken")

    assert len(checked) == 8
