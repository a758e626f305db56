"""The account page, /account: a person changes their name, email address (through a link
mailed to the new address), password and language."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import AccountToken, User
from app.core.database import utcnow
from app.core.extensions import db
from tests.support import send_queued_mail
from tests.support.forms import client_for, csrf_token, login, post_form, text_of

ROLES = {
    "citizen": (),
    "member": ("member",),
    "secretariat": ("member", "secretariat"),
}


@pytest.fixture(params=sorted(ROLES))
def person(request, make_user):
    return make_user(*ROLES[request.param], name="Sofie Lund", email="sofie@example.org")


def user_row(app, account) -> User:
    with app.app_context():
        return db.session.get(User, account.id)


def change(client, action: str, **fields):
    return post_form(client, "/account", {"action": action, **fields})


def change_email(client, person, email: str):
    return change(client, "email", email=email, current_password=person.password)


def flashed(client, response) -> str:
    """The flashed message on the page a POST sent the browser to."""
    page = text_of(client.get(response.headers["Location"]))
    return re.search(r'<div class="flashes".*?</div>', page, re.S).group(0)


def email_link(app, mailbox, address: str) -> str:
    """The link in the mail to `address`, once the worker has sent it."""
    send_queued_mail(app)
    (body,) = mailbox.bodies_to(address)
    return re.search(r"http://localhost(/account/email/\S+)", body).group(1)


# --- the page ------------------------------------------------------------------------------


def test_the_page_has_every_form_the_data_section_and_the_email_settings(app, person):
    client = client_for(app, person)
    response = client.get("/account")
    assert response.status_code == 200
    html = text_of(response)
    for action in ("name", "email", "password", "language"):
        assert f'name="action" value="{action}"' in html
    for field in ('name="name"', 'name="email"', 'name="current_password"', 'name="password"'):
        assert field in html
    assert 'checked id="lang-0" name="lang" required type="radio" value="da"' in html
    assert 'value="Sofie Lund"' in html
    assert 'href="/account/notifications"' in html
    assert 'action="/account/delete"' in html and 'href="/account/data"' in html
    assert '<a href="/account" aria-current="page">Konto</a>' in html
    assert 'href="/account"' in text_of(client.get("/"))


def test_a_visitor_is_sent_to_log_in_and_cannot_post(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/account")
    token = csrf_token(client, "/login")
    response = client.post("/account", data={"csrf_token": token, "action": "name", "name": "X"})
    assert response.status_code == 403
    assert 'href="/account"' not in text_of(client.get("/"))


# --- name ----------------------------------------------------------------------------------


def test_change_name(app, person):
    client = client_for(app, person)
    response = change(client, "name", name="  Sofie Lund-Hansen ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    assert "Dit navn er ændret." in flashed(client, response)
    assert user_row(app, person).name == "Sofie Lund-Hansen"
    assert "Sofie Lund-Hansen" in text_of(client.get("/"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Feltet skal udfyldes."),
        ("   ", "Feltet skal udfyldes."),
        ("x" * 101, "Navnet kan højst have 100 tegn."),
        ("Null\x00byte", "Feltet indeholder tegn, der ikke er tilladt."),
        ("Bell\x07", "Feltet indeholder tegn, der ikke er tilladt."),
    ],
)
def test_a_bad_name_is_refused_and_changes_nothing(app, make_user, name, message):
    person = make_user(name="Sofie Lund")
    client = client_for(app, person)
    response = change(client, "name", name=name)
    assert response.status_code == 422
    html = text_of(response)
    assert message in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="name-hint name-error"' in html
    assert user_row(app, person).name == "Sofie Lund"


@pytest.mark.parametrize("data", [{}, {"action": "everything"}, {"action": ""}])
def test_a_post_that_names_no_form_is_refused(app, make_user, data):
    person = make_user(name="Sofie Lund")
    client = client_for(app, person)
    response = post_form(client, "/account", {"name": "Another Name", **data})
    assert response.status_code == 400
    assert user_row(app, person).name == "Sofie Lund"


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "name", "name": "Forged Name"},
        {"action": "email", "email": "forged@example.org"},
        {"action": "password", "current_password": "correct horse battery", "password": "x" * 12},
        {"action": "language", "lang": "en"},
    ],
)
@pytest.mark.parametrize("token", [None, "forged"])
def test_every_form_needs_the_csrf_token(app, make_user, mailbox, fields, token):
    person = make_user(name="Sofie Lund", email="sofie@example.org")
    client = client_for(app, person)
    data = dict(fields) if token is None else {"csrf_token": token, **fields}
    response = client.post("/account", data=data)
    assert response.status_code == 400
    assert "Formularen var udløbet" in text_of(response)
    user = user_row(app, person)
    assert (user.name, user.email, user.language) == ("Sofie Lund", "sofie@example.org", "da")
    assert mailbox.messages == []
    assert client.get("/account").status_code == 200  # the password is unchanged
    login(app.test_client(), person)


# --- email ---------------------------------------------------------------------------------


def test_change_email_through_the_link_sent_to_the_new_address(app, person, mailbox):
    client = client_for(app, person)
    response = change_email(client, person, " Sofie.Ny@Example.org ")
    assert response.status_code == 303
    message = flashed(client, response)
    assert "Vi har sendt et link til sofie.ny@example.org" in message
    assert "sofie@example.org" in message
    assert user_row(app, person).email == "sofie@example.org"  # not yet

    assert mailbox.messages == [], "the request itself sends nothing"
    send_queued_mail(app)
    (old,) = mailbox.bodies_to("sofie@example.org")
    assert "sofie.ny@example.org" in old and "http://localhost/password/reset" in old
    link = email_link(app, mailbox, "sofie.ny@example.org")
    (new_mail,) = mailbox.to("sofie.ny@example.org")
    assert new_mail["Subject"] == "Bekræft din nye e-mailadresse til Forslag"

    # Following the link (a GET, as a mail scanner would) only shows the button.
    page = client.get(link)
    assert page.status_code == 200
    assert "sofie.ny@example.org" in text_of(page)
    assert user_row(app, person).email == "sofie@example.org"

    response = post_form(client, link, {})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    assert "Din e-mailadresse er nu sofie.ny@example.org." in flashed(client, response)
    assert user_row(app, person).email == "sofie.ny@example.org"

    other = app.test_client()
    old_login = {"email": "sofie@example.org", "password": person.password}
    assert post_form(other, "/login", old_login).status_code == 422
    new_login = {"email": "sofie.ny@example.org", "password": person.password}
    assert post_form(other, "/login", new_login).status_code == 303

    # The link works once.
    assert client.get(link).status_code == 404
    replay = post_form(client, link, {}, token_from="/account")
    assert replay.status_code == 404
    assert "Linket er udløbet eller allerede brugt." in text_of(replay)


def test_the_link_works_in_a_browser_that_is_not_logged_in(app, make_user, mailbox):
    person = make_user(email="sofie@example.org")
    change_email(client_for(app, person), person, "sofie.ny@example.org")
    link = email_link(app, mailbox, "sofie.ny@example.org")
    elsewhere = app.test_client()
    response = post_form(elsewhere, link, {})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert user_row(app, person).email == "sofie.ny@example.org"


def test_an_expired_email_link_does_not_work(app, make_user, mailbox):
    person = make_user(email="sofie@example.org")
    client = client_for(app, person)
    change_email(client, person, "sofie.ny@example.org")
    link = email_link(app, mailbox, "sofie.ny@example.org")
    with app.app_context():
        db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get(link).status_code == 404
    assert post_form(client, link, {}, token_from="/account").status_code == 404
    assert user_row(app, person).email == "sofie@example.org"


def test_only_the_newest_email_link_works(app, make_user, mailbox):
    person = make_user(email="sofie@example.org")
    client = client_for(app, person)
    change_email(client, person, "first@example.org")
    change_email(client, person, "second@example.org")
    first = email_link(app, mailbox, "first@example.org")
    second = email_link(app, mailbox, "second@example.org")
    assert post_form(client, first, {}, token_from="/account").status_code == 404
    assert post_form(client, second, {}).status_code == 303
    assert user_row(app, person).email == "second@example.org"


def test_an_address_another_account_has_gets_the_same_answer_and_is_refused_at_the_link(
    app, make_user, mailbox
):
    person = make_user(email="sofie@example.org", name="Sofie Lund")
    make_user(email="taken@example.org", name="Taken Person")
    client = client_for(app, person)

    free = change_email(client, person, "free@example.org")
    free_text = flashed(client, free).replace("free@example.org", "ADDRESS")
    taken = change_email(client, person, "taken@example.org")
    taken_text = flashed(client, taken).replace("taken@example.org", "ADDRESS")
    assert free.status_code == taken.status_code == 303
    assert free.headers["Location"] == taken.headers["Location"]
    assert free_text == taken_text
    assert "Vi har sendt et link til ADDRESS" in taken_text

    link = email_link(app, mailbox, "taken@example.org")
    response = post_form(client, link, {})
    assert response.status_code == 409
    assert "En anden konto bruger taken@example.org" in text_of(response)
    assert user_row(app, person).email == "sofie@example.org"
    with app.app_context():
        emails = set(db.session.scalars(select(User.email)))
    assert emails == {"sofie@example.org", "taken@example.org"}


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Feltet skal udfyldes."),
        ("sofie", "Skriv en e-mailadresse som navn@example.org."),
        ("a@b@example.org", "Skriv en e-mailadresse som navn@example.org."),
        ("x" * 250 + "@example.org", "En e-mailadresse kan højst have 254 tegn."),
        ("SOFIE@example.org", "Det er allerede din e-mailadresse."),
        ("ny\x00@example.org", "Feltet indeholder tegn, der ikke er tilladt."),
    ],
)
def test_a_bad_email_is_refused_and_mails_nothing(app, make_user, mailbox, email, message):
    person = make_user(email="sofie@example.org")
    client = client_for(app, person)
    response = change_email(client, person, email)
    assert response.status_code == 422
    assert message in text_of(response)
    assert 'aria-describedby="email-hint email-error"' in text_of(response)
    assert mailbox.messages == []
    assert user_row(app, person).email == "sofie@example.org"
    with app.app_context():
        assert db.session.scalar(select(AccountToken)) is None


@pytest.mark.parametrize(
    ("current", "message"),
    [
        ("wrong password", "Det er ikke din nuværende adgangskode."),
        ("", "Feltet skal udfyldes."),
        ("x" * 1001, "Det er ikke din nuværende adgangskode."),
    ],
)
def test_an_email_change_needs_the_current_password(app, make_user, mailbox, current, message):
    """A session left open somewhere is not enough to move the account to another address."""
    person = make_user(email="sofie@example.org")
    client = client_for(app, person)
    response = change(client, "email", email="thief@example.org", current_password=current)
    assert response.status_code == 422
    html = text_of(response)
    assert message in html
    assert 'id="email-current-password"' in html and 'aria-invalid="true"' in html
    assert 'value="thief@example.org"' in html and person.password not in html
    send_queued_mail(app)
    assert mailbox.messages == []
    with app.app_context():
        assert db.session.scalar(select(AccountToken)) is None
    assert user_row(app, person).email == "sofie@example.org"


def reset_links_of(app, mailbox, address: str) -> list[str]:
    send_queued_mail(app)
    return [
        re.search(r"http://localhost(/password/reset/\S+)", body).group(1)
        for body in mailbox.bodies_to(address)
        if "/password/reset/" in body and "/account/email/" not in body
    ]


def test_an_email_change_ends_the_reset_links_sent_to_the_old_address(app, make_user, mailbox):
    """A reset link mailed to the address being left (whose mailbox may be in other hands by
    now) must not take the account back: it stops working when the change is asked for,
    and one asked for in between stops working when the change is made."""
    person = make_user(email="sofie@example.org")
    post_form(app.test_client(), "/password/reset", {"email": "sofie@example.org"})
    (before,) = reset_links_of(app, mailbox, "sofie@example.org")
    assert app.test_client().get(before).status_code == 200

    client = client_for(app, person)
    change_email(client, person, "sofie.ny@example.org")
    assert app.test_client().get(before).status_code == 404

    mailbox.clear()
    post_form(app.test_client(), "/password/reset", {"email": "sofie@example.org"})
    (between,) = reset_links_of(app, mailbox, "sofie@example.org")
    assert app.test_client().get(between).status_code == 200
    link = email_link(app, mailbox, "sofie.ny@example.org")
    assert post_form(client, link, {}).status_code == 303
    assert user_row(app, person).email == "sofie.ny@example.org"

    thief = app.test_client()
    assert thief.get(between).status_code == 404
    response = post_form(thief, between, {"password": "the thief's password"}, token_from="/login")
    assert response.status_code == 404
    fresh = app.test_client()
    taken = {"email": "sofie.ny@example.org", "password": "the thief's password"}
    assert post_form(fresh, "/login", taken).status_code == 422
    login(fresh, dataclasses.replace(person, email="sofie.ny@example.org"))


# --- password ------------------------------------------------------------------------------


def test_change_password_ends_other_sessions_and_keeps_this_one(app, person):
    client = client_for(app, person)
    elsewhere = client_for(app, person)
    assert elsewhere.get("/account").status_code == 200
    response = change(
        client, "password", current_password=person.password, password="a new long password"
    )
    assert response.status_code == 303
    assert "Din adgangskode er ændret." in flashed(client, response)
    assert client.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302

    fresh = app.test_client()
    old = {"email": person.email, "password": person.password}
    assert post_form(fresh, "/login", old).status_code == 422
    new = {"email": person.email, "password": "a new long password"}
    assert post_form(fresh, "/login", new).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("wrong password", "a new long password", "Det er ikke din nuværende adgangskode."),
        ("", "a new long password", "Feltet skal udfyldes."),
        ("correct horse battery", "short", "Adgangskoden skal have mellem 10 og 1000 tegn."),
        ("correct horse battery", "", "Feltet skal udfyldes."),
        ("correct horse battery", "x" * 1001, "Adgangskoden skal have mellem 10 og 1000 tegn."),
        ("correct horse battery", "ten chars\x00!", "Feltet indeholder tegn, der ikke er tilladt."),
    ],
)
def test_a_refused_password_change_changes_nothing(app, make_user, current, new, message):
    person = make_user()
    client = client_for(app, person)
    elsewhere = client_for(app, person)
    response = change(client, "password", current_password=current, password=new)
    assert response.status_code == 422
    html = text_of(response)
    assert message in html
    assert person.password not in html and (not new or new not in html)
    assert elsewhere.get("/account").status_code == 200
    login(app.test_client(), person)


def test_a_password_change_cancels_a_pending_email_change(app, make_user, mailbox):
    person = make_user(email="sofie@example.org")
    client = client_for(app, person)
    change_email(client, person, "thief@example.org")
    link = email_link(app, mailbox, "thief@example.org")
    change(client, "password", current_password=person.password, password="a new long password")
    assert client.get(link).status_code == 404
    assert user_row(app, person).email == "sofie@example.org"


# --- language ------------------------------------------------------------------------------


def test_change_language(app, person):
    client = client_for(app, person)
    response = change(client, "language", lang="en")
    assert response.status_code == 303
    assert "Your language has been changed." in flashed(client, response)
    assert '<html lang="en">' in text_of(client.get("/account"))
    assert user_row(app, person).language == "en"
    change(client, "language", lang="da")
    assert user_row(app, person).language == "da"
    assert '<html lang="da">' in text_of(client.get("/account"))


@pytest.mark.parametrize("lang", ["", "fr", "da\x00", "english"])
def test_a_bad_language_is_refused(app, make_user, lang):
    person = make_user()
    client = client_for(app, person)
    response = change(client, "language", lang=lang)
    assert response.status_code == 422
    assert 'id="lang-error"' in text_of(response)
    assert user_row(app, person).language == "da"


# --- rate limits ---------------------------------------------------------------------------


def test_guessing_the_current_password_is_rate_limited(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True)
    person = make_user()
    client = client_for(app, person)
    token = csrf_token(client, "/account")
    data = {"csrf_token": token, "action": "password", "password": "a new long password"}
    for n in range(10):
        response = client.post("/account", data={**data, "current_password": f"guess {n}"})
        assert response.status_code == 422
    response = client.post("/account", data={**data, "current_password": person.password})
    assert response.status_code == 429
    login(app.test_client(), person)  # the password did not change
