"""Similar proposals: public proposals that share words with a proposal's title, found by
the same search (any of the title's words rather than all), best first, so that a
duplicate is joined rather than written twice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, select, union_all

from app.extensions import db
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
    for proposal in proposals:
        query = any_of(proposal.title)
        if not query:
            continue
        found = engine.search(query, any_term=True)
        columns = (Proposal.id, Proposal.title, Proposal.state, Proposal.state_changed_at)
        others = (Proposal.state.in_(sorted(lc.PUBLIC_STATES)), Proposal.id != proposal.id)
        if found.dialect == "sqlite":
            # Ranked over the FTS table and the public ids (from an index): only the rows
            # shown are read (see engine.Search.best_among).
            top = (
                select(
                    literal(proposal.id).label("for_id"),
                    engine.FTS.c.rowid.label("rowid"),
                    found.order.label("score"),
                )
                .where(found.match, engine.rowid_in(select(Proposal.id).where(*others)))
                .order_by(found.order, engine.FTS.c.rowid.desc())
                .limit(limit)
                .subquery()
            )
            selects.append(
                select(top.c.for_id, top.c.score, *columns).join_from(
                    top, Proposal, Proposal.id == top.c.rowid
                )
            )
            continue
        ranked = found.ranked(
            select(literal(proposal.id).label("for_id"), found.order.label("score"), *columns)
        )
        selects.append(
            select(
                ranked.where(*others)
                .order_by(found.order, Proposal.state_changed_at.desc(), Proposal.id.desc())
                .limit(limit)
                .subquery()
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
