"""The page checkers: the Nu HTML Checker (valid HTML) and axe-core (accessibility)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import RUN_SHARED


@pytest.fixture(scope="session")
def nu_checker():
    """The Nu HTML Checker, one for the whole run: the first process to need it starts it."""

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
