"""In Chromium: a member downloads everything stored about them from the account page, is
refused deletion with a wrong password, and deletes the account with the right one. The
account page and the refusal page pass axe in both languages."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from app.core.extensions import db
from tests.support.browser import log_in

pytestmark = pytest.mark.browser


def test_download_my_data_and_delete_my_account(page, app, make_user, secretary, assert_accessible):
    member = make_user("member", name="Aisha Rahimi", email="aisha@example.org")
    log_in(page, member)

    page.goto("/account")
    assert_accessible(page, "/account (da)")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Hent alt, hvad der er gemt om dig (JSON)").click()
    download = waiting.value
    assert re.fullmatch(r"forslag-data-\d{4}-\d\d-\d\d\.json", download.suggested_filename)
    with open(download.path(), encoding="utf-8") as saved:
        document = json.load(saved)
    assert document["account"]["email"] == "aisha@example.org"
    assert document["account"]["name"] == "Aisha Rahimi"

    page.get_by_label("Din adgangskode").fill("ikke min adgangskode")
    page.get_by_role("button", name="Slet min konto").click()
    expect(page.get_by_role("alert")).to_contain_text("Det er ikke din adgangskode")
    expect(page.get_by_label("Din adgangskode")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "refused deletion (da)")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/account")
    assert_accessible(page, "/account (en)")
    page.get_by_label("Your password").fill("not my password either")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not your password")
    assert_accessible(page, "refused deletion (en)")

    page.get_by_label("Your password").fill(member.password)
    page.get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(re.compile("/$"))
    expect(page.get_by_role("status")).to_contain_text("Your account has been deleted")
    expect(page.get_by_role("navigation")).not_to_contain_text("Aisha Rahimi")
    with app.app_context():
        assert db.session.get(User, member.id) is None

    page.goto("/login")
    page.locator("[name=email]").fill(member.email)
    page.locator("[name=password]").fill(member.password)
    page.locator("form.stacked-form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
