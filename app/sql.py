"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def _insert(model):
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model)


def insert_if_absent(model, **values) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True when the row is new. The unique constraint,
    not a prior SELECT, decides, so two requests at once cannot both insert."""
    # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT.
    statement = _insert(model).values(**values).on_conflict_do_nothing()
    return db.session.execute(statement.returning(model.id)).first() is not None


def upsert(model, keys: list[str], **values) -> None:
    """INSERT, or UPDATE the row with the same `keys`."""
    statement = _insert(model).values(**values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=keys,
            set_={name: value for name, value in values.items() if name not in keys},
        )
    )
