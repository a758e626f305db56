"""The one mail path: the console in development, SMTP in production, one connection for
a whole batch."""

import pytest

from app.core.mail import Mailer, MailError, ServerUnavailable, build_message


def test_smtp_delivers_to_a_real_server(make_app, mailbox):
    app = make_app(MAIL_URL=mailbox.url, MAIL_FROM="Forslag <noreply@forslag.example>")
    with app.app_context(), Mailer() as mailer:
        mailer.send(
            build_message(
                "mette@example.org",
                "Høring åbnet",
                "Forslaget om æbler er nu i høring.",
                html="<p>Forslaget om æbler er nu i høring.</p>",
            )
        )
    (message,) = mailbox.messages
    assert message["To"] == "mette@example.org"
    assert message["From"] == "Forslag <noreply@forslag.example>"
    assert message["Subject"] == "Høring åbnet"
    assert message["Message-ID"]
    plain = message.get_body(("plain",)).get_content()
    assert plain.strip() == "Forslaget om æbler er nu i høring."
    assert "<p>" in message.get_body(("html",)).get_content()


def test_one_connection_carries_a_whole_batch(make_app, mailbox):
    app = make_app(MAIL_URL=mailbox.url)
    with app.app_context(), Mailer() as mailer:
        for n in range(5):
            mailer.send(build_message(f"p{n}@example.org", "Emne", "Tekst"))
    assert len(mailbox.messages) == 5
    assert len(mailbox.sessions) == 1


def test_console_prints_the_message(make_app, capsys, mailbox):
    app = make_app(MAIL_URL="console")
    with app.app_context(), Mailer() as mailer:
        mailer.send(build_message("a@example.org", "Emne", "Brødtekst"))
    printed = capsys.readouterr().err
    assert "To: a@example.org" in printed and "Brødtekst" in printed
    assert mailbox.messages == []


@pytest.mark.parametrize("url", ["smtp://127.0.0.1:1", "http://example.org", "smtp://"])
def test_unreachable_or_malformed_mail_url_is_a_server_unavailable(make_app, url):
    app = make_app(MAIL_URL=url)
    with app.app_context(), pytest.raises(ServerUnavailable) as raised, Mailer() as mailer:
        mailer.send(build_message("a@example.org", "Emne", "Tekst"))
    assert isinstance(raised.value, MailError)


def test_long_danish_headers_arrive_as_they_were_written(make_app, mailbox):
    subject = (
        "“Forsøg med firedages arbejdsuge i kommunen”, som du har kommenteret, søger nu "
        "opbakning. Se hvad der er ændret, siden du kommenterede (version 1 til 2)."
    )
    link = "<https://forslag.example.dk/unsubscribe/" + "A" * 90 + ">"
    app = make_app(MAIL_URL=mailbox.url, MAIL_FROM="Østerby Kommune – Forslag <forslag@example.dk>")
    with app.app_context(), Mailer() as mailer:
        mailer.send(
            build_message("ø@example.dk", subject, "Tekst", headers={"List-Unsubscribe": link})
        )
    (message,) = mailbox.messages
    assert message["Subject"] == subject
    assert message["From"] == "Østerby Kommune – Forslag <forslag@example.dk>"
    assert message["List-Unsubscribe"] == link
    assert message["Date"]
