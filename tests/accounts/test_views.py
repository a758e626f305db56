"""Registering, logging in and out, and resetting a password through the pages."""

import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import PasswordResetToken, User
from app.core.extensions import db
from tests.support import send_queued_mail
from tests.support.forms import client_for, csrf_token, login, post_form, text_of
from tests.support.smtp import text_of as text_of_mail


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def register(client, **fields):
    data = {"name": "Mette Nørgaard", "email": "mette@example.org", "password": "ti tegn mindst"}
    return post_form(client, "/register", {**data, **fields})


def test_register_creates_a_citizen_confirmed_through_the_mail(app, client, mailbox):
    response = register(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/register/sent"
    assert "Tjek din e-mail" in text_of(client.get("/register/sent"))
    send_queued_mail(app)
    (body,) = mailbox.bodies_to("mette@example.org")
    link = re.search(r"http://localhost(/register/confirm/\S+)", body).group(1)
    response = post_form(client, link, {"password": "ti tegn mindst"})
    assert response.status_code == 303
    page = text_of(client.get("/"))
    assert "Velkommen, Mette Nørgaard" in page
    assert "Mette Nørgaard" in page and "(borger)" in page
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.roles) == ("mette@example.org", ["citizen"])
        assert user.confirmed_at is not None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Feltet skal udfyldes."),
        ({"name": "x" * 101}, "Navnet kan højst have 100 tegn."),
        ({"email": "mette"}, "Skriv en e-mailadresse som navn@example.org."),
        ({"email": "a@b@example.org"}, "Skriv en e-mailadresse som navn@example.org."),
        ({"password": "ni tegn!!"}, "Adgangskoden skal have mellem 10 og 1000 tegn."),
        ({"password": ""}, "Feltet skal udfyldes."),
        ({"name": "Null\x00byte"}, "Feltet indeholder tegn, der ikke er tilladt."),
    ],
)
def test_bad_registration_is_refused_with_a_message_and_saves_nothing(app, client, fields, message):
    response = register(client, **fields)
    assert response.status_code == 422
    html = text_of(response)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "Der er et problem" in html
    assert count_users(app) == 0


def test_bad_registration_keeps_what_was_typed_but_the_password(client):
    html = text_of(register(client, email="not an email", password="hemmeligt kodeord"))
    assert 'value="Mette Nørgaard"' in html
    assert "hemmeligt kodeord" not in html


def test_register_twice_with_the_same_email(app, client, make_user, mailbox):
    make_user(email="mette@example.org", name="Mette Første")
    response = register(client, email="METTE@example.org")
    assert response.status_code == 303
    assert response.headers["Location"] == "/register/sent"
    assert "Der findes allerede en konto" not in text_of(client.get("/register/sent"))
    assert count_users(app) == 1
    send_queued_mail(app)
    (body,) = mailbox.bodies_to("mette@example.org")
    assert "Du har allerede en konto" in body


def test_register_is_refused_without_csrf_token(app, client):
    response = client.post(
        "/register", data={"name": "A", "email": "a@example.org", "password": "x" * 12}
    )
    assert response.status_code == 400
    assert "Formularen var udløbet" in text_of(response)
    assert count_users(app) == 0


def test_register_is_refused_with_a_forged_csrf_token(app, client):
    csrf_token(client, "/register")
    response = client.post(
        "/register",
        data={"csrf_token": "forged", "name": "A", "email": "a@example.org", "password": "x" * 12},
    )
    assert response.status_code == 400
    assert count_users(app) == 0


def test_login_and_logout(client, make_user):
    user = make_user("member", name="Jens Kristensen")
    response = post_form(client, "/login", {"email": user.email.upper(), "password": user.password})
    assert response.status_code == 303
    page = text_of(client.get("/"))
    assert "Jens Kristensen" in page and "(medlem)" in page and "Log ud" in page

    response = post_form(client, "/logout", {}, token_from="/")
    assert response.status_code == 303
    page = text_of(client.get("/"))
    assert "Jens Kristensen" not in page and "Log ind" in page


def test_logging_out_ends_the_session_on_the_server(app, client, make_user):
    """A copy of the session's cookie taken before logging out (from a shared computer, a
    proxy's log) signs nobody in afterwards; the person's other devices are logged out too,
    and logging in again works."""
    user = make_user(name="Jens Kristensen")
    client.post("/language", data={"lang": "en"})
    login(client, user)
    assert client.get("/account").status_code == 200
    copied = client.get_cookie("session").value
    other_device = client_for(app, user)
    assert other_device.get("/account").status_code == 200

    response = post_form(client, "/logout", {}, token_from="/")
    assert response.status_code == 303

    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    page = text_of(replay.get("/"))
    assert "Jens Kristensen" not in page and "Log in" in page
    assert other_device.get("/account").status_code == 302
    assert "You are logged out. Your other devices are logged out too." in text_of(client.get("/"))
    login(app.test_client(), user)


def test_logout_is_post_only(client, make_user):
    login(client, make_user())
    assert client.get("/logout").status_code == 405
    assert "Log ud" in text_of(client.get("/"))


def test_logout_needs_the_csrf_token(client, make_user):
    login(client, make_user(name="Still Here"))
    assert client.post("/logout").status_code == 400
    assert "Still Here" in text_of(client.get("/"))


def test_wrong_password_and_unknown_email_read_the_same(client, make_user):
    user = make_user()
    wrong = post_form(client, "/login", {"email": user.email, "password": "wrong password"})
    unknown = post_form(client, "/login", {"email": "no@example.org", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 422

    def message(response):
        return re.search(r'<div class="error-summary".*?</div>', text_of(response), re.S).group(0)

    assert message(wrong) == message(unknown)
    assert "Forkert e-mail eller adgangskode." in message(wrong)


def test_login_returns_to_a_local_page_only(client, make_user):
    user = make_user()
    ok = post_form(
        client,
        "/login?next=/password/reset",
        {"email": user.email, "password": user.password, "next": "/password/reset"},
    )
    assert ok.headers["Location"] == "/password/reset"
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]:
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        response = post_form(
            client, "/login", {"email": user.email, "password": user.password, "next": target}
        )
        assert response.headers["Location"] == "/", target


def test_the_navigation_shows_every_role_but_citizen(client, make_user):
    login(client, make_user("member", "secretariat", name="Karen Holm"))
    assert "(medlem, sekretariat)" in text_of(client.get("/"))


# --- password reset ----------------------------------------------------------------------


def reset_link(mailbox, address: str) -> str:
    (body,) = mailbox.bodies_to(address)
    return re.search(r"http://localhost(/password/reset/\S+)", body).group(1)


def test_password_reset_by_email(app, client, make_user, mailbox):
    user = make_user(name="Aisha Rahimi")
    response = post_form(client, "/password/reset", {"email": user.email})
    assert response.status_code == 303
    assert "Hvis en konto bruger" in text_of(client.get(response.headers["Location"]))
    assert mailbox.messages == [], "the request itself sends nothing"
    send_queued_mail(app)

    (message,) = mailbox.messages
    assert message["Subject"] == "Vælg en ny adgangskode til Forslag"
    assert "Hej Aisha Rahimi" in text_of_mail(message)
    link = reset_link(mailbox, user.email)

    assert client.get(link).status_code == 200
    response = post_form(client, link, {"password": "helt ny adgangskode"})
    assert response.status_code == 303
    assert "Din adgangskode er ændret" in text_of(client.get("/"))

    other = client.application.test_client()
    assert (
        post_form(other, "/login", {"email": user.email, "password": user.password}).status_code
        == 422
    )
    assert (
        post_form(
            other, "/login", {"email": user.email, "password": "helt ny adgangskode"}
        ).status_code
        == 303
    )

    used = client.get(link)
    assert used.status_code == 404
    assert "Linket til at vælge en ny adgangskode er udløbet" in text_of(used)


def test_reset_answers_the_same_for_unknown_email(client, make_user, mailbox):
    user = make_user()
    known = post_form(client, "/password/reset", {"email": user.email})
    known_page = text_of(client.get("/login")).replace(user.email, "ADDRESS")
    unknown = post_form(client, "/password/reset", {"email": "nobody@example.org"})
    unknown_page = text_of(client.get("/login")).replace("nobody@example.org", "ADDRESS")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    strip_token = re.compile(r'value="[^"]{40,}"')
    assert strip_token.sub("", known_page) == strip_token.sub("", unknown_page)
    send_queued_mail(client.application)
    assert [m["To"] for m in mailbox.messages] == [user.email]


def test_a_reset_request_does_the_same_work_whether_or_not_the_address_has_an_account(
    app, make_user, mailbox
):
    """Its time must not tell whether an address has an account: the request sends
    nothing, and runs the same statements for a known and an unknown address (it writes
    the request to the outbox, commits and wakes the worker; the worker looks the address
    up). Only the worker's mail differs."""
    from sqlalchemy import event

    from app.core.outbox import OutgoingMail

    user = make_user()
    queue = app.extensions["queue"]
    queue.flush()
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def request_for(email: str) -> tuple[list[str], int]:
        client = app.test_client()
        token = csrf_token(client, "/password/reset")
        statements.clear()
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", record)
            try:
                response = client.post(
                    "/password/reset", data={"csrf_token": token, "email": email}
                )
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
        assert response.status_code == 303
        return list(statements), queue.pending_count()

    known, woken_for_known = request_for(user.email)
    unknown, woken_for_unknown = request_for("nobody@example.org")
    assert known == unknown
    assert any("INSERT INTO outgoing_mail" in statement for statement in known)
    assert not any("users" in statement for statement in known), "the request looks nobody up"
    assert (woken_for_known, woken_for_unknown) == (1, 2)
    assert mailbox.messages == []
    with app.app_context():
        waiting = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()
        assert [(m.kind, m.to_address, m.user_id) for m in waiting] == [
            (OutgoingMail.PASSWORD_RESET, user.email, None),
            (OutgoingMail.PASSWORD_RESET, "nobody@example.org", None),
        ]
        assert db.session.scalar(select(func.count()).select_from(PasswordResetToken)) == 0

    send_queued_mail(app)
    assert [m["To"] for m in mailbox.messages] == [user.email]
    with app.app_context():
        sent, refused = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id))
        assert sent.sent_at is not None and sent.user_id == user.id and sent.body_text == ""
        # Nobody's address is kept.
        assert refused.failed_at is not None and refused.to_address == ""
    queue.flush()


def test_reset_with_a_short_password_keeps_the_link_usable(app, client, make_user, mailbox):
    user = make_user()
    post_form(client, "/password/reset", {"email": user.email})
    send_queued_mail(app)
    link = reset_link(mailbox, user.email)
    response = post_form(client, link, {"password": "kort"})
    assert response.status_code == 422
    assert "Adgangskoden skal have mellem 10 og 1000 tegn." in text_of(response)
    assert client.get(link).status_code == 200


def test_an_unknown_reset_link_is_refused(client):
    response = client.get("/password/reset/not-a-token")
    assert response.status_code == 404
    response = client.post(
        "/password/reset/not-a-token", data={"csrf_token": csrf_token(client), "password": "x" * 12}
    )
    assert response.status_code == 404


def test_a_mail_server_that_is_down_delays_the_reset_link_but_never_loses_it(
    make_app, make_user, mailbox
):
    from datetime import timedelta

    from app.core.database import utcnow
    from app.notifications import delivery
    from tests.support import free_port

    down = make_app(MAIL_URL=f"smtp://127.0.0.1:{free_port()}")
    client = down.test_client()
    user = make_user()
    response = post_form(client, "/password/reset", {"email": user.email})
    assert response.status_code == 303
    send_queued_mail(down)
    assert mailbox.messages == []

    up = make_app(MAIL_URL=mailbox.url)
    with up.app_context():
        assert delivery.deliver(utcnow() + timedelta(minutes=1)).sent == 1
    link = reset_link(mailbox, user.email)
    assert client.get(link).status_code == 200
