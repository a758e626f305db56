"""POST /account/delete: the account goes at once, in one transaction, as PRODUCT.md says.
The words and the counts stay, linked to no one; nothing else of the person does."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core import personal_data
from app.core import personal_data as registered
from app.core.audit import AuditEntry
from app.core.extensions import db
from app.core.outbox import OutgoingMail
from app.privacy import erasure
from app.proposals.models import Proposal, TransitionEvent
from tests.accounts import everything
from tests.plugins.accounts import Account
from tests.support.forms import client_for, csrf_token, login, post_form
from tests.support.public_sweep import sweep

ENGLISH = "Deleted user"
DANISH = "Slettet bruger"


def person_of(world) -> Account:
    return Account(world.person, world.email, world.name, world.password)


def snapshot() -> dict[str, list]:
    """Every row of every table, in the current app context."""
    return {
        table.name: sorted(tuple(row) for row in db.session.execute(select(table)))
        for table in db.metadata.sorted_tables
    }


def delete_account(client, password):
    return post_form(client, "/account/delete", {"password": password}, token_from="/")


def english(client) -> None:
    post_form(client, "/language", {"lang": "en"}, token_from="/")


def on_draft(table: str, row: dict, draft: int) -> bool:
    if table == "proposals":
        return row["id"] == draft
    if table == "saves":
        return row["subject"] == "proposal" and row["subject_id"] == draft
    return row.get("proposal_id") == draft


# --- the rules, from the models -----------------------------------------------------------


def test_every_column_that_names_a_person_has_a_rule(app):
    """Built from the models: a new table with a user id fails here until it has a rule."""
    with app.app_context():
        columns = set(erasure.columns_referencing_users(db.metadata))
    assert columns, "no foreign keys to users.id found: the test reads the models wrongly"
    assert columns - set(personal_data.RULES) == set(), "columns naming a person with no rule"
    assert set(personal_data.RULES) - columns == set(), "rules for columns that no longer exist"
    verbs = {
        personal_data.DELETE,
        personal_data.NULL,
        personal_data.NULL_MARKED,
        personal_data.PRIVATE_DRAFTS_DELETED,
    }
    assert set(personal_data.RULES.values()) <= verbs
    for (table, _column), rule in personal_data.RULES.items():
        if rule == personal_data.NULL_MARKED:
            assert table in personal_data.MARKS


def test_every_column_that_is_kept_may_be_empty(app):
    """A row that outlives its person needs a column that can be NULL."""
    with app.app_context():
        tables = {table.name: table for table in db.metadata.sorted_tables}
    kept = [
        key
        for key, rule in personal_data.RULES.items()
        if rule in (registered.NULL, registered.NULL_MARKED, registered.PRIVATE_DRAFTS_DELETED)
    ]
    assert [key for key in kept if not tables[key[0]].c[key[1]].nullable] == []


# --- deleting -------------------------------------------------------------------------------


def test_deleting_erases_the_person_and_keeps_the_record(app):
    world = everything.build(app)
    with app.app_context():
        before = everything.rows_of(world.person)
        assert everything.counter_problems() == []
    client = client_for(app, person_of(world))
    response = delete_account(client, world.password)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    front = client.get("/").get_data(as_text=True)
    assert "Your account has been deleted" in front or "Din konto er slettet" in front
    # Logged out, and no session of the account works again.
    assert client.get("/notifications").status_code == 302

    with app.app_context():
        assert db.session.get(User, world.person) is None
        for (table, column), rule in personal_data.RULES.items():
            model_table = db.metadata.tables[table]
            ids = [row["id"] for row in before[(table, column)]]
            assert ids, f"the test's person has nothing in {table}.{column}"
            # What hung on the private draft went with it.
            ids = [
                row["id"]
                for row in before[(table, column)]
                if not on_draft(table, row, world.proposals["private"])
            ]
            rows = {
                row.id: row
                for row in db.session.execute(select(model_table).where(model_table.c.id.in_(ids)))
            }
            if rule == personal_data.DELETE:
                assert rows == {}, f"{table}.{column}: rows {sorted(rows)} were kept"
            elif rule == personal_data.PRIVATE_DRAFTS_DELETED:
                kept = {row.proposal_id for row in rows.values()}
                assert world.proposals["private"] not in kept
                assert kept == {world.proposals["mine"], world.proposals["shared"]}
                assert all(getattr(row, column) is None for row in rows.values())
            else:
                assert sorted(rows) == sorted(ids), f"{table}.{column}: rows were lost"
                assert all(getattr(row, column) is None for row in rows.values())
                if rule == personal_data.NULL_MARKED:
                    mark = personal_data.MARKS[table]
                    assert all(getattr(row, mark) for row in rows.values())
        # The private draft went, with everything on it; the shared one stays with its
        # other proposer.
        assert db.session.get(Proposal, world.proposals["private"]) is None
        assert db.session.get(Proposal, world.proposals["shared"]) is not None
        assert everything.counter_problems() == []
        # Other people's events stay unmarked: "the system" is still the system.
        assert not db.session.scalar(
            select(func.count())
            .select_from(TransitionEvent)
            .where(TransitionEvent.actor_id.is_(None), TransitionEvent.actor_erased.is_(False))
        )
        # The address is nowhere, and the log says an account was deleted, by number.
        assert not db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.subject.contains(world.email))
        )
        assert not db.session.scalar(
            select(func.count())
            .select_from(OutgoingMail)
            .where(OutgoingMail.to_address == world.email)
        )
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "delete_account"))
        assert entry.subject == f"#{world.person}" and entry.actor_id is None
        everywhere = json.dumps(snapshot(), default=str)
        assert world.email not in everywhere
        assert world.name not in everywhere


def test_after_deletion_no_page_or_api_shows_the_name_or_the_email(app, make_user):
    world = everything.build(app)
    secrets = {world.name: "the name", world.email: "the email"}
    # The sweep does see the person while the account is there: on their proposer lists.
    before = sweep(app, app.test_client(), secrets)
    assert any("shows the name" in problem for problem in before.problems)
    client = client_for(app, person_of(world))
    assert delete_account(client, world.password).status_code == 303
    readers = {
        "visitor": None,
        "citizen": make_user(name="Læser Borger"),
        "member": make_user("member", name="Læser Medlem"),
        "secretariat": Account(
            world.staff, "karen.holm@example.org", "Karen Holm", everything.PASSWORD
        ),
    }
    problems = []
    for role, account in readers.items():
        reader = client_for(app, account)
        found = sweep(app, reader, secrets)
        problems += [f"{role}: {p}" for p in found.problems]
        assert len(found.pages) > 50, f"{role}: the sweep read too few pages to mean anything"
        page = reader.get(f"/proposals/{world.proposals['mine']}").get_data(as_text=True)
        if DANISH not in page:
            problems.append(f"{role}: the proposer list does not say {DANISH}")
    assert not problems, "\n".join(problems)


def test_deleted_user_is_shown_where_the_person_was(app):
    world = everything.build(app)
    client = client_for(app, person_of(world))
    assert delete_account(client, world.password).status_code == 303
    staff = client_for(
        app, Account(world.staff, "karen.holm@example.org", "Karen Holm", everything.PASSWORD)
    )
    english(staff)
    mine, hearing = world.proposals["mine"], world.proposals["hearing"]

    detail = staff.get(f"/proposals/{mine}").get_data(as_text=True)
    assert f'<li value="1">{ENGLISH}</li>' in detail
    assert f"by {ENGLISH}" in detail  # the timeline: the person submitted it
    assert "by Karen Holm" in detail and "by the system" not in detail
    discussion = staff.get(f"/proposals/{hearing}").get_data(as_text=True)
    assert f'class="comment-author">{ENGLISH}</span>' in discussion
    assert "Min kommentar om havnen." in discussion
    versions = staff.get(f"/proposals/{mine}/versions").get_data(as_text=True)
    assert ENGLISH in versions
    saved = staff.get(f"/proposals/{mine}/saves/0").get_data(as_text=True)
    assert f"by {ENGLISH}" in saved
    log = staff.get("/secretariat/log").get_data(as_text=True)
    assert ENGLISH in log and f"#{world.person}" in log

    api = staff.get(f"/api/v1/proposals/{mine}").json
    assert api["proposers"][0] == {"position": 1, "name": ENGLISH}
    actors = [step["actor"] for step in api["timeline"]]
    assert ENGLISH in actors and "Karen Holm" in actors

    # In Danish, as PRODUCT.md words it.
    visitor = app.test_client()
    assert f'<li value="1">{DANISH}</li>' in visitor.get(f"/proposals/{mine}").get_data(
        as_text=True
    )
    assert visitor.get(f"/api/v1/proposals/{mine}").json["proposers"][0]["name"] == DANISH


def test_the_notifications_of_others_name_a_deleted_user(app):
    world = everything.build(app)
    with app.app_context():
        helper = db.session.scalar(select(User).where(User.email == "ivan.iversen@example.org"))
        helper_account = Account(helper.id, helper.email, helper.name, everything.PASSWORD)
    client = client_for(app, person_of(world))
    assert delete_account(client, world.password).status_code == 303
    reader = client_for(app, helper_account)
    english(reader)
    page = reader.get("/notifications").get_data(as_text=True)
    assert f"{ENGLISH} invited you to co-propose" in page
    assert "None" not in page


def test_the_same_email_can_register_again_as_a_new_account(app):
    world = everything.build(app)
    client = client_for(app, person_of(world))
    assert delete_account(client, world.password).status_code == 303
    fresh = app.test_client()
    response = post_form(
        fresh,
        "/register",
        {"name": "Zebulon Igen", "email": world.email, "password": "et helt nyt kodeord"},
    )
    assert response.status_code == 303
    with app.app_context():
        again = db.session.scalar(select(User).where(User.email == world.email))
        assert again is not None and again.id != world.person
        assert again.name == "Zebulon Igen"


# --- refusals: nothing changes ---------------------------------------------------------------


def test_a_wrong_password_changes_nothing(app, make_user):
    person = make_user("member", name="Forkert Kode")
    client = client_for(app, person)
    with app.app_context():
        before = snapshot()
    for password in ("not my password", "", "x" * 2000):
        response = delete_account(client, password)
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert 'aria-invalid="true"' in page and 'id="delete-password-error"' in page
        assert 'name="password"' in page
    english(client)
    page = delete_account(client, "not my password").get_data(as_text=True)
    assert "That is not your password. Nothing has been deleted." in page
    with app.app_context():
        after = snapshot()
    after.pop("users"), before.pop("users")  # the language chosen above
    assert after == before
    assert client.get("/notifications").status_code == 200  # still signed in


def test_without_the_form_token_nothing_is_deleted(app, make_user):
    person = make_user(name="Uden Token")
    client = client_for(app, person)
    for data in ({"password": person.password}, {"password": person.password, "csrf_token": "x"}):
        response = client.post("/account/delete", data=data)
        assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, person.id) is not None


def test_a_visitor_cannot_delete_anything(app):
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/account/delete", data={"csrf_token": token, "password": "x"})
    assert response.status_code == 403


def test_the_last_secretariat_account_cannot_delete_itself(app, make_user):
    only = make_user("member", "secretariat", name="Eneste Sekretær")
    client = client_for(app, only)
    english(client)
    with app.app_context():
        before = snapshot()
    response = delete_account(client, only.password)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "You are the only secretariat account" in page
    with app.app_context():
        assert snapshot() == before
    # With a second secretariat account, it can.
    make_user("secretariat", name="Ny Sekretær")
    assert delete_account(client, only.password).status_code == 303
    with app.app_context():
        assert db.session.get(User, only.id) is None


def test_erasure_itself_keeps_the_last_secretariat(app, make_user):
    """Not only the page: the service refuses too, inside the transaction."""
    first = make_user("secretariat", name="Første Sekretær")
    second = make_user("secretariat", name="Anden Sekretær")
    with app.app_context():
        erasure.erase(db.session.get(User, first.id), now=_now())
        db.session.commit()
        with pytest.raises(erasure.LastSecretariat):
            erasure.erase(db.session.get(User, second.id), now=_now())
        db.session.rollback()
        assert db.session.get(User, second.id) is not None


def test_deletion_attempts_are_rate_limited(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True)
    person = make_user()
    client = app.test_client()
    login(client, person)
    token = csrf_token(client, "/")
    for _ in range(10):
        response = client.post("/account/delete", data={"csrf_token": token, "password": "nej"})
        assert response.status_code == 422
    response = client.post(
        "/account/delete", data={"csrf_token": token, "password": person.password}
    )
    assert response.status_code == 429
    with app.app_context():
        assert db.session.get(User, person.id) is not None


def _now():
    from app.core.database import utcnow

    return utcnow()


def test_the_pages_of_deleting_are_valid_html(app, make_user, assert_valid_html):
    person = make_user("member", "secretariat", name="Gyldig Side")
    client = client_for(app, person)
    for language in ("da", "en"):
        post_form(client, "/language", {"lang": language}, token_from="/")
        account = client.get("/account")
        assert account.status_code == 200
        assert 'id="delete-password"' in account.get_data(as_text=True)
        assert_valid_html(account.get_data(as_text=True), f"/account ({language})")
        wrong = delete_account(client, "not my password")
        assert_valid_html(wrong.get_data(as_text=True), f"wrong password ({language})")
        last = delete_account(client, person.password)
        assert last.status_code == 409
        assert_valid_html(last.get_data(as_text=True), f"last secretariat ({language})")
