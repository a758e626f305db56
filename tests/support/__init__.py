"""Helpers shared by the test layers: environment checks, forms, the live server, checkers."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
NODE_MODULES = TESTS / "node_modules"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# A folder every process of this test run knows (tests/plugins/ordering.py makes it in the run's
# main process; pytest-xdist's workers inherit the variable): what they share.
RUN_SHARED = "FORSLAG_TEST_RUN_SHARED"


def run_shared() -> Path | None:
    folder = os.environ.get(RUN_SHARED)
    return Path(folder) if folder else None


def require(available: bool, what: str) -> None:
    """Skip when a tool is missing on a developer's machine; fail in CI, where it must be."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing, and CI must run this test (see `make test-tools`)")
    # Also when a module's tests are made from the tool's data while pytest collects.
    pytest.skip(
        f"{what} is missing: run `make test` (as root it installs it)", allow_module_level=True
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def count_rows(app, model, **where) -> int:
    """How many rows of `model` have the given column values."""
    from sqlalchemy import func, select

    from app.core.extensions import db

    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def send_queued_mail(app, *, public_url: str | None = None) -> None:
    """What the worker does when a request's commit wakes it (`jobs.tell`): the mail that
    the request queued goes out. Requests never send mail themselves. `public_url`: the
    address the mail links to, when it is not the app's (a live server's own)."""
    from app.cli import jobs
    from app.core.database import utcnow

    with app.app_context():
        own = app.config["PUBLIC_URL"]
        app.config["PUBLIC_URL"] = public_url or own
        try:
            jobs.tell(utcnow())
        finally:
            app.config["PUBLIC_URL"] = own
