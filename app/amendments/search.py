"""What of its amendments a proposal is found by: the words each adds (the inserted pieces of
its diff) and its justification, withdrawn ones aside. They are kept on the proposal
(`amendment_words`, and their stems), where the search index reads them with its own words:
SQLite's through `search_rest`, PostgreSQL's through the trigger of the proposal_search table."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.amendments.models import Amendment
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal
from app.search.text import REST, stems

# At most this much of each amendment is indexed: 200 amendments of 50,000 characters
# would otherwise be ten million characters to stem on every filing.
PER_AMENDMENT = 3_000


def words_of(hunks: list, justification: str) -> str:
    added = " ".join(text for hunk in hunks for kind, text in hunk["pieces"] if kind == "inserted")
    return f"{added}\n{justification}"[:PER_AMENDMENT]


def reindex(proposal: Proposal) -> None:
    """The proposal's amendment words made again from its amendments (after one is filed,
    edited or withdrawn), in the caller's transaction: two queries."""
    rows = db.session.execute(
        select(Amendment.hunks, Amendment.justification)
        .where(Amendment.proposal_id == proposal.id, Amendment.state != lc.WITHDRAWN)
        .order_by(Amendment.number)
    ).all()
    words = "\n".join(words_of(row.hunks or [], row.justification or "") for row in rows)
    own = "\n".join(getattr(proposal, name) or "" for name in REST if name != "amendment_words")
    values = {
        "amendment_words": words,
        "amendment_stems": stems(words),
        "search_rest": f"{stems(own)} {stems(words)}".strip(),
    }
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    for name, value in values.items():
        set_committed_value(proposal, name, value)
