"""The member register: read a CSV of email, name and an optional role, and import it.

A national party's register runs to 100,000 rows (5–6 MB): the file is read as a stream,
row by row, never as one string; the rows are checked before anything is saved, and the
import is one transaction of bulk statements, never a query per row. Between the preview
and the import, an upload waits in the instance folder under a random token.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO

from flask import Flask, current_app, request
from flask_login import current_user
from sqlalchemy import bindparam, insert, select, update

from app.accounts.models import User
from app.accounts.services import (
    MAX_NAME_LENGTH,
    AccountError,
    normalise_email,
    parse_roles,
)
from app.core.extensions import db
from app.core.text import FORBIDDEN_CHARACTERS

# The body a secretariat may send to the import: 100,000 rows are 5–6 MB. Every other
# request keeps the app's MAX_CONTENT_LENGTH.
UPLOAD_LIMIT = 16 * 1024 * 1024
# How many rows one statement carries.
CHUNK = 5000
# A file up to this size is corrected in the preview's form, as pasted rows are (below the
# 500 kB Werkzeug allows a form field); a larger one waits in the instance folder.
EDITABLE_BYTES = 64 * 1024
# An upload not imported within a day is forgotten.
UPLOAD_KEPT_SECONDS = 24 * 3600
_HEADER_WORDS = ("email", "e-mail", "mail", "email address")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
# app.core.text's rules, as one regular expression each: a character at a time in Python costs
# seconds over 100,000 rows.
_FORBIDDEN = re.compile("[" + re.escape("".join(sorted(FORBIDDEN_CHARACTERS))) + "]")
_SPACE = re.compile(r"\s")


def is_email_address(value: str) -> bool:
    """app.core.text.is_email_address, faster."""
    local, _, domain = value.partition("@")
    return (
        len(value) <= 254
        and value.count("@") == 1
        and bool(local)
        and "." in domain.strip(".")
        and _SPACE.search(value) is None
    )


@dataclass(slots=True)
class RegisterRow:
    line: int
    email: str
    name: str
    roles: frozenset[str]


@dataclass(slots=True)
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


# --- reading ---------------------------------------------------------------------------


def text_stream(binary: BinaryIO) -> io.TextIOWrapper:
    """A file of bytes read as UTF-8 text (with or without a byte-order mark), line by line.
    A byte that is not UTF-8 raises UnicodeDecodeError where it is met."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def parse_member_register(
    source: str | IO[str] | Iterable[str], *, default_role: str = "member"
) -> ParsedRegister:
    """Read a register of email, name and an optional role, reporting every bad line.

    `source` is the text, or a text stream read row by row. Accepts a header row, commas,
    semicolons or tabs (as spreadsheets export them, told apart on the first line) and a
    byte-order mark.
    """
    lines: Iterator[str] = iter(io.StringIO(source) if isinstance(source, str) else source)
    first = next(lines, "").lstrip("\ufeff")
    result = ParsedRegister()
    reader = csv.reader(itertools.chain([first], lines), _dialect(first))
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if line == 1 and cells[0].lower() in _HEADER_WORDS:
                continue
            parsed = _parse_row(cells, line, seen, default_role)
            if isinstance(parsed, str):
                result.problems.append(RegisterProblem(line, parsed))
            else:
                seen[parsed.email] = line
                result.rows.append(parsed)
    except csv.Error as error:
        result.problems.append(RegisterProblem(reader.line_num, f"not readable as CSV: {error}"))
    return result


@functools.lru_cache(maxsize=64)
def _roles(text: str) -> frozenset[str] | str:
    """The roles a cell names (one shared set for every row that writes them alike), or
    what is wrong with it."""
    try:
        return frozenset(parse_roles(text))
    except AccountError as error:
        return str(error)


def _parse_row(
    cells: list[str], line: int, seen: dict[str, int], default_role: str
) -> RegisterRow | str:
    """The row, or what is wrong with it."""
    if len(cells) < 2:
        return "expected email, name and an optional role"
    if len(cells) > 3:
        return f"expected at most 3 columns, found {len(cells)}"
    if _FORBIDDEN.search("".join(cells)):
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
    roles = _roles(cells[2] if len(cells) == 3 and cells[2] else default_role)
    if isinstance(roles, str):
        return roles
    return RegisterRow(line=line, email=email, name=name, roles=roles)


# --- importing -------------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _among(column, values: list[str]):
    """`column IN (…)` with the values written into the statement. As parameters, the same
    statement runs chunk after chunk, psycopg prepares it, and PostgreSQL's generic plan
    compares every row of the table with every value: 15 s a chunk at 100,000 accounts,
    where a plan made for the values takes milliseconds. Written out, they need no
    parameter either, so a chunk is not bound by SQLite's limit on parameters."""
    return column.in_(bindparam("among", values, expanding=True, literal_execute=True))


def existing_emails(emails: list[str]) -> set[str]:
    """Which of these addresses already have an account: one query per chunk."""
    found: set[str] = set()
    for chunk in _chunks(emails):
        found.update(db.session.scalars(select(User.email).where(_among(User.email, chunk))))
    return found


@dataclass
class Preview:
    """What an import would do, and the first rows and problems to show."""

    rows: int
    created: int
    updated: int
    problems: int
    first_rows: list[RegisterRow]
    first_problems: list[RegisterProblem]


def preview(parsed: ParsedRegister, *, shown: int = 50, problems_shown: int = 100) -> Preview:
    existing = existing_emails([row.email for row in parsed.rows])
    return Preview(
        rows=len(parsed.rows),
        created=len(parsed.rows) - len(existing),
        updated=len(existing),
        problems=len(parsed.problems),
        first_rows=parsed.rows[:shown],
        first_problems=parsed.problems[:problems_shown],
    )


def import_members(rows: list[RegisterRow], *, now: datetime) -> ImportReport:
    """Create the accounts that are new and grant the roles to the ones that exist, in bulk
    statements of thousands of rows, in the caller's transaction.

    New accounts have no password and no confirmed address (both left NULL): their owners
    confirm it by choosing a password through "forgot password".
    """
    db.session.flush()
    existing = existing_emails([row.email for row in rows])
    report = ImportReport()
    new = []
    members: list[str] = []
    staff: list[str] = []
    for row in rows:
        if row.email in existing:
            report.updated.append(row.email)
            if "member" in row.roles:
                members.append(row.email)
            if "secretariat" in row.roles:
                staff.append(row.email)
        else:
            report.created.append(row.email)
            new.append(
                {
                    "email": row.email,
                    "name": row.name,
                    "is_member": "member" in row.roles,
                    "is_secretariat": "secretariat" in row.roles,
                    "created_at": now,
                }
            )
    users = User.__table__
    for chunk in _chunks(new):
        db.session.execute(insert(users), chunk)
    for column, emails in (("is_member", members), ("is_secretariat", staff)):
        for chunk in _chunks(emails):
            db.session.execute(
                update(users)
                # A role held already is not written again: re-importing a register
                # rewrites no row.
                .where(_among(users.c.email, chunk), users.c[column].is_(False))
                .values({column: True})
            )
    # The statements went around the session: what it holds of these accounts is stale.
    db.session.expire_all()
    return report


# --- the upload between preview and import ----------------------------------------------


def raise_upload_limit(app: Flask, endpoint: str) -> None:
    """Let the secretariat send a register of up to UPLOAD_LIMIT to `endpoint`.

    Decided before anything reads the body (the CSRF check reads the form first), only for
    a signed-in secretariat, and only for a file upload (multipart, whose other fields keep
    Flask's MAX_FORM_MEMORY_SIZE): anyone else, and any other form posted there (granting a
    role, say), keeps the app's limit.
    """

    def _larger_body_for_the_register():
        if (
            request.endpoint == endpoint
            and request.method == "POST"
            and request.mimetype == "multipart/form-data"
            and current_user.is_authenticated
            and current_user.is_secretariat
        ):
            request.max_content_length = max(
                UPLOAD_LIMIT, current_app.config.get("MAX_CONTENT_LENGTH") or 0
            )

    app.before_request_funcs.setdefault(None, []).insert(0, _larger_body_for_the_register)


def _uploads() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(user_id: int, token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    return _uploads() / f"{user_id}-{token}.csv"


def small_upload_text(upload: BinaryIO) -> str | None:
    """The text of an upload of at most EDITABLE_BYTES, which the preview shows in the form
    for correcting; None for a larger one (read again from its start). UnicodeDecodeError
    when it is not UTF-8."""
    head = upload.read(EDITABLE_BYTES + 1)
    if len(head) > EDITABLE_BYTES:
        upload.seek(0)
        return None
    return head.decode("utf-8-sig")


def keep_upload(user_id: int, upload: BinaryIO) -> str:
    """Store an upload until it is imported; the token names it for that person only."""
    folder = _uploads()
    cutoff = time.time() - UPLOAD_KEPT_SECONDS
    for old in folder.glob("*.csv"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except FileNotFoundError:
            pass
    token = secrets.token_urlsafe(24)
    path = folder / f"{user_id}-{token}.csv"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        while block := upload.read(1024 * 1024):
            handle.write(block)
    return token


def kept_upload(user_id: int, token: str) -> Path | None:
    """The stored upload this person's token names, or None when it is gone."""
    path = _path(user_id, token)
    return path if path is not None and path.exists() else None


def claim_upload(user_id: int, token: str) -> Path | None:
    """Take the stored upload for importing, so that a second press of the button finds it
    gone rather than importing it twice; None when it is gone already."""
    path = _path(user_id, token)
    if path is None:
        return None
    claimed = path.with_suffix(f".importing-{secrets.token_hex(4)}")
    try:
        path.rename(claimed)
    except FileNotFoundError:
        return None
    return claimed


def forget_upload(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


def parse_file(path: Path) -> ParsedRegister:
    """Parse a stored file as a stream; UnicodeDecodeError when it is not UTF-8."""
    with path.open("rb") as binary, text_stream(binary) as text:
        return parse_member_register(text)
