"""A small HTTP client for the live server: cookies kept, redirects not followed."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Browserless:
    """Talks to `base` like a browser without JavaScript would."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, path: str, data: dict | None = None, timeout: float = 15):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str):
        return self.request(path)

    def token(self, path: str = "/") -> str:
        _, page = self.get(path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def post(self, path: str, data: dict | None = None, token: str | None = None):
        return self.request(path, {"csrf_token": token or self.token(), **(data or {})})

    def login(self, account) -> None:
        status, _ = self.post(
            "/login",
            {"email": account.email, "password": account.password},
            token=self.token("/login"),
        )
        assert status == 303, status

    def sign_in(self, app, account) -> None:
        """Hold the session cookie a login as `account` gives (`session_cookie`), without
        the two requests of the login form: for tests about what comes after it."""
        host = urllib.parse.urlsplit(self.base).hostname
        name = app.config["SESSION_COOKIE_NAME"]
        value = session_cookie(app, account.id)
        self.jar.set_cookie(
            http.cookiejar.Cookie(0, name, value, None, False, host, False, False, "/", True,
                                  False, None, False, None, None, {"HttpOnly": None})
        )  # fmt: skip


def session_cookie(app, user_id: int) -> str:
    """The value of the session cookie that logging in as the account `user_id` gives, as
    Flask-Login writes it, signed with the app's secret key (the live server shares it, see
    tests/plugins/live.py live_env). The login form itself is tested in tests/accounts and in
    one browser journey each (tests/browser/test_accounts_journey.py)."""
    from flask import session

    from app.accounts.models import User
    from app.core.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        with app.test_request_context():
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            if user.language:
                session["lang"] = user.language
            return app.session_interface.get_signing_serializer(app).dumps(dict(session))


def sign_in(context, app, account, url: str) -> None:
    """Give a browser context (Playwright's) the session cookie that logging in as
    `account` gives, for the server at `url`: the next page it opens is signed in. A form
    login costs two page loads and a POST, a second of the browser's time each."""
    context.add_cookies(
        [
            {
                "name": app.config["SESSION_COOKIE_NAME"],
                "value": session_cookie(app, account.id),
                "url": url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
