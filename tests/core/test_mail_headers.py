"""Hostile values in every header a mail carries: a line break (CR, LF, CRLF, a Unicode line
separator) or another control character never starts a header of its own and never stops
the mail. A form refuses a line break in a one-line field when it is saved; a value stored
before that rule (an organisation's name, a title) is put on one line when mailed."""

import pytest

from app.core import organisation
from app.core.extensions import db
from app.core.mail import Mailer, build_message
from app.proposals import lifecycle as lc
from tests.notifications.helpers import set_email, tell
from tests.support.forms import client_for, post, text_of

BREAKS = ["\r\n", "\n", "\r", "\u2028", "\x0b", "\x85"]
INJECTED = "Bcc: victim@example.org"


HEADERS = {
    *("Content-Type", "MIME-Version", "Content-Transfer-Encoding", "To", "Subject", "From"),
    *("Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "Reply-To"),
}


def _no_injected_header(message) -> None:
    """Only the headers the site writes; the hostile text is inside their values."""
    assert message["Bcc"] is None
    assert set(message.keys()) <= HEADERS, message.keys()


@pytest.mark.parametrize("line_break", BREAKS)
def test_every_header_value_stays_on_its_line(make_app, mailbox, line_break):
    app = make_app(MAIL_URL=mailbox.url, MAIL_FROM="Forslag <noreply@forslag.example>")
    hostile = f"Høring{line_break}{INJECTED}"
    with app.app_context():
        organisation.settings_row().name = f"Partiet{line_break}{INJECTED}"
        db.session.flush()
        organisation.forget()
        message = build_message(
            f"mette@example.org{line_break}{INJECTED}",
            hostile,
            "Tekst",
            html="<p>Tekst</p>",
            headers={"List-Unsubscribe": f"<https://forslag.example/u>{line_break}{INJECTED}"},
        )
        with Mailer() as mailer:
            mailer.send(message)
        db.session.rollback()
        organisation.forget()
    (received,) = mailbox.messages
    _no_injected_header(received)
    assert received["To"].startswith("mette@example.org")
    assert received["Subject"] == f"Høring {INJECTED}"
    assert received["From"].addresses[0].display_name == f"Partiet {INJECTED}"
    assert received["List-Unsubscribe"].startswith("<https://forslag.example/u>")


def test_a_line_break_in_a_one_line_field_is_refused(app, make_user, secretary, topic):
    staff = client_for(app, secretary)
    for name in ("Partiet\r\nBcc: victim@example.org", "Partiet\nX"):
        response = post(staff, "/secretariat/settings", {"name": name})
        assert response.status_code == 422, text_of(response)
        assert "der ikke er tilladt" in text_of(response)
    with app.app_context():
        assert organisation.current().name == ""
    # A title too (the subject of every mail about its proposal).
    member = client_for(app, make_user("member"))
    refused = post(member, "/proposals/new", {"title": "Busser\r\nBcc: x@example.org"})
    assert refused.status_code == 422


def test_a_name_stored_with_a_line_break_still_lets_every_mail_go(
    app, make_user, make_proposal, secretary, topic, mailbox
):
    with app.app_context():
        organisation.settings_row().name = f"Partiet\r\n{INJECTED}"
        db.session.commit()
        organisation.forget()
    follower = make_user("member")
    set_email(app, follower, "instant")
    post(client_for(app, follower), f"/topics/{topic}/follow")
    made = make_proposal(lc.SUBMITTED)
    post(client_for(app, secretary), f"/proposals/{made.id}/transition", {"to": "hearing"})
    tell(app)
    messages = mailbox.to(follower.email)
    assert messages, "the mail went out"
    for message in messages:
        _no_injected_header(message)
        assert message["From"].addresses[0].display_name == f"Partiet {INJECTED}"
