"""What visitors read, served fast: a weak ETag over every page, and a few seconds of
memory for the pages themselves.

- Validators: browsers and proxies revalidate and get a 304 instead of the whole page.
  The per-session CSRF token in a page's forms is left out of the tag: it changes on
  every render, yet the cached page's token stays valid for that session.
- The page cache: each process keeps what it answered an anonymous visitor for
  `PAGE_CACHE_SECONDS` (default 5), per address and language, so a crowd reading the
  same pages costs one render per page every few seconds. Only a page that is the same
  for every visitor is kept: one that touched the session (a form's CSRF token, a flash
  message) or set a cookie is not. Signed-in people are never served from it, so what
  they did shows at once; visitors see it within those seconds.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import OrderedDict
from threading import Lock

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

from app.core.i18n import select_locale

_CSRF_TOKEN = re.compile(rb'name="csrf_token" value="[^"]*"')
VALIDATED = {"text/html", "application/json", "application/atom+xml"}
# What a visitor's session may hold and still be served the shared page.
_VISITOR_KEYS = {"lang", "csrf_token"}


class PageCache:
    """A bounded least-recently-used map of page bodies that expire after `seconds`."""

    def __init__(self, seconds: float, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[float, bytes, str]] = OrderedDict()
        self._bytes = 0
        self._lock = Lock()

    def get(self, key: tuple) -> tuple[bytes, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[1], entry[2]

    def put(self, key: tuple, body: bytes, content_type: str) -> None:
        if len(body) > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (time.monotonic() + self.seconds, body, content_type)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: tuple) -> None:
        self._bytes -= len(self._entries.pop(key)[1])


def _shared_page_key() -> tuple | None:
    """The cache key of this request, if it asks for a page every visitor gets alike."""
    if request.method != "GET" or request.endpoint in (None, "static"):
        return None
    if not set(session) <= _VISITOR_KEYS:
        return None  # signed in, or a flash message waiting
    if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        return None
    return (select_locale(), request.full_path)


def init_app(app: Flask) -> None:
    cache = PageCache(float(app.config.get("PAGE_CACHE_SECONDS", 5)))
    app.extensions["page_cache"] = cache

    @app.before_request
    def _serve_cached_page():
        if cache.seconds <= 0:
            return None
        key = _shared_page_key()
        if key is None:
            return None
        hit = cache.get(key)
        if hit is None:
            g.page_cache_key = key
            return None
        return Response(hit[0], status=200, content_type=hit[1])

    @app.after_request
    def _validators(response):
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or "no-store" in response.headers.get("Cache-Control", "")
            or response.direct_passthrough
            or response.mimetype not in VALIDATED
        ):
            return response
        if current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "private, no-cache")
            return response
        key = g.pop("page_cache_key", None)
        body = response.get_data()
        if (
            key is not None
            and not session.modified
            and "Set-Cookie" not in response.headers
            and not _CSRF_TOKEN.search(body)  # a form's token belongs to one session
        ):
            cache.put(key, body, response.content_type)
        digest = hashlib.sha256(_CSRF_TOKEN.sub(b"", body)).hexdigest()[:32]
        response.set_etag(digest, weak=True)
        response.headers["Cache-Control"] = "no-cache"
        response.vary.add("Cookie")
        return response.make_conditional(request)
