"""GET /feeds/proposals.atom: the newest public proposals as an Atom feed."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from app.core.database import utcnow
from app.proposals import lifecycle as lc
from app.proposals import queries, reading

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


@bp.get("/proposals.atom")
def proposals():
    """The 50 most recently changed public proposals, optionally in one state."""
    state = request.args.get("state", "").strip()
    if state and state not in lc.PUBLIC_STATES:
        abort(400, description=_("There is no public state called %(state)s.", state=state))
    reading.all_current(utcnow())
    result = queries.list_proposals(queries.ListFilters(state=state or None), None, page_size=50)
    body = render_template(
        "feeds/proposals.atom.xml",
        proposals=result.proposals,
        state=state,
        updated=result.proposals[0].state_changed_at if result.proposals else utcnow(),
    )
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}
