"""The declarative base, the one UTC time column type, and SQLite's connection settings."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, aware and in UTC: the only kind of time the models hold."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A point in time, stored in UTC and always read back timezone-aware.

    SQLite has no time zones and hands back naive values; PostgreSQL stores
    `timestamptz`. Either way the application sees aware UTC datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def render_item(type_, obj, autogen_context):
    """Alembic hook: write our column types into migrations as the plain types they store."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def keep_private(folder: Path, sqlite_urls: list[str]) -> None:
    """The instance folder readable by its owner only, and the SQLite files in it (the
    database, its write-ahead log, the queue): they hold every account and every opinion.
    A folder that others share (a sticky /tmp) or that is not ours is left as it is; SQLite
    gives a database's -wal and -shm files the database's own mode."""
    try:
        made = not folder.exists()
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        status = folder.stat()
        if made or (status.st_uid == os.getuid() and not status.st_mode & stat.S_ISVTX):
            folder.chmod(PRIVATE_FOLDER)
    except OSError:
        pass
    for url in sqlite_urls:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            continue
        path = Path(parsed.database)
        try:
            # Made empty, owner only, before SQLite or the queue first opens it. A file that
            # exists is not opened: closing a descriptor of it would drop every lock this
            # process's connections hold on it (POSIX locks belong to the process).
            if not path.exists():
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
            for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                if file.exists() and file.stat().st_uid == os.getuid():
                    file.chmod(PRIVATE_FILE)
        except OSError:
            pass


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """Foreign keys on, write-ahead log, and wait for a lock rather than fail at once."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


# --- one writer at a time, handed over without SQLite's sleeps ---------------------------
#
# SQLite lets one connection write at a time. A writer that finds the lock taken sleeps in
# SQLite's busy handler for 1, 2, 5, 10 … 100 ms before trying again, so under a crowd of
# supports many wait far longer than the writer before them took. Every writer of the file
# first takes an exclusive lock on "<file>-writer.lock" instead, and gives it back right
# after its COMMIT or ROLLBACK: the kernel wakes the next writer the moment the last ends.
# A thread that already writes through another connection would wait for itself; it
# polls instead and gives up after the timeout, as SQLite's own lock would.

_WRITES = ("insert", "update", "delete", "replace")
_holders: dict[str, int] = {}  # lock file -> the thread of this process that holds it


class _WriterLock:
    def __init__(self, path: str, timeout: float) -> None:
        self._path = path
        self._file = open(path, "a+b")  # noqa: SIM115 (held for the connection's life)
        self._timeout = timeout
        self.held = False

    def acquire(self) -> None:
        fd = self._file.fileno()
        if _holders.get(self._path) != threading.get_ident():
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + self._timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise sqlite3.OperationalError("database is locked") from None
                    time.sleep(0.001)
        self.held = True
        _holders[self._path] = threading.get_ident()

    def release(self) -> None:
        if self.held:
            self.held = False
            if _holders.get(self._path) == threading.get_ident():
                del _holders[self._path]
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)


class _NoLock:
    held = True

    def release(self) -> None:
        pass


_NO_LOCK = _NoLock()


def serialize_sqlite_writers(engine: Engine, *, timeout: float = 10.0) -> None:
    """Hand SQLite's write lock from writer to writer through a lock file (see above)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    path = f"{engine.url.database}-writer.lock"

    def lock_of(connection) -> _WriterLock:
        try:
            info = connection.info
        except NotImplementedError:  # the dialect's own first look at a new connection
            return _NO_LOCK
        if "writer_lock" not in info:
            info["writer_lock"] = _WriterLock(path, timeout)
        return info["writer_lock"]

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(conn, _cursor, statement, *_args):
        if statement.lstrip()[:7].lower().startswith(_WRITES):
            lock = lock_of(conn.connection)
            if not lock.held:
                lock.acquire()

    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection):
        try:
            commit(dbapi_connection)
        finally:
            lock_of(dbapi_connection).release()

    def do_rollback(dbapi_connection):
        try:
            rollback(dbapi_connection)
        finally:
            lock_of(dbapi_connection).release()

    dialect.do_commit = do_commit
    dialect.do_rollback = do_rollback
