"""Reading a proposal's comments: every comment with its author in one query, and the
viewer's likes in another, whatever the number of comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.comments.models import Comment, CommentLike
from app.extensions import db
from app.proposals import lifecycle as lc


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass
class Discussion:
    threads: list[Thread]
    liked: set[int]
    total: int
    hearing_total: int


def discussion(proposal, viewer, *, hearing_only: bool = False) -> Discussion:
    comments = db.session.scalars(
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.proposal_id == proposal.id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    liked: set[int] = set()
    if viewer is not None and viewer.is_authenticated and comments:
        liked = set(
            db.session.scalars(
                select(CommentLike.comment_id)
                .join(Comment, Comment.id == CommentLike.comment_id)
                .where(Comment.proposal_id == proposal.id, CommentLike.user_id == viewer.id)
            )
        )
    threads: dict[int, Thread] = {}
    for comment in comments:
        if comment.parent_id is None:
            threads[comment.id] = Thread(comment)
        elif comment.parent_id in threads:
            threads[comment.parent_id].replies.append(comment)
    chosen = list(threads.values())
    if hearing_only:
        chosen = [t for t in chosen if t.comment.written_in == lc.HEARING]
    return Discussion(
        threads=chosen,
        liked=liked,
        total=sum(1 for c in comments if c.is_shown),
        hearing_total=sum(1 for c in comments if c.is_shown and c.written_in == lc.HEARING),
    )
