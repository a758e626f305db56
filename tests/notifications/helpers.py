"""What the notification tests share: running the worker's jobs with a clock, reading
notifications back, and checking that a mail is one the site may send."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User
from app.cli import jobs
from app.core.database import utcnow
from app.core.extensions import db
from app.notifications.models import Notification
from tests.support.smtp import text_of

LINK = re.compile(r"https?://[^\s<>\"')]+")


def work(app, now: datetime | None = None) -> jobs.Summary:
    """What the worker does every minute (and `worker --burst`), at `now`."""
    with app.app_context():
        return jobs.run_all(now or utcnow())


def tell(app, now: datetime | None = None) -> jobs.Summary:
    """What the worker does when a change wakes it."""
    with app.app_context():
        return jobs.tell(now or utcnow())


def set_email(app, account, setting: str, **flags: bool) -> None:
    with app.app_context():
        user = db.session.get(User, account.id)
        user.email_setting = setting
        for name, value in flags.items():
            setattr(user, name, value)
        db.session.commit()


def notifications_of(app, account) -> list[Notification]:
    """The person's notifications, oldest first, detached from the session."""
    with app.app_context():
        rows = db.session.scalars(
            select(Notification).where(Notification.user_id == account.id).order_by(Notification.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def kinds_of(app, account) -> list[str]:
    return [n.kind for n in notifications_of(app, account)]


def problems_of_mail(message, public_url: str) -> list[str]:
    """What keeps a mail from being one the site may send: no plain text, no RFC 8058
    unsubscribe headers on the public address, or a link anywhere else."""
    problems = []
    if message.get_body(("plain",)) is None:
        problems.append("no text/plain part")
    unsubscribe = message.get("List-Unsubscribe", "")
    if not re.fullmatch(rf"<{re.escape(public_url)}/unsubscribe/[\w.-]+>", unsubscribe):
        problems.append(f"List-Unsubscribe is {unsubscribe!r}")
    if message.get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click":
        problems.append("no List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    parts = [text_of(message)]
    html = message.get_body(("html",))
    if html is not None:
        parts.append(html.get_content())
    for link in LINK.findall("\n".join(parts)):
        if not link.startswith(public_url + "/"):
            problems.append(f"a link off the public address: {link}")
    return problems
