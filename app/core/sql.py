"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from app.core.extensions import db


def insert_statement(model):
    """The dialect's INSERT, which knows ON CONFLICT."""
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model)


def insert_if_absent(model, **values) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True when the row is new. The unique constraint,
    not a prior SELECT, decides, so two requests at once cannot both insert."""
    # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT. A plain table
    # statement: the ORM has nothing to add to it.
    table = model.__table__
    statement = insert_statement(table).values(**values).on_conflict_do_nothing()
    return db.session.execute(statement.returning(table.c.id)).first() is not None


def upsert(model, keys: list[str], **values) -> None:
    """INSERT, or UPDATE the row with the same `keys`."""
    statement = insert_statement(model).values(**values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=keys,
            set_={name: value for name, value in values.items() if name not in keys},
        )
    )


def bump(model, row_id: int, obj, **deltas: int) -> tuple:
    """Add to counter columns of one row in a single UPDATE (never read-modify-write) and
    tell `obj` the new values without marking it changed. Returns them in order."""
    columns = [getattr(model, name) for name in deltas]
    values = db.session.execute(
        update(model)
        .where(model.id == row_id)
        .values({c: c + d for c, d in zip(columns, deltas.values(), strict=True)})
        .returning(*columns)
        .execution_options(synchronize_session=False)
    ).one()
    for name, value in zip(deltas, values, strict=True):
        set_committed_value(obj, name, value)
    return tuple(values)


def lock_rows(model, *where) -> list:
    """Take the write lock before deciding on rows others may change at the same moment:
    FOR UPDATE on PostgreSQL (in id order, so two lockers never deadlock); on SQLite,
    whose lock is the whole database, a write that changes nothing takes it."""
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalars(
            select(model.id).where(*where).order_by(model.id).with_for_update()
        ).all()
    db.session.execute(update(model).where(model.id == -1).values(id=model.id))
    return db.session.scalars(select(model.id).where(*where)).all()
