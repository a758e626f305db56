"""Every kind of page the app has so far, in each state worth checking: what the HTML and
accessibility sweeps walk through. Add a row here with each new page."""

from __future__ import annotations

from datetime import timedelta

from app.accounts import services
from app.database import utcnow
from app.extensions import db

# Pages reached by a plain GET, as a visitor.
VISITOR_PAGES = {
    "front page": "/",
    "register": "/register",
    "login": "/login",
    "reset request": "/password/reset",
    "reset link that does not work": "/password/reset/not-a-valid-token",
    "not found": "/no-such-page",
    "method not allowed": "/logout",
}

# Forms sent with bad input: the page that explains what to correct.
REFUSED_FORMS = {
    "register with errors": ("/register", {"name": "", "email": "nope", "password": "kort"}),
    "login with errors": ("/login", {"email": "x@example.org", "password": "forkert kodeord"}),
    "reset request with errors": ("/password/reset", {"email": ""}),
}


def reset_link(app, email: str) -> str:
    with app.app_context():
        _, token = services.issue_reset_token(email, now=utcnow(), valid_for=timedelta(hours=1))
        db.session.commit()
    return f"/password/reset/{token}"
