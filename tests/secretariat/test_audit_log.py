"""The audit log names what the secretariat acted on by ids, never by copies of other people's
text or addresses: the log page puts in the words when it is read, and whoever acted takes
no one else's words away in their data download, even after leaving the secretariat."""

import json

from sqlalchemy import select

from app.comments.models import Comment
from app.core.audit import AuditEntry
from app.core.extensions import db
from app.proposals import lifecycle as lc
from tests.support.forms import client_for, post, text_of

SECRET_COMMENT = "Min nabo på Strandvejen 12 snyder i skat"


def test_the_log_holds_ids_and_the_page_words_them(app, make_user, make_proposal, secretary):
    former = make_user("member", "secretariat", name="Jens Kofod")
    mette = make_user(name="Mette Nørgaard")
    made = make_proposal(lc.HEARING)
    citizen = client_for(app, make_user())
    commented = post(citizen, f"/proposals/{made.id}/comments", {"body": SECRET_COMMENT})
    assert commented.status_code == 303
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    staff = client_for(app, former)
    for path, data in [
        ("/secretariat/members", {"action": "grant", "role": "member", "user_id": str(mette.id)}),
        (f"/comments/{comment_id}/hide", {"reason": "Personoplysninger om en tredjepart"}),
    ]:
        assert post(staff, path, data).status_code == 303, path
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.actor_id == former.id).order_by(AuditEntry.id)
        ).all()
        written = [(e.action, e.subject, e.subject_user_id, e.comment_id) for e in entries]
    assert written == [("grant_member", "", mette.id, None), ("hide", "", None, comment_id)]

    # The page names them as they are now.
    page = text_of(staff.get("/secretariat/log"))
    assert "Mette Nørgaard" in page and mette.email in page
    assert f"/comments/{comment_id}" in page
    assert SECRET_COMMENT not in page

    # Out of the secretariat, the former secretary's download holds ids only.
    revoke = {"action": "revoke", "role": "secretariat", "user_id": str(former.id)}
    response = post(client_for(app, secretary), "/secretariat/members", revoke)
    assert response.status_code == 303
    data = text_of(client_for(app, former).get("/account/data"))
    assert SECRET_COMMENT not in data
    assert mette.email not in data
    assert [e["action"] for e in json.loads(data)["audit_entries"]] == ["grant_member", "hide"]
    # Mette's own download says her role was changed, and when (not by whom).
    mine = json.loads(text_of(client_for(app, mette).get("/account/data")))
    assert [e["action"] for e in mine["roles_changed"]] == ["grant_member"]
    assert "Jens Kofod" not in json.dumps(mine["roles_changed"], ensure_ascii=False)
