"""The 485 naughty strings as comment bodies and as flag reasons: never a 5xx, never
markup that runs, and each shown back escaped as written."""

import re

from markupsafe import escape
from sqlalchemy import select

from app.comments.models import Comment
from app.core.extensions import db
from app.proposals import lifecycle as lc
from tests.support.forms import csrf_token, login, text_of
from tests.support.naughty import naughty_strings
from tests.support.xss import dangerous_markup

# Characters Markdown may turn into formatting: a string without them reads back verbatim.
MARKDOWN_SIGNS = re.compile(r"[\\`*_{}\[\]()#+\-.!|<>&~=:\"']|^\s|\s$|^\d|\n|\t|  ")


def comments_html(page: str) -> str:
    return "".join(re.findall(r'<div class="markdown">(.*?)</div>', page, re.S))


def test_naughty_comment_bodies(app, make_proposal, make_user):
    made = make_proposal(lc.HEARING)
    client = app.test_client()
    login(client, make_user())
    token = csrf_token(client)
    accepted = 0
    for value in naughty_strings():
        response = client.post(
            f"/proposals/{made.id}/comments", data={"csrf_token": token, "body": value}
        )
        assert response.status_code < 500, value
        if response.status_code == 303:
            accepted += 1
        else:
            assert response.status_code == 422 and "<h1>" in text_of(response)
    # Every comment, read through the pages of the discussion.
    pages = range(1, accepted // 100 + 2)
    page = "".join(
        text_of(client.get(f"/proposals/{made.id}?comments=100&page={n}")) for n in pages
    )
    assert page.count('<article class="comment') == accepted
    assert dangerous_markup(comments_html(page)) == []
    verbatim = [v for v in naughty_strings() if v.strip() and not MARKDOWN_SIGNS.search(v)]
    for value in verbatim:
        assert str(escape(value)) in page, value
    with app.app_context():
        stored = db.session.scalars(select(Comment.body)).all()
    assert len(stored) == accepted > 400
    assert set(stored) <= set(naughty_strings())


def test_naughty_flag_reasons_reach_the_secretariat_escaped(
    app, make_proposal, make_user, secretary
):
    made = make_proposal(lc.HEARING)
    writer = app.test_client()
    login(writer, make_user())
    writer.post(
        f"/proposals/{made.id}/comments",
        data={"csrf_token": csrf_token(writer), "body": "En kommentar"},
    )
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    shown = []
    reporter = app.test_client()
    for i, value in enumerate(naughty_strings()):
        if i % 40 == 0:  # a fresh reporter now and then: one flag per person and comment
            reporter = app.test_client()
            login(reporter, make_user())
            token = csrf_token(reporter)
        response = reporter.post(
            f"/comments/{comment_id}/flag", data={"csrf_token": token, "reason": value}
        )
        assert response.status_code < 500, value
        if response.status_code == 303 and i % 40 == 0:
            shown.append(value.strip())
    staff = app.test_client()
    login(staff, secretary)
    page = text_of(staff.get(f"/proposals/{made.id}"))
    reasons = re.findall(r'<li class="flag-reason">(.*?)</li>', page, re.S)
    for value in shown:
        assert str(escape(value)) in reasons, value
    assert dangerous_markup("".join(reasons)) == []
