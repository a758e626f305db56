"""Everything stored about a person, as one JSON document written a piece at a time.

The document's sections are the ones the packages register in app.core.personal_data, in
the order below (ORDER): where each goes in the file, the query that reads its rows, and
which (table, column) that references users.id it answers for, so that
tests/privacy/test_data.py can check from the models that nothing stored about a person is
left out. Rows are read in batches (`yield_per`) and each is written as soon as it is read:
10,000 comments cost the memory of one batch. The structure is described in the README
("Your data").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime

from app.accounts.models import User
from app.core.extensions import db
from app.core.i18n import iso
from app.core.personal_data import SECTIONS as REGISTERED
from app.core.personal_data import Section

FORMAT = "forslag-account-data/1"
BATCH = 500  # rows read at a time
CHUNK = 64 * 1024  # characters handed to the server at a time

# The document's lists, in the order the README gives them.
ORDER = (
    ("proposals",),
    ("comments",),
    ("hearing_answers",),
    ("amendments",),
    ("amendment_backing",),
    ("amendment_stances",),
    ("amendment_decisions",),
    ("likes", "proposals"),
    ("likes", "comments"),
    ("supports",),
    ("stances",),
    ("follows", "proposals"),
    ("follows", "topics"),
    ("notifications",),
    ("invitations", "received"),
    ("invitations", "sent"),
    ("flags",),
    ("saves",),
    ("versions",),
    ("transitions",),
    ("outcomes",),
    ("moderation",),
    ("audit_entries",),
    ("roles_changed",),
    ("events",),
    ("mail",),
    ("password_reset_links",),
    ("account_links",),
)


def sections() -> list[Section]:
    """The registered sections in the document's order (any not in ORDER at the end)."""
    rest = [path for path in REGISTERED if path not in ORDER]
    return [REGISTERED[path] for path in (*ORDER, *rest) if path in REGISTERED]


def _plain(value):
    """What json.dumps cannot write itself: times as ISO 8601 UTC."""
    if isinstance(value, datetime | date):
        return iso(value)
    return str(value)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_plain)


def account_of(user: User) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "roles": user.roles,
        "language": user.language,
        "email_setting": user.email_setting,
        "notify_new_hearings": user.notify_new_hearings,
        "notify_seeking_support": user.notify_seeking_support,
        "created_at": user.created_at,
        "confirmed_at": user.confirmed_at,
    }


def _items(section: Section, user_id: int) -> Iterator[str]:
    """The section's rows as JSON objects, read a batch at a time."""
    result = db.session.execute(section.query(user_id).execution_options(yield_per=BATCH))
    for row in result:
        yield _dumps(section.item(row))


def pieces(user: User, *, now: datetime) -> Iterator[str]:
    """The document, as pieces of text that together are one JSON object."""
    user_id = user.id
    yield "{\n"
    yield f'"format": {_dumps(FORMAT)},\n"exported_at": {_dumps(now)},\n'
    yield f'"account": {_dumps(account_of(user))}'
    group = None
    for section in sections():
        top, *inner = section.path
        if group is not None and group != top:
            yield "\n}"
            group = None
        if inner:
            yield f",\n{_dumps(top)}: {{\n" if group is None else ",\n"
            group = top
            yield f"{_dumps(inner[0])}: ["
        else:
            yield f",\n{_dumps(top)}: ["
        first = True
        for item in _items(section, user_id):
            yield ("\n" if first else ",\n") + item
            first = False
        yield "]" if first else "\n]"
    if group is not None:
        yield "\n}"
    yield "\n}\n"


def chunks(user: User, *, now: datetime) -> Iterator[str]:
    """The document in pieces of about CHUNK characters: few writes to the client, and
    never more than a batch of rows in memory."""
    buffer: list[str] = []
    size = 0
    for piece in pieces(user, now=now):
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)
