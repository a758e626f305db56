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
