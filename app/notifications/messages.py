"""The mails that carry one action to one person (a registration's link, a password reset):
written in their language and queued in the caller's transaction, whose commit wakes the
worker to send them (and to retry while the server is down)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from app.accounts.services import normalise_email
from app.core import organisation, outbox
from app.core.outbox import OutgoingMail
from app.core.urls import public_url
from app.notifications import mails


def _queue(
    user, template: str, subject, now: datetime, *, to: str | None = None, **context
) -> OutgoingMail:
    text, html = mails.render_message(template, user, **context)
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
