"""The reads pages need, each a fixed number of SQL queries whatever the data size:
eager loads for lists of related rows, stored counters for counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from markupsafe import Markup
from sqlalchemy import and_, false, func, or_, select, true, union, union_all
from sqlalchemy.orm import defer, joinedload

from app.accounts.models import User
from app.core import editing
from app.core.audit import AuditEntry
from app.core.extensions import db
from app.core.text import has_forbidden_characters, whole_number, without_forbidden_characters
from app.proposals import lifecycle as lc
from app.proposals import pages, services
from app.proposals.models import (
    Invitation,
    Outcome,
    Proposal,
    Proposer,
    Topic,
    TransitionEvent,
    Version,
)
from app.search import engine as search_engine
from app.search import query as search_query
from app.search import snippets as search_snippets

PAGE_SIZE = 20


def _user(user) -> User | None:
    return user if user is not None and user.is_authenticated else None


@dataclass
class ProposalPage:
    """Everything the detail page shows, loaded in a fixed number of queries."""

    proposal: Proposal
    proposers: list[Proposer]
    events: list[TransitionEvent] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    invitation: Invitation | None = None
    pending_invitations: list[Invitation] = field(default_factory=list)
    viewer_is_proposer: bool = False
    # A proposer acts as one while a member (services.acts_as_proposer).
    viewer_acts_as_proposer: bool = False
    # Whether the viewer may see the proposal as a draft, and so its private history.
    viewer_sees_drafts: bool = False
    moderation: list = field(default_factory=list)

    @property
    def timeline(self) -> list[tuple[str, object]]:
        """Transitions and the secretariat's moderation of comments, oldest first."""
        items = [("event", e) for e in self.events] + [("moderation", m) for m in self.moderation]
        return sorted(items, key=lambda item: item[1].at)


def proposal_page(proposal: Proposal, user) -> ProposalPage:
    """The proposal with its proposers and the viewer's invitation; 404 if the viewer may
    not see it."""
    proposers = db.session.scalars(
        select(Proposer)
        .options(joinedload(Proposer.user))
        .where(Proposer.proposal_id == proposal.id)
        .order_by(Proposer.position)
    ).all()
    viewer = _user(user)
    viewer_is_proposer = viewer is not None and any(p.user_id == viewer.id for p in proposers)
    # Invitations matter where they can be answered, or where they grant a look at a
    # private proposal.
    invitation = (
        services.pending_invitation(viewer, proposal)
        if viewer and (proposal.state in lc.INVITING_STATES or not proposal.is_public)
        else None
    )
    roles = {
        "heard": proposal.hearing_ends_at is not None,
        "is_proposer": viewer_is_proposer,
        "is_invited": invitation is not None,
        "is_secretariat": bool(viewer and viewer.is_secretariat),
    }
    if not lc.may_see(proposal.state, **roles):
        abort(404)
    return ProposalPage(
        proposal,
        proposers,
        invitation=invitation,
        viewer_is_proposer=viewer_is_proposer,
        viewer_acts_as_proposer=viewer_is_proposer and viewer.is_member,
        viewer_sees_drafts=lc.may_see(lc.DRAFT, **{**roles, "heard": False}),
    )


def load_detail(page: ProposalPage) -> ProposalPage:
    """Add the timeline, the outcomes and (for proposers) the open invitations."""
    proposal = page.proposal
    page.events = db.session.scalars(
        select(TransitionEvent)
        .options(joinedload(TransitionEvent.actor))
        .where(TransitionEvent.proposal_id == proposal.id)
        .order_by(TransitionEvent.id)
    ).all()
    if proposal.state in lc.PUBLIC_STATES:  # comments exist only on public proposals
        page.moderation = db.session.scalars(
            select(AuditEntry)
            .options(joinedload(AuditEntry.actor))
            .where(
                AuditEntry.proposal_id == proposal.id,
                # The secretariat's moderation, the proposers' answers in the hearing memo
                # and their decisions on amendments.
                AuditEntry.action.in_(("hide", "restore", "answer", "amendment")),
            )
            .order_by(AuditEntry.at)
        ).all()
    if proposal.state in (lc.CATALOGUE, lc.RETIRED):  # the only states with outcomes
        page.outcomes = db.session.scalars(
            select(Outcome)
            .where(Outcome.proposal_id == proposal.id)
            .order_by(Outcome.date, Outcome.id)
        ).all()
    if page.viewer_acts_as_proposer and proposal.state in lc.INVITING_STATES:
        page.pending_invitations = db.session.scalars(
            select(Invitation)
            .options(joinedload(Invitation.user))
            .where(Invitation.proposal_id == proposal.id, Invitation.status == Invitation.PENDING)
            .order_by(Invitation.created_at)
        ).all()
    return page


def versions_of(proposal: Proposal) -> list[Version]:
    return db.session.scalars(
        select(Version)
        .options(joinedload(Version.author))
        .where(Version.proposal_id == proposal.id)
        .order_by(Version.number)
    ).all()


def saves_of(proposal: Proposal) -> list[editing.Save]:
    """Every save of the proposal's text, first to last, with who made it: its private
    history (app.core.editing)."""
    return db.session.scalars(
        select(editing.Save)
        .options(joinedload(editing.Save.author))
        .where(editing.Save.subject == "proposal", editing.Save.subject_id == proposal.id)
        .order_by(editing.Save.revision)
    ).all()


def save_numbered(proposal: Proposal, revision: int) -> editing.Save | None:
    return db.session.scalar(
        select(editing.Save)
        .options(joinedload(editing.Save.author))
        .where(
            editing.Save.subject == "proposal",
            editing.Save.subject_id == proposal.id,
            editing.Save.revision == revision,
        )
    )


def version_numbered(proposal: Proposal, number: int) -> Version | None:
    return db.session.scalar(
        select(Version).where(Version.proposal_id == proposal.id, Version.number == number)
    )


# --- lists ---------------------------------------------------------------------------------


# Stands for a topic that does not exist: matches no proposal.
NO_TOPIC = Topic(id=0, name="")


@dataclass
class ListFilters:
    state: str | None = None
    topic: Topic | None = None
    q: str = ""
    page: int = 1
    # "relevance" (the default when q is given) or "newest" (the default without q).
    sort: str = ""

    @property
    def by_relevance(self) -> bool:
        return bool(self.q) and self.sort != "newest"


class BadFilter(ValueError):
    """A list filter that cannot be understood; `key` names which."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(key)
        self.key = key
        self.value = value


SORTS = ("relevance", "newest")


def list_filters(args, *, states=lc.STATES) -> ListFilters:
    """Read state, topic, q and page from a query string, as the list, API and feed take them."""
    state = without_forbidden_characters(args.get("state", "")).strip()
    if state and state not in states:
        raise BadFilter("state", state)
    page = whole_number(args.get("page", "1"), maximum=100_000)
    if page is None:
        raise BadFilter("page", args.get("page", ""))
    topic_value = without_forbidden_characters(args.get("topic", "")).strip()
    # An unknown topic filters everything out, as a search for a missing word does.
    topic = (find_topic(topic_value) or NO_TOPIC) if topic_value else None
    q = without_forbidden_characters(args.get("q", "")).strip()[:200]
    sort = without_forbidden_characters(args.get("sort", "")).strip()
    if sort and sort not in SORTS:
        raise BadFilter("sort", sort)
    return ListFilters(state=state or None, topic=topic, q=q, page=page, sort=sort)


@dataclass
class ProposalList:
    proposals: list[Proposal]
    total: int
    page: int
    pages: int
    # With q: the parsed query (empty if q had only stop words) and each row's snippet.
    query: search_query.Query | None = None
    snippets: dict[int, Markup] = field(default_factory=dict)
    # With q: more proposals match than a search lists (app.search.engine.LISTED).
    more: bool = False


def visible_to(user):
    """The SQL condition for proposals `user` may see."""
    viewer = _user(user)
    if viewer is not None and viewer.is_secretariat:
        return true()
    condition = _public()
    if viewer is not None:
        condition = or_(condition, _their_own(viewer))
    return condition


def _public():
    return Proposal.is_public


def _their_own(viewer):
    """The proposals `viewer` writes or is invited to write."""
    mine = select(Proposer.proposal_id).where(Proposer.user_id == viewer.id)
    invited = select(Invitation.proposal_id).where(
        Invitation.user_id == viewer.id, Invitation.status == Invitation.PENDING
    )
    return or_(Proposal.id.in_(mine), Proposal.id.in_(invited))


def _count_visible(user, conditions: list) -> int:
    """How many proposals meeting `conditions` the user may see. For a signed-in member,
    the public ones and their own private ones are counted apart: each count is answered
    from an index, where one count over "public or mine" reads the whole table."""
    viewer = _user(user)
    counted = select(func.count()).select_from(Proposal).where(*conditions)
    if viewer is None or viewer.is_secretariat:
        return db.session.scalar(counted.where(visible_to(user)))
    public = counted.where(_public()).scalar_subquery()
    theirs = union(
        select(Proposer.proposal_id).where(Proposer.user_id == viewer.id),
        select(Invitation.proposal_id).where(
            Invitation.user_id == viewer.id, Invitation.status == Invitation.PENDING
        ),
    )
    private = counted.where(~_public(), Proposal.id.in_(theirs)).scalar_subquery()
    return db.session.scalar(select(public + private))


# What a list row never shows: the long texts stay in the database.
LIST_DEFERRED = (
    Proposal.body,
    Proposal.body_html,
    Proposal.drawbacks,
    Proposal.drawbacks_html,
    Proposal.process,
    Proposal.process_html,
    Proposal.materials,
    Proposal.materials_html,
    Proposal.organisations,
    Proposal.search_title,
    Proposal.search_summary,
    Proposal.search_rest,
)
# Built once: a loader option costs more to make than the query it shapes.
LIST_OPTIONS = tuple(defer(column) for column in LIST_DEFERRED)
# A search's rows load the texts their snippets come from.
SNIPPET_TEXTS = (Proposal.body, Proposal.drawbacks, Proposal.organisations)
SEARCH_OPTIONS = tuple(defer(column) for column in LIST_DEFERRED if column not in SNIPPET_TEXTS)


def list_proposals(filters: ListFilters, user, *, page_size: int = PAGE_SIZE) -> ProposalList:
    """One page of the proposals the user may see, and how many there are: two queries,
    the count answered from indexes, the page without the long texts. With q, a full-text
    search (app.search): see _search; a q of stop words alone finds nothing without asking
    the database."""
    conditions = []
    if filters.state:
        conditions.append(Proposal.state == filters.state)
    if filters.topic is not None:
        conditions.append(Proposal.topic_id == filters.topic.id)
    query = search_query.parse(filters.q) if filters.q else None
    if query is not None and not query:
        return ProposalList([], 0, filters.page, 1, query)
    if query:
        return _search(query, filters, user, conditions, page_size)
    total = _count_visible(user, conditions)
    rows = db.session.scalars(
        select(Proposal)
        .options(*LIST_OPTIONS)
        .where(visible_to(user), *conditions)
        .order_by(Proposal.state_changed_at.desc(), Proposal.id.desc())
        .limit(page_size)
        .offset((filters.page - 1) * page_size)
    ).all()
    return ProposalList(list(rows), total, filters.page, max(1, -(-total // page_size)))


def _search(query, filters: ListFilters, user, conditions: list, page_size: int) -> ProposalList:
    """A search lists at most search_engine.LISTED proposals, the newest hits (by when they
    were written), so that its work is bounded whatever the number of proposals: ranked by
    relevance among them, or in date order. Above that it says "more than"; another word
    or a filter narrows it. Two queries: the hits (with their scores) and the page's rows."""
    found = search_engine.search(query, every_state=lc.STATES)
    limit = search_engine.LISTED
    offset = (filters.page - 1) * page_size
    if filters.by_relevance:
        hits = db.session.execute(_hits(found, filters, user, conditions, scored=True)).all()
        hits.sort(key=lambda hit: -hit.id)
        more = len(hits) > limit
        hits = sorted(hits[:limit], key=lambda hit: (hit.score, -hit.id))
        ids = [hit.id for hit in hits[offset : offset + page_size]]
        by_id = {
            p.id: p
            for p in db.session.scalars(
                select(Proposal).options(*SEARCH_OPTIONS).where(Proposal.id.in_(ids))
            )
        }
        rows = [by_id[i] for i in ids if i in by_id]
        total = len(hits)
    else:
        hits = _hits(found, filters, user, conditions, scored=False)
        total = db.session.scalar(select(func.count()).select_from(hits.subquery()))
        more = total > limit
        total = min(total, limit)
        rows = []
        if offset < total:
            ids = _hits(found, filters, user, conditions, scored=False, listed=False)
            # Many hits: walk the proposals newest first until a page is among them. Few:
            # read them (SQLite would otherwise choose so for any number).
            sqlite = found.dialect == "sqlite"
            among = ((Proposal.id + 0) if more and sqlite else Proposal.id).in_(ids)
            rows = db.session.scalars(
                select(Proposal)
                .options(*SEARCH_OPTIONS)
                .where(among)
                .order_by(Proposal.state_changed_at.desc(), Proposal.id.desc())
                .limit(min(page_size, total - offset))
                .offset(offset)
            ).all()
    result = _with_snippets(query, rows, total, filters.page, page_size)
    result.more = more
    return result


def _hits(found, filters: ListFilters, user, conditions: list, *, scored: bool, listed=True):
    """A SELECT of the ids of the hits the user may see (and their scores if `scored`),
    the newest first, at most LISTED + 1 of them if `listed`. SQLite answers who may see a
    hit, and the filters, from the FTS table (it holds each proposal's state and topic),
    and a member's own drafts from their few ids; PostgreSQL from proposal_search (the same,
    in a narrow table beside its GIN index)."""
    limit = search_engine.LISTED + 1
    viewer = _user(user)
    if found.dialect != "sqlite":
        index = search_engine.SEARCH
        where = [found.condition]
        if viewer is None or not viewer.is_secretariat:
            public = and_(
                index.c.state.in_(sorted(lc.PUBLIC_STATES)),
                index.c.id.not_in(Proposal.unpublished()),
            )
            if viewer is not None:
                theirs = select(Proposal.id).where(_their_own(viewer))
                public = or_(public, index.c.id.in_(theirs))
            where.append(public)
        if filters.state:
            where.append(index.c.state == filters.state)
        if filters.topic is not None:
            where.append(index.c.topic_id == filters.topic.id)
        hits = select(index.c.id.label("id")).where(*where)
        if not listed:
            return hits
        hits = hits.order_by(index.c.id.desc()).limit(limit)
        if not scored:
            return hits
        # Scored apart from the window: in it, ts_rank would be computed for every hit
        # before the newest were picked (a sort reads them all when the plan is a bitmap).
        window = hits.subquery()
        return select(window.c.id, found.score.label("score")).join_from(
            window, index, index.c.id == window.c.id
        )
    fts = search_engine.FTS
    columns = [fts.c.rowid.label("id")] + ([found.score.label("score")] if scored else [])
    states = None if viewer is not None and viewer.is_secretariat else set(lc.PUBLIC_STATES)
    if filters.state:
        states = {filters.state} & states if states is not None else {filters.state}
    parts = []
    if states is None or states:
        topic = filters.topic.id if filters.topic is not None else None
        part = select(*columns).where(found.match(states=states, topic_id=topic))
        if states is not None and lc.WITHDRAWN in states:
            part = part.where(search_engine.rowid_not_in(Proposal.unpublished()))
        if listed:
            part = select(part.order_by(fts.c.rowid.desc()).limit(limit).subquery())
        parts.append(part)
    if viewer is not None and not viewer.is_secretariat:
        theirs = select(Proposal.id).where(~_public(), _their_own(viewer), *conditions)
        parts.append(select(*columns).where(found.match(), search_engine.rowid_in(theirs)))
    if not parts:
        return select(*columns).where(false())
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _with_snippets(query, rows, total: int, page: int, page_size: int) -> ProposalList:
    pages = max(1, -(-total // page_size))
    snippets = {}
    if query:
        snippets = {
            p.id: search_snippets.snippet(
                query, p.title, [p.summary, p.body, p.drawbacks, p.organisations]
            )
            for p in rows
        }
    return ProposalList(list(rows), total, page, pages, query, snippets)


def in_state(state: str, limit: int, *, order=None) -> list[Proposal]:
    """The newest public proposals in one state, for the front page."""
    order = order if order is not None else Proposal.state_changed_at.desc()
    return db.session.scalars(
        select(Proposal)
        .options(*LIST_OPTIONS)
        .where(Proposal.state == state)
        .order_by(order, Proposal.id.desc())
        .limit(limit)
    ).all()


def topics(*, include_retired: bool = False) -> list[Topic]:
    query = select(Topic).order_by(Topic.name)
    if not include_retired:
        query = query.where(Topic.retired.is_(False))
    return db.session.scalars(query).all()


def topics_for(user, *, include_retired: bool = False) -> list[tuple[Topic, dict]]:
    """The topics, each with what the packages above add for this viewer
    (pages.TOPIC_COLUMNS: whether they follow it): one query."""
    query = select(Topic).order_by(Topic.name)
    if not include_retired:
        query = query.where(Topic.retired.is_(False))
    names = list(pages.TOPIC_COLUMNS)
    viewer = _user(user)
    if viewer is None:
        return [(topic, dict.fromkeys(names, False)) for topic in db.session.scalars(query)]
    columns = [pages.TOPIC_COLUMNS[name](viewer.id) for name in names]
    return [
        (row[0], {name: bool(value) for name, value in zip(names, row[1:], strict=True)})
        for row in db.session.execute(query.add_columns(*columns))
    ]


def find_topic(value: str | None, *, include_retired: bool = True) -> Topic | None:
    """A topic named by its id or its name (as a form or a query string may give it)."""
    value = (value or "").strip()
    if not value or has_forbidden_characters(value):  # no name holds one (PostgreSQL: no NUL)
        return None
    if value.isascii() and value.isdigit():
        number = whole_number(value)
        topic = db.session.get(Topic, number) if number else None
    else:
        topic = db.session.scalar(select(Topic).where(func.lower(Topic.name) == value.lower()))
    if topic is None or (topic.retired and not include_retired):
        return None
    return topic
