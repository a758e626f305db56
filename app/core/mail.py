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
from email.charset import QP, Charset
from email.header import Header, decode_header, make_header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from app.core import organisation
from app.core.text import one_line

# Messages are built with the email package's older, much faster API (compat32): a digest
# is built in a third of the time. A non-ASCII header is folded here into encoded words
# (Header keeps the spaces between them, which the newer policy's folding loses); every
# other header is written on one line, so that a List-Unsubscribe link arrives as it was
# sent. The body is encoded into short lines when it is set.
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP
_ONE_LINE_HEADERS = email.policy.compat32.clone(max_line_length=998)


def _header(value: str) -> str:
    value = one_line(value)
    return value if value.isascii() else Header(value, "utf-8").encode(maxlinelen=76)


def _address(value: str) -> str | None:
    """The address for a header, its domain in ASCII (IDNA); None when its mailbox name is
    not ASCII, which only a server speaking SMTPUTF8 takes."""
    name, address = parseaddr(value)
    local, _, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not local.isascii():
        return None
    return formataddr((name, f"{local}@{domain}"), charset="utf-8")


def _international_message(to: str, subject: str, text: str, html: str | None) -> Message:
    """The rare message to a mailbox whose name is not ASCII: the newer API, which sends it
    with SMTPUTF8 when the server offers that."""
    message = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text, cte="quoted-printable")
    if html:
        message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


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
) -> Message:
    """A message with a plain-text part, and an HTML alternative when given. Every header's
    value is put on one line (`one_line`)."""
    to = one_line(to)
    recipient = _address(to)
    if recipient is None:
        message = _international_message(to, one_line(subject), text, html)
    else:
        plain = MIMEText(text, "plain", _UTF8_QP)
        if html:
            message = MIMEMultipart("alternative")
            message.attach(plain)
            message.attach(MIMEText(html, "html", _UTF8_QP))
        else:
            message = plain
        message["To"] = recipient
        message["Subject"] = _header(subject)
        message.policy = _ONE_LINE_HEADERS
    sender = one_line(organisation.mail_from(current_app.config["MAIL_FROM"]))
    message["From"] = _address(sender) or sender
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id or make_msgid(domain="forslag.invalid")
    for name, value in (headers or {}).items():
        message[name] = _header(value)
    return message


def text_of(message: Message) -> str:
    """The plain-text part of a message built here."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode("utf-8")
    return ""


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

    def send(self, message: Message) -> None:
        if self.url == "console":
            headers = "".join(
                f"{name}: {make_header(decode_header(str(message[name])))}\n"
                for name in ("From", "To", "Subject")
                if message[name]
            )
            text = text_of(message)
            print(f"----- mail -----\n{headers}\n{text}----- end of mail -----", file=sys.stderr)
            return
        try:
            self._client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise MailRefused(f"refused: {error.recipients}") from error
            raise MailError(f"recipient not accepted now: {error.recipients}") from error
        except (smtplib.SMTPNotSupportedError, UnicodeError) as error:
            # A mailbox name that is not ASCII, and a server that does not speak SMTPUTF8.
            raise MailRefused(f"the server cannot take this address: {error}") from error
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
