"""Reading a proposal in a request: first bring it up to date, then read it.

A timed transition (a hearing ended, a support deadline passed) must never wait for the
worker's tick: whatever request reads or acts on a proposal applies the step it is overdue
for first (`services.apply_overdue`), and commits it, before it reads. The reads themselves
(app.proposals.queries) only read.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort

from app.core import errors
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import queries, services
from app.proposals.models import Proposal


def current(proposal_id: int, now: datetime) -> Proposal:
    """The proposal, any step it is overdue for applied and committed; 404 if none."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    errors.back_after_refusal("proposals.detail", proposal_id=proposal_id)
    try:
        if services.apply_overdue(proposal, now):
            db.session.commit()
    except lc.WrongState:  # another request took the step first
        db.session.rollback()
        db.session.refresh(proposal)
    return proposal


def all_current(now: datetime) -> None:
    """Every step that is overdue applied and committed: before a list is read."""
    if services.apply_due(now):
        db.session.commit()


def load_proposal(proposal_id: int, user, now: datetime) -> queries.ProposalPage:
    """The proposal brought up to date, with its proposers and the viewer's invitation;
    404 if the viewer may not see it."""
    return queries.proposal_page(current(proposal_id, now), user)


def load_for_action(proposal_id: int, user, now: datetime) -> Proposal:
    """The proposal an action is posted to, brought up to date: in one query when it is
    public (as every proposal members act on is); otherwise as `load_proposal` decides who
    may see it."""
    proposal = current(proposal_id, now)
    if proposal.is_public:
        return proposal
    return queries.proposal_page(proposal, user).proposal
