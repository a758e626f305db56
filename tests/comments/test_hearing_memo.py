"""The hearing memo: the proposers answer each hearing response (a top-level comment written
in the hearing) while the proposal is in revision; the answer shows under the response on
whatever page of the discussion it is, on the memo with counts that equal its rows, on the
public timeline (with the answer it replaced), and reaches the response's author."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from app.accounts.models import User
from app.comments import answers
from app.comments import services as comments
from app.comments.models import Comment, CommentAnswer
from app.core.audit import AuditEntry
from app.core.database import utcnow
from app.core.editing import Save
from app.core.extensions import db
from app.core.outbox import Event
from app.notifications import fanout
from app.notifications.models import Notification
from app.proposals import lifecycle as lc
from app.proposals import services
from app.proposals.models import Proposal
from tests.support.forms import client_for, csrf_token, text_of

HOSTILE = '<script>alert("memo")</script><img src=x onerror=alert(1)> **æøå ÆØÅ**'


@pytest.fixture
def heard(app, make_proposal, make_user, secretary):
    """A proposal in revision with two hearing responses (one with a reply), one comment
    written after the hearing, and the people around it."""
    citizen = make_user(name="Åse Ærø")
    other = make_user(name="Øjvind Holm")
    made = make_proposal(lc.HEARING)
    now = utcnow()
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        first = comments.add_comment(
            db.session.get(User, citizen.id), proposal, "Hvad koster det?", now=now
        )
        reply = comments.add_comment(
            db.session.get(User, other.id), proposal, "Godt spørgsmål.", parent_id=first.id, now=now
        )
        second = comments.add_comment(
            db.session.get(User, other.id), proposal, "Tag flextrafik med.", now=now
        )
        services.transition(
            db.session.get(User, secretary.id), proposal, lc.REVISION, now=now + timedelta(1)
        )
        later = comments.add_comment(
            db.session.get(User, citizen.id), proposal, "Efter høringen.", now=now + timedelta(2)
        )
        db.session.commit()
        ids = dict(first=first.id, reply=reply.id, second=second.id, later=later.id)
    return dict(made=made, citizen=citizen, other=other, **ids)


def answer(client, comment_id, verdict="adopted", text="Tak, det er med.", **extra):
    data = {
        "csrf_token": csrf_token(client),
        "verdict": verdict,
        "text": text,
        **extra,
    }
    return client.post(f"/comments/{comment_id}/answer", data=data)


def stored(app, proposal_id):
    with app.app_context():
        rows = db.session.scalars(
            select(CommentAnswer).where(CommentAnswer.proposal_id == proposal_id)
        ).all()
        count = db.session.get(Proposal, proposal_id).hearing_answer_count
        return {a.comment_id: (a.verdict, a.text, a.revision) for a in rows}, count


def test_only_proposers_answer_hearing_responses_in_revision(app, heard, make_user, secretary):
    made = heard["made"]
    author = client_for(app, made.author)
    refusals = {
        "citizen": (client_for(app, heard["citizen"]), heard["first"], 403),
        "member": (client_for(app, make_user("member")), heard["first"], 403),
        "secretariat": (client_for(app, secretary), heard["first"], 403),
        "a reply": (author, heard["reply"], 409),
        "a comment after the hearing": (author, heard["later"], 409),
        "no such comment": (author, 2**31 - 1, 404),
    }
    for name, (client, comment_id, status) in refusals.items():
        response = answer(client, comment_id)
        assert response.status_code == status, name
    assert "Kun høringssvar besvares" in text_of(answer(author, heard["reply"]))
    # Bad fields: a 422 that says what, in the user's language; nothing changes.
    for fields, words in [
        ({"verdict": "maybe"}, "Vælg vedtaget, delvis vedtaget, ikke vedtaget eller noteret"),
        ({"verdict": ""}, "Feltet skal udfyldes"),
        ({"text": "x" * 10_001}, "højst 10000 tegn"),
        ({"base_revision": "nul"}, "Åbn den igen"),
    ]:
        response = answer(author, heard["first"], **fields)
        assert response.status_code == 422, fields
        assert words in text_of(response), (fields, text_of(response))
    assert stored(app, made.id) == ({}, 0)

    memo = f"/proposals/{made.id}/hearing-memo"
    response = answer(author, heard["first"], next=f"{memo}#response-{heard['first']}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{memo}#response-{heard['first']}"
    # A next that leaves the site is not followed: back to the comment's place instead.
    response = answer(author, heard["second"], "noted", "", next="//evil.example/")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/proposals/{made.id}#comment-{heard['second']}"
    # Answering again replaces the answer; the count stays.
    assert answer(author, heard["first"], "partly", "Delvist: prisen er med.").status_code == 303
    rows, count = stored(app, made.id)
    assert count == 2 == len(rows)
    assert rows[heard["first"]] == ("partly", "Delvist: prisen er med.", 2)
    assert rows[heard["second"]] == ("noted", "", 1)

    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "answer").order_by(AuditEntry.id)
        ).all()
        kept = [answers.timeline_entry(e) for e in entries]
        assert [(k.comment_id, k.earlier_verdict, k.verdict) for k in kept] == [
            (heard["first"], None, "adopted"),
            (heard["second"], None, "noted"),
            (heard["first"], "adopted", "partly"),
        ]
        assert kept[-1].earlier_text == "Tak, det er med."
        # The response's author is told, once per answer, with the verdict in words.
        fanout.process_events(utcnow())
        told = db.session.execute(
            select(Notification.user_id, Notification.comment_id).where(
                Notification.kind == "answered"
            )
        ).all()
        assert sorted(told) == sorted(
            [(heard["citizen"].id, heard["first"])] * 2 + [(heard["other"].id, heard["second"])]
        )
    citizen = client_for(app, heard["citizen"])
    page = text_of(citizen.get("/notifications"))
    assert "besvarede dit høringssvar: Delvis vedtaget" in page
    # The timeline keeps both: the first answer and the change, with the earlier text.
    page = text_of(citizen.get(f"/proposals/{made.id}"))
    assert "ændrede deres svar på et høringssvar fra “Vedtaget” til “Delvis vedtaget”" in page
    assert "Tak, det er med." in page

    # Once the proposal seeks support, the answers are final.
    services_transition(app, made, lc.SUPPORT)
    response = answer(author, heard["first"], "adopted")
    assert response.status_code == 409
    assert stored(app, made.id)[0][heard["first"]][0] == "partly"


def services_transition(app, made, target):
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        services.transition(db.session.get(User, made.author.id), proposal, target, now=utcnow())
        db.session.commit()


def test_an_answer_from_an_older_form_is_merged_or_refused(app, heard):
    made = heard["made"]
    author = client_for(app, made.author)
    first = heard["first"]
    assert answer(author, first, "partly", "Prisen.\n\nTidsplanen.", base_revision="0").status_code
    # Two proposers open revision 1; one changes the first paragraph, the other the second.
    assert answer(author, first, "partly", "Prisen er med.\n\nTidsplanen.", base_revision="1")
    response = answer(author, first, "partly", "Prisen.\n\nTidsplanen følger.", base_revision="1")
    assert response.status_code == 303
    assert stored(app, made.id)[0][first][1] == "Prisen er med.\n\nTidsplanen følger."
    # The same passage changed from an old form: nothing saved, a 409 that keeps my text
    # and shows theirs.
    response = answer(author, first, "adopted", "Mit eget svar <b>fedt</b>.", base_revision="1")
    assert response.status_code == 409
    page = text_of(response)
    assert "Mit eget svar &lt;b&gt;fedt&lt;/b&gt;." in page
    assert 'name="base_revision" value="3"' in page
    assert stored(app, made.id)[0][first] == ("partly", "Prisen er med.\n\nTidsplanen følger.", 3)
    # Two first answers at once (both forms showed no answer): the second is a conflict.
    second = heard["second"]
    assert answer(author, second, "adopted", "Ja.", base_revision="0").status_code == 303
    assert answer(author, second, "noted", "Nej.", base_revision="0").status_code == 409
    rows, count = stored(app, made.id)
    assert rows[second] == ("adopted", "Ja.", 1) and count == 2
    with app.app_context():  # every answer kept as saved, the unanswered base included
        assert (
            db.session.scalar(
                select(func.count()).select_from(Save).where(Save.subject == "answer")
            )
            == 6
        )


def test_the_memo_lists_every_response_with_counts_that_equal_its_rows(
    app, heard, make_user, secretary, make_proposal
):
    made = heard["made"]
    author = client_for(app, made.author)
    answer(author, heard["first"], "not_adopted", HOSTILE)
    visitor = app.test_client()
    response = visitor.get(f"/proposals/{made.id}/hearing-memo")
    assert response.status_code == 200
    page = text_of(response)
    responses = re.findall(r'<li id="response-(\d+)">', page)
    assert responses == [str(heard["first"]), str(heard["second"])]  # in order; no reply
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page and "<strong>æøå ÆØÅ</strong>" in page
    counts = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td></tr>', page))
    assert counts == {
        "Vedtaget": "0",
        "Delvis vedtaget": "0",
        "Ikke vedtaget": "1",
        "Noteret": "0",
        "Ikke besvaret endnu": "1",
    }
    assert page.count('class="answer"') == 1 and 'class="answer-form"' not in page
    assert "2 høringssvar · 1 besvaret" in page
    # The proposer sees a form under each response, and their page counts the answers.
    assert (
        text_of(author.get(f"/proposals/{made.id}/hearing-memo")).count('class="answer-form"') == 2
    )
    assert "1 af 2 høringssvar er besvaret." in text_of(author.get(f"/proposals/{made.id}"))
    # The link to what changed after the hearing, once the text has changed.
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        services.edit(
            db.session.get(User, made.author.id),
            proposal,
            services.Content(
                title=proposal.title,
                summary=proposal.summary,
                body=proposal.body + "\n\nMed flextrafik.",
                topic_id=proposal.topic_id,
            ),
            now=utcnow(),
        )
        db.session.commit()
    page = text_of(visitor.get(f"/proposals/{made.id}/hearing-memo"))
    assert f"/proposals/{made.id}/diff?from=1&amp;to=2" in page

    # Before the hearing is over, the memo is its proposers' and the secretariat's only;
    # a proposal that was never heard has none.
    hearing = make_proposal(lc.HEARING)
    draft = make_proposal(lc.DRAFT)
    staff = client_for(app, secretary)
    # The console shows it beside the proposal in revision.
    assert "1 af 2 høringssvar besvaret" in text_of(staff.get("/secretariat"))
    for path, statuses in [
        (f"/proposals/{hearing.id}/hearing-memo", {visitor: 404, staff: 200}),
        (f"/proposals/{draft.id}/hearing-memo", {visitor: 404, staff: 404}),
    ]:
        for client, status in statuses.items():
            assert client.get(path).status_code == status, path
    assert (
        client_for(app, hearing.author).get(f"/proposals/{hearing.id}/hearing-memo").status_code
        == 200
    )
    assert (
        client_for(app, draft.author).get(f"/proposals/{draft.id}/hearing-memo").status_code == 404
    )


def test_answers_show_on_every_page_of_the_discussion_in_the_same_queries(
    app, make_proposal, secretary, count_queries
):
    made = make_proposal(lc.REVISION)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with app.app_context():
        ids = (
            db.session.execute(
                insert(Comment).returning(Comment.id),
                [
                    {
                        "proposal_id": made.id,
                        "author_id": secretary.id,
                        "body": f"Svar {i}",
                        "body_html": f"<p>Svar {i}</p>",
                        "written_in": lc.HEARING,
                        "created_at": now + timedelta(minutes=i),
                        "hidden_reason": "",
                        "like_count": 0,
                        "open_flag_count": 0,
                    }
                    for i in range(25)
                ],
            )
            .scalars()
            .all()
        )
        proposal = db.session.get(Proposal, made.id)
        proposal.thread_count = proposal.hearing_thread_count = 25
        proposal.comment_count = proposal.hearing_comment_count = 25
        db.session.commit()
    author = client_for(app, made.author)
    # The oldest (page 3, newest first), one in the middle (page 2), the newest (page 1).
    for comment_id, verdict in [(ids[0], "adopted"), (ids[12], "partly"), (ids[24], "noted")]:
        assert answer(author, comment_id, verdict, f"Svar på {comment_id}").status_code == 303
    counts = []
    for page_number, comment_id in [(3, ids[0]), (2, ids[12]), (1, ids[24])]:
        with count_queries() as statements:
            page = text_of(author.get(f"/proposals/{made.id}?page={page_number}"))
        counts.append(len(statements))
        answered = re.findall(r'id="answer-(\d+)-title"', page)
        assert answered == [str(comment_id)], page_number
        assert f"Svar på {comment_id}" in page
        assert "3 af 25 høringssvar er besvaret." in page
    assert len(set(counts)) == 1 and counts[0] <= 13, counts
    with count_queries() as statements:
        page = text_of(app.test_client().get(f"/proposals/{made.id}/hearing-memo"))
    assert page.count('<li id="response-') == 25 and page.count('class="answer"') == 3
    memo_queries = len(statements)
    with app.app_context():
        db.session.execute(
            insert(Comment),
            [
                {
                    "proposal_id": made.id,
                    "author_id": secretary.id,
                    "body": "Mere",
                    "body_html": "<p>Mere</p>",
                    "written_in": lc.HEARING,
                    "created_at": now,
                    "hidden_reason": "",
                    "like_count": 0,
                    "open_flag_count": 0,
                }
                for _ in range(40)
            ],
        )
        db.session.commit()
    with count_queries() as statements:
        page = text_of(app.test_client().get(f"/proposals/{made.id}/hearing-memo"))
    assert page.count('<li id="response-') == 65
    assert len(statements) == memo_queries <= 6, statements


def test_an_answer_is_one_event_in_the_same_transaction(app, heard):
    made = heard["made"]
    answer(client_for(app, made.author), heard["first"])
    with app.app_context():
        (event,) = db.session.scalars(select(Event).where(Event.kind == "answered")).all()
        assert event.comment_id == heard["first"]
        assert event.data == {"verdict": "adopted", "text": "Tak, det er med."}
        assert set(lc.VERDICTS) == set(CommentAnswer.VERDICTS)


def pdf_text(data: bytes, tmp_path) -> str:
    from tests.support import require

    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    path = tmp_path / "memo.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_memo_as_pdf(app, heard, make_proposal, tmp_path):
    made = heard["made"]
    answer(client_for(app, made.author), heard["first"], "partly", HOSTILE)
    visitor = app.test_client()
    response = visitor.get(f"/proposals/{made.id}/hearing-memo.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "Høringsnotat om “Bedre busser på landet”" in text
    assert "Åse Ærø" in text and "Øjvind Holm" in text  # Danish letters come out
    assert "Høringssvar 1" in text and "Høringssvar 2" in text
    assert "Delvis vedtaget" in text and "Ikke besvaret endnu" in text
    # Hostile text is printed as text, never run as markup.
    assert '<script>alert("memo")</script>' in text and "æøå ÆØÅ" in text
    assert "side 1 af" in text
    # The same memo again: a 304 on its tag; a new answer gives a new one.
    etag = response.headers["ETag"]
    again = visitor.get(f"/proposals/{made.id}/hearing-memo.pdf", headers={"If-None-Match": etag})
    assert again.status_code == 304
    answer(client_for(app, made.author), heard["second"], "noted", "Noteret.")
    changed = visitor.get(f"/proposals/{made.id}/hearing-memo.pdf", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    draft = make_proposal(lc.DRAFT)
    assert visitor.get(f"/proposals/{draft.id}/hearing-memo.pdf").status_code == 404
    author = client_for(app, draft.author)
    assert author.get(f"/proposals/{draft.id}/hearing-memo.pdf").status_code == 404


@pytest.mark.parametrize("state", lc.STATES)
def test_the_memo_rules_in_every_state(state):
    """Who answers when, and who reads the memo when: lifecycle.py's rules as a table."""
    for is_proposer, response in [(False, True), (True, False), (True, True)]:
        expected = (
            lc.NotAllowed if not is_proposer else None if state == lc.REVISION else lc.WrongState
        )
        if is_proposer and state == lc.REVISION and not response:
            expected = lc.WrongState
        try:
            lc.check_answer(state, is_proposer=is_proposer, is_hearing_response=response)
        except lc.Refusal as refusal:
            assert type(refusal) is expected, (state, is_proposer, response)
        else:
            assert expected is None, (state, is_proposer, response)
    assert lc.may_answer(state, is_proposer=True) == (state == lc.REVISION)
    public = {lc.REVISION, lc.SUPPORT, lc.CATALOGUE, lc.LAPSED, lc.RETIRED, lc.WITHDRAWN}
    for proposer, staff in [(False, False), (True, False), (False, True)]:
        sees = lc.may_see_memo(state, had_hearing=True, is_proposer=proposer, is_secretariat=staff)
        assert sees == (state in public or (state == lc.HEARING and (proposer or staff)))
        assert not lc.may_see_memo(
            state, had_hearing=False, is_proposer=proposer, is_secretariat=staff
        )
    with pytest.raises(lc.Invalid):
        lc.check_verdict("maybe")
