"""`flask demo` fills an empty database once, and its printed logins work."""

from sqlalchemy import select

from app.accounts.models import User
from app.demo import DEMO_PASSWORD, DEMO_USERS
from app.extensions import db
from tests.support.forms import post_form, text_of


def test_demo_loads_once_with_every_role(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "Demo loaded." in first.output
    for _name, email, _roles in DEMO_USERS:
        assert email in first.output
    assert DEMO_PASSWORD in first.output

    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
    assert len(users) == len(DEMO_USERS)
    assert sum(u.is_secretariat for u in users.values()) == 1
    assert sum(u.is_member for u in users.values()) >= 3
    assert sum(not u.is_member for u in users.values()) == 1

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "not loaded" in second.output
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == len(DEMO_USERS)


def test_demo_logins_work(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    for name, email, _roles in DEMO_USERS:
        response = post_form(client, "/login", {"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 303, email
        assert name in text_of(client.get("/"))
        post_form(client, "/logout", {}, token_from="/")


def test_demo_does_not_touch_a_database_with_other_accounts(app, make_user):
    make_user(email="real@example.org")
    result = app.test_cli_runner().invoke(args=["demo"])
    assert "not loaded" in result.output
    assert "Demo logins" not in result.output
