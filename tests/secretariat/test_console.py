"""The console's queues and actions, members and roles, the register import, topics and
the audit log."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal, Topic
from tests.support.forms import client_for, login, post, text_of
from tests.support.proposals import force, get_proposal


@pytest.fixture
def staff(app, secretary):
    return client_for(app, secretary)


def audit(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (e.action, e.reason)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_dashboard_lists_every_queue(app, staff, make_proposal):
    submitted = make_proposal(lc.SUBMITTED, title="Venter på gennemgang")
    hearing = make_proposal(lc.HEARING, title="Høring slutter snart")
    force(app, hearing.id, hearing_ends_at=datetime.now(UTC) + timedelta(days=2))
    make_proposal(lc.HEARING, title="Høring slutter senere")
    deadline = make_proposal(lc.SUPPORT, title="Frist om lidt")
    force(app, deadline.id, support_deadline=datetime.now(UTC) + timedelta(days=3))
    lapsed = make_proposal(lc.SUPPORT, title="Udløbet for nylig")
    force(app, lapsed.id, state=lc.LAPSED)
    fresh = make_proposal(lc.SUPPORT, title="Nyt i kataloget")
    force(app, fresh.id, state=lc.CATALOGUE)
    page = text_of(staff.get("/secretariat"))
    for title in [
        "Venter på gennemgang",
        "Høring slutter snart",
        "Frist om lidt",
        "Udløbet for nylig",
        "Nyt i kataloget",
    ]:
        assert title in page, title
    assert "Høring slutter senere" not in page
    assert f'action="/proposals/{submitted.id}/transition"' in page
    assert "Indsendt, venter på gennemgang (1)" in page


def test_acting_from_the_console_returns_to_it_and_is_audited(app, staff, make_proposal):
    made = make_proposal(lc.SUBMITTED)
    response = post(
        staff,
        f"/proposals/{made.id}/transition",
        {"to": "hearing", "ends_at": "2099-06-01T12:00", "next": "/secretariat"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/secretariat"
    assert get_proposal(app, made.id).hearing_ends_at == datetime(2099, 6, 1, 10, 0, tzinfo=UTC)
    post(staff, f"/proposals/{made.id}/transition", {"to": "revision", "next": "/secretariat"})
    rejected = make_proposal(lc.SUBMITTED)
    post(
        staff,
        f"/proposals/{rejected.id}/transition",
        {"to": "rejected", "reason": "Mod retningslinjerne", "next": "/secretariat"},
    )
    assert [a for a, _ in audit(app)] == ["transition", "transition", "transition"]
    assert audit(app)[-1] == ("transition", "Mod retningslinjerne")
    # Off-site `next` is ignored.
    other = make_proposal(lc.SUBMITTED)
    response = post(
        staff,
        f"/proposals/{other.id}/transition",
        {"to": "hearing", "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == f"/proposals/{other.id}"


def test_a_proposer_withdrawing_is_not_a_secretariat_action(app, make_proposal):
    made = make_proposal(lc.DRAFT)
    post(client_for(app, made.author), f"/proposals/{made.id}/transition", {"to": "withdrawn"})
    assert audit(app) == []


def test_dashboard_queries_do_not_grow(app, staff, make_proposal, count_queries):
    def measure():
        with count_queries() as statements:
            assert staff.get("/secretariat").status_code == 200
        return len(statements)

    for state in (lc.SUBMITTED, lc.HEARING, lc.SUPPORT, lc.DRAFT, lc.REJECTED):
        make_proposal(state)
    small = measure()
    with app.app_context():
        template = db.session.get(Proposal, 1)
        columns = {
            c.name: getattr(template, c.name) for c in Proposal.__table__.columns if c.name != "id"
        }
        now = datetime.now(UTC)
        rows = []
        for i in range(495):
            state = [lc.SUBMITTED, lc.HEARING, lc.SUPPORT, lc.CATALOGUE, lc.LAPSED][i % 5]
            rows.append(
                {
                    **columns,
                    "state": state,
                    "state_changed_at": now,
                    "hearing_ends_at": now + timedelta(days=1),
                    "support_deadline": now + timedelta(days=2),
                    "support_threshold": 50,
                }
            )
        db.session.execute(insert(Proposal), rows)
        db.session.commit()
    large = measure()
    # 5, the organisation's settings and the set-up list's one query (app.site), and one
    # for the similar proposals of every submitted row (app.proposals.similar).
    assert small == large <= 8, (small, large)


def test_members_search_and_roles(app, staff, make_user, secretary):
    mette = make_user(name="Mette Nørgaard", email="mette@example.org")
    make_user(name="Jens Kristensen")
    page = text_of(staff.get("/secretariat/members?q=METTE"))
    assert "Mette Nørgaard" in page and "Jens Kristensen" not in page
    response = post(
        staff,
        "/secretariat/members",
        {"action": "grant", "role": "member", "user_id": str(mette.id)},
    )
    assert response.status_code == 303
    post(
        staff,
        "/secretariat/members",
        {"action": "grant", "role": "secretariat", "user_id": str(mette.id)},
    )
    with app.app_context():
        user = db.session.get(User, mette.id)
        assert (user.is_member, user.is_secretariat) == (True, True)
    post(
        staff,
        "/secretariat/members",
        {"action": "revoke", "role": "secretariat", "user_id": str(mette.id)},
    )
    assert [a for a, _ in audit(app)] == ["grant_member", "grant_secretariat", "revoke_secretariat"]
    bad = post(
        staff, "/secretariat/members", {"action": "grant", "role": "king", "user_id": str(mette.id)}
    )
    assert bad.status_code == 422
    assert (
        post(
            staff, "/secretariat/members", {"action": "grant", "role": "member", "user_id": "99999"}
        ).status_code
        == 422
    )


def test_never_your_own_secretariat_role_and_never_the_last(app, staff, secretary, make_user):
    response = post(
        staff,
        "/secretariat/members",
        {"action": "revoke", "role": "secretariat", "user_id": str(secretary.id)},
    )
    assert response.status_code == 403
    assert "egen sekretariatsrolle" in text_of(response)
    other = make_user("secretariat")
    other_client = client_for(app, other)
    post(
        other_client,
        "/secretariat/members",
        {"action": "revoke", "role": "secretariat", "user_id": str(secretary.id)},
    )
    with app.app_context():
        assert db.session.get(User, secretary.id).is_secretariat is False
    # `other` is now the last one, and cannot be removed by anyone (nor by themself).
    response = post(
        other_client,
        "/secretariat/members",
        {"action": "revoke", "role": "secretariat", "user_id": str(other.id)},
    )
    assert response.status_code == 403
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(User).where(User.is_secretariat.is_(True))
            )
            == 1
        )


def test_the_last_secretariat_stays(app, make_user):
    """Reached only when the acting staff member is no longer stored as staff (another
    request took their role a moment ago): then the one left keeps it."""
    from app.accounts import services

    only = make_user("secretariat")
    with app.app_context():
        acting = User(id=10_000, email="gone@example.org", name="Gone", is_secretariat=True)
        with pytest.raises(lc.ConditionNotMet, match="last_secretariat"):
            services.change_role(
                acting,
                db.session.get(User, only.id),
                "secretariat",
                granted=False,
                now=datetime.now(UTC),
            )
        db.session.rollback()
        assert db.session.get(User, only.id).is_secretariat is True


CSV_WITH_BAD_ROW = (
    "email,name,role\nanna@example.org,Anna Holm,\nikke-en-adresse,Bo,\n"
    "carl@example.org,Carl Berg,secretariat\n"
)


def test_import_preview_saves_nothing_and_reports_bad_rows(app, staff):
    response = post(staff, "/secretariat/members", {"action": "preview", "csv": CSV_WITH_BAD_ROW})
    assert response.status_code == 422
    page = text_of(response)
    assert "Linje 3: not an email address" in page
    assert "1 række skal rettes; intet er importeret." in page
    assert "anna@example.org" in page  # the good rows are shown
    # Even asking to import does nothing while a row is bad.
    assert (
        post(
            staff, "/secretariat/members", {"action": "import", "csv": CSV_WITH_BAD_ROW}
        ).status_code
        == 422
    )
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "anna@example.org")) is None


def test_import_after_fixing_the_row(app, staff):
    fixed = CSV_WITH_BAD_ROW.replace("ikke-en-adresse", "bo@example.org")
    preview = post(staff, "/secretariat/members", {"action": "preview", "csv": fixed})
    assert preview.status_code == 200 and "3 rækker er klar til import." in text_of(preview)
    response = post(staff, "/secretariat/members", {"action": "import", "csv": fixed})
    assert response.status_code == 303
    page = text_of(staff.get("/secretariat/members"))
    assert "Importerede 3 rækker: 3 nye konti" in page
    with app.app_context():
        carl = db.session.scalar(select(User).where(User.email == "carl@example.org"))
        assert carl.roles == ["citizen", "secretariat"]
    assert audit(app)[-1][0] == "import"


def test_import_from_an_uploaded_file(app, staff):
    from io import BytesIO

    from tests.support.forms import csrf_token

    data = {
        "csrf_token": csrf_token(staff),
        "action": "preview",
        "register": (BytesIO("\ufeffdora@example.org;Dora\n".encode()), "m.csv"),
    }
    response = staff.post("/secretariat/members", data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and "dora@example.org" in text_of(response)
    latin = {
        "csrf_token": csrf_token(staff),
        "action": "preview",
        "register": (BytesIO("ø@example.org,Søren\n".encode("latin-1")), "m.csv"),
    }
    response = staff.post("/secretariat/members", data=latin, content_type="multipart/form-data")
    assert response.status_code == 422 and "ikke UTF-8" in text_of(response)


def test_topics(app, staff, make_proposal, topic, make_user):
    response = post(staff, "/secretariat/topics", {"action": "create", "name": "Kultur"})
    assert response.status_code == 303
    assert (
        post(staff, "/secretariat/topics", {"action": "create", "name": "kultur"}).status_code
        == 422
    )
    assert post(staff, "/secretariat/topics", {"action": "create", "name": "K"}).status_code == 422
    assert (
        post(
            staff,
            "/secretariat/topics",
            {"action": "rename", "topic_id": str(topic), "name": "Land og by"},
        ).status_code
        == 303
    )
    made = make_proposal(lc.HEARING)
    post(staff, "/secretariat/topics", {"action": "retire", "topic_id": str(topic)})
    assert "Land og by" in text_of(staff.get(f"/proposals/{made.id}"))  # stays on proposals
    writer = client_for(app, make_user("member"))
    form = text_of(writer.get("/proposals/new"))
    assert "Kultur" in form and "Land og by" not in form
    response = post(
        writer,
        "/proposals/new",
        {"title": "Et forslag her", "summary": "x" * 25, "body": "Tekst", "topic": str(topic)},
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Topic, topic).retired is True
    assert [a for a, _ in audit(app) if a.startswith("topic")] == [
        "topic_create",
        "topic_rename",
        "topic_retire",
    ]


def test_audit_log_shows_who_what_when_why_paginated(app, staff, make_proposal, secretary):
    made = make_proposal(lc.SUBMITTED)
    post(staff, f"/proposals/{made.id}/transition", {"to": "draft", "reason": "Mangler tal"})
    page = text_of(staff.get("/secretariat/log"))
    assert "Flyttede et forslag: submitted → draft" in page
    assert "Mangler tal" in page and secretary.name in page
    with app.app_context():
        db.session.execute(
            insert(AuditEntry),
            [
                {
                    "actor_id": secretary.id,
                    "action": "import",
                    "subject": f"{i}",
                    "reason": "",
                    "at": datetime.now(UTC),
                }
                for i in range(60)
            ],
        )
        db.session.commit()
    assert "Side 1 af 2" in text_of(staff.get("/secretariat/log"))
    assert len(re.findall(r"<tr>", text_of(staff.get("/secretariat/log?page=2")))) == 1 + 11
    assert staff.get("/secretariat/log?page=x").status_code == 400
    login(app.test_client(), secretary)
