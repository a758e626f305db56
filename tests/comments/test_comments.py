"""Comments over HTTP: writing, one level of replies, the hearing's input on its own,
deleting, likes, flags, hiding and restoring; refusals change nothing."""

import re

import pytest
from sqlalchemy import func, select

from app.comments.models import Comment, CommentLike, Flag, ModerationAction
from app.core.extensions import db
from app.proposals import lifecycle as lc
from tests.support.forms import client_for, post, text_of
from tests.support.proposals import force, get_proposal


def comment_ids(app) -> list[int]:
    with app.app_context():
        return db.session.scalars(select(Comment.id).order_by(Comment.id)).all()


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def write(client, proposal_id, body, parent_id=None):
    data = {"body": body}
    if parent_id is not None:
        data["parent_id"] = str(parent_id)
    return post(client, f"/proposals/{proposal_id}/comments", data)


@pytest.fixture
def hearing(make_proposal):
    return make_proposal(lc.HEARING)


def test_citizen_comments_and_replies_in_the_hearing(app, hearing, make_user):
    citizen = client_for(app, make_user(name="Peter Borger"))
    response = write(citizen, hearing.id, "Jeg **støtter** tanken.")
    assert response.status_code == 303
    (first,) = comment_ids(app)
    assert response.headers["Location"].endswith(f"/proposals/{hearing.id}#comment-{first}")
    member = client_for(app, make_user("member", name="Mette Nørgaard"))
    assert write(member, hearing.id, "Enig!", parent_id=first).status_code == 303
    page = text_of(client_for(app).get(f"/proposals/{hearing.id}"))
    assert "<strong>støtter</strong>" in page and "Enig!" in page
    assert "Høringssvar (2)" in page and "2 kommentarer" in page
    assert re.search(r'class="replies">\s*<li><article class="comment reply"', page)
    with app.app_context():
        assert {c.written_in for c in db.session.scalars(select(Comment))} == {"hearing"}
    api = client_for(app).get(f"/api/v1/proposals/{hearing.id}").json
    assert api["comment_count"] == 2


def test_replies_have_no_replies(app, hearing, make_user):
    client = client_for(app, make_user())
    write(client, hearing.id, "Første")
    (first,) = comment_ids(app)
    write(client, hearing.id, "Svar", parent_id=first)
    reply = comment_ids(app)[-1]
    response = write(client, hearing.id, "Svar på svar", parent_id=reply)
    assert response.status_code == 422
    assert "svar har ikke svar" in text_of(response).lower()
    assert len(comment_ids(app)) == 2


def test_reply_to_a_comment_on_another_proposal_is_refused(app, make_proposal, make_user):
    one, other = make_proposal(lc.HEARING), make_proposal(lc.HEARING)
    client = client_for(app, make_user())
    write(client, one.id, "Her")
    (first,) = comment_ids(app)
    assert write(client, other.id, "Der", parent_id=first).status_code == 422
    assert write(client, other.id, "Der", parent_id=999999).status_code == 422


def test_hearing_input_can_be_read_on_its_own(app, make_proposal, make_user, secretary):
    made = make_proposal(lc.HEARING)
    client = client_for(app, make_user())
    write(client, made.id, "Sagt i høringen")
    post(client_for(app, secretary), f"/proposals/{made.id}/transition", {"to": "revision"})
    write(client, made.id, "Sagt efter høringen")
    everything = text_of(client.get(f"/proposals/{made.id}"))
    assert "Sagt i høringen" in everything and "Sagt efter høringen" in everything
    hearing_only = text_of(client.get(f"/proposals/{made.id}?input=hearing"))
    assert "Sagt i høringen" in hearing_only and "Sagt efter høringen" not in hearing_only
    assert "Høringssvar (1)" in hearing_only and "Alle kommentarer (2)" in hearing_only


@pytest.mark.parametrize("state", [lc.WITHDRAWN, lc.REJECTED, lc.LAPSED, lc.DRAFT])
def test_no_comments_outside_the_discussed_states(app, make_proposal, make_user, state):
    made = make_proposal(lc.SUPPORT if state == lc.LAPSED else state)
    if state == lc.LAPSED:
        force(app, made.id, state=lc.LAPSED)
    client = client_for(app, made.author)
    response = write(client, made.id, "Kan jeg skrive?")
    assert response.status_code == 409
    assert comment_ids(app) == []


def test_visitors_cannot_comment(app, hearing):
    assert write(app.test_client(), hearing.id, "Anonym").status_code == 403
    assert comment_ids(app) == []


@pytest.mark.parametrize(
    ("body", "status"),
    [("", 422), ("   ", 422), ("x" * 10_001, 422), ("x" * 10_000, 303), ("null\x00byte", 422)],
)
def test_comment_length(app, hearing, make_user, body, status):
    response = write(client_for(app, make_user()), hearing.id, body)
    assert response.status_code == status


def test_author_deletes_and_a_placeholder_keeps_the_thread(app, hearing, make_user):
    author = make_user(name="Skribent")
    client = client_for(app, author)
    write(client, hearing.id, "Det her fortryder jeg")
    (first,) = comment_ids(app)
    write(client_for(app, make_user(name="Svarer")), hearing.id, "Et svar", parent_id=first)
    assert post(client_for(app, make_user()), f"/comments/{first}/delete").status_code == 403
    assert post(client, f"/comments/{first}/delete").status_code == 303
    assert post(client, f"/comments/{first}/delete").status_code == 303  # idempotent
    page = text_of(app.test_client().get(f"/proposals/{hearing.id}"))
    assert "Det her fortryder jeg" not in page
    assert "Forfatteren har slettet denne kommentar." in page and "Et svar" in page
    assert get_proposal(app, hearing.id).comment_count == 1


def test_comment_likes_are_idempotent_and_counted(app, hearing, make_user):
    write(client_for(app, make_user()), hearing.id, "Synes godt om mig")
    (first,) = comment_ids(app)
    fans = [client_for(app, make_user()) for _ in range(3)]
    for fan in fans:
        assert post(fan, f"/comments/{first}/like").status_code == 303
        post(fan, f"/comments/{first}/like")
    post(fans[0], f"/comments/{first}/unlike")
    post(fans[0], f"/comments/{first}/unlike")
    with app.app_context():
        assert db.session.get(Comment, first).like_count == 2
    assert rows(app, CommentLike) == 2
    assert post(app.test_client(), f"/comments/{first}/like").status_code == 403


def test_flag_hide_and_restore(app, hearing, make_user, secretary):
    write(client_for(app, make_user(name="Grov Skribent")), hearing.id, "Noget grimt")
    (first,) = comment_ids(app)
    reporter = client_for(app, make_user())
    assert post(reporter, f"/comments/{first}/flag", {"reason": ""}).status_code == 422
    assert post(reporter, f"/comments/{first}/flag", {"reason": "Personangreb"}).status_code == 303
    assert post(reporter, f"/comments/{first}/flag", {"reason": "Igen"}).status_code == 303
    assert rows(app, Flag) == 1

    member = client_for(app, make_user("member"))
    assert post(member, f"/comments/{first}/hide", {"reason": "Nej"}).status_code == 403
    staff = client_for(app, secretary)
    staff_page = text_of(staff.get(f"/proposals/{hearing.id}"))
    assert "1 anmeldelse" in staff_page
    assert post(staff, f"/comments/{first}/hide", {"reason": ""}).status_code == 422
    assert post(staff, f"/comments/{first}/hide", {"reason": "Personangreb"}).status_code == 303
    assert post(staff, f"/comments/{first}/hide", {"reason": "Igen"}).status_code == 409

    public = text_of(app.test_client().get(f"/proposals/{hearing.id}"))
    assert "Noget grimt" not in public and "skjult af sekretariatet" in public
    timeline = public[public.index('class="timeline"') :]
    assert "en kommentar blev skjult af sekretariatet" in timeline and "Personangreb" in timeline
    staff_page = text_of(staff.get(f"/proposals/{hearing.id}"))
    assert "Noget grimt" in staff_page and "Personangreb" in staff_page
    assert get_proposal(app, hearing.id).comment_count == 0
    assert post(reporter, f"/comments/{first}/like").status_code == 409

    assert post(staff, f"/comments/{first}/restore", {"reason": "Efter klage"}).status_code == 303
    assert "Noget grimt" in text_of(app.test_client().get(f"/proposals/{hearing.id}"))
    assert get_proposal(app, hearing.id).comment_count == 1
    with app.app_context():
        actions = db.session.execute(
            select(ModerationAction.action, ModerationAction.reason).order_by(ModerationAction.id)
        ).all()
        assert [tuple(a) for a in actions] == [("hide", "Personangreb"), ("restore", "Efter klage")]
        assert db.session.scalar(select(Flag.resolved_at)) is not None


def test_comments_on_invisible_proposals_are_not_found(app, make_proposal, make_user):
    draft = make_proposal(lc.DRAFT)
    client = client_for(app, make_user())
    assert write(client, draft.id, "Hej").status_code == 404
    assert post(client, "/comments/99999/like").status_code == 404
    assert post(client, "/comments/99999999999999999/like").status_code == 404
