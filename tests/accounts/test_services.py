"""Account rules as plain Python: creating, authenticating, resetting, importing."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import PasswordResetToken, User, load_user
from app.core.extensions import db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session


def test_create_user_normalises_email_and_hashes_password(ctx):
    user = services.create_user(
        email="  Mette@Example.ORG ", name=" Mette ", password="a long passphrase", now=NOW
    )
    assert user.email == "mette@example.org"
    assert user.name == "Mette"
    assert user.password_hash and "a long passphrase" not in user.password_hash
    assert user.roles == ["citizen"]
    assert user.created_at == NOW


def test_passwords_are_salted(ctx):
    a = services.create_user(email="a@example.org", name="A", password="same password", now=NOW)
    b = services.create_user(email="b@example.org", name="B", password="same password", now=NOW)
    assert a.password_hash != b.password_hash


def test_production_hash_is_scrypt(app):
    with app.app_context():
        app.config["PASSWORD_HASH_METHOD"] = "scrypt"
        user = services.create_user(email="s@example.org", name="S", password="x" * 10, now=NOW)
        assert user.password_hash.startswith("scrypt:")


def test_email_is_unique_whatever_its_case(ctx):
    services.create_user(email="jens@example.org", name="Jens", password="x" * 10, now=NOW)
    with pytest.raises(services.EmailTaken):
        services.create_user(email="JENS@example.org", name="J", password="y" * 10, now=NOW)


def test_password_shorter_than_ten_is_refused(ctx):
    with pytest.raises(services.AccountError):
        services.create_user(email="k@example.org", name="K", password="x" * 9, now=NOW)
    assert ctx.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("citizen", {"citizen"}),
        ("member", {"member"}),
        ("member,secretariat", {"member", "secretariat"}),
        (" Member ; Secretariat ", {"member", "secretariat"}),
        ("", set()),
    ],
)
def test_parse_roles(text, roles):
    assert services.parse_roles(text) == roles


def test_parse_roles_refuses_unknown():
    with pytest.raises(services.AccountError, match="admin"):
        services.parse_roles("member,admin")


def test_roles_combine(ctx):
    user = services.create_user(
        email="k@example.org", name="K", password="x" * 10, roles={"member", "secretariat"}, now=NOW
    )
    assert user.roles == ["citizen", "member", "secretariat"]
    assert user.highest_roles == ["member", "secretariat"]


def test_authenticate(ctx):
    services.create_user(email="a@example.org", name="A", password="right password", now=NOW)
    assert services.authenticate("A@example.org", "right password").email == "a@example.org"
    assert services.authenticate("a@example.org", "wrong password") is None
    assert services.authenticate("nobody@example.org", "right password") is None


def test_an_account_without_password_cannot_log_in(ctx):
    services.create_user(email="imp@example.org", name="Imported", password=None, now=NOW)
    assert services.authenticate("imp@example.org", "") is None
    assert services.authenticate("imp@example.org", "anything at all") is None


def test_reset_token_is_single_use_and_expires(ctx):
    services.create_user(email="a@example.org", name="A", password="old password", now=NOW)
    _, token = services.issue_reset_token("a@example.org", now=NOW, valid_for=HOUR)
    stored = ctx.scalar(select(PasswordResetToken))
    assert stored.token_hash != token and token not in stored.token_hash

    assert services.usable_reset_token(token, now=NOW + HOUR - timedelta(seconds=1))
    assert services.usable_reset_token(token, now=NOW + HOUR) is None
    with pytest.raises(services.InvalidToken):
        services.reset_password(token, "new password!", now=NOW + HOUR)

    user = services.reset_password(token, "new password!", now=NOW + timedelta(minutes=5))
    assert services.authenticate("a@example.org", "new password!") == user
    assert services.authenticate("a@example.org", "old password") is None
    with pytest.raises(services.InvalidToken):
        services.reset_password(token, "third password", now=NOW + timedelta(minutes=6))


def test_using_one_reset_link_voids_the_others(ctx):
    services.create_user(email="a@example.org", name="A", password="old password", now=NOW)
    _, first = services.issue_reset_token("a@example.org", now=NOW, valid_for=HOUR)
    _, second = services.issue_reset_token("a@example.org", now=NOW, valid_for=HOUR)
    services.reset_password(second, "new password!", now=NOW)
    assert services.usable_reset_token(first, now=NOW) is None


def test_no_token_for_unknown_email(ctx):
    assert services.issue_reset_token("nobody@example.org", now=NOW, valid_for=HOUR) is None
    assert ctx.scalar(select(func.count()).select_from(PasswordResetToken)) == 0


def test_changing_the_password_ends_earlier_sessions(ctx):
    user = services.create_user(email="a@example.org", name="A", password="old password", now=NOW)
    session_id = user.get_id()
    assert load_user(session_id) == user
    services.set_password(user, "another password")
    assert load_user(session_id) is None
    assert load_user(user.get_id()) == user


@pytest.mark.parametrize(
    "session_id", ["", "x", "1", "1.1", "1.x.1", "abc.1.1", "999.1.1", "1.1.1.1", "-1.1.1"]
)
def test_load_user_refuses_malformed_ids(ctx, session_id):
    assert load_user(session_id) is None


def test_a_session_does_not_pass_to_a_later_account_with_the_same_id(ctx):
    """After a restore from backup, a new account can get the id of one the restore
    removed: the removed account's sessions must not log in as the new one."""
    removed = services.create_user(email="a@example.org", name="A", password="a password!", now=NOW)
    session_id = removed.get_id()
    user_id = removed.id
    ctx.delete(removed)
    ctx.flush()
    later = services.create_user(
        email="b@example.org", name="B", password="b password!", now=NOW + HOUR
    )
    later.id = user_id
    ctx.flush()
    assert load_user(session_id) is None
    assert load_user(later.get_id()) == later
