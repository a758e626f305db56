"""Two proposers editing one proposal through the real forms: each form carries the revision
it showed; saves from one base are merged where they keep apart, and a change to the same
passage gets a 409 page that shows the other change and keeps this person's text. The
draft's saves are its private history. The topic rename form is guarded the same way."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal, Topic
from tests.support.forms import client_for, csrf_token, text_of
from tests.support.proposals import add_proposer
from tests.support.sweep import read_page

FIRST, SECOND, THIRD = (
    "Bussen skal køre hver time.",
    "Billetten skal koste 10 kr.",
    "Kommunen betaler resten.",
)


def body(*paragraphs: str) -> str:
    return "\r\n\r\n".join(paragraphs)  # as a browser sends a textarea


@pytest.fixture
def pair(app, make_proposal, make_user):
    """A draft with two proposers, each signed in with the edit form open."""
    made = make_proposal(lc.DRAFT, body=body(FIRST, SECOND, THIRD))
    second = make_user("member", name="Bent Berg")
    with app.app_context():
        add_proposer(made.id, second.id)
    return made, client_for(app, made.author), client_for(app, second)


def open_form(client, proposal_id: int) -> dict[str, str]:
    """The edit form's fields as the page fills them, CSRF token included."""
    path = f"/proposals/{proposal_id}/edit"
    response = client.get(path)
    assert response.status_code == 200
    return form_on(text_of(response), path) | {"csrf_token": csrf_token(client, path)}


def form_on(html: str, path: str) -> dict[str, str]:
    forms, _ = read_page(html, f"http://localhost{path}")
    (form,) = [f for f in forms if f.action == path and f.method == "POST"]
    return {field.name: field.default for field in form.fields}


def stored(app, proposal_id: int) -> SimpleNamespace:
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        return SimpleNamespace(
            title=proposal.title,
            body=proposal.body,
            body_html=str(proposal.body_html),
            revision=proposal.revision,
        )


def edit(client, proposal_id: int, form: dict):
    return client.post(f"/proposals/{proposal_id}/edit", data=form)


def test_the_form_carries_the_revision_it_showed(pair):
    made, anna, _ = pair
    assert open_form(anna, made.id)["base_revision"] == "0"


def test_different_fields_are_both_kept(app, pair):
    made, anna, bent = pair
    annas, bents = open_form(anna, made.id), open_form(bent, made.id)
    assert (
        edit(
            anna, made.id, annas | {"body": body(FIRST, SECOND, THIRD, "Og om søndagen.")}
        ).status_code
        == 303
    )
    response = edit(bent, made.id, bents | {"title": "Bussen til alle landsbyer"})
    assert response.status_code == 303
    saved = stored(app, made.id)
    assert saved.title == "Bussen til alle landsbyer"
    assert "Og om søndagen." in saved.body and saved.revision == 2
    page = text_of(bent.get(f"/proposals/{made.id}"))
    assert (
        "Someone else saved this proposal while you wrote" in page
        or "En anden gemte forslaget" in page
    )


def test_different_paragraphs_of_the_body_are_both_kept(app, pair):
    made, anna, bent = pair
    annas, bents = open_form(anna, made.id), open_form(bent, made.id)
    edit(anna, made.id, annas | {"body": body("Bussen skal køre hver halve time.", SECOND, THIRD)})
    response = edit(
        bent, made.id, bents | {"body": body(FIRST, SECOND, "Regionen betaler resten.")}
    )
    assert response.status_code == 303
    assert stored(app, made.id).body == "\n\n".join(
        ("Bussen skal køre hver halve time.", SECOND, "Regionen betaler resten.")
    )
    assert "Regionen betaler resten." in stored(app, made.id).body_html


def test_the_same_sentence_is_a_409_that_keeps_my_text_and_shows_theirs(app, pair):
    made, anna, bent = pair
    annas, bents = open_form(anna, made.id), open_form(bent, made.id)
    edit(anna, made.id, annas | {"body": body(FIRST, "Billetten skal være gratis.", THIRD)})
    mine = bents | {
        "body": body(FIRST, "Billetten skal koste 5 kr.", THIRD),
        "title": "Billig bus på landet",
    }
    response = edit(bent, made.id, mine)
    assert response.status_code == 409
    html = text_of(response)
    # The other person's change, as a word diff.
    assert re.search(r"<del>.*?koste.*?</del>", html, re.S) and re.search(
        r"<ins>.*?gratis.*?</ins>", html, re.S
    )
    # Nothing of Bent's is saved; all of it is in the form, now based on Anna's save.
    saved = stored(app, made.id)
    assert saved.revision == 1 and "gratis" in saved.body and saved.title != "Billig bus på landet"
    again = form_on(html, f"/proposals/{made.id}/edit")
    assert again["base_revision"] == "1"
    assert (
        "Billetten skal koste 5 kr." in again["body"] and again["title"] == "Billig bus på landet"
    )
    # Sent again as it stands, it is saved: Bent has seen Anna's change.
    assert edit(bent, made.id, again | {"csrf_token": mine["csrf_token"]}).status_code == 303
    saved = stored(app, made.id)
    assert "5 kr." in saved.body and saved.title == "Billig bus på landet" and saved.revision == 2


def test_a_conflict_takes_the_other_changes_that_fit_into_the_form(app, pair):
    made, anna, bent = pair
    annas, bents = open_form(anna, made.id), open_form(bent, made.id)
    edit(
        anna,
        made.id,
        annas | {"title": "Anna har en ny titel", "body": body(FIRST, "Gratis.", THIRD)},
    )
    response = edit(bent, made.id, bents | {"body": body(FIRST, "Fem kroner.", THIRD)})
    assert response.status_code == 409
    again = form_on(text_of(response), f"/proposals/{made.id}/edit")
    assert again["title"] == "Anna har en ny titel", "re-sending must not undo Anna's title"
    assert "Fem kroner." in again["body"]


def test_a_damaged_base_is_refused_with_a_message(app, pair):
    made, anna, _ = pair
    form = open_form(anna, made.id) | {"base_revision": "nul", "title": "En helt ny titel"}
    response = edit(anna, made.id, form)
    assert response.status_code == 422
    assert "Open it again" in text_of(response) or "Åbn den igen" in text_of(response)
    assert stored(app, made.id).revision == 0


def test_a_form_without_a_base_saves_as_before(app, pair):
    made, anna, _ = pair
    form = open_form(anna, made.id)
    del form["base_revision"]
    assert edit(anna, made.id, form | {"title": "Uden grundlag gemt"}).status_code == 303
    assert stored(app, made.id).title == "Uden grundlag gemt"


def test_the_draft_history_lists_each_save_and_shows_its_words(app, pair, make_user):
    made, anna, bent = pair
    edit(
        anna,
        made.id,
        open_form(anna, made.id) | {"body": body(FIRST, "Første formulering.", THIRD)},
    )
    edit(
        bent, made.id, open_form(bent, made.id) | {"body": body(FIRST, "Anden formulering.", THIRD)}
    )
    page = text_of(anna.get(f"/proposals/{made.id}/versions"))
    assert "Bent Berg" in page and page.count(f"/proposals/{made.id}/saves/") == 3
    first = anna.get(f"/proposals/{made.id}/saves/1")
    assert first.status_code == 200 and "Første formulering." in text_of(first)
    assert "Anden formulering." not in text_of(first)
    # Private: another member does not see it, nor its saves.
    other = client_for(app, make_user("member"))
    assert other.get(f"/proposals/{made.id}/saves/1").status_code == 404


def test_the_history_stays_private_once_the_proposal_is_public(app, make_proposal, make_user):
    made = make_proposal(lc.HEARING)
    visitor = app.test_client()
    assert "saves-title" not in text_of(visitor.get(f"/proposals/{made.id}/versions"))
    assert visitor.get(f"/proposals/{made.id}/saves/0").status_code == 404
    author = client_for(app, made.author)
    assert "saves-title" in text_of(author.get(f"/proposals/{made.id}/versions"))


def test_two_topic_renames_from_one_page_are_not_lost(app, secretary):
    with app.app_context():
        topic = Topic(name="Trafik")
        db.session.add(topic)
        db.session.commit()
        topic_id = topic.id
    first, second = client_for(app, secretary), client_for(app, secretary)
    forms = []
    for client in (first, second):
        html = text_of(client.get("/secretariat/topics"))
        (form,) = [
            f
            for f in read_page(html, "http://localhost/secretariat/topics")[0]
            if dict((x.name, x.default) for x in f.fields).get("topic_id") == str(topic_id)
            and dict((x.name, x.default) for x in f.fields).get("action") == "rename"
        ]
        forms.append({x.name: x.default for x in form.fields} | {"csrf_token": csrf_token(client)})
    assert forms[0]["base_revision"] == "0"
    assert (
        first.post("/secretariat/topics", data=forms[0] | {"name": "Transport"}).status_code == 303
    )
    response = second.post("/secretariat/topics", data=forms[1] | {"name": "Mobilitet"})
    assert response.status_code == 409
    assert "Transport" in text_of(response) and 'value="Mobilitet"' in text_of(response)
    with app.app_context():
        assert db.session.get(Topic, topic_id).name == "Transport"
