"""What can be done to accounts: create, authenticate, reset a password, grant roles
(the member register is app.accounts.member_register).

Plain functions that change rows and flush; the caller commits once.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import ROLES, AccountToken, PasswordResetToken, User
from app.core import audit
from app.core.extensions import db
from app.core.refusals import ConditionNotMet, Invalid, NotAllowed
from app.core.sql import lock_rows

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
    """An account made by someone trusted with the address (the command line, the demo,
    the tests): confirmed at once when it has a password. Self-registration goes through
    `register`."""
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
        confirmed_at=now if password else None,
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
    return user, reset_token_for(user, now=now, valid_for=valid_for)


def reset_token_for(user: User, *, now: datetime, valid_for: timedelta) -> str:
    """A fresh reset token for `user`."""
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
    return token


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
    # The link came to the address: that proves it is theirs (an imported member's first
    # password, or a registration whose confirmation mail was lost).
    if user.confirmed_at is None:
        user.confirmed_at = now
    # Whoever knew the old password cannot move the account to their own address either.
    _use_tokens(user, AccountToken.EMAIL, now)
    _end_reset_links(user, now)
    db.session.flush()
    return user


def _end_reset_links(user: User, now: datetime) -> None:
    """Every reset link of the account not yet used stops working (the ones this session
    holds too: the link just used is among them)."""
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


# --- registering, confirming an address, and the account page ------------------------------

# How long the link that confirms a new email address works.
EMAIL_CHANGE_VALID_FOR = timedelta(hours=24)


class WrongPassword(AccountError):
    pass


class SameEmail(AccountError):
    pass


@dataclass(frozen=True)
class Registration:
    """What a registration leads to: a new account and the link that confirms it (`new`),
    or, for an address that already has an account, a password-reset link for its owner."""

    user: User
    token: str
    new: bool


def awaiting_confirmation(user: User) -> bool:
    """A registration through the form that nobody has confirmed yet: the address is not
    proved to be the registrant's. Imported members (no password yet) and anyone given a
    role are real accounts, never replaced or forgotten."""
    return (
        user.confirmed_at is None
        and user.password_hash is not None
        and not user.is_member
        and not user.is_secretariat
    )


def _awaiting_confirmation_sql():
    return (
        User.confirmed_at.is_(None),
        User.password_hash.is_not(None),
        User.is_member.is_(False),
        User.is_secretariat.is_(False),
    )


def _delete_users(ids: list[int]) -> None:
    """Delete accounts that never did anything: their tokens and mail go with them (the
    database cascades)."""
    db.session.execute(
        delete(User).where(User.id.in_(ids)).execution_options(synchronize_session="fetch")
    )


def _issue_account_token(
    user: User, purpose: str, *, now: datetime, valid_for: timedelta, new_email: str | None = None
) -> str:
    """A fresh single-use link for `purpose`; the earlier ones for it stop working."""
    _use_tokens(user, purpose, now)
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash_token(token),
            new_email=new_email,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    db.session.flush()
    return token


def usable_account_token(token: str, purpose: str, *, now: datetime) -> AccountToken | None:
    row = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == _hash_token(token), AccountToken.purpose == purpose
        )
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def _use_tokens(user: User, purpose: str, now: datetime) -> None:
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def register(
    *,
    email: str,
    name: str,
    password: str,
    now: datetime,
    language: str,
    valid_for: timedelta,
    reset_valid_for: timedelta,
) -> Registration:
    """Register through the form. A new address gets an unconfirmed account (it cannot log
    in) and a confirmation link; an address with an account keeps it unchanged, and its
    owner gets a reset link. A registration still unconfirmed at this address, expired or
    not, is replaced by this one: nobody has shown the address is theirs."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    # Hashed in every case: the time of the answer does not tell whether it was needed.
    password_hash = _hash_password(password)
    user = find_by_email(email)
    if user is not None and awaiting_confirmation(user):
        _delete_users([user.id])
        user = None
    if user is not None:
        _, token = issue_reset_token(email, now=now, valid_for=reset_valid_for)
        return Registration(user, token, new=False)
    user = User(
        email=email,
        name=name.strip(),
        password_hash=password_hash,
        created_at=now,
        language=language,
    )
    db.session.add(user)
    db.session.flush()
    token = _issue_account_token(user, AccountToken.CONFIRM, now=now, valid_for=valid_for)
    return Registration(user, token, new=True)


def confirm_registration(token: str, password: str, *, now: datetime) -> User:
    """Confirm the account a registration link names, given the password chosen when
    registering; the link stops working. WrongPassword, and nothing changes, without it:
    whoever registers someone else's address cannot have its owner confirm the account
    and then log in with the password they chose."""
    row = usable_account_token(token, AccountToken.CONFIRM, now=now)
    if row is None:
        raise InvalidToken(token)
    user = db.session.get(User, row.user_id)
    if not _password_matches(user, password):
        raise WrongPassword()
    if user.confirmed_at is None:
        user.confirmed_at = now
    _use_tokens(user, AccountToken.CONFIRM, now)
    db.session.flush()
    return user


def forget_expired_registrations(now: datetime, valid_for: timedelta) -> int:
    """Delete the registrations nobody confirmed in time; how many."""
    ids = list(
        db.session.scalars(
            select(User.id).where(*_awaiting_confirmation_sql(), User.created_at <= now - valid_for)
        )
    )
    for start in range(0, len(ids), 500):
        _delete_users(ids[start : start + 500])
    return len(ids)


def change_name(user: User, name: str) -> None:
    user.name = name.strip()
    db.session.flush()


def request_email_change(user: User, current: str, new_email: str, *, now: datetime) -> str:
    """A link, to be mailed to `new_email`, that moves the account there, given the current
    password (WrongPassword without it: a session left open is not enough to take the
    account to another address). Whether another account has that address is only checked
    when the link is followed, so the answer to the request tells nobody whether it has
    one. Reset links not yet used stop working: they went to the address being left."""
    if not _password_matches(user, current):
        raise WrongPassword()
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise SameEmail(new_email)
    _end_reset_links(user, now)
    return _issue_account_token(
        user, AccountToken.EMAIL, now=now, valid_for=EMAIL_CHANGE_VALID_FOR, new_email=new_email
    )


def change_email(token: str, *, now: datetime, registration_valid_for: timedelta) -> User:
    """Move the account to the address the link was sent to; reset links not yet used,
    which went to the old address, stop working. EmailTaken, and nothing changes, when
    another account has it by now (a registration there that expired unconfirmed gives
    way)."""
    row = usable_account_token(token, AccountToken.EMAIL, now=now)
    if row is None:
        raise InvalidToken(token)
    user = db.session.get(User, row.user_id)
    other = find_by_email(row.new_email)
    if other is not None and other.id != user.id:
        if awaiting_confirmation(other) and other.created_at + registration_valid_for <= now:
            _delete_users([other.id])
        else:
            raise EmailTaken(row.new_email)
    user.email = row.new_email
    _use_tokens(user, AccountToken.EMAIL, now)
    _end_reset_links(user, now)
    db.session.flush()
    return user


def _password_matches(user: User, password: str) -> bool:
    return user.password_hash is not None and check_password_hash(user.password_hash, password)


def end_sessions(user: User) -> None:
    """Every session of the account ends, on every device: a session names the account's
    login generation (`User.get_id`), which moves on. Counted up by the database, so that
    two requests doing it at once both count."""
    user.login_version = User.login_version + 1
    db.session.flush()


def change_password(user: User, current: str, new: str, *, now: datetime) -> None:
    """A new password, given the current one: every session logged in before ends, and
    reset links not yet used stop working."""
    if not _password_matches(user, current):
        raise WrongPassword()
    set_password(user, new)
    _use_tokens(user, AccountToken.EMAIL, now)
    _end_reset_links(user, now)
    db.session.flush()


# --- roles, as the secretariat grants and revokes them -----------------------------------

CHANGEABLE_ROLES = ("member", "secretariat")


def change_role(actor: User, user: User, role: str, *, granted: bool, now: datetime) -> bool:
    """Grant or revoke membership or the secretariat role. Nobody takes away their own
    secretariat role, and the last secretariat stays. True when something changed."""
    if not actor.is_secretariat:
        raise NotAllowed("not_secretariat")
    if role not in CHANGEABLE_ROLES:
        raise Invalid("unknown_role", role=role)
    attribute = "is_member" if role == "member" else "is_secretariat"
    if getattr(user, attribute) == granted:
        return False
    if role == "secretariat" and not granted:
        if user.id == actor.id:
            raise NotAllowed("own_secretariat_role")
        # Two staff removing each other at the same moment must not leave nobody.
        staff = lock_rows(User, User.is_secretariat.is_(True))
        if not [uid for uid in staff if uid != user.id]:
            raise ConditionNotMet("last_secretariat")
    setattr(user, attribute, granted)
    action = f"{'grant' if granted else 'revoke'}_{role}"
    audit.record(actor, action, subject_user_id=user.id, now=now)
    db.session.flush()
    return True
