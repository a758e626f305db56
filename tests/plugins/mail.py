"""The mail tests read: a real SMTP server (aiosmtpd) on loopback, one per test process,
and each test's mailbox of what the app sent it."""

from __future__ import annotations

import pytest

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
