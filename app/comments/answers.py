"""The hearing memo (høringsnotat): the proposers answer each hearing response with a
verdict and a short text while the proposal is in revision, and everyone reads the
responses with their answers.

A hearing response is a top-level comment written during the hearing, the same comments
`Proposal.hearing_thread_count` counts; replies are part of a response's thread, not
responses of their own. `Proposal.hearing_answer_count` counts the answered ones and is
raised in the transaction that writes the first answer, so "N of M answered" is read from
two counters.

An answer is shared text (app.core.editing): the form carries the revision it showed, and an
answer given from an older form is merged with the one saved since, or refused as a
conflict. Each answer and each change is kept on the proposal's public timeline, the
earlier verdict and text with it, and the response's author is told.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.amendments import queries as amendment_queries
from app.comments.models import Comment, CommentAnswer
from app.core import audit, editing, outbox
from app.core.extensions import db
from app.core.markup import render_markdown
from app.core.sql import bump, insert_if_absent
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal

# As long as a comment may be: an answer is read beside the response it answers.
MAX_ANSWER = 10_000
AUDIT_ACTION = "answer"


def _derived(values: dict) -> dict:
    return {"text_html": render_markdown(values["text"])}


# An answer as shared text; its saves are kept under this kind (app.core.editing).
ANSWER = editing.Subject(
    kind="answer",
    model=CommentAnswer,
    fields=("verdict", "text"),
    markdown=("text",),
    derived=_derived,
)
# What an answer was before anyone answered: the base of two first answers at once.
UNANSWERED = {"verdict": "", "text": ""}


def is_hearing_response(comment: Comment) -> bool:
    return comment.parent_id is None and comment.written_in == lc.HEARING


@dataclass
class Answered:
    answer: CommentAnswer
    changed: bool  # False: the answer given was the one already there
    merged: bool = False  # someone else answered meanwhile, and both are kept


def answer(
    actor: User,
    comment: Comment,
    proposal: Proposal,
    verdict: str,
    text: str,
    *,
    is_proposer: bool,
    now: datetime,
    base_revision: int | None = None,
) -> Answered:
    """Give or change the proposers' answer to a hearing response, as it was when the
    form showed `base_revision` (None: as it is now). Raises a lifecycle refusal, or
    `editing.Conflict` when someone changed the same passage since (nothing saved)."""
    lc.check_answer(
        proposal.state,
        is_proposer=is_proposer,
        is_hearing_response=comment.proposal_id == proposal.id and is_hearing_response(comment),
    )
    lc.check_verdict(verdict)
    text = editing.plain_lines(text or "")
    if len(text) > MAX_ANSWER:
        raise lc.Invalid("answer_length", max=MAX_ANSWER)
    mine = {"verdict": verdict, "text": text}
    existing = _answer_of(comment.id)
    if existing is None:
        inserted = insert_if_absent(
            CommentAnswer,
            comment_id=comment.id,
            proposal_id=proposal.id,
            author_id=actor.id,
            answered_at=now,
            revision=1,
            **mine,
            **_derived(mine),
        )
        existing = _answer_of(comment.id)
        if inserted:
            editing.record(ANSWER, existing.id, 0, UNANSWERED, actor.id, now)
            editing.record(ANSWER, existing.id, 1, mine, actor.id, now)
            bump(Proposal, proposal.id, proposal, hearing_answer_count=1)
            _told(actor, comment, proposal, existing, None, now)
            return Answered(existing, changed=True)
        # Another proposer answered first, between our reading and our INSERT: ours is
        # a change to theirs, made on the unanswered form.
        base_revision = 0 if base_revision is None else base_revision
    before = {"verdict": existing.verdict, "text": existing.text}
    read_at = existing.revision
    saved = editing.save(
        ANSWER,
        existing.id,
        read_at if base_revision is None else base_revision,
        mine,
        author_id=actor.id,
        now=now,
        extra={"answered_at": now, "author_id": actor.id},
    )
    if not saved.ok:
        raise editing.Conflict(saved)
    db.session.refresh(existing)
    changed = saved.revision > read_at
    if changed:
        _told(actor, comment, proposal, existing, before, now)
    return Answered(existing, changed=changed, merged=bool(saved.merged))


def _answer_of(comment_id: int) -> CommentAnswer | None:
    return db.session.scalar(
        select(CommentAnswer)
        .where(CommentAnswer.comment_id == comment_id)
        .execution_options(populate_existing=True)
    )


def _told(actor, comment, proposal, answer, before: dict | None, now) -> None:
    """The answer on the public timeline (with what it replaced) and to the response's
    author, in the caller's transaction."""
    was = f"{before['verdict']} → " if before else ""
    audit.record(
        actor,
        AUDIT_ACTION,
        subject=f"#{comment.id}: {was}{answer.verdict}",
        proposal_id=proposal.id,
        reason=before["text"] if before else "",
        now=now,
    )
    outbox.record(
        "answered",
        now=now,
        proposal_id=proposal.id,
        comment_id=comment.id,
        actor_id=actor.id,
        # What people read in a notification: the words, without the Markdown.
        data={"verdict": answer.verdict, "text": answer.text_html.striptags()[:500]},
    )


# --- reading ----------------------------------------------------------------------------

_SUBJECT = re.compile(r"^#(\d+): (?:(\w+) → )?(\w+)$")


@dataclass(frozen=True)
class TimelineAnswer:
    """An answer given or changed, as the timeline shows it (from its audit entry)."""

    at: datetime
    comment_id: int | None
    verdict: str
    earlier_verdict: str | None
    earlier_text: str


def timeline_entry(entry) -> TimelineAnswer:
    found = _SUBJECT.match(entry.subject or "")
    if found is None:  # not written by `_told`: shown as an answer without details
        return TimelineAnswer(entry.at, None, "", None, "")
    comment_id, earlier, verdict = found.groups()
    return TimelineAnswer(entry.at, int(comment_id), verdict, earlier, entry.reason or "")


@dataclass
class MemoRow:
    response: Comment
    answer: CommentAnswer | None
    number: int


@dataclass
class Memo:
    proposal: Proposal
    rows: list[MemoRow] = field(default_factory=list)
    # Every amendment with its verdict and reason (app.amendments).
    amendments: amendment_queries.Decisions | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Answers per verdict, every verdict present, from the rows themselves."""
        counted = Counter(row.answer.verdict for row in self.rows if row.answer)
        return {verdict: counted.get(verdict, 0) for verdict in lc.VERDICTS}

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.answer)

    @property
    def unanswered(self) -> int:
        return len(self.rows) - self.answered

    @property
    def diff_to(self) -> int | None:
        """The version the memo compares the hearing version with: the final one once the
        text is frozen, else the newest."""
        return self.proposal.final_version or self.proposal.version_count or None


def memo(proposal: Proposal) -> Memo:
    """Every hearing response in the order written, with its answer: one query."""
    rows = db.session.execute(
        select(Comment, CommentAnswer)
        .options(joinedload(Comment.author))
        .outerjoin(CommentAnswer, CommentAnswer.comment_id == Comment.id)
        .where(
            Comment.proposal_id == proposal.id,
            Comment.parent_id.is_(None),
            Comment.written_in == lc.HEARING,
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return Memo(
        proposal,
        [MemoRow(c, a, number) for number, (c, a) in enumerate(rows, start=1)],
        amendment_queries.decisions(proposal),
    )
