"""An app whose routes fail the ways real views can, for the error pages' tests."""

from __future__ import annotations

import pytest

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
