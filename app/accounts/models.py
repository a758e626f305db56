"""The account of a person and the single-use tokens that reset its password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import UTCDateTime
from app.core.extensions import db

ROLES = ("citizen", "member", "secretariat")
# How a person wants their notifications mailed: each as it happens, a daily or a weekly
# digest, or not at all (the list in the app has everything either way).
EMAIL_SETTINGS = ("instant", "daily", "weekly", "off")
DEFAULT_EMAIL_SETTING = "daily"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class User(UserMixin, db.Model):
    """Everyone with an account is a citizen; the secretariat makes some members and staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # Imported members have no password until they reset one.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_member: Mapped[bool] = mapped_column(default=False)
    is_secretariat: Mapped[bool] = mapped_column(default=False)
    # Raised when the password changes, which ends every session logged in before.
    login_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the person proved the address is theirs: through the link mailed on registration,
    # or by choosing their first password (accounts made by the secretariat or the import).
    # An account without it cannot log in, and a registration without it expires.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the person last chose: their mail is written in it.
    language: Mapped[str] = mapped_column(String(5), default="da", server_default="da")
    email_setting: Mapped[str] = mapped_column(
        String(10), default=DEFAULT_EMAIL_SETTING, server_default=DEFAULT_EMAIL_SETTING
    )
    # Told of every hearing that opens, and (members) of every proposal seeking support.
    notify_new_hearings: Mapped[bool] = mapped_column(default=False, server_default=false())
    notify_seeking_support: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def roles(self) -> list[str]:
        return [
            role
            for role, held in (
                ("citizen", True),
                ("member", self.is_member),
                ("secretariat", self.is_secretariat),
            )
            if held
        ]

    @property
    def highest_roles(self) -> list[str]:
        """The roles worth showing: citizen only when it is all the person is."""
        return [r for r in self.roles if r != "citizen"] or ["citizen"]

    def get_id(self) -> str:
        return f"{self.id}.{self.login_version}.{self.born}"

    @property
    def born(self) -> int:
        """When the account was made, in microseconds: with it a session names this account
        and no other, even when a restore from backup lets a later account take the id of
        one the restore removed."""
        return (self.created_at - EPOCH) // timedelta(microseconds=1)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def deleted_user() -> str:
    return _("Deleted user")


def person_name(user: User | None) -> str:
    """The name to show for a person: "Deleted user" once the account is gone."""
    return user.name if user is not None else deleted_user()


class PasswordResetToken(db.Model):
    """A reset link sent by email: only its hash is kept, it expires, it works once."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountToken(db.Model):
    """A single-use link mailed to a person about their account: confirming a registration
    (`confirm`) or a new email address (`email`, with the address it confirms). Only the
    token's hash is kept."""

    __tablename__ = "account_tokens"

    CONFIRM, EMAIL = "confirm", "email"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    new_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# What the signed-in person's row is loaded with on every request, added by the packages
# that need it (the unread notifications in the header): it comes in the same query.
LOADER_OPTIONS: list = []


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the session names the user, the password generation and when
    the account was made."""
    parts = session_id.split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    user_id, version, born = (int(part) for part in parts)
    # What a page's header shows comes along; a POST, which answers with a redirect, does
    # without (a refused form that shows a page loads it then).
    reads = not has_request_context() or request.method in ("GET", "HEAD")
    user = db.session.get(User, user_id, options=LOADER_OPTIONS if reads else ())
    if user is None or user.login_version != version or user.born != born:
        return None
    return user
