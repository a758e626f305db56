"""What can be done to accounts: create, authenticate, reset a password, grant roles
(the member register is app.accounts.register).

Plain functions that change rows and flush; the caller commits once.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import ROLES, PasswordResetToken, User
from app.extensions import db

MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 100


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when no account matches, so a wrong email costs as long as a
    wrong password."""
    return generate_password_hash("not a password of anyone", method=method)


class AccountError(ValueError):
    """A request about accounts that cannot be carried out."""


class EmailTaken(AccountError):
    pass


class InvalidToken(AccountError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def parse_roles(text: str) -> set[str]:
    """Read roles written as `member,secretariat`; raise AccountError on an unknown one."""
    roles = {part.strip().lower() for part in (text or "").replace(";", ",").split(",")}
    roles.discard("")
    unknown = roles - set(ROLES)
    if unknown:
        raise AccountError(f"unknown role {', '.join(sorted(unknown))} (use {', '.join(ROLES)})")
    return roles


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    *,
    email: str,
    name: str,
    password: str | None,
    roles: set[str] | None = None,
    now: datetime,
    language: str = "da",
) -> User:
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    roles = roles or set()
    user = User(
        email=email,
        name=name.strip(),
        password_hash=_hash_password(password) if password else None,
        is_member="member" in roles,
        is_secretariat="secretariat" in roles,
        created_at=now,
        language=language,
    )
    db.session.add(user)
    db.session.flush()
    return user


def grant_roles(user: User, roles: set[str]) -> None:
    if "member" in roles:
        user.is_member = True
    if "secretariat" in roles:
        user.is_secretariat = True


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None, in the same time either way."""
    user = find_by_email(email)
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = _hash_password(password)
    user.login_version += 1


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_reset_token(
    email: str, *, now: datetime, valid_for: timedelta
) -> tuple[User, str] | None:
    """A fresh reset token for the account with this email, or None when there is none."""
    user = find_by_email(email)
    if user is None:
        return None
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_hash_token(token),
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    db.session.flush()
    return user, token


def usable_reset_token(token: str, *, now: datetime) -> PasswordResetToken | None:
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def reset_password(token: str, password: str, *, now: datetime) -> User:
    """Set a new password through a token; the token and its siblings stop working."""
    row = usable_reset_token(token, now=now)
    if row is None:
        raise InvalidToken(token)
    user = db.session.get(User, row.user_id)
    set_password(user, password)
    for other in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = now
    db.session.flush()
    return user


# --- roles, as the secretariat grants and revokes them -----------------------------------

CHANGEABLE_ROLES = ("member", "secretariat")


def change_role(actor: User, user: User, role: str, *, granted: bool, now: datetime) -> bool:
    """Grant or revoke membership or the secretariat role. Nobody takes away their own
    secretariat role, and the last secretariat stays. True when something changed."""
    from app.proposals import lifecycle as lc
    from app.secretariat import models as audit
    from app.sql import lock_rows

    if not actor.is_secretariat:
        raise lc.NotAllowed("not_secretariat")
    if role not in CHANGEABLE_ROLES:
        raise lc.Invalid("unknown_role", role=role)
    attribute = "is_member" if role == "member" else "is_secretariat"
    if getattr(user, attribute) == granted:
        return False
    if role == "secretariat" and not granted:
        if user.id == actor.id:
            raise lc.NotAllowed("own_secretariat_role")
        # Two staff removing each other at the same moment must not leave nobody.
        staff = lock_rows(User, User.is_secretariat.is_(True))
        if not [uid for uid in staff if uid != user.id]:
            raise lc.ConditionNotMet("last_secretariat")
    setattr(user, attribute, granted)
    audit.record(actor, f"{'grant' if granted else 'revoke'}_{role}", subject=user.email, now=now)
    db.session.flush()
    return True
