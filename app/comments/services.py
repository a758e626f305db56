"""What people do with comments: write, reply, delete their own, like, flag; and what
the secretariat does: hide and restore, with a reason. The caller commits once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update

from app.accounts.models import User
from app.comments.models import Comment, CommentLike, Flag, ModerationAction
from app.core import audit, outbox
from app.core.extensions import db
from app.core.markup import render_markdown
from app.core.sql import bump, insert_if_absent
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal

MAX_COMMENT = 10_000
MAX_REASON = 1_000


def _shown(comment: Comment, sign: int) -> dict[str, int]:
    """The proposal's counters that change when `comment` is shown (1) or no longer (-1)."""
    counters = {"comment_count": sign}
    if comment.written_in == lc.HEARING:
        counters["hearing_comment_count"] = sign
    return counters


def _shown_or_refuse(comment: Comment) -> None:
    if not comment.is_shown:
        raise lc.WrongState("comment_not_shown")


def add_comment(
    user: User, proposal: Proposal, body: str, *, parent_id: int | None = None, now: datetime
) -> Comment:
    """A comment, or a reply to a comment (replies are not replied to)."""
    lc.check_comment(proposal.state, logged_in=user.is_authenticated)
    if not body.strip() or len(body) > MAX_COMMENT:
        raise lc.Invalid("comment_length", max=MAX_COMMENT)
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.proposal_id != proposal.id:
            raise lc.Invalid("no_such_comment")
        if parent.parent_id is not None:
            raise lc.Invalid("reply_to_reply")
        _shown_or_refuse(parent)
    comment = Comment(
        proposal_id=proposal.id,
        parent_id=parent_id,
        author_id=user.id,
        body=body,
        body_html=render_markdown(body),
        written_in=proposal.state,
        created_at=now,
    )
    db.session.add(comment)
    db.session.flush()
    counters = _shown(comment, 1)
    if parent_id is None:
        counters["thread_count"] = 1
        if comment.written_in == lc.HEARING:
            counters["hearing_thread_count"] = 1
    bump(Proposal, proposal.id, proposal, **counters)
    outbox.record(
        "comment",
        now=now,
        proposal_id=proposal.id,
        comment_id=comment.id,
        actor_id=user.id,
        data={"written_in": comment.written_in},
    )
    return comment


def delete_comment(user: User, comment: Comment, proposal: Proposal, *, now: datetime) -> bool:
    """The author takes their comment down: the text goes, a placeholder stays."""
    if comment.author_id != user.id:
        raise lc.NotAllowed("not_the_author")
    lc.check_comment(proposal.state, logged_in=True)
    if comment.deleted_at is not None:
        return False
    was_shown = comment.is_shown
    comment.deleted_at = now
    comment.body = ""
    comment.body_html = render_markdown("")
    db.session.flush()
    if was_shown:
        bump(Proposal, proposal.id, proposal, **_shown(comment, -1))
    return True


def like_comment(user: User, comment: Comment, proposal: Proposal, *, now: datetime) -> bool:
    lc.check_comment(proposal.state, logged_in=user.is_authenticated)
    _shown_or_refuse(comment)
    if not insert_if_absent(CommentLike, comment_id=comment.id, user_id=user.id, created_at=now):
        return False
    bump(Comment, comment.id, comment, like_count=1)
    return True


def unlike_comment(user: User, comment: Comment, proposal: Proposal, *, now: datetime) -> bool:
    lc.check_comment(proposal.state, logged_in=user.is_authenticated)
    deleted = db.session.execute(
        delete(CommentLike).where(
            CommentLike.comment_id == comment.id, CommentLike.user_id == user.id
        )
    ).rowcount
    if not deleted:
        return False
    bump(Comment, comment.id, comment, like_count=-1)
    return True


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise lc.ReasonRequired("reason_required")
    if len(reason) > MAX_REASON:
        raise lc.Invalid("reason_length", max=MAX_REASON)
    return reason


def flag_comment(user: User, comment: Comment, reason: str, *, now: datetime) -> bool:
    """Report a comment to the secretariat; once per person and comment."""
    if not user.is_authenticated:
        raise lc.NotAllowed("login_required")
    reason = _reason(reason)
    _shown_or_refuse(comment)
    if not insert_if_absent(
        Flag, comment_id=comment.id, user_id=user.id, reason=reason, created_at=now
    ):
        return False
    bump(Comment, comment.id, comment, open_flag_count=1)
    outbox.record(
        "flagged",
        now=now,
        proposal_id=comment.proposal_id,
        comment_id=comment.id,
        actor_id=user.id,
        data={"reason": reason},
    )
    return True


def _moderate(
    actor: User, comment: Comment, proposal: Proposal, action: str, reason: str, now: datetime
) -> None:
    if not actor.is_secretariat:
        raise lc.NotAllowed("not_secretariat")
    reason = _reason(reason)
    db.session.execute(
        update(Flag)
        .where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
        .values(resolved_at=now)
    )
    comment.open_flag_count = 0
    db.session.add(
        ModerationAction(
            comment_id=comment.id, actor_id=actor.id, action=action, reason=reason, at=now
        )
    )
    audit.record(
        actor,
        action,
        comment_id=comment.id,
        proposal_id=proposal.id,
        reason=reason,
        now=now,
    )


def hide_comment(
    actor: User, comment: Comment, proposal: Proposal, reason: str, *, now: datetime
) -> None:
    """Hide a comment from everyone but the secretariat; its text is kept."""
    _moderate(actor, comment, proposal, "hide", reason, now)
    if comment.hidden_at is not None:
        raise lc.WrongState("already_hidden")
    was_shown = comment.is_shown
    comment.hidden_at = now
    comment.hidden_reason = reason.strip()
    outbox.record(
        "comment_hidden",
        now=now,
        proposal_id=proposal.id,
        comment_id=comment.id,
        actor_id=actor.id,
        subject_id=comment.author_id,
        data={"reason": comment.hidden_reason},
    )
    db.session.flush()
    if was_shown:
        bump(Proposal, proposal.id, proposal, **_shown(comment, -1))


def restore_comment(
    actor: User, comment: Comment, proposal: Proposal, reason: str, *, now: datetime
) -> None:
    _moderate(actor, comment, proposal, "restore", reason, now)
    if comment.hidden_at is None:
        raise lc.WrongState("not_hidden")
    comment.hidden_at = None
    comment.hidden_reason = ""
    db.session.flush()
    if comment.is_shown:
        bump(Proposal, proposal.id, proposal, **_shown(comment, 1))
