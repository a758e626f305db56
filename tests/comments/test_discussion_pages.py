"""A long discussion read a page at a time: threads newest, oldest or most liked first,
the hearing's responses on their own, one thread with all its replies, and a comment's own
address that finds its page however long the discussion grows."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import insert, select

from app.accounts.models import User
from app.comments.models import Comment
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal
from tests.support.forms import client_for, post, text_of
from tests.support.proposals import counted_discussion, force, recount_discussion

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def add_threads(app, proposal_id, n, *, replies=None, likes=None, stage=lc.HEARING):
    """`n` top-level comments a minute apart (comment i says "Tråd i"), with `replies[i]`
    replies under thread i and `likes[i]` likes on it; their ids, oldest first."""
    replies, likes = replies or {}, likes or {}
    with app.app_context():
        author = db.session.scalar(select(User.id).order_by(User.id))
        ids = []
        for i in range(n):
            comment = Comment(
                proposal_id=proposal_id,
                author_id=author,
                body=f"Tråd {i}",
                body_html=f"<p>Tråd {i}</p>",
                written_in=stage if i % 2 == 0 else lc.REVISION,
                created_at=START + timedelta(minutes=i),
                like_count=likes.get(i, 0),
            )
            db.session.add(comment)
            db.session.flush()
            ids.append(comment.id)
            if replies.get(i):
                db.session.execute(
                    insert(Comment),
                    [
                        {
                            "proposal_id": proposal_id,
                            "parent_id": comment.id,
                            "author_id": author,
                            "body": f"Svar {j} på {i}",
                            "body_html": f"<p>Svar {j} på {i}</p>",
                            "written_in": stage,
                            "created_at": START + timedelta(minutes=i, seconds=j + 1),
                            "hidden_reason": "",
                            "like_count": 0,
                            "open_flag_count": 0,
                        }
                        for j in range(replies[i])
                    ],
                )
        db.session.commit()
        recount_discussion(proposal_id)
        return ids


def threads_on(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<p>Tråd (\d+)</p>", html)]


@pytest.fixture
def discussed(app, make_proposal):
    return make_proposal(lc.REVISION)


def test_threads_newest_first_a_page_at_a_time(app, discussed, client):
    add_threads(app, discussed.id, 25)
    base = f"/proposals/{discussed.id}"
    first = text_of(client.get(base))
    assert threads_on(first) == list(range(24, 14, -1))
    assert "Side 1 af 3" in first and 'rel="next"' in first
    assert threads_on(text_of(client.get(f"{base}?page=3"))) == [4, 3, 2, 1, 0]
    assert threads_on(text_of(client.get(f"{base}?order=oldest"))) == list(range(10))
    assert threads_on(text_of(client.get(f"{base}?comments=5&page=2"))) == [19, 18, 17, 16, 15]
    # The links keep the order and size chosen.
    page = text_of(client.get(f"{base}?order=oldest&comments=5"))
    assert f'href="{base}?order=oldest&amp;comments=5&amp;page=2#comments"' in page
    beyond = text_of(client.get(f"{base}?page=9"))
    assert threads_on(beyond) == [] and "Der er ingen kommentarer på denne side" in beyond


def test_most_liked_first(app, discussed, client):
    add_threads(app, discussed.id, 12, likes={3: 5, 7: 9, 10: 1})
    page = text_of(client.get(f"/proposals/{discussed.id}?order=liked"))
    assert threads_on(page)[:4] == [7, 3, 10, 11]


def test_hearing_responses_are_paged_on_their_own(app, discussed, client):
    add_threads(app, discussed.id, 30)  # the even ones were written in the hearing
    base = f"/proposals/{discussed.id}?input=hearing"
    first = text_of(client.get(base))
    assert threads_on(first) == list(range(28, 8, -2))
    assert "Høringssvar (15)" in first and "Side 1 af 2" in first
    assert threads_on(text_of(client.get(base + "&page=2"))) == [8, 6, 4, 2, 0]


def test_a_thread_shows_its_first_replies_and_links_to_the_rest(app, discussed, client):
    ids = add_threads(app, discussed.id, 3, replies={1: 3, 2: 120})
    base = f"/proposals/{discussed.id}"
    page = text_of(client.get(base))
    assert page.count("<p>Svar ") == 3 + 5
    assert "Svar 4 på 2" in page and "Svar 5 på 2" not in page
    link = f'href="{base}?thread={ids[2]}#comment-{ids[2]}"'
    assert link in page and "Vis alle 120 svar" in page
    assert f"?thread={ids[1]}" not in page  # all three replies are already there
    whole = text_of(client.get(f"{base}?thread={ids[2]}"))
    assert threads_on(whole) == [2] and whole.count("<p>Svar ") == 50
    assert "Side 1 af 3" in whole and "Tilbage til alle kommentarer" in whole
    last = text_of(client.get(f"{base}?thread={ids[2]}&page=3"))
    assert last.count("<p>Svar ") == 20 and "Svar 119 på 2" in last
    # A thread of another proposal, or a reply, is no thread of this one.
    assert client.get(f"{base}?thread=999999").status_code == 404
    reply = comment_id(app, "Svar 0 på 2")
    assert client.get(f"{base}?thread={reply}").status_code == 404


def comment_id(app, body: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Comment.id).where(Comment.body == body))


def follow(client, path: str) -> tuple[str, str]:
    """The page a comment's address leads to, and that page's text."""
    response = client.get(path)
    assert response.status_code == 303
    location = response.headers["Location"]
    return location, text_of(client.get(location))


def test_a_comments_address_finds_its_page(app, discussed, client):
    ids = add_threads(app, discussed.id, 35, replies={5: 70})
    base = f"/proposals/{discussed.id}"
    # Thread 5 is the 30th newest: page 3.
    location, page = follow(client, f"/comments/{ids[5]}")
    assert location == f"{base}?page=3#comment-{ids[5]}"
    assert f'id="comment-{ids[5]}"' in page
    # Its third reply is shown under it; its 60th only in the thread's own pages.
    location, page = follow(client, f"/comments/{comment_id(app, 'Svar 2 på 5')}")
    assert location.startswith(f"{base}?page=3#comment-") and "Svar 2 på 5" in page
    sixtieth = comment_id(app, "Svar 59 på 5")
    location, page = follow(client, f"/comments/{sixtieth}")
    assert location == f"{base}?thread={ids[5]}&page=2#comment-{sixtieth}"
    assert f'id="comment-{sixtieth}"' in page
    assert client.get("/comments/99999999").status_code == 404


def test_actions_on_a_comment_lead_back_to_its_page(app, discussed, make_user):
    ids = add_threads(app, discussed.id, 25)
    client = client_for(app, make_user("member"))
    response = post(client, f"/comments/{ids[0]}/like")
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query == {"page": ["3"]}
    assert urlsplit(response.headers["Location"]).fragment == f"comment-{ids[0]}"


def test_the_address_of_a_comment_on_a_hidden_proposal_is_not_found(app, make_proposal, client):
    hearing = make_proposal(lc.HEARING)
    (comment,) = add_threads(app, hearing.id, 1)
    assert client.get(f"/comments/{comment}").status_code == 303
    force(app, hearing.id, state=lc.DRAFT)
    assert client.get(f"/comments/{comment}").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("order=best", "nyeste, ældste eller mest synes godt om"),
        ("comments=0", "et helt tal fra 1 til 100"),
        ("comments=101", "et helt tal fra 1 til 100"),
        ("comments=%EF%BC%91", "et helt tal fra 1 til 100"),
        ("page=-1", "helt tal fra 1"),
        ("page=99999999999999999999", "helt tal fra 1"),
        ("thread=x", "ingen sådan tråd"),
    ],
)
def test_wrong_discussion_arguments_are_told(app, discussed, client, query, message):
    response = client.get(f"/proposals/{discussed.id}?{query}")
    assert response.status_code == 400
    assert message in text_of(response)


def test_the_discussion_counters_follow_every_action(app, make_proposal, make_user, secretary):
    hearing = make_proposal(lc.HEARING)
    writer, staff = client_for(app, make_user()), client_for(app, secretary)
    base = f"/proposals/{hearing.id}"
    for body in ("Et", "To", "Tre"):
        assert post(writer, f"{base}/comments", {"body": body}).status_code == 303
    first, second, third = comment_id(app, "Et"), comment_id(app, "To"), comment_id(app, "Tre")
    post(writer, f"{base}/comments", {"body": "Svar", "parent_id": first})
    post(writer, f"/comments/{second}/delete")
    post(staff, f"/comments/{third}/hide", {"reason": "Grimt"})
    post(staff, f"/comments/{third}/restore", {"reason": "Fejl"})
    post(staff, f"/comments/{first}/hide", {"reason": "Grimt"})
    post(staff, f"{base}/transition", {"to": "revision"})
    post(writer, f"{base}/comments", {"body": "Efter høringen"})
    with app.app_context():
        stored = db.session.get(Proposal, hearing.id)
        counted = counted_discussion(hearing.id)
        assert {name: getattr(stored, name) for name in counted} == counted
    assert counted == {
        "comment_count": 3,  # the reply, the restored one and the one after the hearing
        "thread_count": 4,
        "hearing_thread_count": 3,
        "hearing_comment_count": 2,
    }
    page = text_of(client_for(app).get(f"{base}?input=hearing"))
    assert "Høringssvar (2)" in page and "Alle kommentarer (3)" in page
