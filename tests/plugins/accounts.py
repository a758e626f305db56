"""Accounts a test makes, as plain values (never an ORM object that goes stale)."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import count

import pytest
from flask import current_app, has_app_context

from app.accounts import services as accounts
from app.core.database import utcnow
from app.core.extensions import db

# --- accounts ------------------------------------------------------------------------------


@dataclass
class Account:
    """What a test needs to know of an account it made: not an ORM object, so it
    never goes stale or detached."""

    id: int
    email: str
    name: str
    password: str
    roles: set[str] = field(default_factory=set)


_serial = count(1)


@pytest.fixture
def make_user(app):
    """Create an account: `make_user()`, `make_user("member")`, `make_user("member",
    "secretariat", name="Karen")`."""

    def make(
        *roles: str,
        name: str | None = None,
        email: str | None = None,
        password: str = "correct horse battery",
    ) -> Account:
        n = next(_serial)
        name = name or f"Test Person {n}"
        email = email or f"person{n}@example.org"
        # Inside the test's own app context, use its session: a second connection would
        # wait for the first one's write lock on SQLite.
        inside = has_app_context() and current_app._get_current_object() is app
        with nullcontext() if inside else app.app_context():
            user = accounts.create_user(
                email=email, name=name, password=password, roles=set(roles), now=utcnow()
            )
            db.session.commit()
            return Account(user.id, user.email, user.name, password, set(user.roles))

    return make
