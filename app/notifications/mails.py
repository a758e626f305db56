"""Writing the mail the worker sends: a message kept as it was written, a password reset
(whose link is made as it is written), or the notifications of an instant mail or a
digest, grouped by proposal, newest first, in the recipient's language. Every mail says how
to unsubscribe, in its headers (RFC 8058's one-click) and in its text; every link in it is
on FORSLAG_PUBLIC_URL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.mails import footer_links, render_message, unsubscribe_headers
from app.accounts.models import User
from app.accounts.services import reset_token_for
from app.core import organisation
from app.core.database import utcnow
from app.core.extensions import db
from app.core.mail import build_message
from app.core.outbox import OutgoingMail
from app.core.urls import public_url
from app.notifications.items import Item, item_of, item_query
from app.notifications.models import Notification


@dataclass
class Group:
    """The notifications of one proposal in a mail, newest first."""

    title: str
    url: str | None
    items: list[Item] = field(default_factory=list)


def _groups(items: list[Item]) -> list[Group]:
    groups: dict[int | None, Group] = {}
    for item in items:  # newest first already: the groups come in the order of their newest
        if item.proposal_id not in groups:
            groups[item.proposal_id] = Group(
                item.proposal_title,
                public_url("proposals.detail", proposal_id=item.proposal_id)
                if item.proposal_id and not item.lost
                else None,
            )
        groups[item.proposal_id].items.append(item)
    return list(groups.values())


def _subject(mail: OutgoingMail, items: list[Item]) -> str:
    if len(items) == 1:
        return items[0].headline
    if (mail.batch_key or "").startswith("weekly:"):
        return ngettext(
            "Your week on %(name)s: %(num)d notification",
            "Your week on %(name)s: %(num)d notifications",
            len(items),
            name=organisation.current().display_name,
        )
    return ngettext(
        "Your day on %(name)s: %(num)d notification",
        "Your day on %(name)s: %(num)d notifications",
        len(items),
        name=organisation.current().display_name,
    )


def _message_id(mail: OutgoingMail) -> str:
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname
    return f"<mail-{mail.id}.{int(mail.created_at.timestamp())}@{host}>"


def _reset_links(requests: list[OutgoingMail]) -> dict[int, str]:
    """A fresh reset link for each request whose address has an account, by the request's
    id, saved before anything is sent; the request becomes that account's mail. A request
    for an address without an account gets none, and forgets the address: it is nobody's."""
    if not requests:
        return {}
    owners = {
        user.email: user
        for user in db.session.scalars(
            select(User).where(User.email.in_({mail.to_address for mail in requests}))
        )
    }
    now, valid_for = utcnow(), current_app.config["PASSWORD_RESET_VALID_FOR"]
    links = {}
    for mail in requests:
        owner = owners.get(mail.to_address)
        if owner is None:
            mail.to_address = ""
            continue
        mail.user_id = owner.id
        links[mail.id] = reset_token_for(owner, now=now, valid_for=valid_for)
    # A link works once it is in the database: committed before the mail goes out, and
    # before the server is waited on.
    db.session.commit()
    return links


def _password_reset(mail: OutgoingMail, user: User, token: str) -> Message:
    text, html = render_message(
        "password_reset", user, link=public_url("accounts.reset_password", token=token)
    )
    with force_locale(user.language):
        subject = _("Choose a new password for %(name)s", name=organisation.current().display_name)
    return build_message(
        user.email,
        subject,
        text,
        html=html,
        headers=unsubscribe_headers(user),
        message_id=_message_id(mail),
    )


def compose(mails: list[OutgoingMail]) -> dict[int, Message]:
    """The message of each mail, by id. A notifications mail has none when its notifications
    are gone (its proposal was deleted) or its person turned email off after it was made; a
    password reset has none when no account has its address."""
    links = _reset_links([m for m in mails if m.kind == OutgoingMail.PASSWORD_RESET])
    users = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_({m.user_id for m in mails if m.user_id}))
        )
    }
    by_mail: dict[int, list[Item]] = defaultdict(list)
    wanted = [m.id for m in mails if m.kind == OutgoingMail.NOTIFICATIONS]
    if wanted:
        rows = db.session.execute(
            item_query()
            .where(Notification.mail_id.in_(wanted))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        ).all()
        for row in rows:
            by_mail[row.mail_id].append(item_of(row))
    messages = {}
    for mail in mails:
        user = users.get(mail.user_id)
        headers = unsubscribe_headers(user) if user is not None else {}
        if mail.kind == OutgoingMail.PASSWORD_RESET:
            if mail.id in links:
                messages[mail.id] = _password_reset(mail, user, links[mail.id])
            continue
        if mail.kind == OutgoingMail.MESSAGE:
            messages[mail.id] = build_message(
                mail.to_address,
                mail.subject,
                mail.body_text,
                html=mail.body_html or None,
                headers=headers,
                message_id=_message_id(mail),
            )
            continue
        items = by_mail.get(mail.id)
        if not items or user is None or user.email_setting == "off":
            continue  # its notifications are gone, or the person has turned email off since
        with force_locale(user.language):
            groups = _groups(items)
            context = {
                "user": user,
                "groups": groups,
                "link": public_url,
                "digest": len(items) > 1,
                **footer_links(user),
            }
            messages[mail.id] = build_message(
                user.email,
                _subject(mail, items),
                render_template("mail/notifications.txt", **context),
                html=render_template("mail/notifications.html", **context),
                headers=headers,
                message_id=_message_id(mail),
            )
    return messages
