"""The mails about a person's own account, and what every mail to a person carries.

- The mails that carry one action to one person (a registration's link, an email change,
  a password reset): written in their language and queued in the caller's transaction
  (app.core.outbox), whose commit wakes the worker to send them.
- The person's unsubscribe token (signed, naming the account by number, good for turning
  their email off and nothing else), and the footer and headers every mail to them has.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from app.accounts.models import User
from app.accounts.services import normalise_email
from app.core import organisation, outbox
from app.core.extensions import db
from app.core.outbox import OutgoingMail
from app.core.urls import public_url

_UNSUBSCRIBE = "forslag.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE)


def unsubscribe_token(user: User) -> str:
    """A signed token naming the account (by id and when it was made, never by address)
    and good for one thing only: turning its email off."""
    return _serializer().dumps([user.id, user.born])


def user_of_token(token: str) -> User | None:
    """The account an unsubscribe token names, or None if it is forged, altered or made
    for another purpose, or its account is gone."""
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in value)
    ):
        return None
    user_id, born = value
    if not 0 < user_id < 2**31:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.born != born:
        return None
    return user


def unsubscribe_headers(user: User) -> dict[str, str]:
    link = public_url("notifications.unsubscribe", token=unsubscribe_token(user))
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def footer_links(user: User) -> dict[str, str]:
    return {
        "settings_url": public_url("notifications.settings"),
        "unsubscribe_url": public_url("notifications.unsubscribe", token=unsubscribe_token(user)),
    }


def render_message(template: str, user: User, **context) -> tuple[str, str]:
    """A message's text and HTML, from `template`.txt and .html, in the user's language."""
    with force_locale(user.language):
        context = {**context, "user": user, **footer_links(user)}
        return (
            render_template(f"mail/{template}.txt", **context),
            render_template(f"mail/{template}.html", **context),
        )


def _queue(
    user, template: str, subject, now: datetime, *, to: str | None = None, **context
) -> OutgoingMail:
    text, html = render_message(template, user, **context)
    with force_locale(user.language):
        subject = str(subject())
    return outbox.queue_message(
        to=to or user.email, subject=subject, text=text, html=html, user_id=user.id, now=now
    )


def password_reset(email: str, *, now: datetime) -> OutgoingMail:
    """A reset link asked for `email`, whether or not an account has it: the worker looks
    the address up as it writes the mail (`mails.compose`), so the request that asked does
    the same work either way, and its time tells nobody which."""
    return outbox.queue_message(
        to=normalise_email(email),
        subject="",
        text="",
        user_id=None,
        now=now,
        kind=OutgoingMail.PASSWORD_RESET,
    )


# --- the person's own account: registering and changing the address ----------------------


def _site_name() -> str:
    return organisation.current().display_name


def confirm_registration(user, token: str, *, now: datetime) -> OutgoingMail:
    return _queue(
        user,
        "confirm_registration",
        lambda: _("Confirm your account on %(site)s", site=_site_name()),
        now,
        link=public_url("accounts.confirm_registration", token=token),
    )


def registration_of_known_address(user, token: str, *, now: datetime) -> OutgoingMail:
    """To the owner of an account someone tried to register again: nothing has changed,
    and here is how to log in if they forgot the password."""
    return _queue(
        user,
        "registration_of_known_address",
        lambda: _("You already have an account on %(site)s", site=_site_name()),
        now,
        link=public_url("accounts.reset_password", token=token),
        login_link=public_url("accounts.login"),
    )


def confirm_new_email(user, new_email: str, token: str, *, now: datetime) -> OutgoingMail:
    """To the new address: the link that moves the account there."""
    return _queue(
        user,
        "confirm_new_email",
        lambda: _("Confirm your new email address for %(site)s", site=_site_name()),
        now,
        to=new_email,
        new_email=new_email,
        link=public_url("accounts.confirm_email", token=token),
    )


def email_change_requested(user, new_email: str, *, now: datetime) -> OutgoingMail:
    """To the old address: a change was asked for, and how to stop it."""
    return _queue(
        user,
        "email_change_requested",
        lambda: _("Your email address on %(site)s is about to change", site=_site_name()),
        now,
        new_email=new_email,
        reset_link=public_url("accounts.reset_request"),
    )
