"""The test run's own machinery: a folder every process of the run shares, the order the
heavy tests start in, and the Nu HTML Checker started beside the first tests."""

from __future__ import annotations

import os

import pytest

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
