"""Counting the SQL statements a piece of the app runs (the query budgets)."""

from __future__ import annotations

import pytest

from app.core.extensions import db


@pytest.fixture
def count_queries(app):
    """`with count_queries() as statements:` records the SQL the app runs inside."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        with app.app_context():
            engine = db.engine
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting
