"""The mails that carry one action to one person (an invitation, a password reset):
written in their language and queued in the caller's transaction, then tried right after
its commit (`delivery.send_now`) and retried by the worker if the server is down."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from app import site
from app.notifications import delivery, mails
from app.notifications.models import OutgoingMail
from app.urls import public_url


def _queue(user, template: str, subject, now: datetime, **context) -> OutgoingMail:
    text, html = mails.render_message(template, user, **context)
    with force_locale(user.language):
        subject = str(subject())
    return delivery.queue_message(
        to=user.email, subject=subject, text=text, html=html, user_id=user.id, now=now
    )


def invitation(invitee, proposal, inviter, *, now: datetime) -> OutgoingMail:
    return _queue(
        invitee,
        "invitation",
        lambda: _("You are invited to co-propose “%(title)s”", title=proposal.title),
        now,
        inviter=inviter,
        proposal=proposal,
        link=public_url("proposals.detail", proposal_id=proposal.id),
    )


def password_reset(user, token: str, *, now: datetime) -> OutgoingMail:
    return _queue(
        user,
        "password_reset",
        lambda: _("Choose a new password for %(name)s", name=site.current().display_name),
        now,
        link=public_url("accounts.reset_password", token=token),
    )
