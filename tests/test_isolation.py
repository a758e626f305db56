"""Tests do not lean on one another: a test that wrote rows and then failed leaves nothing
behind for the next, on either database. Shown by running such a pair in a pytest of its
own, with the suite's plugins."""

from tests.support import ROOT

PAIR = '''
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.extensions import db
from app.proposals.models import Proposal


def test_writes_then_fails(app, make_user, make_proposal):
    make_user("member", email="left-behind@example.org")
    make_proposal("hearing")
    raise AssertionError("failed after writing")


def test_the_next_finds_nothing(app):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
'''


def test_a_test_that_wrote_and_failed_leaves_nothing_behind(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest('from tests.conftest import pytest_plugins  # noqa: F401\n')
    pytester.makepyfile(test_pair=PAIR)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*_ test_writes_then_fails _*", "*AssertionError: failed after writing"]
    )
