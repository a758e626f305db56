"""Registration that tells nobody whether an address has an account: "check your email" in
every case, a confirmation link for a new address, a note with the reset link for a known
one; an unconfirmed account cannot log in and expires. The co-proposer invitation answers
the same way for every address that is not a member's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.accounts import services
from app.accounts.models import AccountToken, User
from app.cli import jobs
from app.core.database import utcnow
from app.core.extensions import db
from tests.support import send_queued_mail
from tests.support.forms import client_for, csrf_token, post_form, text_of

PASSWORD = "ti tegn mindst"
_TOKEN = re.compile(r'value="[^"]{40,}"')


def register(client, **fields):
    data = {"name": "Mette Nørgaard", "email": "mette@example.org", "password": PASSWORD}
    return post_form(client, "/register", {**data, **fields})


def answer(client, response, email: str) -> tuple:
    """What a registration showed: its status, where it led, and that page (the flashed
    text included) with the address and the form tokens taken out."""
    page = text_of(client.get(response.headers["Location"]))
    return (
        response.status_code,
        response.headers["Location"],
        _TOKEN.sub("", page).replace(email, "ADDRESS"),
        _TOKEN.sub("", text_of(response)),
    )


def confirm_link(app, mailbox, address: str) -> str:
    """The link of the newest confirmation mail to `address`, once the worker has sent it."""
    send_queued_mail(app)
    body = mailbox.bodies_to(address)[-1]
    return re.search(r"http://localhost(/register/confirm/\S+)", body).group(1)


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def log_in(app, email: str, password: str = PASSWORD):
    return post_form(app.test_client(), "/login", {"email": email, "password": password})


def make_unconfirmed(app, email: str, *, days_ago: float = 0, name: str = "Ubekræftet") -> int:
    """A registration made `days_ago`, not confirmed."""
    with app.app_context():
        done = services.register(
            email=email,
            name=name,
            password=PASSWORD,
            now=utcnow() - timedelta(days=days_ago),
            language="da",
            valid_for=app.config["ACCOUNT_CONFIRM_VALID_FOR"],
            reset_valid_for=timedelta(hours=1),
        )
        db.session.commit()
        return done.user.id


# --- the same answer for every address ------------------------------------------------------


def test_registration_answers_byte_for_byte_the_same_for_new_known_and_unconfirmed_addresses(
    app, make_user, mailbox
):
    make_user(email="known@example.org", name="Kendt Person")
    make_unconfirmed(app, "waiting@example.org")
    answers = {}
    for email in ("new@example.org", "known@example.org", "waiting@example.org"):
        client = app.test_client()
        answers[email] = answer(client, register(client, email=email), email)
    new, known, waiting = answers.values()
    assert new == known == waiting
    status, location, page, body = new
    assert (status, location) == (303, "/register/sent")
    assert "Vi har sendt en mail til ADDRESS." in page
    assert "Kendt Person" not in known[2]
    # Each address got one mail, of its own kind.
    send_queued_mail(app)
    assert "/register/confirm/" in mailbox.bodies_to("new@example.org")[0]
    assert "/register/confirm/" in mailbox.bodies_to("waiting@example.org")[-1]
    (note,) = mailbox.bodies_to("known@example.org")
    assert "Du har allerede en konto" in note and "/password/reset/" in note


def test_a_known_address_keeps_its_account_unchanged_and_gets_a_working_reset_link(
    app, make_user, mailbox
):
    known = make_user(email="known@example.org", name="Kendt Person")
    before = user_by_email(app, "known@example.org")
    client = app.test_client()
    register(client, email="KNOWN@example.org", name="Someone Else", password="another password")
    after = user_by_email(app, "known@example.org")
    assert (after.id, after.name, after.password_hash, after.login_version) == (
        before.id,
        before.name,
        before.password_hash,
        before.login_version,
    )
    assert count_users(app) == 1
    assert log_in(app, known.email, known.password).status_code == 303
    assert log_in(app, known.email, "another password").status_code == 422
    send_queued_mail(app)
    (message,) = mailbox.to("known@example.org")
    assert message["Subject"] == "Du har allerede en konto på Forslag"
    link = re.search(r"http://localhost(/password/reset/\S+)", mailbox.bodies_to(known.email)[0])
    response = post_form(client, link.group(1), {"password": "chosen again, longer"})
    assert response.status_code == 303
    assert log_in(app, known.email, "chosen again, longer").status_code == 303


# --- a new account: unconfirmed until the link -----------------------------------------------


def test_an_unconfirmed_account_cannot_log_in_and_says_so_only_with_the_password(app, mailbox):
    client = app.test_client()
    register(client)
    user = user_by_email(app, "mette@example.org")
    assert user.confirmed_at is None
    assert client.get("/account").status_code == 302  # registering did not log in

    right = log_in(app, "mette@example.org")
    assert right.status_code == 422
    assert "Kontoen er ikke bekræftet endnu." in text_of(right)
    wrong = log_in(app, "mette@example.org", "wrong password")
    unknown = log_in(app, "nobody@example.org", "wrong password")
    assert wrong.status_code == unknown.status_code == 422

    def summary(response):
        return re.search(r'<div class="error-summary".*?</div>', text_of(response), re.S).group(0)

    assert summary(wrong) == summary(unknown)
    assert "Kontoen er ikke bekræftet" not in text_of(wrong)


def test_the_confirmation_link_shows_a_button_confirms_once_and_logs_in(app, mailbox):
    client = app.test_client()
    register(client)
    send_queued_mail(app)
    (message,) = mailbox.to("mette@example.org")
    assert message["Subject"] == "Bekræft din konto på Forslag"
    link = confirm_link(app, mailbox, "mette@example.org")

    # A mail scanner following the link confirms nothing.
    scanner = app.test_client()
    page = scanner.get(link)
    assert page.status_code == 200 and "Bekræft min konto" in text_of(page)
    assert user_by_email(app, "mette@example.org").confirmed_at is None

    browser = app.test_client()
    response = post_form(browser, link, {"password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Din konto er bekræftet. Velkommen, Mette Nørgaard." in text_of(browser.get("/"))
    assert browser.get("/account").status_code == 200
    assert user_by_email(app, "mette@example.org").confirmed_at is not None
    assert log_in(app, "mette@example.org").status_code == 303

    assert scanner.get(link).status_code == 404
    replay = post_form(scanner, link, {"password": PASSWORD}, token_from="/login")
    assert replay.status_code == 404
    assert "Linket er udløbet eller allerede brugt." in text_of(replay)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("the owner's own password", "That is not the password you chose when you registered"),
        ("", "This field is required."),
        ("x" * 1001, "That is not the password you chose when you registered"),
    ],
)
def test_a_registration_made_by_someone_else_cannot_be_confirmed_by_the_owner(
    app, mailbox, password, message
):
    """Someone registers another person's address with a password of their own: the
    owner's press of "confirm" must not hand them the account. Confirming takes the password
    chosen at registration; the owner, who does not know it, registers again instead."""
    register(app.test_client(), name="Not Mette", password="the intruder's password")
    link = confirm_link(app, mailbox, "mette@example.org")
    page = text_of(app.test_client().get(link))
    assert 'name="password"' in page and 'autocomplete="current-password"' in page

    owner = app.test_client()
    owner.post("/language", data={"lang": "en"})
    response = post_form(owner, link, {"password": password})
    assert response.status_code == 422
    assert message in text_of(response)
    assert "the intruder's password" not in text_of(response)
    assert user_by_email(app, "mette@example.org").confirmed_at is None
    assert owner.get("/account").status_code == 302
    assert log_in(app, "mette@example.org", "the intruder's password").status_code == 422
    assert owner.get(link).status_code == 200  # the link is not used up

    register(app.test_client(), password="the owner's own password")
    mine = confirm_link(app, mailbox, "mette@example.org")
    assert post_form(owner, mine, {"password": "the owner's own password"}).status_code == 303
    assert user_by_email(app, "mette@example.org").name == "Mette Nørgaard"
    assert log_in(app, "mette@example.org", "the intruder's password").status_code == 422
    assert log_in(app, "mette@example.org", "the owner's own password").status_code == 303
    assert owner.get(link).status_code == 404


def test_the_confirmation_needs_the_csrf_token(app, mailbox):
    client = app.test_client()
    register(client)
    link = confirm_link(app, mailbox, "mette@example.org")
    assert client.post(link, data={"password": PASSWORD}).status_code == 400
    assert client.post(link, data={"csrf_token": "forged", "password": PASSWORD}).status_code == 400
    assert user_by_email(app, "mette@example.org").confirmed_at is None
    assert client.get(link).status_code == 200


def test_registering_again_before_confirming_replaces_the_registration(app, mailbox):
    register(app.test_client(), name="Første Gang")
    first = confirm_link(app, mailbox, "mette@example.org")
    register(app.test_client(), name="Anden Gang", password="a second password")
    second = confirm_link(app, mailbox, "mette@example.org")
    assert first != second
    assert count_users(app) == 1
    client = app.test_client()
    assert client.get(first).status_code == 404
    assert post_form(client, second, {"password": "a second password"}).status_code == 303
    assert log_in(app, "mette@example.org", "a second password").status_code == 303
    assert user_by_email(app, "mette@example.org").name == "Anden Gang"


def test_an_expired_registration_cannot_be_confirmed_and_gives_way_to_a_new_one(app, mailbox):
    old_id = make_unconfirmed(app, "mette@example.org", days_ago=4, name="Gammel")
    with app.app_context():
        link_of_old = db.session.scalar(select(AccountToken).where(AccountToken.user_id == old_id))
        assert link_of_old.expires_at <= utcnow()
    register(app.test_client(), name="Ny")
    user = user_by_email(app, "mette@example.org")
    assert user.name == "Ny" and user.created_at > utcnow() - timedelta(minutes=1)
    with app.app_context():  # the old link went with the old registration
        old_hash = AccountToken.token_hash == link_of_old.token_hash
        assert db.session.scalar(select(AccountToken).where(old_hash)) is None
    assert count_users(app) == 1
    link = confirm_link(app, mailbox, user.email)
    assert post_form(app.test_client(), link, {"password": PASSWORD}).status_code == 303


def test_a_confirmation_link_past_its_time_does_not_work(app, mailbox):
    client = app.test_client()
    register(client)
    link = confirm_link(app, mailbox, "mette@example.org")
    with app.app_context():
        db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get(link).status_code == 404
    response = post_form(client, link, {"password": PASSWORD}, token_from="/login")
    assert response.status_code == 404
    assert user_by_email(app, "mette@example.org").confirmed_at is None


@pytest.mark.parametrize("run", ["tick", "worker"])
def test_the_tick_forgets_expired_registrations_and_nothing_else(app, make_user, run):
    make_unconfirmed(app, "expired@example.org", days_ago=4)
    make_unconfirmed(app, "fresh@example.org", days_ago=1)
    member = make_unconfirmed(app, "made-member@example.org", days_ago=10)
    make_user(email="confirmed@example.org")
    with app.app_context():
        db.session.get(User, member).is_member = True
        # An imported member: no password yet, not confirmed, never forgotten.
        db.session.add(
            User(
                email="imported@example.org",
                name="Importeret",
                created_at=utcnow() - timedelta(days=30),
            )
        )
        db.session.commit()
    if run == "tick":
        result = app.test_cli_runner().invoke(args=["lifecycle", "tick"])
        assert result.exit_code == 0, result.output
        assert "1 unconfirmed registration(s) expired and deleted." in result.output
    else:  # the worker's minute, which runs without anyone's timer
        with app.app_context():
            jobs.run_all(utcnow())
    with app.app_context():
        emails = set(db.session.scalars(select(User.email)))
    assert emails == {
        "fresh@example.org",
        "made-member@example.org",
        "confirmed@example.org",
        "imported@example.org",
    }


# --- accounts made by others -------------------------------------------------------------------


def test_accounts_made_on_the_command_line_are_confirmed(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "cli@example.org",
            "--name",
            "C",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert user_by_email(app, "cli@example.org").confirmed_at is not None
    assert log_in(app, "cli@example.org").status_code == 303


@pytest.mark.parametrize("kind", ["imported", "registered"])
def test_choosing_a_password_through_a_reset_link_confirms_the_account(app, mailbox, kind):
    if kind == "imported":
        with app.app_context():
            db.session.add(User(email="mette@example.org", name="Mette", created_at=utcnow()))
            db.session.commit()
    else:
        register(app.test_client())
    client = app.test_client()
    post_form(client, "/password/reset", {"email": "mette@example.org"})
    send_queued_mail(app)
    body = mailbox.bodies_to("mette@example.org")[-1]
    link = re.search(r"http://localhost(/password/reset/\S+)", body).group(1)
    assert post_form(client, link, {"password": "my first password"}).status_code == 303
    assert user_by_email(app, "mette@example.org").confirmed_at is not None
    assert log_in(app, "mette@example.org", "my first password").status_code == 303


def test_registering_an_imported_members_address_mails_them_the_reset_link(app, mailbox):
    with app.app_context():
        db.session.add(
            User(email="mette@example.org", name="Mette", is_member=True, created_at=utcnow())
        )
        db.session.commit()
    register(app.test_client())
    assert count_users(app) == 1
    user = user_by_email(app, "mette@example.org")
    assert user.is_member and user.password_hash is None
    send_queued_mail(app)
    assert "/password/reset/" in mailbox.bodies_to("mette@example.org")[0]


# --- the co-proposer invitation ------------------------------------------------------------------


def test_inviting_a_non_member_answers_the_same_whether_or_not_the_address_has_an_account(
    app, make_user, make_proposal
):
    author = make_user("member")
    proposal = make_proposal(author=author)
    make_user(name="Margrete Borger", email="citizen@example.org")
    client = client_for(app, author)
    pages = {}
    for email in ("citizen@example.org", "nobody@example.org"):
        path = f"/proposals/{proposal.id}/proposers"
        response = client.post(
            path,
            data={"csrf_token": csrf_token(client, f"/proposals/{proposal.id}"), "email": email},
        )
        pages[email] = (
            response.status_code,
            _TOKEN.sub("", text_of(response)).replace(email, "ADDRESS"),
        )
    assert pages["citizen@example.org"] == pages["nobody@example.org"]
    status, page = pages["citizen@example.org"]
    assert status == 422
    assert "Der er intet medlem med e-mailadressen ADDRESS." in page
    assert "Margrete" not in page


def test_inviting_a_member_still_names_them(app, make_user, make_proposal, mailbox):
    author = make_user("member")
    proposal = make_proposal(author=author)
    member = make_user("member", name="Jens Medlem")
    client = client_for(app, author)
    response = post_form(
        client,
        f"/proposals/{proposal.id}/proposers",
        {"email": member.email},
        token_from=f"/proposals/{proposal.id}",
    )
    assert response.status_code == 303
    assert "Jens Medlem" in text_of(client.get(response.headers["Location"]))


# --- rate limits ---------------------------------------------------------------------------------


def test_registrations_of_one_address_are_rate_limited_whoever_sends_them(make_app, mailbox):
    app = make_app(RATELIMIT_ENABLED=True)
    for n in range(10):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        assert register(client).status_code == 303
        send_queued_mail(app)  # before the next registration replaces this one, and its mail
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.1.1"
    assert register(client).status_code == 429
    send_queued_mail(app)
    assert len(mailbox.to("mette@example.org")) == 10
