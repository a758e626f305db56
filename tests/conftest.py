"""Fixtures every test layer shares: the database, the app, its client, accounts and mail.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set
(`postgresql+psycopg://postgres@127.0.0.1:5432/test`). Each pytest-xdist worker gets a
database of its own, migrated with Alembic once per session; every test starts empty.
"""

from __future__ import annotations

import os
import shutil
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count
from pathlib import Path

import flask_migrate
import pytest
from flask import current_app, has_app_context
from jinja2 import MemcachedBytecodeCache
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.accounts import services as accounts
from app.core.database import utcnow
from app.core.extensions import db

pytest_plugins = ["tests.support.proposals"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_SECRET_KEY = "test-secret-key-not-for-production"
# Fast to compute; production uses scrypt (see PASSWORD_HASH_METHOD).
TEST_PASSWORD_HASH = "pbkdf2:sha256:1000"


# --- mail: a real SMTP server on loopback ------------------------------------------------


@pytest.fixture(scope="session")
def smtp_server():
    from tests.support.smtp import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server):
    """The messages the app sends during this test, received over SMTP."""
    smtp_server.clear()
    return smtp_server


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


# --- the live server, the browser and the page checkers ------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def live_env(base_config: dict, **extra: str) -> dict[str, str]:
    """The environment that points a gunicorn process at the session's database and mail."""
    return {
        "DATABASE_URL": base_config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": TEST_SECRET_KEY,
        "MAIL_URL": base_config["MAIL_URL"],
        "FORSLAG_INSTANCE_PATH": base_config["INSTANCE_PATH"],
        "FORSLAG_PAGE_CACHE_SECONDS": "0s",
        "FORSLAG_QUEUE_URL": base_config["QUEUE_URL"],
        "FORSLAG_QUEUE_NAME": base_config["QUEUE_NAME"],
        "FORSLAG_MAIL_RETRY_AFTER": "1s",
        **extra,
    }


@pytest.fixture(scope="session")
def _session_live_server(base_config, migrated, tmp_path_factory):
    from tests.support.live import start_gunicorn

    server = start_gunicorn(
        live_env(base_config), tmp_path_factory.mktemp("gunicorn") / "log.txt", workers=2
    )
    yield server
    server.stop()


@pytest.fixture
def live_server(_session_live_server, app):
    """The app under gunicorn (2 workers) on the test database; emptied after each test."""
    assert _session_live_server.process.poll() is None, _session_live_server.log()
    return _session_live_server


@pytest.fixture(scope="session")
def browser():
    from tests.support import require

    require(os.path.exists(CHROMIUM), f"Debian's Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab on the live server. It fails the test when the page logs an
    error, throws, or opens a dialog (which would mean injected script ran)."""
    from tests.support.checkers import watch

    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems = watch(tab, dismiss=True)
    yield tab
    context.close()
    assert not problems, "\n".join(problems)


# RUN_SHARED names a folder every process of this test run knows (the main one makes it;
# pytest-xdist's workers inherit the variable): the one Nu HTML Checker, the sweep's forms.
from tests.support import RUN_SHARED  # noqa: E402


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the run's main process
        import tempfile

        os.environ[RUN_SHARED] = tempfile.mkdtemp(prefix="forslag-test-run-")


# Heavy tests first: those that start gunicorn, Chromium, a wheel build or a benchmark
# take seconds where others take milliseconds. pytest-xdist hands each process a block of
# the tests in collection order, and a process that runs out steals from the end of
# another's: a long test near the end kept one core busy alone while the other sat idle.
# So the heavy ones are dealt out in turn to the front of each process's block, by their
# markers (no table of durations to keep).
HEAVY = ("browser", "live", "packaging", "once")


def _heavy(item) -> bool:
    return any(item.get_closest_marker(name) for name in HEAVY)


def pytest_collection_modifyitems(config, items):
    """Browser and packaging tests are `once` (pyproject.toml); heavy tests first in each
    process's block (see HEAVY)."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("packaging"):
            item.add_marker(pytest.mark.once)
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    if workers < 2:
        return
    heavy = [item for item in items if _heavy(item)]
    rest = [item for item in items if not _heavy(item)]
    blocks: list[list] = [heavy[n::workers] for n in range(workers)]
    # The blocks as xdist's work stealing cuts them: an even share of what is left, in turn.
    ordered, left = [], len(items)
    for n, block in enumerate(blocks):
        size = left // (workers - n)
        take = max(0, size - len(block))
        ordered += block + rest[:take]
        rest = rest[take:]
        left -= len(block) + take
    items[:] = ordered + rest


def pytest_collection_finish(session):
    # The Nu HTML Checker takes 5-10 s to start: it starts now, beside the first tests,
    # when this process has tests that will need it.
    shared = os.environ.get(RUN_SHARED)
    items = session.items
    if shared and any("nu_checker" in getattr(item, "fixturenames", ()) for item in items):
        from pathlib import Path

        from tests.support.checkers import NuChecker, java_available

        if java_available():
            NuChecker.launch(Path(shared))


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and os.environ.get(RUN_SHARED):
        import shutil
        from pathlib import Path

        from tests.support.checkers import NuChecker

        shared = Path(os.environ.pop(RUN_SHARED))
        NuChecker.stop_shared(shared)
        shutil.rmtree(shared, ignore_errors=True)


@pytest.fixture(scope="session")
def nu_checker():
    """The Nu HTML Checker, one for the whole run: the first process to need it starts it."""
    from pathlib import Path

    from tests.support import require
    from tests.support.checkers import NuChecker, java_available

    require(java_available(), "Java with the Nu HTML Checker (tests/node_modules/vnu-jar)")
    shared = os.environ.get(RUN_SHARED)
    checker = NuChecker(Path(shared) if shared else None)
    yield checker
    checker.close()


@pytest.fixture
def assert_valid_html(nu_checker):
    """Check markup with the Nu HTML Checker: 0 errors allowed."""
    from tests.support.checkers import describe_html_errors

    def check(html: str, where: str = "page") -> None:
        errors = nu_checker.errors(html)
        assert not errors, f"HTML errors on {where}:\n{describe_html_errors(errors)}"

    return check


@pytest.fixture
def assert_accessible():
    """Check the page in the browser with axe-core: 0 WCAG 2.1 A/AA violations allowed."""
    from tests.support import require
    from tests.support.checkers import AXE_PATH, axe_violations, describe_violations

    require(AXE_PATH.exists(), "axe-core (tests/node_modules/axe-core)")

    def check(tab, where: str = "page") -> None:
        violations = axe_violations(tab)
        assert not violations, f"axe violations on {where}:\n{describe_violations(violations)}"

    return check


ERROR_STATUSES = (400, 403, 404, 405, 409, 413, 429, 500)


@pytest.fixture
def failing_app(make_app):
    """The app plus routes that fail the ways real views can, for error-page tests only."""
    from flask import abort

    app = make_app(PROPAGATE_EXCEPTIONS=False)  # an app of its own: routes are added

    @app.get("/__fail/<int:status>")
    def fail(status):
        abort(status)

    @app.get("/__crash")
    def crash():
        raise RuntimeError("boom")

    return app


def error_page_path(status: int) -> str:
    return "/__crash" if status == 500 else f"/__fail/{status}"


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
