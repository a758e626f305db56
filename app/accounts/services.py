"""What can be done to accounts: create, authenticate, reset a password, import members.

Plain functions that change rows and flush; the caller commits once.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import ROLES, PasswordResetToken, User
from app.extensions import db
from app.text import has_forbidden_characters, is_email_address

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


# --- the member register -------------------------------------------------------------


@dataclass
class RegisterRow:
    line: int
    email: str
    name: str
    roles: set[str]


@dataclass
class RegisterProblem:
    line: int
    message: str


@dataclass
class ParsedRegister:
    rows: list[RegisterRow] = field(default_factory=list)
    problems: list[RegisterProblem] = field(default_factory=list)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def parse_member_register(text: str, *, default_role: str = "member") -> ParsedRegister:
    """Read a register of email, name and an optional role, reporting every bad line.

    Accepts a header row, commas, semicolons or tabs (as spreadsheets export them)
    and a byte-order mark.
    """
    text = text.lstrip("\ufeff")
    result = ParsedRegister()
    reader = csv.reader(io.StringIO(text), _dialect(text.split("\n", 1)[0]))
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if line == 1 and cells[0].lower() in ("email", "e-mail", "mail", "email address"):
                continue
            parsed = _parse_register_row(cells, line, seen, default_role)
            if isinstance(parsed, str):
                result.problems.append(RegisterProblem(line, parsed))
            else:
                seen[parsed.email] = line
                result.rows.append(parsed)
    except csv.Error as error:
        result.problems.append(RegisterProblem(reader.line_num, f"not readable as CSV: {error}"))
    return result


def _parse_register_row(
    cells: list[str], line: int, seen: dict[str, int], default_role: str
) -> RegisterRow | str:
    """The row, or what is wrong with it."""
    if len(cells) < 2:
        return "expected email, name and an optional role"
    if len(cells) > 3:
        return f"expected at most 3 columns, found {len(cells)}"
    if any(has_forbidden_characters(cell) for cell in cells):
        return "contains control characters"
    email, name = normalise_email(cells[0]), cells[1]
    if not is_email_address(email):
        return f"not an email address: {cells[0]!r}"
    if not name:
        return "the name is missing"
    if len(name) > MAX_NAME_LENGTH:
        return f"the name is longer than {MAX_NAME_LENGTH} characters"
    if email in seen:
        return f"{email} is already on line {seen[email]}"
    try:
        roles = parse_roles(cells[2] if len(cells) == 3 and cells[2] else default_role)
    except AccountError as error:
        return str(error)
    return RegisterRow(line=line, email=email, name=name, roles=roles)


def import_members(rows: list[RegisterRow], *, now: datetime) -> ImportReport:
    """Create the accounts that are new and grant the roles to the ones that exist.

    New accounts have no password: their owners set one through "forgot password".
    """
    report = ImportReport()
    emails = [row.email for row in rows]
    existing: dict[str, User] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        existing.update(
            (user.email, user)
            for user in db.session.scalars(select(User).where(User.email.in_(chunk)))
        )
    for row in rows:
        user = existing.get(row.email)
        if user is None:
            user = User(email=row.email, name=row.name, created_at=now)
            db.session.add(user)
            report.created.append(row.email)
        else:
            report.updated.append(row.email)
        grant_roles(user, row.roles)
    db.session.flush()
    return report


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
