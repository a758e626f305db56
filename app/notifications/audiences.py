"""Each audience of the rules table as one SQL select of user ids, so a fan-out to any
number of people is a few statements, never a loop over them."""

from __future__ import annotations

from sqlalchemy import Select, false, func, or_, select, union

from app.accounts.models import User
from app.amendments.models import Amendment, AmendmentBacking
from app.comments.models import Comment
from app.core.outbox import Event
from app.notifications import rules
from app.notifications.models import ProposalFollow, TopicFollow
from app.proposals.models import Proposal, Proposer, Stance, Support


def proposers(proposal_id: int) -> Select:
    return select(Proposer.user_id).where(Proposer.proposal_id == proposal_id)


def commenters(proposal_id: int) -> Select:
    return select(Comment.author_id).where(
        Comment.proposal_id == proposal_id, Comment.deleted_at.is_(None)
    )


def supporters(proposal_id: int) -> Select:
    return select(Support.user_id).where(Support.proposal_id == proposal_id)


def stance_holders(proposal_id: int) -> Select:
    return select(Stance.user_id).where(Stance.proposal_id == proposal_id)


def followers(proposal_id: int) -> Select:
    """Who follows the proposal: everyone who chose to, and everyone who took part in it
    (proposers, commenters, supporters, members with a stance) unless they unfollowed."""
    chose = select(ProposalFollow.user_id).where(
        ProposalFollow.proposal_id == proposal_id, ProposalFollow.following.is_(True)
    )
    unfollowed = select(ProposalFollow.user_id).where(
        ProposalFollow.proposal_id == proposal_id, ProposalFollow.following.is_(False)
    )
    took_part = union(
        proposers(proposal_id),
        commenters(proposal_id),
        supporters(proposal_id),
        stance_holders(proposal_id),
    ).subquery()
    (user_id,) = took_part.c
    return union(chose, select(user_id).where(user_id.not_in(unfollowed)))


def following(user_id: int, proposal_id: int):
    """The SQL truth of "this person follows this proposal", as one column of a page's
    query: their own choice if they made one, else whether they took part."""
    chose = (
        select(ProposalFollow.following)
        .where(ProposalFollow.proposal_id == proposal_id, ProposalFollow.user_id == user_id)
        .scalar_subquery()
    )
    took_part = or_(
        *(
            audience.where(column == user_id).exists()
            for audience, column in (
                (proposers(proposal_id), Proposer.user_id),
                (commenters(proposal_id), Comment.author_id),
                (supporters(proposal_id), Support.user_id),
                (stance_holders(proposal_id), Stance.user_id),
            )
        )
    )
    return func.coalesce(chose, took_part)


def topic_followers(topic_id: int) -> Select:
    return select(TopicFollow.user_id).where(TopicFollow.topic_id == topic_id)


def _amendment_id(event: Event) -> int | None:
    return (event.data or {}).get("amendment_id")


def of(audience: str, event: Event, proposal: Proposal | None, comment: Comment | None) -> Select:
    """The user ids of `audience` for this event."""
    pid = event.proposal_id
    if audience == rules.INVITEE:
        return select(User.id).where(User.id == event.subject_id)
    if audience == rules.COMMENT_AUTHOR:
        return select(User.id).where(User.id == (comment.author_id if comment else None))
    if audience == rules.PARENT_AUTHOR:
        if comment is None or comment.parent_id is None:
            return select(User.id).where(false())
        return select(Comment.author_id).where(
            Comment.id == comment.parent_id, Comment.deleted_at.is_(None)
        )
    if audience == rules.AMENDMENT_AUTHOR:
        return select(Amendment.author_id).where(Amendment.id == _amendment_id(event))
    if audience == rules.AMENDMENT_BACKERS:
        return select(AmendmentBacking.user_id).where(
            AmendmentBacking.amendment_id == _amendment_id(event)
        )
    if audience == rules.PROPOSERS:
        return proposers(pid)
    if audience == rules.FOLLOWERS:
        return followers(pid)
    if audience == rules.SUPPORTERS:
        return supporters(pid)
    if audience == rules.STANCE_HOLDERS:
        return stance_holders(pid)
    if audience == rules.COMMENTERS:
        return commenters(pid)
    if audience == rules.TOPIC_FOLLOWERS:
        return topic_followers(proposal.topic_id)
    if audience == rules.EVERY_HEARING:
        return select(User.id).where(User.notify_new_hearings.is_(True))
    if audience == rules.EVERY_SUPPORT:
        return select(User.id).where(
            User.notify_seeking_support.is_(True), User.is_member.is_(True)
        )
    if audience == rules.SECRETARIAT:
        return select(User.id).where(User.is_secretariat.is_(True))
    raise ValueError(f"unknown audience {audience!r}")
