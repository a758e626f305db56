"""What browser journeys share: logging in through the login form, as a person does.

(Journeys whose subject comes after the login sign their tabs in with the session cookie
instead: tests/support/http.py, `sign_in`.)"""

from __future__ import annotations

from playwright.sync_api import expect


def log_in(tab, account) -> None:
    """Log `account` in through the form on /login, and wait for the page that says so."""
    tab.goto("/login")
    tab.locator("[name=email]").fill(account.email)
    tab.locator("[name=password]").fill(account.password)
    tab.locator("form.stacked-form button[type=submit]").click()
    expect(tab.get_by_role("status")).to_be_visible()
