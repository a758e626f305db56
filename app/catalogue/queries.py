"""The catalogue's reads: four queries whatever the number of proposals (the proposals with
their topics, the proposers with their accounts, the outcomes, the minority amendments)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import person_name
from app.amendments.models import Amendment
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import queries as proposal_queries
from app.proposals.models import Outcome, Proposal, Proposer, Topic


@dataclass
class Entry:
    """A proposal in the catalogue with what the catalogue shows beside it."""

    proposal: Proposal
    proposers: list[str] = field(default_factory=list)  # names as shown
    outcomes: list[Outcome] = field(default_factory=list)
    # The not-adopted amendments that went with it, each with its own stances.
    minority: list[Amendment] = field(default_factory=list)


@dataclass
class Catalogue:
    groups: list[tuple[Topic, list[Entry]]]

    @property
    def count(self) -> int:
        return sum(len(entries) for _topic, entries in self.groups)

    def key(self) -> list:
        """What decides the catalogue's PDF, but for the texts themselves: each text's
        revision stands for it."""
        return [
            [
                topic.id,
                topic.name,
                [
                    [
                        e.proposal.id,
                        e.proposal.revision,
                        e.proposal.title,
                        e.proposal.state_changed_at,
                        e.proposal.support_count,
                        e.proposal.support_threshold,
                        list(e.proposal.stances.values()),
                        e.proposers,
                        [(o.id, o.date, o.text) for o in e.outcomes],
                        [
                            (a.id, a.revision, person_name(a.author), list(a.stances.values()))
                            for a in e.minority
                        ],
                    ]
                    for e in entries
                ],
            ]
            for topic, entries in self.groups
        ]


# How much a part of the catalogue's PDF holds at most: about a dozen proposals of 3,000
# characters (each counted with 2,000 more for its headings and figures). Parts are laid out
# side by side, and kept (app.core.pdf_files.KeptParts): a change to one proposal lays out its
# part again, not the catalogue.
PART_TEXT = 60_000


def _length(entry: Entry) -> int:
    p = entry.proposal
    texts = (p.body_html, p.drawbacks_html, p.process_html, p.materials_html, p.summary)
    return 2000 + sum(len(text or "") for text in texts)  # 2000: headings, figures


def parts(found: Catalogue, most: int = PART_TEXT) -> list[list[tuple[Topic, list[Entry], bool]]]:
    """The catalogue cut into runs of proposals, in order, for its PDF to be laid out in
    parts: each run as [(topic, entries, whether the topic begins in it)]. A run never holds
    two topics, and holds at most `most` characters of text (or one longer proposal), so a
    topic's catalogue is cut into the same runs as the whole one, and a change to one
    proposal leaves the runs before it as they were."""
    runs: list[list[tuple[Topic, list[Entry], bool]]] = []
    for topic, entries in found.groups:
        run: list[Entry] | None = None
        filled = 0
        for entry in entries:
            weight = _length(entry)
            if run is None or filled + weight > most:
                begins = run is None
                run, filled = [], 0
                runs.append([(topic, run, begins)])
            run.append(entry)
            filled += weight
    return runs


def topic_filter(args) -> Topic | None:
    """The topic named by ?topic= as the list reads it (an unknown one matches nothing)."""
    return proposal_queries.list_filters({"topic": args.get("topic", "")}).topic


def catalogue(topic: Topic | None, *, texts: bool = False) -> Catalogue:
    """Every proposal in the catalogue (on `topic` if given), grouped by topic, each
    topic's proposals in the order they entered (the same on either database, where a
    title's order would follow each database's collation). `texts`: the full texts too."""
    where = [Proposal.state == lc.CATALOGUE]
    if topic is not None:
        where.append(Proposal.topic_id == topic.id)
    options = () if texts else proposal_queries.LIST_OPTIONS
    proposals = db.session.scalars(
        select(Proposal)
        .options(*options)
        .join(Proposal.topic)
        .where(*where)
        .order_by(Topic.name, Topic.id, Proposal.state_changed_at, Proposal.id)
    ).all()
    entries = {p.id: Entry(p) for p in proposals}
    if entries:
        ids = select(Proposal.id).where(*where)
        for proposer in db.session.scalars(
            select(Proposer)
            .options(joinedload(Proposer.user))
            .where(Proposer.proposal_id.in_(ids))
            .order_by(Proposer.proposal_id, Proposer.position)
        ):
            if entry := entries.get(proposer.proposal_id):  # not one that entered meanwhile
                entry.proposers.append(person_name(proposer.user))
        for outcome in db.session.scalars(
            select(Outcome).where(Outcome.proposal_id.in_(ids)).order_by(Outcome.date, Outcome.id)
        ):
            if entry := entries.get(outcome.proposal_id):
                entry.outcomes.append(outcome)
        for amendment in db.session.scalars(
            select(Amendment)
            .options(joinedload(Amendment.author))
            .where(Amendment.proposal_id.in_(ids), Amendment.minority.is_(True))
            .order_by(Amendment.proposal_id, Amendment.number)
        ):
            if entry := entries.get(amendment.proposal_id):
                entry.minority.append(amendment)
    groups: dict[int, tuple[Topic, list[Entry]]] = {}
    for proposal in proposals:
        groups.setdefault(proposal.topic_id, (proposal.topic, []))[1].append(entries[proposal.id])
    return Catalogue(list(groups.values()))
