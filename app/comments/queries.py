"""Reading a proposal's discussion a page at a time: a page is a few top-level threads
with their first replies, and costs the same few queries however long the discussion is;
every count comes from the proposal's stored counters.

The page is chosen in the URL of the proposal: `comments` (threads a page), `order`
(`newest`, `oldest`, `liked`), `page`, `input=hearing` for the hearing's responses only,
and `thread=<id>` for one thread with all its replies, `REPLIES_A_PAGE` at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from app.comments.models import Comment, CommentAnswer, CommentLike, Flag
from app.core.extensions import db
from app.proposals import lifecycle as lc

ORDERS = ("newest", "oldest", "liked")
THREADS_A_PAGE = 10
MAX_THREADS_A_PAGE = 100
# Replies shown under a thread on the proposal's page; the rest are one link away.
REPLIES_SHOWN = 5
REPLIES_A_PAGE = 50


class BadView(ValueError):
    """A discussion argument that names no page: its key, for the message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class View:
    """Which part of the discussion a page shows."""

    order: str = "newest"
    size: int = THREADS_A_PAGE
    page: int = 1
    hearing_only: bool = False
    thread: int | None = None

    def args(self, **changes) -> dict:
        """The URL arguments of this view with `changes`, leaving out the defaults."""
        view = replace(self, **changes)
        args = {
            "order": view.order if view.order != "newest" else None,
            "comments": view.size if view.size != THREADS_A_PAGE else None,
            "input": "hearing" if view.hearing_only else None,
            "thread": view.thread,
            "page": view.page if view.page != 1 else None,
        }
        return {key: value for key, value in args.items() if value is not None}


def view_from(args) -> View:
    """The view a request's arguments ask for; BadView names the first one that is wrong."""
    order = args.get("order") or "newest"
    if order not in ORDERS:
        raise BadView("order")
    numbers = {}
    for key, default, highest in (
        ("comments", THREADS_A_PAGE, MAX_THREADS_A_PAGE),
        ("page", 1, None),
        ("thread", None, None),
    ):
        raw = args.get(key)
        if raw in (None, ""):
            numbers[key] = default
            continue
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
            raise BadView(key)
        number = int(raw)
        if number < 1 or (highest is not None and number > highest):
            raise BadView(key)
        numbers[key] = number
    return View(
        order=order,
        size=numbers["comments"],
        page=numbers["page"],
        hearing_only=args.get("input") == "hearing",
        thread=numbers["thread"],
    )


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)
    reply_count: int = 0

    @property
    def more_replies(self) -> int:
        return self.reply_count - len(self.replies)


@dataclass
class Discussion:
    view: View
    threads: list[Thread]
    liked: set[int]
    total: int  # comments shown, the whole discussion
    hearing_total: int  # hearing responses shown
    thread_total: int  # threads in this view (or replies, in the view of one thread)
    # For the secretariat: the open flags' reasons by comment id.
    flags: dict[int, list[Flag]] = field(default_factory=dict)
    # The proposers' answers to the hearing responses on this page, by comment id.
    answers: dict[int, CommentAnswer] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return self.view.page

    @property
    def pages(self) -> int:
        per_page = REPLIES_A_PAGE if self.view.thread else self.view.size
        return max(1, -(-self.thread_total // per_page))


def _with_author():
    return select(Comment).options(joinedload(Comment.author))


def _newest_first(order: str):
    if order == "oldest":
        return (Comment.created_at.asc(), Comment.id.asc())
    if order == "liked":
        return (Comment.like_count.desc(), Comment.created_at.desc(), Comment.id.desc())
    return (Comment.created_at.desc(), Comment.id.desc())


def _top_level(proposal_id: int, hearing_only: bool):
    where = [Comment.proposal_id == proposal_id, Comment.parent_id.is_(None)]
    if hearing_only:
        where.append(Comment.written_in == lc.HEARING)
    return where


def _replies(thread_ids: list[int], shown: int) -> tuple[dict[int, list[Comment]], dict]:
    """The first `shown` replies of each thread, oldest first, and each thread's count."""
    if not thread_ids:
        return {}, {}
    ranked = (
        select(
            Comment.id,
            func.row_number()
            .over(partition_by=Comment.parent_id, order_by=(Comment.created_at, Comment.id))
            .label("place"),
            func.count().over(partition_by=Comment.parent_id).label("of"),
        )
        .where(Comment.parent_id.in_(thread_ids))
        .subquery()
    )
    rows = db.session.execute(
        _with_author()
        .add_columns(ranked.c.of)
        .join(ranked, ranked.c.id == Comment.id)
        .where(ranked.c.place <= shown)
        .order_by(Comment.parent_id, ranked.c.place)
    ).all()
    replies: dict[int, list[Comment]] = {}
    counts: dict[int, int] = {}
    for reply, of in rows:
        replies.setdefault(reply.parent_id, []).append(reply)
        counts[reply.parent_id] = of
    return replies, counts


def discussion(proposal, viewer, view: View | None = None) -> Discussion:
    """One page of the proposal's discussion as `viewer` sees it."""
    view = view or View()
    thread_total = proposal.hearing_thread_count if view.hearing_only else proposal.thread_count
    if view.thread is not None:
        threads, thread_total = _one_thread(proposal, view)
    else:
        roots = db.session.scalars(
            _with_author()
            .where(*_top_level(proposal.id, view.hearing_only))
            .order_by(*_newest_first(view.order))
            .limit(view.size)
            .offset((view.page - 1) * view.size)
        ).all()
        replies, counts = _replies([root.id for root in roots], REPLIES_SHOWN)
        threads = [Thread(root, replies.get(root.id, []), counts.get(root.id, 0)) for root in roots]
    comments = [c for t in threads for c in (t.comment, *t.replies)]
    ids = [c.id for c in comments]
    liked: set[int] = set()
    if viewer is not None and viewer.is_authenticated and ids:
        liked = set(
            db.session.scalars(
                select(CommentLike.comment_id).where(
                    CommentLike.user_id == viewer.id, CommentLike.comment_id.in_(ids)
                )
            )
        )
    flags: dict[int, list[Flag]] = {}
    flagged = [c.id for c in comments if c.open_flag_count]
    if viewer is not None and viewer.is_authenticated and viewer.is_secretariat and flagged:
        for flag in db.session.scalars(
            select(Flag)
            .where(Flag.comment_id.in_(flagged), Flag.resolved_at.is_(None))
            .order_by(Flag.created_at)
        ):
            flags.setdefault(flag.comment_id, []).append(flag)
    answered: dict[int, CommentAnswer] = {}
    responses = [t.comment.id for t in threads if t.comment.written_in == lc.HEARING]
    if proposal.hearing_answer_count and responses:  # no query where nothing is answered
        answered = {
            a.comment_id: a
            for a in db.session.scalars(
                select(CommentAnswer).where(CommentAnswer.comment_id.in_(responses))
            )
        }
    return Discussion(
        view=view,
        threads=threads,
        liked=liked,
        total=proposal.comment_count,
        hearing_total=proposal.hearing_comment_count,
        thread_total=thread_total,
        flags=flags,
        answers=answered,
    )


def _one_thread(proposal, view: View) -> tuple[list[Thread], int]:
    """The thread `view.thread` with a page of its replies, and how many replies it has."""
    root = db.session.scalars(
        _with_author().where(Comment.id == view.thread, *_top_level(proposal.id, False))
    ).one_or_none()
    if root is None:
        return [], 0
    replies = db.session.scalars(
        _with_author()
        .where(Comment.parent_id == root.id)
        .order_by(Comment.created_at, Comment.id)
        .limit(REPLIES_A_PAGE)
        .offset((view.page - 1) * REPLIES_A_PAGE)
    ).all()
    count = db.session.scalar(
        select(func.count()).select_from(Comment).where(Comment.parent_id == root.id)
    )
    return [Thread(root, list(replies), count)], count


def place_of(comment: Comment) -> View:
    """The view of the default discussion in which `comment` is shown: the page of its
    thread, or, for a reply beyond the first few, the page of the thread's own view."""
    root = comment if comment.parent_id is None else db.session.get(Comment, comment.parent_id)
    newer = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(
            *_top_level(comment.proposal_id, False),
            or_(
                Comment.created_at > root.created_at,
                and_(Comment.created_at == root.created_at, Comment.id > root.id),
            ),
        )
    )
    view = View(page=newer // THREADS_A_PAGE + 1)
    if comment.parent_id is None:
        return view
    before = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.parent_id == root.id,
            or_(
                Comment.created_at < comment.created_at,
                and_(Comment.created_at == comment.created_at, Comment.id < comment.id),
            ),
        )
    )
    if before < REPLIES_SHOWN:
        return view
    return View(thread=root.id, page=before // REPLIES_A_PAGE + 1)
