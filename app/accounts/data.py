"""A person's own data: downloading everything stored about them, and deleting the account.

(Being built: the routes answer 404 until the download and the erasure are in.)
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import login_required

bp = Blueprint("account_data", __name__)


@bp.get("/account/data")
@login_required
def download():
    """Download everything stored about me as one JSON file."""
    abort(404)


@bp.post("/account/delete")
@login_required
def delete():
    """Delete my account with my password."""
    abort(404)
