"""Reading a proposal's comments: every comment with its author in one query, and the
viewer's likes in another, whatever the number of comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from app.comments.models import Comment, CommentLike, Flag
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
    # For the secretariat: the open flags' reasons by comment id.
    flags: dict[int, list[Flag]] = field(default_factory=dict)


def discussion(proposal, viewer, *, hearing_only: bool = False) -> Discussion:
    query = (
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.proposal_id == proposal.id)
        .order_by(Comment.created_at, Comment.id)
    )
    logged_in = viewer is not None and viewer.is_authenticated
    if logged_in:  # the viewer's likes come along in the same query
        query = query.add_columns(CommentLike.id).outerjoin(
            CommentLike,
            and_(CommentLike.comment_id == Comment.id, CommentLike.user_id == viewer.id),
        )
        rows = db.session.execute(query).all()
        comments = [row[0] for row in rows]
        liked = {row[0].id for row in rows if row[1] is not None}
    else:
        comments = db.session.scalars(query).all()
        liked: set[int] = set()
    flags: dict[int, list[Flag]] = {}
    if (
        viewer is not None
        and viewer.is_authenticated
        and viewer.is_secretariat
        and any(c.open_flag_count for c in comments)
    ):
        for flag in db.session.scalars(
            select(Flag)
            .join(Comment, Comment.id == Flag.comment_id)
            .where(Comment.proposal_id == proposal.id, Flag.resolved_at.is_(None))
            .order_by(Flag.created_at)
        ):
            flags.setdefault(flag.comment_id, []).append(flag)
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
        flags=flags,
    )
