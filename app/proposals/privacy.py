"""Proposals' share of a person's data download and of erasing an account: the proposals
they write, their likes, supports and stances (as rows linked to no one once erased), the
invitations, versions, timeline steps and outcomes; and the drafts they alone propose,
which erasure deletes. See app.core.personal_data."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, delete, exists, literal, or_, select

from app.accounts.models import User
from app.core.editing import Save
from app.core.extensions import db
from app.core.personal_data import (
    DELETE,
    NULL,
    NULL_MARKED,
    PRIVATE_DRAFTS_DELETED,
    by_id,
    own,
    rules,
    section,
)
from app.core.urls import public_url
from app.proposals import lifecycle as lc
from app.proposals.models import (
    Invitation,
    Outcome,
    Proposal,
    ProposalLike,
    Proposer,
    Stance,
    Support,
    Topic,
    TransitionEvent,
    Version,
    seen_by,
)
from app.proposals.services import TEXT


def _proposals(user_id: int) -> Select:
    return (
        select(
            Proposal.id,
            Proposal.state,
            Topic.name.label("topic"),
            Proposer.position.label("proposer_position"),
            (Proposal.created_by_id == user_id).label("created_by_you"),
            Proposal.created_at,
            Proposal.title,
            Proposal.summary,
            Proposal.body,
            Proposal.drawbacks,
            Proposal.process,
            Proposal.materials,
            Proposal.organisations,
        )
        .join(Topic, Topic.id == Proposal.topic_id)
        .outerjoin(Proposer, and_(Proposer.proposal_id == Proposal.id, Proposer.user_id == user_id))
        .where(or_(Proposer.user_id == user_id, Proposal.created_by_id == user_id))
        .order_by(Proposal.id)
    )


def _proposal(row) -> dict:
    return {**row._mapping, "url": public_url("proposals.detail", proposal_id=row.id)}


def proposal_title(user_id: int):
    """The title of the row's proposal as the person may read it now: none for a proposal
    they can no longer see (an invitation declined, a secretariat role taken away)."""
    staff = select(User.is_secretariat).where(User.id == user_id).scalar_subquery()
    return case((seen_by(user_id, staff), Proposal.title), else_=literal(None)).label(
        "proposal_title"
    )


def titled(row) -> dict:
    """A row naming a proposal, its title in words when the person may no longer see it."""
    item = dict(row._mapping)
    if item.get("proposal_title") is None:
        item["proposal_title"] = _("a proposal you no longer have access to")
    return item


def on_proposal(model, *columns):
    """Rows of `model` that are the person's and name a proposal, with its title."""

    def query(user_id: int) -> Select:
        return (
            select(model.id, model.proposal_id, proposal_title(user_id), *columns)
            .join(Proposal, Proposal.id == model.proposal_id)
            .where(model.user_id == user_id)
            .order_by(model.id)
        )

    return query


def _proposal_likes(user_id: int) -> Select:
    return on_proposal(ProposalLike, ProposalLike.created_at)(user_id)


def _supports(user_id: int) -> Select:
    return on_proposal(Support, Support.created_at)(user_id)


def _stances(user_id: int) -> Select:
    return on_proposal(Stance, Stance.value, Stance.updated_at)(user_id)


def _invitations(column_name: str):
    def query(user_id: int) -> Select:
        return (
            select(
                Invitation.id,
                Invitation.proposal_id,
                proposal_title(user_id),
                Invitation.status,
                Invitation.created_at,
                Invitation.answered_at,
            )
            .join(Proposal, Proposal.id == Invitation.proposal_id)
            .where(getattr(Invitation, column_name) == user_id)
            .order_by(Invitation.id)
        )

    return query


def _versions(user_id: int) -> Select:
    return own(
        Version,
        "author_id",
        Version.proposal_id,
        Version.number,
        Version.kind,
        Version.created_at,
        Version.title,
        Version.summary,
        Version.body,
        Version.drawbacks,
        Version.process,
        Version.materials,
        Version.organisations,
    )(user_id)


def _transitions(user_id: int) -> Select:
    return own(
        TransitionEvent,
        "actor_id",
        TransitionEvent.proposal_id,
        TransitionEvent.from_state.label("from"),
        TransitionEvent.to_state.label("to"),
        TransitionEvent.reason,
        TransitionEvent.at,
    )(user_id)


def _outcomes(user_id: int) -> Select:
    return own(
        Outcome,
        "recorded_by_id",
        Outcome.proposal_id,
        Outcome.date,
        Outcome.text,
        Outcome.recorded_at,
    )(user_id)


def private_drafts(user_id: int):
    """The drafts the person is a proposer of and no one else is (a place left by an earlier
    deleted account is no one)."""
    others = select(Proposer.id).where(
        Proposer.proposal_id == Proposal.id, Proposer.user_id != user_id
    )
    mine = select(Proposer.proposal_id).where(Proposer.user_id == user_id)
    return select(Proposal.id).where(
        Proposal.state == lc.DRAFT, Proposal.id.in_(mine), ~exists(others)
    )


def delete_private_drafts(user_id: int) -> None:
    ids = db.session.scalars(private_drafts(user_id)).all()
    if not ids:
        return
    # Saves name their text by kind and id, not by a foreign key: removed by hand. The rest
    # of a draft (proposers, invitations, events, notifications) goes with it (ON DELETE).
    db.session.execute(
        delete(Save).where(Save.subject == TEXT.kind, Save.subject_id.in_(ids)),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(Proposal).where(Proposal.id.in_(ids)),
        execution_options={"synchronize_session": False},
    )


section(
    ("proposals",),
    _proposals,
    {("proposers", "user_id"): ("proposal_id", "id"), **by_id("proposals", "created_by_id")},
    item=_proposal,
)
section(("likes", "proposals"), _proposal_likes, by_id("proposal_likes", "user_id"), titled)
section(("supports",), _supports, by_id("supports", "user_id"), titled)
section(("stances",), _stances, by_id("stances", "user_id"), titled)
section(
    ("invitations", "received"), _invitations("user_id"), by_id("invitations", "user_id"), titled
)
section(
    ("invitations", "sent"),
    _invitations("invited_by_id"),
    by_id("invitations", "invited_by_id"),
    titled,
)
section(("versions",), _versions, by_id("versions", "author_id"))
section(("transitions",), _transitions, by_id("transition_events", "actor_id"))
section(("outcomes",), _outcomes, by_id("outcomes", "recorded_by_id"))
rules(
    {
        # A proposer list: a draft the person alone proposes goes; on every other list the
        # place stays, named "Deleted user".
        ("proposers", "user_id"): PRIVATE_DRAFTS_DELETED,
        ("proposals", "created_by_id"): NULL,
        ("invitations", "user_id"): DELETE,
        ("invitations", "invited_by_id"): NULL,
        ("transition_events", "actor_id"): NULL_MARKED,
        ("versions", "author_id"): NULL,
        ("outcomes", "recorded_by_id"): NULL,
        # Taking part: the counts stay, linked to no one.
        ("proposal_likes", "user_id"): NULL,
        ("supports", "user_id"): NULL,
        ("stances", "user_id"): NULL,
    },
    marks={"transition_events": "actor_erased"},
    before_null={("proposers", "user_id"): delete_private_drafts},
)
