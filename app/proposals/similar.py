"""Similar proposals: public proposals that share words with a proposal's title, found by
the same search (any of the title's words rather than all), best first, so that a
duplicate is joined rather than written twice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, select, union_all

from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal
from app.search import engine
from app.search.query import any_of

LIMIT = 5


@dataclass(frozen=True)
class Similar:
    id: int
    title: str
    state: str


def similar_for(proposals, limit: int = LIMIT) -> dict[int, list[Similar]]:
    """Up to `limit` similar public proposals for each of `proposals`, never itself: one
    SQL query for all of them (a UNION ALL of one ranked search each). Its cost grows with
    how many proposals are asked about, so callers ask about a bounded number."""
    selects = []
    columns = (Proposal.id, Proposal.title, Proposal.state, Proposal.state_changed_at)
    for proposal in proposals:
        query = any_of(proposal.title)
        if not query:
            continue
        found = engine.search(query, any_term=True, every_state=lc.STATES)
        # Ranked among the newest hits, as a search is (engine.LISTED): bounded work.
        if found.dialect == "sqlite":
            window = (
                select(engine.FTS.c.rowid.label("id"), found.score.label("score"))
                .where(
                    found.match(states=lc.PUBLIC_STATES),
                    engine.FTS.c.rowid != proposal.id,
                    engine.rowid_not_in(Proposal.unpublished()),
                )
                .order_by(engine.FTS.c.rowid.desc())
                .limit(engine.LISTED)
                .subquery()
            )
            scored = select(window.c.id, window.c.score)
        else:
            index = engine.SEARCH
            window = (
                select(index.c.id.label("id"))
                .where(
                    found.condition,
                    index.c.state.in_(sorted(lc.PUBLIC_STATES)),
                    index.c.id.not_in(Proposal.unpublished()),
                    index.c.id != proposal.id,
                )
                .order_by(index.c.id.desc())
                .limit(engine.LISTED)
                .subquery()
            )
            scored = select(window.c.id, found.score.label("score")).join_from(
                window, index, index.c.id == window.c.id
            )
        ranked = scored.subquery()
        top = (
            select(ranked.c.id, ranked.c.score)
            .order_by(ranked.c.score, ranked.c.id.desc())
            .limit(limit)
            .subquery()
        )
        selects.append(
            select(literal(proposal.id).label("for_id"), top.c.score, *columns).join_from(
                top, Proposal, Proposal.id == top.c.id
            )
        )
    found_for: dict[int, list[Similar]] = {proposal.id: [] for proposal in proposals}
    if not selects:
        return found_for
    statement = selects[0] if len(selects) == 1 else union_all(*selects)
    rows = db.session.execute(statement).all()
    # The union keeps no order: each proposal's are ranked again by their score.
    rows.sort(key=lambda row: (row.score, -row.id))
    for row in rows:
        found_for[row.for_id].append(Similar(row.id, row.title, row.state))
    return found_for


def similar_to(proposal, limit: int = LIMIT) -> list[Similar]:
    """Up to `limit` public proposals like `proposal`, best first; one SQL query."""
    return similar_for([proposal], limit)[proposal.id]
