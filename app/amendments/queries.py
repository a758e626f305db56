"""Reading amendments: a proposal's, for its page (in a fixed number of queries however many
there are), and one with what the viewer may do with it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.amendments.models import Amendment, AmendmentBacking, AmendmentStance
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal


@dataclass
class Amendments:
    """A proposal's amendments as one viewer sees them."""

    items: list[Amendment]
    backed: set[int] = field(default_factory=set)  # the viewer's backing, by amendment id
    stances: dict[int, str] = field(default_factory=dict)  # the viewer's, on minorities
    may_file: bool = False
    viewer_open: Amendment | None = None  # the viewer's own open amendment

    @property
    def counts(self) -> dict[str, int]:
        """How many were decided each way, and how many wait."""
        result = {verdict: 0 for verdict in lc.AMENDMENT_VERDICTS}
        result["open"] = 0
        for item in self.items:
            if item.state == lc.OPEN:
                result["open"] += 1
            elif item.verdict:
                result[item.verdict] += 1
        return result

    @property
    def minority(self) -> list[Amendment]:
        return [item for item in self.items if item.minority]


def _viewer_rows(viewer, ids_query, *, stances=True) -> tuple[set[int], dict[int, str]]:
    if viewer is None or not viewer.is_member:
        return set(), {}
    backed = set(
        db.session.scalars(
            select(AmendmentBacking.amendment_id).where(
                AmendmentBacking.user_id == viewer.id,
                AmendmentBacking.amendment_id.in_(ids_query),
            )
        )
    )
    if not stances:
        return backed, {}
    stances = dict(
        db.session.execute(
            select(AmendmentStance.amendment_id, AmendmentStance.value).where(
                AmendmentStance.user_id == viewer.id,
                AmendmentStance.amendment_id.in_(ids_query),
            )
        ).all()
    )
    return backed, stances


def of_proposal(proposal: Proposal, viewer, *, viewer_is_proposer: bool) -> Amendments:
    """Every amendment of `proposal`, in number order, with the viewer's backing and stances:
    at most three queries."""
    if not proposal.amendment_count:
        items: list[Amendment] = []
        backed, stances = set(), {}
    else:
        items = list(
            db.session.scalars(
                select(Amendment)
                .options(joinedload(Amendment.author))
                .where(Amendment.proposal_id == proposal.id)
                .order_by(Amendment.number)
            )
        )
        ids = select(Amendment.id).where(Amendment.proposal_id == proposal.id)
        minority = any(item.minority for item in items)
        backed, stances = _viewer_rows(viewer, ids.scalar_subquery(), stances=minority)
    viewer_open = next(
        (
            item
            for item in items
            if viewer is not None and item.author_id == viewer.id and item.state == lc.OPEN
        ),
        None,
    )
    may_file = (
        viewer is not None
        and viewer.is_member
        and not viewer_is_proposer
        and proposal.state in lc.AMENDING_STATES
        and viewer_open is None
    )
    return Amendments(items, backed, stances, may_file, viewer_open)


@dataclass
class Decisions:
    """Every amendment of a proposal with what became of it: the hearing memo's part."""

    items: list[Amendment]

    @property
    def counts(self) -> dict[str, int]:
        """Per verdict, then those still open and those withdrawn: every key present."""
        result = dict.fromkeys((*lc.AMENDMENT_VERDICTS, lc.OPEN, lc.WITHDRAWN), 0)
        for item in self.items:
            result[item.verdict if item.state == lc.DECIDED else item.state] += 1
        return result


def decisions(proposal: Proposal) -> Decisions:
    """One query (none for a proposal without amendments)."""
    if not proposal.amendment_count:
        return Decisions([])
    return Decisions(
        list(
            db.session.scalars(
                select(Amendment)
                .options(joinedload(Amendment.author))
                .where(Amendment.proposal_id == proposal.id)
                .order_by(Amendment.number)
            )
        )
    )


def one(amendment_id: int) -> Amendment | None:
    return db.session.scalar(
        select(Amendment).options(joinedload(Amendment.author)).where(Amendment.id == amendment_id)
    )


def viewer_rows(amendment: Amendment, viewer) -> tuple[bool, str | None]:
    """Whether the viewer backs it, and their stance on it."""
    backed, stances = _viewer_rows(viewer, [amendment.id], stances=amendment.minority)
    return amendment.id in backed, stances.get(amendment.id)
