"""Error pages in the user's language, for every status the app can answer with, and the
page for a refusal (app.core.refusals): worded by the sentences each package registers
(`refusal_words`), with a link back to what the request acted on (`back_after_refusal`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from flask import Flask, g, jsonify, make_response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, SecurityError

from app.core.extensions import db
from app.core.refusals import Refusal

TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You may not do this"),
    404: _l("Page not found"),
    405: _l("This address does not take that kind of request"),
    409: _l("This cannot be done in the current state"),
    410: _l("This is no longer available"),
    413: _l("What you sent is too large"),
    422: _l("Some of what you entered needs correcting"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
    503: _l("The site is busy for a moment"),
}

EXPLANATIONS = {
    400: _l("Check what you entered and try again."),
    403: _l(
        "Your account does not have the right to do this. Log in with another account, "
        "or ask the secretariat."
    ),
    404: _l("There is no page at this address, or you do not have access to it."),
    405: _l("Go back to the page you came from and use its buttons and forms."),
    409: _l("Reload the page to see the current state, then try again."),
    410: _l("The link has expired or has already been used."),
    413: _l("Shorten the text or choose a smaller file, and send it again."),
    422: _l("Correct what is marked and send it again."),
    429: _l("You have made many requests in a short time. Wait a moment and try again."),
    500: _l("The error has been recorded. Nothing you had saved is lost. Try again in a moment."),
    503: _l(
        "The database could not answer just now, so nothing was saved. Nothing you had saved "
        "is lost. Try again in a moment."
    ),
}

PLAIN_TEXT = "text/plain; charset=utf-8"
PLAIN_503 = "503 — Prøv igen om lidt. / Try again in a moment.\n"
PLAIN_UNKNOWN_HOST = (
    "400 — Denne adresse hører ikke til siden. / This address does not belong to the site.\n"
)

CSRF_MESSAGE = _l(
    "The form had expired or did not come from this site, so nothing was saved. "
    "Reload the page and send it again."
)


def render_error(
    status: int, description: str | None = None, back: str | None = None, back_label=None
):
    """The error page for `status`, with a specific description when there is one, and a
    link back to where the user was acting (by default, a proposal)."""
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=TITLES.get(status, TITLES[400] if status < 500 else TITLES[500]),
            explanation=EXPLANATIONS.get(status, ""),
            description=description,
            back=back,
            back_label=back_label or _l("Back to the proposal"),
        ),
        status,
    )


# Each package words its own refusals: a function from a refusal to its sentence, or None
# when the refusal is not one of its own.
_REFUSAL_WORDS: list[Callable[[Refusal], str | None]] = []


def refusal_words(words: Callable[[Refusal], str | None]) -> None:
    """Register a package's sentences for its refusals (once per process)."""
    if words not in _REFUSAL_WORDS:
        _REFUSAL_WORDS.append(words)


def refusal_message(refusal: Refusal) -> str:
    """The user's-language sentence for a refusal."""
    for words in _REFUSAL_WORDS:
        sentence = words(refusal)
        if sentence:
            return sentence
    return str(refusal.key)


def back_after_refusal(endpoint: str, **values) -> None:
    """Where the page of a refusal met in this request links back to: what it acted on."""
    g.back_after_refusal = (endpoint, values)


def _refused(refusal: Refusal):
    """Any refusal from the rules or the services: nothing saved, and why, in words."""
    db.session.rollback()
    back = g.get("back_after_refusal")
    return render_error(
        refusal.code, refusal_message(refusal), back=url_for(back[0], **back[1]) if back else None
    )


def _custom_description(error: HTTPException) -> str | None:
    """Only the descriptions the app wrote itself, never Werkzeug's English defaults."""
    default = type(error).description
    return None if error.description == default else error.description


def init_app(app: Flask) -> None:
    app.register_error_handler(Refusal, _refused)

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(SecurityError)
    def _unknown_host(_error: SecurityError):
        """A Host the site does not answer to (TRUSTED_HOSTS): no page of the site can be
        drawn for it, since every link on one would be made on that host."""
        return PLAIN_UNKNOWN_HOST, 400, {"Content-Type": PLAIN_TEXT}

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if request.path.startswith("/api/"):
            if error.response is not None:
                return error.response
            response = jsonify({"error": error.name, "status": error.code})
            response.status_code = error.code
        else:
            response = make_response(render_error(error.code, _custom_description(error)))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError):
        """The database failed to answer, not the request: a restore holding its tables, a
        deadlock broken, a failover. Say so, and that trying again will do."""
        with contextlib.suppress(Exception):  # the connection may be gone altogether
            db.session.rollback()
        app.logger.warning("the database did not answer: %s", error.orig)
        if request.path.startswith("/api/"):
            response = jsonify({"error": "Service Unavailable", "status": 503})
            response.status_code = 503
        else:
            try:
                response = make_response(render_error(503))
            except Exception:  # the page needs the database too: plain text then
                response = make_response(PLAIN_503, 503, {"Content-Type": PLAIN_TEXT})
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError):
        db.session.rollback()
        try:
            return render_error(500)
        except Exception:  # the page itself failed: fall back to plain text
            app.logger.exception("error page could not be rendered")
            return (
                "500 — Der opstod en fejl hos os. / Something went wrong on our side.\n",
                500,
                {"Content-Type": PLAIN_TEXT},
            )
