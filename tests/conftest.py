"""The suite's fixtures and hooks live in tests/plugins, one module per concern: the
database and the app, accounts, mail, the live server and the browser, the page checkers,
error pages, query counting, and the run's own order. Proposals' fixtures are
tests/support/proposals.py.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set
(`postgresql+psycopg://postgres@127.0.0.1:5432/test`).
"""

pytest_plugins = [
    "tests.plugins.ordering",
    "tests.plugins.database",
    "tests.plugins.mail",
    "tests.plugins.accounts",
    "tests.plugins.live",
    "tests.plugins.checkers",
    "tests.plugins.errors",
    "tests.plugins.queries",
    "tests.support.proposals",
    "tests.support.amendments",
    # Runs a pytest of its own (tests/test_isolation.py).
    "pytester",
]
