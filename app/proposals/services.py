"""The verbs that change proposals: create, edit, invite, answer, transition, record an
outcome, and apply due deadlines.

Plain functions taking the acting user and `now`; they change rows and flush, and the
caller commits once. The web views and `flask lifecycle tick` call the same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, func, literal, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.accounts.services import find_by_email
from app.core import audit, editing, outbox
from app.core.extensions import db
from app.core.markup import render_markdown, render_markdown_fields
from app.proposals import lifecycle as lc
from app.proposals.lifecycle import ConditionNotMet, Invalid, NotAllowed, WrongState
from app.proposals.models import (
    Invitation,
    Outcome,
    Proposal,
    Proposer,
    TransitionEvent,
    Version,
)
from app.search import text as search_text

CONTENT_FIELDS = ("title", "summary", "body", "drawbacks", "process", "materials", "organisations")
MARKDOWN_FIELDS = ("body", "drawbacks", "process", "materials")


@dataclass(frozen=True)
class Content:
    """What proposers write. Validated by the form before it gets here."""

    title: str
    summary: str
    body: str
    topic_id: int
    drawbacks: str = ""
    process: str = ""
    materials: str = ""
    organisations: str = ""


def policy() -> lc.Policy:
    config = current_app.config
    return lc.Policy(
        min_proposers=config["MIN_PROPOSERS"],
        hearing_window=config["HEARING_WINDOW"],
        support_window=config["SUPPORT_WINDOW"],
        support_threshold=config["SUPPORT_THRESHOLD"],
    )


# What the packages above proposals add to the lifecycle, registered by them when loaded:
# - FACT_SOURCES: f(proposal) -> more of its lc.Facts (amendments: the undecided ones), each
#   asking the database only where its facts matter;
# - MOVED: f(proposal, source, target, actor, now), in the same transaction as a move by hand
#   (amendments: those that go with the proposal to support).
FACT_SOURCES: list[Callable[[Proposal], dict]] = []
MOVED: list[Callable] = []


def fact_source(source: Callable[[Proposal], dict]) -> Callable[[Proposal], dict]:
    if source not in FACT_SOURCES:
        FACT_SOURCES.append(source)
    return source


def on_move(step: Callable) -> Callable:
    if step not in MOVED:
        MOVED.append(step)
    return step


def facts(proposal: Proposal) -> lc.Facts:
    more: dict = {}
    for source in FACT_SOURCES:
        more.update(source(proposal))
    return lc.Facts(
        **more,
        state=proposal.state,
        accepted_proposers=proposal.proposer_count,
        content_complete=bool(proposal.title and proposal.summary and proposal.body.strip()),
        hearing_ends_at=proposal.hearing_ends_at,
        support_deadline=proposal.support_deadline,
        support_count=proposal.support_count,
        support_threshold=proposal.support_threshold,
    )


def is_proposer(user: User | None, proposal: Proposal) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return (
        db.session.scalar(
            select(Proposer.id).where(
                Proposer.proposal_id == proposal.id, Proposer.user_id == user.id
            )
        )
        is not None
    )


def acts_as_proposer(user: User | None, proposal: Proposal) -> bool:
    """A proposer acts as one while a member: whose membership the secretariat revokes
    stays on the list (it is their text) but may no longer edit, invite or move it."""
    return bool(user is not None and user.is_authenticated and user.is_member) and is_proposer(
        user, proposal
    )


def capacities(user: User | None, proposal: Proposal, *, proposer: bool | None = None) -> set[str]:
    """The capacities in which `user` can act on `proposal`; `proposer` is whether they act
    as its proposer, when the caller knows already."""
    if user is None or not user.is_authenticated:
        return set()
    result = set()
    if proposer if proposer is not None else acts_as_proposer(user, proposal):
        result.add(lc.PROPOSER)
    if user.is_secretariat:
        result.add(lc.SECRETARIAT)
    return result


def _derived(values: dict) -> dict:
    """What is stored beside the content: its Markdown as HTML (rendered once, on save) and
    the stems the search index reads."""
    return {
        **{
            f"{name}_html": html
            for name, html in render_markdown_fields(values, MARKDOWN_FIELDS).items()
        },
        **search_text.indexed(values),
    }


def _derived_on_save(values: dict) -> dict:
    """As `_derived`, for an UPDATE of a proposal that may have amendments: the index of
    its words keeps theirs (app.amendments.search keeps `amendment_stems`)."""
    derived = _derived(values)
    derived["search_rest"] = func.trim(
        literal(derived["search_rest"] + " ").concat(Proposal.__table__.c.amendment_stems)
    )
    return derived


# A proposal's content as shared text: its saves are its revisions (app.core.editing).
TEXT = editing.Subject(
    kind="proposal",
    model=Proposal,
    fields=(*CONTENT_FIELDS, "topic_id"),
    markdown=MARKDOWN_FIELDS,
    derived=_derived_on_save,
)


def _values(content: Content) -> dict:
    """The content as stored: line breaks as "\n" whatever the browser sent, so that a
    save compares and merges with the last by its words alone."""
    values = {name: getattr(content, name) for name in TEXT.fields}
    return {k: editing.plain_lines(v) if isinstance(v, str) else v for k, v in values.items()}


def _apply_content(proposal: Proposal, content: Content) -> None:
    values = _values(content)
    for name, value in (values | _derived(values)).items():
        setattr(proposal, name, value)


def create(author: User, content: Content, *, now: datetime) -> Proposal:
    """A new draft with its author as proposer number 1."""
    if not author.is_member:
        raise NotAllowed("not_a_member")
    lc.check_new_draft(
        db.session.scalar(
            select(func.count())
            .select_from(Proposal)
            .where(Proposal.created_by_id == author.id, Proposal.created_at > now - lc.DAY)
        )
    )
    proposal = Proposal(
        state=lc.DRAFT,
        created_by_id=author.id,
        created_at=now,
        updated_at=now,
        state_changed_at=now,
        proposer_count=1,
        revision=0,
    )
    _apply_content(proposal, content)
    db.session.add(proposal)
    db.session.flush()
    db.session.add(Proposer(proposal_id=proposal.id, user_id=author.id, position=1, joined_at=now))
    editing.record(TEXT, proposal.id, 0, _values(content), author.id, now)
    return proposal


def edit(
    actor: User,
    proposal: Proposal,
    content: Content,
    *,
    now: datetime,
    base_revision: int | None = None,
    amendment: int | None = None,
) -> Version | None:
    """Change the content as it was when the form showed `base_revision` (None: as it is
    now): merged with what others saved since, or, where both changed the same passage,
    refused with `editing.Conflict` and nothing saved. From the hearing on, a save that
    changes the text is also a numbered version; `amendment`: the number of the amendment
    it takes in, which names the version."""
    if not acts_as_proposer(actor, proposal):
        raise NotAllowed("not_a_proposer")
    if not lc.may_edit(proposal.state, is_proposer=True):
        raise WrongState("not_editable")
    saved = editing.save(
        TEXT,
        proposal.id,
        proposal.revision if base_revision is None else base_revision,
        _values(content),
        author_id=actor.id,
        now=now,
        extra={"updated_at": now},
    )
    if not saved.ok:
        raise editing.Conflict(saved)
    db.session.refresh(proposal)
    version = None
    if proposal.state == lc.REVISION and not _same_as_latest_version(proposal):
        version = _snapshot(proposal, actor, "amendment" if amendment else "edit", now)
        version.amendment = amendment
    db.session.flush()
    return version


def _same_as_latest_version(proposal: Proposal) -> bool:
    latest = db.session.scalar(
        select(Version).where(Version.proposal_id == proposal.id).order_by(Version.number.desc())
    )
    return latest is not None and all(
        getattr(latest, name) == getattr(proposal, name) for name in CONTENT_FIELDS
    )


def _snapshot(proposal: Proposal, author: User | None, kind: str, now: datetime) -> Version:
    proposal.version_count += 1
    version = Version(
        proposal_id=proposal.id,
        number=proposal.version_count,
        created_at=now,
        author_id=author.id if author else None,
        kind=kind,
        **{name: getattr(proposal, name) for name in CONTENT_FIELDS},
    )
    db.session.add(version)
    db.session.flush()
    return version


# --- proposers ---------------------------------------------------------------------------


def invite(actor: User, proposal: Proposal, email: str, *, now: datetime) -> Invitation:
    """Invite a member to join the proposer list."""
    if not acts_as_proposer(actor, proposal):
        raise NotAllowed("not_a_proposer")
    if not lc.may_invite(proposal.state, is_proposer=True):
        raise WrongState("not_inviting")
    invitee = find_by_email(email)
    if invitee is None or not invitee.is_member:
        # One answer whether or not the address has an account, and no name: having an
        # account on a party's site can itself say something about a person.
        raise Invalid("invitee_not_member", email=email)
    if is_proposer(invitee, proposal):
        raise Invalid("already_proposer", name=invitee.name)
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.proposal_id == proposal.id, Invitation.user_id == invitee.id
        )
    )
    if invitation is not None and invitation.status == Invitation.PENDING:
        raise Invalid("already_invited", name=invitee.name)
    sent = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.invited_by_id == actor.id, Invitation.created_at > now - lc.DAY)
    )
    declined = invitation is not None and invitation.status == Invitation.DECLINED
    lc.check_invitation(
        sent, invitation.answered_at if declined else None, now, invitee=invitee.name
    )
    if invitation is None:
        invitation = Invitation(proposal_id=proposal.id, user_id=invitee.id)
        db.session.add(invitation)
    invitation.user = invitee
    invitation.invited_by_id = actor.id
    invitation.status = Invitation.PENDING
    invitation.created_at = now
    invitation.answered_at = None
    outbox.record(
        "invited", now=now, proposal_id=proposal.id, actor_id=actor.id, subject_id=invitee.id
    )
    db.session.flush()
    return invitation


def pending_invitation(user: User | None, proposal: Proposal) -> Invitation | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Invitation).where(
            Invitation.proposal_id == proposal.id,
            Invitation.user_id == user.id,
            Invitation.status == Invitation.PENDING,
        )
    )


def answer_invitation(
    user: User, proposal: Proposal, *, accept: bool, now: datetime
) -> Proposer | None:
    """Accept (joining the list at the next number) or decline an open invitation."""
    invitation = pending_invitation(user, proposal)
    if invitation is None:
        raise ConditionNotMet("no_invitation")
    if accept and not lc.may_invite(proposal.state, is_proposer=True):
        raise WrongState("not_inviting")
    if accept and not user.is_member:
        raise NotAllowed("not_a_member")
    invitation.status = Invitation.ACCEPTED if accept else Invitation.DECLINED
    invitation.answered_at = now
    if not accept:
        db.session.flush()
        return None
    # The counter hands out positions: its row is locked until commit, so two members
    # accepting at the same moment get consecutive numbers.
    position = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id)
        .values(proposer_count=Proposal.proposer_count + 1)
        .returning(Proposal.proposer_count)
    ).scalar_one()
    proposal.proposer_count = position
    proposer = Proposer(proposal_id=proposal.id, user_id=user.id, position=position, joined_at=now)
    db.session.add(proposer)
    db.session.flush()
    return proposer


# --- transitions -------------------------------------------------------------------------


def transition(
    actor: User,
    proposal: Proposal,
    target: str,
    *,
    reason: str = "",
    ends_at: datetime | None = None,
    now: datetime,
) -> TransitionEvent:
    """Move the proposal by hand, if the lifecycle table lets this actor do it now."""
    if target not in lc.STATES:
        raise Invalid("unknown_state", target=target)
    rules = policy()
    actors = capacities(actor, proposal)
    if not actors:
        raise NotAllowed("wrong_actor", source=proposal.state, target=target)
    rule = lc.check(facts(proposal), target, actors, now, rules, reason, ends_at=ends_at)
    values: dict = {}
    source = proposal.state
    if (source, target) == (lc.SUBMITTED, lc.HEARING):
        values["hearing_ends_at"] = lc.hearing_end(now, rules, ends_at)
    elif (source, target) == (lc.HEARING, lc.REVISION):
        values["hearing_ends_at"] = min(proposal.hearing_ends_at or now, now)
    elif (source, target) == (lc.REVISION, lc.SUPPORT):
        values["support_deadline"] = lc.support_deadline(now, rules)
        values["support_threshold"] = rules.support_threshold
    event = _move(proposal, target, actor=actor, reason=reason, now=now, values=values)
    for step in MOVED:
        step(proposal, source, target, actor, now)
    acting = rule.actors & actors
    if lc.SECRETARIAT in acting and lc.PROPOSER not in acting:
        audit.record(
            actor,
            "transition",
            subject=f"{source} → {target}",
            proposal_id=proposal.id,
            reason=reason,
            now=now,
        )
    if target == lc.HEARING:
        proposal.hearing_version = _snapshot(proposal, actor, "hearing", now).number
    elif target == lc.SUPPORT:
        # Every save from the hearing on is a version, so the newest one is the text as it
        # stands: that is the final version.
        proposal.final_version = proposal.version_count
    db.session.flush()
    return event


def _move(
    proposal: Proposal,
    target: str,
    *,
    actor: User | None,
    reason: str,
    now: datetime,
    values: dict | None = None,
) -> TransitionEvent:
    """Change the state if, and only if, it is still what the caller saw: exactly once."""
    source = proposal.state
    result = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.state == source)
        .values(state=target, state_changed_at=now, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(proposal)
        raise WrongState("changed_meanwhile")
    # The row now holds these values: tell the session without writing them again.
    for name, value in {"state": target, "state_changed_at": now, **(values or {})}.items():
        set_committed_value(proposal, name, value)
    event = TransitionEvent(
        proposal_id=proposal.id,
        from_state=source,
        to_state=target,
        actor_id=actor.id if actor else None,
        reason=(reason or "").strip(),
        at=now,
    )
    db.session.add(event)
    # Whoever the step concerns is told by the worker, from this event of the same commit.
    outbox.transition(
        proposal.id, source, target, actor_id=event.actor_id, reason=event.reason, now=now
    )
    db.session.flush()
    return event


def apply_overdue(proposal: Proposal, now: datetime) -> TransitionEvent | None:
    """Apply the timed transition this proposal is overdue for, if any (the step a request
    takes before it reads the proposal); WrongState if another took it meanwhile."""
    target = lc.due(facts(proposal), now)
    if target is None:
        return None
    return _move(proposal, target, actor=None, reason="", now=now)


def apply_due(now: datetime, proposal_ids: list[int] | None = None) -> list[TransitionEvent]:
    """Apply every timed transition that is due (hearings ended, support deadlines passed).

    Used by `flask lifecycle tick` for all proposals and by each request for the proposals
    it reads, so nothing waits for a timer.
    """
    due = select(Proposal).where(
        or_(
            and_(Proposal.state == lc.HEARING, Proposal.hearing_ends_at <= now),
            and_(
                Proposal.state == lc.SUPPORT,
                Proposal.support_deadline <= now,
                Proposal.support_count < Proposal.support_threshold,
            ),
        )
    )
    if proposal_ids is not None:
        due = due.where(Proposal.id.in_(proposal_ids))
    moved = []
    for proposal in db.session.scalars(due.order_by(Proposal.id)).all():
        target = lc.due(facts(proposal), now)
        if target is None:
            continue
        try:
            moved.append(_move(proposal, target, actor=None, reason="", now=now))
        except WrongState:
            continue  # another request applied it first
    return moved


# --- outcomes ----------------------------------------------------------------------------


def add_outcome(actor: User, proposal: Proposal, *, on: date, text: str, now: datetime) -> Outcome:
    """Record a step of the political treatment of a catalogue proposal."""
    if not actor.is_secretariat:
        raise NotAllowed("not_secretariat")
    if proposal.state != lc.CATALOGUE:
        raise WrongState("outcomes_in_catalogue")
    outcome = Outcome(
        proposal_id=proposal.id,
        date=on,
        text=text,
        text_html=render_markdown(text),
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(outcome)
    outbox.record(
        "outcome",
        now=now,
        proposal_id=proposal.id,
        actor_id=actor.id,
        # What people read in a notification: the words, without the Markdown.
        data={"date": on.isoformat(), "text": outcome.text_html.striptags()[:500]},
    )
    audit.record(
        actor,
        "outcome",
        subject=f"{on.isoformat()}: {text[:200]}",
        proposal_id=proposal.id,
        now=now,
    )
    db.session.flush()
    return outcome
