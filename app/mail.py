"""Handing mail to the mail server: printed to the console in development, over SMTP in
production. One `Mailer` is one connection, reused for every message of a batch.

MAIL_URL is `console` or `smtp://[user:password@]host:port` (`smtps://` for implicit TLS,
`?starttls=1` to upgrade a plain connection).
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
import sys
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

# Headers are written unfolded: Python's folding of long non-ASCII headers loses the space
# between two encoded words ("på landet" arrives as "pålandet"). 998 is RFC 5322's limit.
_UNFOLDED_HEADERS = email.policy.default.clone(max_line_length=998)


class MailError(RuntimeError):
    """The message could not be handed to the mail server; trying again later may work."""


class MailRefused(MailError):
    """The server refused the message for good (an unknown mailbox, say): do not retry."""


class ServerUnavailable(MailError):
    """The server cannot be reached or dropped the connection: stop the batch, retry later."""


def build_message(
    to: str,
    subject: str,
    text: str,
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """A message with a plain-text part, and an HTML alternative when given."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="forslag.invalid")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text, cte="quoted-printable")
    if html:
        message.add_alternative(html, subtype="html", cte="quoted-printable")
    message.policy = _UNFOLDED_HEADERS  # the body is encoded already, in short lines
    return message


class Mailer:
    """`with Mailer() as mailer: mailer.send(message)`: one connection for many messages."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or current_app.config["MAIL_URL"]
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        if self.url == "console":
            return self
        parts = urlsplit(self.url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ServerUnavailable(
                f"MAIL_URL must be 'console' or smtp://host:port, not {self.url!r}"
            )
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
        try:
            if parts.scheme == "smtps":
                client = smtplib.SMTP_SSL(
                    parts.hostname, port, timeout=15, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(parts.hostname, port, timeout=15)
            if parts.scheme == "smtp" and parse_qs(parts.query).get("starttls") == ["1"]:
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
        except (OSError, smtplib.SMTPException) as error:
            raise ServerUnavailable(f"cannot reach the mail server: {error}") from error
        self._client = client
        return self

    def send(self, message: EmailMessage) -> None:
        if self.url == "console":
            headers = "".join(
                f"{name}: {message[name]}\n" for name in ("From", "To", "Subject") if message[name]
            )
            text = message.get_body(("plain",)).get_content()
            print(f"----- mail -----\n{headers}\n{text}----- end of mail -----", file=sys.stderr)
            return
        try:
            self._client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise MailRefused(f"refused: {error.recipients}") from error
            raise MailError(f"recipient not accepted now: {error.recipients}") from error
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
            if 500 <= error.smtp_code < 600:
                raise MailRefused(f"refused: {error.smtp_code} {error.smtp_error!r}") from error
            raise MailError(f"not accepted now: {error.smtp_code}") from error
        except (OSError, smtplib.SMTPException) as error:
            self._client = None
            raise ServerUnavailable(f"the mail server went away: {error}") from error

    def __exit__(self, *_exc) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (OSError, smtplib.SMTPException):
                self._client.close()
            self._client = None
