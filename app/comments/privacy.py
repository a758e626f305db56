"""Comments' share of a person's data download and of erasing an account: their comments,
answers in hearing memos, likes, flags and (as secretariat) moderation, all of which stay,
linked to no one, when the account goes. See app.core.personal_data."""

from __future__ import annotations

from sqlalchemy import Select, select

from app.comments.models import Comment, CommentAnswer, CommentLike, Flag, ModerationAction
from app.core.personal_data import NULL, by_id, own, rules, section
from app.proposals.models import Proposal
from app.proposals.privacy import proposal_title, titled


def _comments(user_id: int) -> Select:
    return (
        select(
            Comment.id,
            Comment.proposal_id,
            proposal_title(user_id),
            Comment.parent_id,
            Comment.written_in,
            Comment.created_at,
            Comment.body,
            Comment.deleted_at,
            Comment.hidden_at,
            Comment.hidden_reason,
            Comment.like_count,
        )
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Comment.author_id == user_id)
        .order_by(Comment.id)
    )


def _hearing_answers(user_id: int) -> Select:
    """The answers to hearing responses the person gave (or last changed) as a proposer."""
    return own(
        CommentAnswer,
        "author_id",
        CommentAnswer.proposal_id,
        CommentAnswer.comment_id,
        CommentAnswer.verdict,
        CommentAnswer.text,
        CommentAnswer.answered_at,
    )(user_id)


def _comment_likes(user_id: int) -> Select:
    return own(CommentLike, "user_id", CommentLike.comment_id, CommentLike.created_at)(user_id)


def _flags(user_id: int) -> Select:
    return own(Flag, "user_id", Flag.comment_id, Flag.reason, Flag.created_at, Flag.resolved_at)(
        user_id
    )


def _moderation(user_id: int) -> Select:
    return own(
        ModerationAction,
        "actor_id",
        ModerationAction.comment_id,
        ModerationAction.action,
        ModerationAction.reason,
        ModerationAction.at,
    )(user_id)


section(("comments",), _comments, by_id("comments", "author_id"), titled)
section(("hearing_answers",), _hearing_answers, by_id("comment_answers", "author_id"))
section(("likes", "comments"), _comment_likes, by_id("comment_likes", "user_id"))
section(("flags",), _flags, by_id("flags", "user_id"))
section(("moderation",), _moderation, by_id("moderation_actions", "actor_id"))
rules(
    {
        ("comments", "author_id"): NULL,
        ("comment_likes", "user_id"): NULL,
        ("flags", "user_id"): NULL,
        # The proposers' answers in a hearing memo stay, as the public record they are.
        ("comment_answers", "author_id"): NULL,
        ("moderation_actions", "actor_id"): NULL,
    }
)
