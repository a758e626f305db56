"""GET /account/data: one JSON file with everything stored about the person, streamed."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import insert

from app.comments.models import Comment
from app.core.database import utcnow
from app.core.extensions import db
from app.privacy import export
from tests.accounts import everything
from tests.plugins.accounts import Account
from tests.support.forms import client_for, login
from tests.support.proposals import recount_discussion

TOP_LEVEL = [
    "format",
    "exported_at",
    "account",
    "proposals",
    "comments",
    "hearing_answers",
    "amendments",
    "amendment_backing",
    "amendment_stances",
    "amendment_decisions",
    "likes",
    "supports",
    "stances",
    "follows",
    "notifications",
    "invitations",
    "flags",
    "saves",
    "versions",
    "transitions",
    "outcomes",
    "moderation",
    "audit_entries",
    "roles_changed",
    "events",
    "mail",
    "password_reset_links",
    "account_links",
]


def download(client):
    response = client.get("/account/data")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def section(document: dict, path: tuple[str, ...]) -> list[dict]:
    value = document
    for key in path:
        value = value[key]
    return value


def test_every_column_that_names_a_person_is_in_the_download(app):
    """Built from the models: a new table with a user id must be given a section."""
    with app.app_context():
        columns = set(everything.users_columns())
    covered = [key for s in export.sections() for key in s.covers]
    assert len(covered) == len(set(covered)), "a column is covered by two sections"
    assert columns - set(covered) == set(), "columns naming a person missing from the download"
    assert set(covered) - columns == set(), "sections for columns that no longer exist"


def test_the_download_has_everything_stored_about_the_person(app):
    world = everything.build(app)
    client = client_for(app, Account(world.person, world.email, world.name, world.password))
    response = download(client)
    assert response.is_streamed
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="forslag-data-')
    assert disposition.endswith('.json"')
    assert "no-store" in response.headers["Cache-Control"]
    document = json.loads(response.get_data(as_text=True))
    assert list(document) == TOP_LEVEL
    assert document["format"] == export.FORMAT

    account = document["account"]
    assert account["id"] == world.person
    assert account["name"] == world.name
    assert account["email"] == world.email
    assert account["roles"] == ["citizen", "member", "secretariat"]
    assert account["email_setting"] == "instant"
    assert account["created_at"].endswith("Z")
    assert set(account) >= {"language", "confirmed_at", "notify_new_hearings"}

    with app.app_context():
        stored = everything.rows_of(world.person)
    problems = []
    for s in export.sections():
        items = section(document, s.path)
        for (table, column), (row_key, item_key) in s.covers.items():
            rows = stored[(table, column)]
            if not rows:
                problems.append(f"the test's person has nothing in {table}.{column}")
            found = {item[item_key] for item in items}
            missing = [row["id"] for row in rows if row[row_key] not in found]
            if missing:
                problems.append(f"{table}.{column}: rows {missing} not in {'.'.join(s.path)}")
    assert not problems, "\n".join(problems)

    # What the person reads in it: their words as written, where and when.
    mine = next(c for c in document["comments"] if c["id"] == world.comments["mine"])
    assert mine["body"] == "Min kommentar om havnen."
    assert mine["proposal_id"] == world.proposals["hearing"]
    assert mine["written_in"] == "hearing"
    assert mine["created_at"].endswith("Z")
    assert mine["deleted_at"] is None and mine["hidden_at"] is None
    (answered,) = document["hearing_answers"]
    assert (answered["verdict"], answered["text"]) == ("partly", "Mit svar til Anne.")
    assert answered["proposal_id"] == world.proposals["mine"]
    proposals = {p["id"]: p for p in document["proposals"]}
    assert proposals[world.proposals["mine"]]["proposer_position"] == 1
    assert proposals[world.proposals["mine"]]["created_by_you"] is True
    assert proposals[world.proposals["shared"]]["proposer_position"] == 2
    assert proposals[world.proposals["shared"]]["created_by_you"] is False
    assert proposals[world.proposals["mine"]]["url"] == (
        f"http://localhost/proposals/{world.proposals['mine']}"
    )
    assert [s["value"] for s in document["stances"]] == ["against"]
    assert [s["proposal_id"] for s in document["supports"]] == [world.proposals["support"]]
    assert all(n["text"] for n in document["notifications"])
    # Nobody else's address or password hash is in it.
    page = response.get_data(as_text=True)
    assert "anne.andersen@example.org" not in page
    assert "password_hash" not in page and "pbkdf2" not in page


def test_ten_thousand_comments_are_streamed_in_pieces(app, make_user, make_proposal):
    writer = make_user(name="Flittig Skribent")
    proposal = make_proposal("hearing")
    now = utcnow()
    with app.app_context():
        db.session.execute(
            insert(Comment),
            [
                {
                    "proposal_id": proposal.id,
                    "author_id": writer.id,
                    "body": f"Kommentar nummer {n}.",
                    "body_html": f"<p>Kommentar nummer {n}.</p>",
                    "written_in": "hearing",
                    "created_at": now + timedelta(microseconds=n),
                    "like_count": 0,
                    "open_flag_count": 0,
                    "hidden_reason": "",
                }
                for n in range(10_000)
            ],
        )
        db.session.commit()
        recount_discussion(proposal.id)
    client = client_for(app, writer)
    response = download(client)
    assert response.is_streamed
    pieces = [piece for piece in response.response]
    # Handed out a piece at a time, each a bounded size, not built whole first.
    assert len(pieces) > 10
    assert max(len(piece) for piece in pieces) < 2 * export.CHUNK
    document = json.loads(b"".join(p if isinstance(p, bytes) else p.encode() for p in pieces))
    bodies = [c["body"] for c in document["comments"]]
    assert len(bodies) == 10_000
    assert bodies[0] == "Kommentar nummer 0." and bodies[-1] == "Kommentar nummer 9999."


def test_the_download_is_only_for_the_signed_in_person(app, make_user):
    assert app.test_client().get("/account/data").status_code == 302
    someone = make_user(name="Nogen Andre")
    other = make_user(name="Helt Tredje")
    client = client_for(app, other)
    document = json.loads(download(client).get_data(as_text=True))
    assert document["account"]["id"] == other.id
    assert someone.email not in json.dumps(document)


def test_downloads_are_rate_limited_per_account(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True)
    person = make_user()
    client = app.test_client()
    login(client, person)
    for _ in range(10):
        assert client.get("/account/data").status_code == 200
    refused = client.get("/account/data")
    assert refused.status_code == 429
    assert "<h1>" in refused.get_data(as_text=True)
