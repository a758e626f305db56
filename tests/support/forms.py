"""Submitting the app's forms through Flask's test client, as a browser would."""

from __future__ import annotations

import re

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str | None = None) -> str:
    """The CSRF token a page hands out to this client's session (by default the front
    page's, which has one when signed in, else the login form's)."""
    html = client.get(path or "/").get_data(as_text=True)
    match = _TOKEN.search(html)
    if match is None and path is None:
        path = "/login"
        match = _TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"no csrf_token on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict, *, token_from: str | None = None, **kwargs):
    """POST `data` with a valid CSRF token, taken from `token_from` (default: `path`)."""
    token = csrf_token(client, token_from or path)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def login(client, account) -> None:
    response = post_form(client, "/login", {"email": account.email, "password": account.password})
    assert response.status_code == 303, response.get_data(as_text=True)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def client_for(app, account=None):
    """A test client, logged in as `account` unless it is None (a visitor)."""
    client = app.test_client()
    if account is not None:
        login(client, account)
    return client


def post(client, path: str, data: dict | None = None):
    """POST with the CSRF token of the client's session."""
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})})
