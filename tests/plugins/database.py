"""The database, the app and its client: each pytest-xdist process gets a database of its
own (SQLite by default, PostgreSQL when TEST_DATABASE_URL is set:
`postgresql+psycopg://postgres@127.0.0.1:5432/test`), migrated with Alembic once per
session; every test starts with its tables empty."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import flask_migrate
import pytest
from jinja2 import MemcachedBytecodeCache
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.core.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_SECRET_KEY = "test-secret-key-not-for-production"
# Fast to compute; production uses scrypt (see PASSWORD_HASH_METHOD).
TEST_PASSWORD_HASH = "pbkdf2:sha256:1000"


# --- the database --------------------------------------------------------------------------


def _postgres_admin_url(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_postgres_database(base_url: str, name: str) -> str:
    """Create (afresh) the database `name` on the server of `base_url`; return its URL."""
    import psycopg

    url = make_url(base_url)
    with psycopg.connect(_postgres_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(base_url: str, name: str) -> None:
    import psycopg

    url = make_url(base_url)
    with psycopg.connect(_postgres_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory, worker_id):
    """A factory of empty databases of the kind under test, named after `label`."""
    created: list[str] = []

    def make(label: str) -> str:
        if TEST_DATABASE_URL:
            # With the process's id: two runs at once on one server keep to their own.
            name = f"{make_url(TEST_DATABASE_URL).database}_{worker_id}_{os.getpid()}_{label}"
            created.append(name)
            return create_postgres_database(TEST_DATABASE_URL, name)
        return f"sqlite:///{tmp_path_factory.mktemp(label) / 'forslag.db'}"

    yield make
    for name in created:
        drop_postgres_database(TEST_DATABASE_URL, name)


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def queue_url(instance_path, worker_id):
    """The worker's queue: Redis in the PostgreSQL run (as production has it), the SQLite
    file in the SQLite run. Each test process queues under a name of its own."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{instance_path / 'queue.db'}", f"forslag-test-{worker_id}"
        return
    url = os.environ.get("TEST_QUEUE_URL", "redis://127.0.0.1:6379/1")
    name = f"forslag-test-{worker_id}-{os.getpid()}"
    yield url, name
    from huey import RedisHuey

    RedisHuey(name=name, url=url).storage.flush_all()


@pytest.fixture(scope="session")
def base_config(empty_database, instance_path, smtp_server, queue_url) -> dict:
    """The settings of the app under test; tests extend them through `make_app`."""
    return {
        # Links in mail, feeds and the API are made on this address, and the app answers
        # requests for its host only (the test client's).
        "PUBLIC_URL": "http://localhost",
        "QUEUE_URL": queue_url[0],
        "QUEUE_NAME": queue_url[1],
        # Mail that could not be sent is retried after a second, not half a minute.
        "MAIL_RETRY_AFTER": timedelta(seconds=1),
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": empty_database("main"),
        "SECRET_KEY": TEST_SECRET_KEY,
        "INSTANCE_PATH": str(instance_path),
        "MAIL_URL": smtp_server.url,
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
        # Pages are read back right after each change; tests/test_caching.py turns it on.
        "PAGE_CACHE_SECONDS": 0,
        # Tests send many requests from one client; tests/test_rate_limits.py turns it on.
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture(scope="session")
def migrated(base_config) -> str:
    """Bring the session's database to the newest schema through the migrations."""
    app = create_app(base_config)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return base_config["SQLALCHEMY_DATABASE_URI"]


_EMPTYING: dict[str, str] = {}  # database URL -> the statements that empty it


def empty_all_tables() -> None:
    """Every table emptied and, on PostgreSQL, its ids started again at 1. DELETE, not
    TRUNCATE: a test leaves a few rows, and TRUNCATE of every table costs 60 ms of file
    work on PostgreSQL; the DELETEs go in one round trip."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name != "postgresql":
        for table in tables:
            db.session.execute(table.delete())
        db.session.commit()
        return
    url = str(db.engine.url)
    if url not in _EMPTYING:
        sequences = db.session.scalars(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        ).all()
        statements = [f'DELETE FROM "{table.name}"' for table in tables]
        if sequences:
            restart = ", ".join(f"setval('\"{name}\"', 1, false)" for name in sequences)
            statements.append(f"SELECT {restart}")
        _EMPTYING[url] = "; ".join(statements)
    db.session.connection().exec_driver_sql(_EMPTYING[url])
    db.session.commit()


class _Memory(dict):
    """What Jinja's memcached bytecode cache needs of its client, in this process."""

    def set(self, key, value, timeout=None):
        self[key] = value


# Each test builds its own app, whose Jinja would compile every template it renders anew;
# the compiled code is kept here instead, keyed by each template's source, for all of this
# test process's apps.
COMPILED_TEMPLATES = MemcachedBytecodeCache(_Memory())


# The app most tests use, with the session's settings and nothing more, is built once per
# test process (building one costs about 50 ms, and on PostgreSQL its fresh connections more)
# and put back as it was before each test: its settings, its page cache, its rate limits.
_PLAIN: dict = {}


def _plain_app(base_config):
    if "app" not in _PLAIN:
        app = create_app(base_config)
        app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
        _PLAIN.update(app=app, config=dict(app.config))
        return app
    app = _PLAIN["app"]
    app.config.clear()
    app.config.update(_PLAIN["config"])
    app.extensions["page_cache"].clear()
    for limiter in app.extensions.get("limiter", ()):
        limiter.reset()
    return app


@pytest.fixture
def make_app(base_config, migrated):
    """Build an app on the session's database with extra settings; tables are emptied after."""
    apps = []

    def make(**overrides):
        if overrides:
            app = create_app({**base_config, **overrides})
            app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
        else:
            app = _plain_app(base_config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            if app is not _PLAIN.get("app"):
                db.engine.dispose()
    if apps:
        with apps[0].app_context():
            empty_all_tables()
            if apps[0] is not _PLAIN.get("app"):
                db.engine.dispose()
        forget_made_pdfs(base_config)


def forget_made_pdfs(config: dict) -> None:
    """The PDFs the worker made (app.core.pdf_files) go with the rows they were made from."""
    shutil.rmtree(Path(config["INSTANCE_PATH"]) / "pdf", ignore_errors=True)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()
