"""/data and its CSV files: exactly the columns PRODUCT.md names, rows equal to what the API
says (but for the ' that disarms a formula), nothing of a draft or a submitted proposal and
nothing of one person's support or stance, validators that change with every count, and a
fixed number of queries per batch of rows whatever the number of proposals."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from email.utils import parsedate_to_datetime

from app.accounts.models import User
from app.core.database import utcnow
from app.core.extensions import db
from app.opendata.files import FILES, cell
from app.proposals import lifecycle as lc
from app.proposals import participation
from app.proposals.models import Proposal, Proposer, StanceDay, Support
from app.proposals.participation import LOCAL_TIME
from tests.support.proposals import add_proposer, force

COLUMNS = {
    "proposals.csv": "id, url, title, summary, state, topic, proposers, created_at, "
    "state_changed_at, hearing_ends_at, support_deadline, support_count, support_threshold, "
    "likes, comment_count, stance_for, stance_against, stance_abstain",
    "events.csv": "proposal_id, from, to, actor, reason, at",
    "support-daily.csv": "proposal_id, date, supports, support_total",
    "stances-daily.csv": "proposal_id, date, stance_for, stance_against, stance_abstain",
    "amendments.csv": "id, proposal_id, author, fields, state, verdict, reason, backers, "
    "minority, stance_for, stance_against, stance_abstain, created_at, decided_at",
}


def read(client, name: str, **headers) -> tuple[list[dict], object]:
    response = client.get(f"/data/{name}", headers=headers)
    assert response.status_code == 200, name
    raw = response.get_data()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte order mark"
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    rows = list(reader)
    assert reader.fieldnames == COLUMNS[name].split(", "), name
    return rows, response


def plain(text: str) -> str:
    """What the API says, from a cell that may carry the formula-disarming '."""
    return text[1:] if text[:2] in {"'" + c for c in "=+-@\t\r"} else text


def test_cells_that_a_spreadsheet_would_run_start_with_an_apostrophe():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert cell(f"{start}1+1") == f"'{start}1+1"
    assert cell("Bedre busser") == "Bedre busser" and cell("") == "" and cell(None) == ""
    assert cell(" =1") == " =1"


def test_the_files_say_what_the_api_says_and_nothing_private(
    app, client, make_proposal, make_user, secretary
):
    now = utcnow()
    hacker = make_user("member", name="@Anna Hacker")
    plus = make_user("member", name="+Bo Plus")
    gone = make_user("member", name="Gurli Gone")
    backer = make_user("member", name="Bente Bakker")
    early = make_user("member", name="Erik Tidlig")
    seeking = make_proposal(lc.SUPPORT, author=hacker, title="=SUM(A1:A9) busser på landet")
    heard = make_proposal(lc.HEARING, title="Flere lærepladser i små virksomheder")
    voted = make_proposal(lc.SUPPORT, title="Firedages arbejdsuge i kommunerne")
    draft = make_proposal(lc.DRAFT, title="Hemmelig kladde om skatten")
    submitted = make_proposal(lc.SUBMITTED, title="Hemmeligt indsendt forslag")
    force(app, voted.id, state=lc.CATALOGUE)
    with app.app_context():
        add_proposer(seeking.id, plus.id)
        add_proposer(heard.id, gone.id)
        # As app.privacy.erasure leaves a deleted proposer.
        db.session.get(Proposer, _proposer_row(heard.id, gone.id)).user_id = None
        for member, at in ((early, now - timedelta(days=2)), (backer, now)):
            participation.add_support(
                db.session.get(User, member.id), db.session.get(Proposal, seeking.id), now=at
            )
        participation.set_stance(
            db.session.get(User, backer.id), db.session.get(Proposal, voted.id), "for", now=now
        )
        # Rows no private proposal can have through the app, so that a leak would show.
        for private in (draft.id, submitted.id):
            db.session.add(Support(proposal_id=private, user_id=backer.id, created_at=now))
            db.session.add(StanceDay(proposal_id=private, day=now.date(), stance_for=1))
        db.session.commit()

    proposals, response = read(client, "proposals.csv")
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="proposals.csv"'
    listed = client.get("/api/v1/proposals").get_json()["items"]
    assert [int(row["id"]) for row in proposals] == sorted(item["id"] for item in listed)
    assert {seeking.id, heard.id, voted.id} <= {item["id"] for item in listed}
    events, _ = read(client, "events.csv")
    for row in proposals:
        api = client.get(f"/api/v1/proposals/{row['id']}").get_json()
        assert {
            "id": int(row["id"]),
            "url": row["url"],
            "title": plain(row["title"]),
            "summary": plain(row["summary"]),
            "state": row["state"],
            "topic": plain(row["topic"]),
            "proposers": [plain(name) for name in row["proposers"].split("; ")],
            "created_at": row["created_at"],
            "state_changed_at": row["state_changed_at"],
            "hearing_ends_at": row["hearing_ends_at"] or None,
            "support": {
                "count": int(row["support_count"]),
                "threshold": int(row["support_threshold"]) if row["support_threshold"] else None,
                "deadline": row["support_deadline"] or None,
            },
            "likes": int(row["likes"]),
            "comment_count": int(row["comment_count"]),
            "stances": {
                "for": int(row["stance_for"]),
                "against": int(row["stance_against"]),
                "abstain": int(row["stance_abstain"]),
            },
        } == {
            **{key: api[key] for key in ("id", "url", "title", "summary", "state", "topic")},
            "proposers": [p["name"] for p in api["proposers"]],
            **{key: api[key] for key in ("created_at", "state_changed_at", "hearing_ends_at")},
            **{key: api[key] for key in ("support", "likes", "comment_count", "stances")},
        }
        timeline = [
            {
                **{k: e[k] or None for k in ("from", "to")},
                **{k: e[k] for k in ("reason", "at")},
                "actor": plain(e["actor"]),
            }
            for e in events
            if e["proposal_id"] == row["id"]
        ]
        assert timeline == [
            {
                "from": t["from"],
                "to": t["to"],
                "reason": t["reason"],
                "at": t["at"],
                "actor": t["actor"],
            }
            for t in api["timeline"]
        ]

    by_id = {int(row["id"]): row for row in proposals}
    # The ' that disarms a formula, in the file only: the API has the text as written.
    assert by_id[seeking.id]["title"] == "'=SUM(A1:A9) busser på landet"
    assert by_id[seeking.id]["proposers"] == "'@Anna Hacker; '+Bo Plus"
    assert by_id[heard.id]["proposers"].endswith("; Slettet bruger")
    assert by_id[seeking.id]["support_count"] == "2" and by_id[seeking.id]["support_threshold"]
    assert by_id[heard.id]["support_threshold"] == by_id[heard.id]["support_deadline"] == ""
    assert by_id[seeking.id]["url"] == f"{app.config['PUBLIC_URL']}/proposals/{seeking.id}"
    assert any(e["actor"] == "Karen Holm" for e in events)

    supports, _ = read(client, "support-daily.csv")
    days = [(now - timedelta(days=2)).astimezone(LOCAL_TIME), now.astimezone(LOCAL_TIME)]
    assert [tuple(r.values()) for r in supports] == [
        (str(seeking.id), days[0].date().isoformat(), "1", "1"),
        (str(seeking.id), days[1].date().isoformat(), "1", "2"),
    ]
    stances, _ = read(client, "stances-daily.csv")
    assert [(int(r["proposal_id"]), r["stance_for"], r["stance_against"]) for r in stances] == [
        (voted.id, "1", "0")
    ]

    everything = "".join(client.get(f"/data/{name}").get_data(as_text=True) for name in COLUMNS)
    for private in (draft, submitted):
        assert f"/proposals/{private.id}," not in everything
    assert "Hemmelig" not in everything
    assert "Bente Bakker" not in everything  # a supporter and stance-holder is no proposer
    assert "@" not in everything.replace("'@Anna Hacker", "")  # no email address
    for name in ("events.csv", "support-daily.csv", "stances-daily.csv"):
        rows, _ = read(client, name)
        assert {int(r["proposal_id"]) for r in rows} <= {seeking.id, heard.id, voted.id}, name


def _proposer_row(proposal_id: int, user_id: int) -> int:
    return db.session.scalar(
        db.select(Proposer.id).where(
            Proposer.proposal_id == proposal_id, Proposer.user_id == user_id
        )
    )


def test_a_harvester_asks_whether_anything_changed(app, client, make_proposal, make_user):
    seeking = make_proposal(lc.SUPPORT, title="Bedre busser på landet")
    voted = make_proposal(lc.SUPPORT, title="Firedages arbejdsuge")
    force(app, voted.id, state=lc.CATALOGUE)
    backer = make_user("member")
    first = client.get("/data/proposals.csv")
    assert first.get_data()  # a streamed answer is read to its end, as a harvester does
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert (
        "public" in first.headers["Cache-Control"] and "max-age" in first.headers["Cache-Control"]
    )
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        again = client.get("/data/proposals.csv", headers=headers)
        assert again.status_code == 304 and again.get_data() == b"", headers
        assert again.headers["ETag"] == etag

    def changed(what: str, previous: str) -> str:
        response = client.get("/data/proposals.csv", headers={"If-None-Match": previous})
        assert response.status_code == 200 and response.get_data(), what
        assert response.headers["ETag"] != previous, what
        return response.headers["ETag"]

    later = utcnow() + timedelta(minutes=2)
    with app.app_context():
        member = db.session.get(User, backer.id)
        participation.add_support(member, db.session.get(Proposal, seeking.id), now=later)
        db.session.commit()
    etag = changed("a support", etag)
    newer_answer = client.get("/data/proposals.csv")
    newer = newer_answer.headers["Last-Modified"]
    newer_answer.get_data()
    assert parsedate_to_datetime(newer) > parsedate_to_datetime(modified)
    stale = client.get("/data/proposals.csv", headers={"If-Modified-Since": modified})
    assert stale.status_code == 200 and stale.get_data()
    with app.app_context():
        participation.set_stance(
            db.session.get(User, backer.id), db.session.get(Proposal, voted.id), "for", now=later
        )
        db.session.commit()
    etag = changed("a stance", etag)
    with app.app_context():
        participation.set_stance(
            db.session.get(User, backer.id),
            db.session.get(Proposal, voted.id),
            "against",
            now=later,
        )
        db.session.commit()
    etag = changed("a changed stance", etag)
    with app.app_context():
        participation.like(
            db.session.get(User, backer.id), db.session.get(Proposal, voted.id), now=later
        )
        db.session.commit()
    etag = changed("a like", etag)
    with app.app_context():
        author = db.session.get(User, seeking.author.id)
        author.name = "Et nyt navn"
        db.session.commit()
    etag = changed("a proposer's new name", etag)
    stances = client.get("/data/stances-daily.csv", headers={"If-None-Match": etag})
    assert stances.status_code == 200 and stances.get_data()


def test_amendments_csv_has_every_amendment_of_a_public_proposal_and_no_backer(
    app, client, heard, amend, make_user, secretary
):
    made = heard()
    filer = make_user("member", name="=Ulla Ændring")
    backer = make_user("member", name="Bent Bakker")
    first = amend(made, author=filer, drawbacks="Det koster mere.")
    second = amend(made, body="Kun ét afsnit.")
    with app.app_context():
        from app.amendments import services as amendments
        from app.amendments.models import Amendment

        proposal = db.session.get(Proposal, made.id)
        amendments.back(
            db.session.get(User, backer.id),
            db.session.get(Amendment, first),
            proposal,
            now=utcnow(),
        )
        db.session.commit()
    etag = client.get("/data/amendments.csv").headers["ETag"]
    from tests.amendments.test_merging import decide, to_revision

    to_revision(app, made, secretary)
    assert decide(app, made, second, lc.NOT_ADOPTED, "+Nej tak.") is None
    rows, response = read(client, "amendments.csv")
    assert response.headers["ETag"] != etag  # a decision is a change
    by_id = {int(row["id"]): row for row in rows}
    assert set(by_id) == {first, second}
    assert by_id[first] | {"created_at": ""} == {
        "id": str(first),
        "proposal_id": str(made.id),
        "author": "'=Ulla Ændring",
        "fields": "drawbacks",
        "state": "open",
        "verdict": "",
        "reason": "",
        "backers": "1",
        "minority": "false",
        "stance_for": "",
        "stance_against": "",
        "stance_abstain": "",
        "created_at": "",
        "decided_at": "",
    }
    assert (by_id[second]["verdict"], by_id[second]["reason"]) == ("not_adopted", "'+Nej tak.")
    assert by_id[second]["decided_at"].endswith("Z")
    assert "Bent Bakker" not in response.get_data(as_text=True)
    force(app, made.id, state=lc.DRAFT)  # not public: none of its amendments
    assert read(client, "amendments.csv")[0] == []


def test_the_queries_are_a_fixed_number_per_batch(app, client, make_proposal, count_queries):
    app.config["OPEN_DATA_BATCH"] = 2
    made = [make_proposal(lc.HEARING, title=f"Forslag nummer {n} om busser") for n in range(3)]

    def measured() -> dict[str, int]:
        counts = {}
        for name in COLUMNS:
            with count_queries() as statements:
                response = client.get(f"/data/{name}")
                assert response.status_code == 200 and response.get_data()
            counts[name] = len(statements)
        return counts

    small = measured()
    made += [make_proposal(lc.HEARING, title=f"Forslag nummer {n} om tog") for n in range(4)]
    large = measured()
    # Proposals: one query of names for each batch of two (2 batches, then 4); the other
    # files read their rows in one query whatever their number.
    assert large["proposals.csv"] - small["proposals.csv"] == 2
    assert {k: v for k, v in large.items() if k != "proposals.csv"} == {
        k: v for k, v in small.items() if k != "proposals.csv"
    }
    assert small["proposals.csv"] <= 12
    assert len(made) == 7


def test_the_page_describes_every_file_in_both_languages(client):
    danish = client.get("/data").get_data(as_text=True)
    assert "<h1>Åbne data</h1>" in danish and "CC BY 4.0" in danish
    assert "Kladder og indsendte forslag" in danish and "apostrof" in danish
    assert 'href="/data"' in client.get("/").get_data(as_text=True)  # linked from the footer
    client.post("/language", data={"lang": "en"})
    english = client.get("/data").get_data(as_text=True)
    assert "<h1>Open data</h1>" in english and "Creative Commons" in english
    for page in (danish, english):
        for name, columns in COLUMNS.items():
            assert f'href="/data/{name}"' in page, name
            for column in columns.split(", "):
                assert f"<code>{column}</code>" in page, (name, column)
    assert set(COLUMNS) == set(FILES)
