"""A person registers (confirming through the mail), logs in, switches to English and back,
and logs out, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.support import send_queued_mail

pytestmark = pytest.mark.browser


def test_register_login_language_logout(app, live_server, page, assert_accessible, mailbox):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    page.get_by_role("link", name="Opret konto").first.click()
    expect(page).to_have_url(re.compile("/register$"))

    # A refused submission keeps the name, explains each problem and is accessible.
    page.get_by_label("Navn").fill("Lærke Bech")
    page.get_by_label("E-mail").fill("laerke")
    page.get_by_label("Adgangskode").fill("kort")
    page.get_by_role("button", name="Opret konto").click()
    expect(page.get_by_role("alert")).to_contain_text("Der er et problem")
    expect(page.get_by_label("Navn")).to_have_value("Lærke Bech")
    expect(page.get_by_label("E-mail")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "register with errors")

    page.get_by_label("E-mail").fill("laerke@example.org")
    page.get_by_label("Adgangskode").fill("mindst ti tegn her")
    page.get_by_role("button", name="Opret konto").click()
    expect(page).to_have_url(re.compile("/register/sent$"))
    expect(page.get_by_role("status")).to_contain_text("Vi har sendt en mail til laerke@")
    expect(page.get_by_role("navigation")).not_to_contain_text("Lærke Bech")

    send_queued_mail(app, public_url=live_server.url)
    (body,) = mailbox.bodies_to("laerke@example.org")
    link = re.search(r"(http://127\.0\.0\.1:\d+/register/confirm/\S+)", body).group(1)
    page.goto(link)
    # Confirming takes the password chosen when registering.
    password = page.locator("[name=password]")
    password.fill("forkert kodeord")
    page.get_by_role("button", name="Bekræft min konto").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("navigation")).not_to_contain_text("Lærke Bech")
    password.fill("mindst ti tegn her")
    page.get_by_role("button", name="Bekræft min konto").click()
    expect(page).to_have_url(re.compile("/$"))
    expect(page.get_by_role("status")).to_contain_text("Velkommen, Lærke Bech")
    expect(page.get_by_role("navigation")).to_contain_text("Lærke Bech")
    expect(page.get_by_role("navigation")).to_contain_text("(borger)")

    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("status")).to_contain_text("Du er logget ud")

    page.get_by_role("link", name="Log ind").first.click()
    page.get_by_label("E-mail").fill("laerke@example.org")
    page.get_by_label("Adgangskode").fill("forkert kodeord")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("alert")).to_contain_text("Forkert e-mail eller adgangskode.")
    page.get_by_label("Adgangskode").fill("mindst ti tegn her")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("status")).to_contain_text("Du er logget ind som Lærke Bech")

    # English and back, staying on the same page, with no JavaScript involved.
    page.goto("/password/reset")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile("/password/reset$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    expect(page.get_by_role("navigation")).to_contain_text("(citizen)")
    page.get_by_role("button", name="Dansk").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text("Glemt din adgangskode?")

    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("navigation")).not_to_contain_text("Lærke Bech")


def test_password_reset_through_the_mail(app, live_server, page, make_user, mailbox):
    user = make_user(name="Jens Kristensen")
    page.goto("/login")
    page.get_by_role("link", name="Glemt din adgangskode?").click()
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_role("button", name="Send link").click()
    expect(page.get_by_role("status")).to_contain_text("Hvis en konto bruger")

    send_queued_mail(app, public_url=live_server.url)
    (body,) = mailbox.bodies_to(user.email)
    link = re.search(r"(http://127\.0\.0\.1:\d+/password/reset/\S+)", body).group(1)
    page.goto(link)
    page.get_by_label("Ny adgangskode").fill("en helt ny adgangskode")
    page.get_by_role("button", name="Gem ny adgangskode").click()
    expect(page.get_by_role("status")).to_contain_text("Din adgangskode er ændret")
    expect(page.get_by_role("navigation")).to_contain_text("Jens Kristensen")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Linket virker ikke")


def test_pages_work_without_javascript(browser, live_server, make_user):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    user = make_user(name="Uden Script")
    tab.goto("/login")
    tab.get_by_label("E-mail").fill(user.email)
    tab.get_by_label("Adgangskode").fill(user.password)
    tab.get_by_role("button", name="Log ind").click()
    expect(tab.get_by_role("navigation")).to_contain_text("Uden Script")
    tab.get_by_role("button", name="English").click()
    expect(tab.locator("html")).to_have_attribute("lang", "en")
    tab.get_by_role("button", name="Log out").click()
    expect(tab.get_by_role("navigation")).not_to_contain_text("Uden Script")
    context.close()
