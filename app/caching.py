"""Validators for what visitors read: a weak ETag over the page, so browsers and proxies
can revalidate and get a 304 instead of the whole page again.

The per-session CSRF token in a page's forms is left out of the tag: it changes on
every render, yet the cached page's token stays valid for that session.
"""

from __future__ import annotations

import hashlib
import re

from flask import Flask, request
from flask_login import current_user

_CSRF_TOKEN = re.compile(rb'name="csrf_token" value="[^"]*"')
VALIDATED = {"text/html", "application/json", "application/atom+xml"}


def init_app(app: Flask) -> None:
    @app.after_request
    def _validators(response):
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or response.direct_passthrough
            or response.mimetype not in VALIDATED
        ):
            return response
        if current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "private, no-cache")
            return response
        digest = hashlib.sha256(_CSRF_TOKEN.sub(b"", response.get_data())).hexdigest()[:32]
        response.set_etag(digest, weak=True)
        response.headers["Cache-Control"] = "no-cache"
        response.vary.add("Cookie")
        return response.make_conditional(request)
