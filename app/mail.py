"""Sending email: printed to the console in development, over SMTP in production.

MAIL_URL is `console` or `smtp://[user:password@]host:port` (`smtps://` for implicit TLS,
`?starttls=1` to upgrade a plain connection).
"""

from __future__ import annotations

import smtplib
import ssl
import sys
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body, cte="quoted-printable")
    return message


def send_mail(to: str, subject: str, body: str) -> None:
    """Deliver one plain-text message through the configured path."""
    message = build_message(to, subject, body)
    url = current_app.config["MAIL_URL"]
    if url == "console":
        headers = "".join(
            f"{name}: {value}\n"
            for name, value in message.items()
            if name in ("From", "To", "Subject")
        )
        print(
            f"----- mail -----\n{headers}\n{message.get_content()}----- end of mail -----",
            file=sys.stderr,
        )
        return
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError(f"MAIL_URL must be 'console' or smtp://host:port, not {url!r}")
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    try:
        if parts.scheme == "smtps":
            client = smtplib.SMTP_SSL(
                parts.hostname, port, timeout=15, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(parts.hostname, port, timeout=15)
        with client:
            if parts.scheme == "smtp" and parse_qs(parts.query).get("starttls") == ["1"]:
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"could not send mail to {to}: {error}") from error
