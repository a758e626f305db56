"""Mail that proposals send to people: sent after the change is committed, and a mail
server that is down never undoes or hides what was saved."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from app.mail import MailError, send_mail


def invited(invitation, proposal, inviter) -> None:
    body = render_template(
        "mail/invitation.txt",
        invitee=invitation.user,
        inviter=inviter,
        proposal=proposal,
        link=url_for("proposals.detail", proposal_id=proposal.id, _external=True),
    )
    try:
        send_mail(
            invitation.user.email,
            _("You are invited to co-propose “%(title)s”", title=proposal.title),
            body,
        )
    except MailError:
        current_app.logger.exception("invitation mail not sent")
