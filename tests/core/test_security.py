"""The security baseline of every response (app/core/security.py): the headers, the session
cookie's flags, HTTPS detection behind a trusted proxy, and bounded request bodies."""

from __future__ import annotations

import pytest

from app.core import config
from tests.support.forms import csrf_token, login, text_of

HTTPS = "https://localhost"


def session_cookie_header(response) -> str:
    cookies = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def directives(policy: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


@pytest.fixture
def responses(client, make_user, make_proposal):
    """One response of every kind the app gives: page, form, redirect, error, API, feed,
    static file, and a refused POST."""
    made = make_proposal("hearing")
    return {
        "front page": client.get("/"),
        "detail page": client.get(f"/proposals/{made.id}"),
        "login form": client.get("/login"),
        "not found": client.get("/no/such/page"),
        "wrong method": client.get("/logout"),
        "csrf refused": client.post("/login", data={"email": "x"}),
        "redirect": client.post("/logout", data={"csrf_token": csrf_token(client)}),
        "API": client.get(f"/api/v1/proposals/{made.id}"),
        "API error": client.get("/api/v1/proposals/999999"),
        "feed": client.get("/feeds/proposals.atom"),
        "stylesheet": client.get("/static/style.css"),
        "health": client.get("/healthz"),
    }


def test_every_kind_of_response_carries_the_headers(responses):
    for kind, response in responses.items():
        headers = response.headers
        policy = directives(headers.get("Content-Security-Policy", ""))
        assert policy.get("default-src") == "'self'", kind
        assert policy.get("script-src") == "'self'", kind
        assert policy.get("style-src") == "'self'", kind
        assert policy.get("frame-ancestors") == "'none'", kind
        assert policy.get("object-src") == "'none'", kind
        assert "unsafe-inline" not in headers["Content-Security-Policy"], kind
        assert "unsafe-eval" not in headers["Content-Security-Policy"], kind
        assert headers.get("X-Content-Type-Options") == "nosniff", kind
        assert headers.get("Referrer-Policy") == "same-origin", kind
        assert headers.get("X-Frame-Options") == "DENY", kind
        # Plain HTTP is development: no HSTS, which a browser would ignore there anyway.
        assert "Strict-Transport-Security" not in headers, kind


def test_the_stylesheet_exists(responses):
    assert responses["stylesheet"].status_code == 200


def test_the_session_cookie_in_development(client):
    cookie = session_cookie_header(client.get("/login"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on one's own machine


def test_over_https_cookies_are_secure_and_hsts_is_sent(client, make_user):
    member = make_user("member")
    response = client.get("/login", base_url=HTTPS)
    cookie = session_cookie_header(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": member.email, "password": member.password},
        base_url=HTTPS,
        # Over HTTPS, Flask-WTF also wants the form to come from a page of this site.
        headers={"Referer": f"{HTTPS}/login"},
    )
    assert response.status_code == 303
    assert "Secure" in session_cookie_header(response)


def test_behind_a_trusted_proxy_its_word_on_scheme_and_address_counts(make_app, make_user):
    app = make_app(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True)
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.1"}
    response = client.get("/login", headers=forwarded)
    assert "Strict-Transport-Security" in response.headers
    assert "Secure" in session_cookie_header(response)
    # The rate limits count the client the proxy names, not the proxy.
    forwarded["Referer"] = f"{HTTPS}/login"
    token = csrf_token(client, "/login")
    data = {"csrf_token": token, "email": "x@example.org", "password": "wrong password 1"}
    for _ in range(10):
        assert client.post("/login", data=data, headers=forwarded).status_code == 422
    assert client.post("/login", data=data, headers=forwarded).status_code == 429
    other = {**forwarded, "X-Forwarded-For": "192.0.2.2"}
    assert client.post("/login", data=data, headers=other).status_code == 422


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(make_app):
    """Otherwise anyone could dodge the limits by naming a new address each time."""
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    token = csrf_token(client, "/login")
    data = {"csrf_token": token, "email": "x@example.org", "password": "wrong password 1"}
    statuses = [
        client.post("/login", data=data, headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429, statuses


def test_https_always_makes_cookies_secure_and_sends_hsts(make_app, make_user):
    app = make_app(HTTPS="always")
    client = app.test_client()
    response = client.get("/login")
    assert "Secure" in session_cookie_header(response)
    assert "Strict-Transport-Security" in response.headers
    member = make_user("member")
    # The test client sends Secure cookies back over HTTP, as a browser would on HTTPS.
    login(client, member)
    assert "Log ud" in text_of(client.get("/"))


def test_the_settings_come_from_the_environment(tmp_path):
    defaults = config.from_environment({}, tmp_path)
    assert defaults["HTTPS"] == "auto" and defaults["TRUSTED_PROXIES"] == 0
    chosen = config.from_environment(
        {"FORSLAG_HTTPS": "always", "FORSLAG_TRUSTED_PROXIES": "2"}, tmp_path
    )
    assert chosen["HTTPS"] == "always" and chosen["TRUSTED_PROXIES"] == 2
    for bad in ({"FORSLAG_HTTPS": "sometimes"}, {"FORSLAG_TRUSTED_PROXIES": "-1"}):
        with pytest.raises(config.ConfigError):
            config.from_environment(bad, tmp_path)


def test_bodies_are_bounded(client):
    response = client.post(
        "/proposals/new", data={"body": "x" * (1024 * 1024 + 1)}, content_type=None
    )
    assert response.status_code == 413
    assert "Det, du sendte, er for stort" in text_of(response)
