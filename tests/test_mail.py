"""The one mail path: the console in development, SMTP in production."""

import pytest

from app.mail import MailError, send_mail


def test_smtp_delivers_to_a_real_server(make_app, mailbox):
    app = make_app(MAIL_URL=mailbox.url, MAIL_FROM="Forslag <noreply@forslag.example>")
    with app.app_context():
        send_mail("mette@example.org", "Høring åbnet", "Forslaget om æbler er nu i høring.")
    (message,) = mailbox.messages
    assert message["To"] == "mette@example.org"
    assert message["From"] == "Forslag <noreply@forslag.example>"
    assert message["Subject"] == "Høring åbnet"
    assert message.get_content().strip() == "Forslaget om æbler er nu i høring."


def test_console_prints_the_message(make_app, capsys, mailbox):
    app = make_app(MAIL_URL="console")
    with app.app_context():
        send_mail("a@example.org", "Emne", "Brødtekst")
    printed = capsys.readouterr().err
    assert "To: a@example.org" in printed and "Brødtekst" in printed
    assert mailbox.messages == []


@pytest.mark.parametrize("url", ["smtp://127.0.0.1:1", "http://example.org", "smtp://"])
def test_unreachable_or_malformed_mail_url_raises_mail_error(make_app, url):
    app = make_app(MAIL_URL=url)
    with app.app_context(), pytest.raises(MailError):
        send_mail("a@example.org", "Emne", "Tekst")
