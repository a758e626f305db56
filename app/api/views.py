"""GET /api/v1/…: proposals as JSON, read-only, with the same visibility as the pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user

from app.accounts.models import person_name
from app.amendments import queries as amendment_queries
from app.api.openapi import spec
from app.core.database import utcnow
from app.core.i18n import iso
from app.core.urls import public_url
from app.proposals import lifecycle as lc
from app.proposals import queries, reading
from app.proposals.models import Proposal

bp = Blueprint("api", __name__, url_prefix="/api/v1")

API_PAGE_SIZE = 50


def _bad_request(message: str):
    response = jsonify({"error": "Bad Request", "status": 400, "message": message})
    response.status_code = 400
    abort(response)


def _support(proposal: Proposal) -> dict:
    if proposal.support_threshold is None:
        return {"count": proposal.support_count, "threshold": None, "deadline": None}
    return {
        "count": proposal.support_count,
        "threshold": proposal.support_threshold,
        "deadline": iso(proposal.support_deadline) or None,
    }


def summary_of(proposal: Proposal) -> dict:
    return {
        "id": proposal.id,
        "title": proposal.title,
        "summary": proposal.summary,
        "state": proposal.state,
        "topic": proposal.topic.name,
        "proposer_count": proposal.proposer_count,
        "support": _support(proposal),
        "likes": proposal.like_count,
        "comment_count": proposal.comment_count,
        "created_at": iso(proposal.created_at),
        "updated_at": iso(proposal.updated_at),
        "state_changed_at": iso(proposal.state_changed_at),
        "hearing_ends_at": iso(proposal.hearing_ends_at) or None,
        "url": public_url("proposals.detail", proposal_id=proposal.id),
    }


@bp.get("/proposals")
def proposals():
    """List proposals: the filters and pages of the list page."""
    try:
        filters = queries.list_filters(request.args)
    except queries.BadFilter as bad:
        _bad_request(
            f"unknown state {bad.value!r}; one of: {', '.join(lc.STATES)}"
            if bad.key == "state"
            else f"unknown sort {bad.value!r}; one of: {', '.join(queries.SORTS)}"
            if bad.key == "sort"
            else "page must be a whole number from 1"
        )
    reading.all_current(utcnow())
    result = queries.list_proposals(filters, current_user, page_size=API_PAGE_SIZE)
    return jsonify(
        {
            "items": [
                # With q, each hit has its snippet: escaped HTML, matching words in <mark>.
                {**summary_of(p), "snippet": str(result.snippets[p.id])}
                if p.id in result.snippets
                else summary_of(p)
                for p in result.proposals
            ],
            "page": result.page,
            "pages": result.pages,
            "per_page": API_PAGE_SIZE,
            "total": result.total,
            # With q, a search lists at most 200 proposals (app.search.engine.LISTED).
            "total_exact": not result.more,
        }
    )


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    """One proposal with its proposers, figures and timeline."""
    page = queries.load_detail(reading.load_proposal(proposal_id, current_user, utcnow()))
    p = page.proposal
    return jsonify(
        {
            **summary_of(p),
            "body": p.body,
            "body_html": str(p.body_html),
            "drawbacks": p.drawbacks,
            "process": p.process,
            "materials": p.materials,
            "organisations": p.organisation_list,
            "proposers": [
                {"position": x.position, "name": person_name(x.user)} for x in page.proposers
            ],
            "stances": p.stances,
            "version_count": p.version_count,
            "timeline": [
                {
                    "from": e.from_state,
                    "to": e.to_state,
                    "actor": person_name(e.actor) if e.actor or e.actor_erased else "system",
                    "reason": e.reason,
                    "at": iso(e.at),
                }
                for e in page.events
            ],
            "outcomes": [{"date": iso(o.date), "text": o.text} for o in page.outcomes],
        }
    )


@bp.get("/proposals/<int:proposal_id>/amendments")
def amendments(proposal_id: int):
    """A proposal's amendments: who filed them, what they change, how many back them and
    what the proposers decided; the stances on the minority amendments."""
    proposal = reading.load_proposal(proposal_id, current_user, utcnow()).proposal
    return jsonify(
        [
            {
                "id": a.id,
                "proposal_id": a.proposal_id,
                "url": public_url("amendments.show", amendment_id=a.id),
                "author": person_name(a.author),
                "fields": a.fields,
                "state": a.state,
                "verdict": a.verdict,
                "reason": a.reason,
                "backers": a.backer_count,
                "minority": a.minority,
                "stances": {
                    "for": a.stance_for,
                    "against": a.stance_against,
                    "abstain": a.stance_abstain,
                }
                if a.minority
                else None,
                "created_at": iso(a.created_at),
                "decided_at": iso(a.decided_at) if a.decided_at else None,
            }
            for a in amendment_queries.decisions(proposal).items
        ]
    )


@bp.get("/openapi.json")
def openapi():
    """Describe this API (OpenAPI 3.0)."""
    return jsonify(spec(current_app.config["PUBLIC_URL"]))
