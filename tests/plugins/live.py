"""The app under gunicorn, one server per test session shared by the tests that drive it
over HTTP, and Debian's Chromium for the browser tests, each test in a fresh tab."""

from __future__ import annotations

import os

import pytest

from tests.plugins.database import TEST_SECRET_KEY

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
