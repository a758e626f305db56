"""Rate limits: how often one client may log in, register, ask for a new password, comment,
flag, support, state a stance, download their data and try to delete their account. The
table below is the one place that says so.

Who counts as "one client" is chosen per action, so that a crowd behind one address (500
members voting from a congress hall's network) never locks its members out of each other:

- an action of a signed-in person counts per account;
- logging in counts only the attempts that fail: per address and account together, and,
  with room for a hall's typing errors, per address across accounts (one address trying
  password after password on many accounts);
- asking for a reset link counts per address and account, per account (its mailbox), and,
  with room for a hall, per address across accounts;
- a mailed link's form (a reset, a confirmation) counts per link; registering counts per
  address (there is no account) and per email address it mails.

Counters live in each process's memory by default, which counts exactly in one process
(`make run`, `flask run`); under gunicorn each worker would count on its own, so several
workers share them in Redis (RATELIMIT_STORAGE_URI=redis://…). If Redis cannot be reached,
each process falls back to counting in memory rather than failing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user

from app.core.errors import render_error


def _digest(text: str) -> str:
    """A short, fixed-size stand-in for what a client typed, fit for a storage key."""
    return hashlib.sha256(text.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]


def address() -> str:
    return f"address:{request.remote_addr or 'unknown'}"


def account() -> str:
    """The signed-in account; a visitor (who will be refused anyway) counts by address."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return address()


def email() -> str:
    return f"email:{_digest(request.form.get('email', ''))}"


def address_and_email() -> str:
    return f"{address()}|{email()}"


def reset_link() -> str:
    return f"link:{_digest(request.view_args.get('token', ''))}"


def failed(response) -> bool:
    """A login counts against the limit only when it did not let the person in."""
    return response.status_code != 303


def sent(response) -> bool:
    """A PDF counts when it was sent: not a 304 for the copy the client has, nor a 404."""
    return response.status_code == 200


def refused(response) -> bool:
    """A login whose password was checked and refused (or whose form was wrong). An
    attempt already turned away by the limit on one account is not counted across the
    address: someone hammering one account must not lock out the hall around them."""
    return response.status_code == 422


@dataclass(frozen=True)
class Limit:
    rate: str  # in Flask-Limiter's notation: "10 per minute; 40 per hour"
    per: Callable[[], str]
    counts: Callable | None = None  # which answers count; all when None
    methods: tuple[str, ...] = ("POST",)  # the requests it counts


LIMITS: dict[str, tuple[Limit, ...]] = {
    "accounts.login": (
        Limit("10 per minute; 40 per hour", address_and_email, failed),
        Limit("30 per minute; 100 per hour", address, refused),
    ),
    "accounts.register": (
        Limit("10 per minute; 100 per hour", address),
        Limit("10 per hour", email),  # each registration mails the address
    ),
    "accounts.confirm_registration": (Limit("10 per hour", reset_link),),
    # The account page's forms: a session that fell into other hands does not get to try
    # passwords by the thousand, nor to mail an address without end.
    "accounts.account": (Limit("10 per minute; 60 per hour", account),),
    "accounts.confirm_email": (Limit("10 per hour", reset_link),),
    "accounts.reset_request": (
        Limit("5 per hour", address_and_email),
        Limit("10 per hour", email),
        Limit("10 per minute; 50 per hour", address),
    ),
    "accounts.reset_password": (Limit("10 per hour", reset_link),),
    "comments.add": (Limit("10 per minute; 60 per hour", account),),
    "comments.flag": (Limit("20 per hour", account),),
    "proposals.support": (Limit("30 per minute", account),),
    "proposals.stance": (Limit("30 per minute", account),),
    # A download reads every row about the person; a deletion checks a password.
    "account_data.download": (Limit("10 per hour", account, methods=("GET",)),),
    "account_data.delete": (Limit("10 per hour", account),),
    # A proposal's PDF and a short hearing memo's are laid out in the request (0.2 to 0.5 s
    # of CPU each); the catalogue's and long memos' are files the worker made.
    "catalogue.proposal_pdf": (Limit("20 per minute; 100 per hour", account, sent, ("GET",)),),
    "comments.memo_pdf": (Limit("20 per minute; 100 per hour", account, sent, ("GET",)),),
}


def _back_to() -> tuple[str | None, str | None]:
    """Where the 429 page leads back to: the form, or the proposal the action was on."""
    if request.endpoint in (
        "accounts.login",
        "accounts.register",
        "accounts.reset_request",
        "accounts.account",
    ):
        return request.path, _("Back to the form")
    proposal_id = (request.view_args or {}).get("proposal_id")
    if proposal_id:
        return url_for("proposals.detail", proposal_id=proposal_id), None
    return None, None


def init_app(app: Flask) -> None:
    """Give this app its own limiter and put the table's limits on the views it names."""
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    # One limiter per app, not a module-level one: the test suite builds many apps in one
    # process, each with its own settings.
    limiter = Limiter(key_func=address, app=app)
    if not limiter.enabled:
        return
    for endpoint, limits in LIMITS.items():
        view = app.view_functions[endpoint]
        for limit in limits:
            view = limiter.limit(
                limit.rate,
                key_func=limit.per,
                methods=list(limit.methods),
                deduct_when=limit.counts,
            )(view)
        app.view_functions[endpoint] = view

    @app.errorhandler(RateLimitExceeded)
    def _too_many(_error: RateLimitExceeded):
        reached = limiter.current_limit
        wait = max(1, int(reached.reset_at - time.time())) if reached else 60
        back, back_label = _back_to()
        return render_error(
            429,
            _(
                "You can try again in %(wait)s.",
                wait=format_timedelta(timedelta(seconds=wait), threshold=1.1),
            ),
            back=back,
            back_label=back_label,
        )
