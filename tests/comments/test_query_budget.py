"""The detail page costs the same with 10 or 2,000 comments, likes, flags and stances, for
a visitor, a member and the secretariat: the same SQL queries (at most 13) and the same
HTML, but for the digits of ids and counts and the link to the next page of comments."""

import difflib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from app.accounts.models import User
from app.comments.models import Comment, CommentLike, Flag
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Outcome, Proposal, StanceDay
from tests.support.forms import login
from tests.support.proposals import force


def add_discussion(app, proposal_id: int, viewer_id: int, comments: int) -> None:
    now = datetime.now(UTC)
    with app.app_context():
        author = db.session.scalar(db.select(User.id).limit(1))
        ids = (
            db.session.execute(
                insert(Comment).returning(Comment.id),
                [
                    {
                        "proposal_id": proposal_id,
                        "author_id": author,
                        "body": f"Kommentar {i}",
                        "body_html": f"<p>Kommentar {i}</p>",
                        "written_in": "hearing",
                        "created_at": now,
                        "hidden_reason": "",
                        "like_count": 1,
                        "open_flag_count": 1,
                    }
                    for i in range(comments)
                ],
            )
            .scalars()
            .all()
        )
        # Every other thread has a reply, so a page of threads looks alike at any size.
        half = ids[1::2]
        if half:
            db.session.execute(
                insert(Comment),
                [
                    {
                        "proposal_id": proposal_id,
                        "parent_id": parent,
                        "author_id": author,
                        "body": "Svar",
                        "body_html": "<p>Svar</p>",
                        "written_in": "catalogue",
                        "created_at": now,
                        "hidden_reason": "",
                        "like_count": 0,
                        "open_flag_count": 0,
                    }
                    for parent in half
                ],
            )
        db.session.execute(
            insert(CommentLike),
            [{"comment_id": cid, "user_id": viewer_id, "created_at": now} for cid in ids],
        )
        db.session.execute(
            insert(Flag),
            [
                {"comment_id": cid, "user_id": viewer_id, "reason": "Grimt", "created_at": now}
                for cid in ids
            ],
        )
        db.session.execute(
            insert(StanceDay),
            [
                {
                    "proposal_id": proposal_id,
                    "day": date(2026, 1, 1) + timedelta(days=i),
                    "stance_for": i,
                    "stance_against": 1,
                    "stance_abstain": 2,
                }
                for i in range(30)
            ],
        )
        db.session.add(
            Outcome(
                proposal_id=proposal_id,
                date=date(2026, 4, 1),
                text="Vedtaget.",
                text_html="<p>Vedtaget.</p>",
                recorded_by_id=author,
                recorded_at=now,
            )
        )
        proposal = db.session.get(Proposal, proposal_id)
        proposal.comment_count = comments + len(half)
        proposal.thread_count = proposal.hearing_thread_count = comments
        proposal.hearing_comment_count = comments
        db.session.commit()


@pytest.mark.parametrize("who", ["visitor", "member", "secretariat"])
def test_detail_page_queries_do_not_grow(
    app, make_proposal, make_user, count_queries, who, secretary
):
    viewer = {"visitor": None, "member": make_user("member"), "secretariat": secretary}[who]
    client = app.test_client()
    if viewer:
        login(client, viewer)
        client.get("/")  # the page that shows "you are logged in"
    viewer_id = viewer.id if viewer else make_user().id
    counts, pages = [], []
    for size in (10, 2_000):
        made = make_proposal(lc.SUPPORT)
        force(app, made.id, state=lc.CATALOGUE)
        add_discussion(app, made.id, viewer_id, size)
        with count_queries() as statements:
            response = client.get(f"/proposals/{made.id}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert html.count('<article class="comment') == 15  # 10 threads, 5 of them with a reply
        counts.append(len(statements))
        pager = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
        assert (pager is not None) == (size > 10)
        if pager:
            html = html.replace(pager.group(0), "")
        # The forms' CSRF tokens are signed with the time: their length varies too.
        html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
        pages.append(re.sub(r"[0-9][0-9.,]*", "0", " ".join(html.split())))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 13, counts
    changed = difflib.unified_diff(pages[0].split("> "), pages[1].split("> "), lineterm="", n=1)
    assert len(pages[0]) == len(pages[1]), "\n".join(changed)
