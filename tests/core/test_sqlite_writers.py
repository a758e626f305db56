"""SQLite's writers take turns through a lock file: the next starts when the last ends,
and a thread that would wait for itself gets "database is locked" instead of hanging."""

import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app.core.database import serialize_sqlite_writers


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    serialize_sqlite_writers(engine, timeout=0.3)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    engine.dispose()


def test_a_second_writer_waits_for_the_first_to_commit(engine):
    order = []
    first = engine.connect()
    first.execute(text("INSERT INTO t VALUES (1)"))

    def second_writer():
        with engine.begin() as conn:
            # Without the lock file SQLite would refuse this write at once.
            conn.exec_driver_sql("PRAGMA busy_timeout = 0")
            conn.execute(text("INSERT INTO t VALUES (2)"))
        order.append("second committed")

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.2)
    assert order == []  # still waiting, not failed and not sleeping in SQLite
    order.append("first commits")
    first.commit()
    thread.join(timeout=5)
    first.close()
    assert order == ["first commits", "second committed"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 2]


def test_one_thread_with_two_writing_connections_fails_instead_of_hanging(engine):
    with engine.connect() as first, engine.connect() as second:
        first.execute(text("INSERT INTO t VALUES (1)"))
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            second.execute(text("INSERT INTO t VALUES (2)"))
        assert time.monotonic() - started < 3
        first.commit()
    with engine.begin() as conn:  # the lock was given back
        conn.execute(text("INSERT INTO t VALUES (3)"))


def test_reads_never_wait(engine):
    with engine.connect() as writer, engine.connect() as reader:
        writer.execute(text("INSERT INTO t VALUES (1)"))
        assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
        writer.rollback()
