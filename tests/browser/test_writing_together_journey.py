"""In Chromium, two proposers in two browser contexts, JavaScript off: both open "Edit the
proposal"; changes to different fields and to different paragraphs are both kept; a change
to the same sentence gets the 409 page with the other's change and this person's text,
which saved again wins. The conflict page and the history pass axe and the Nu HTML Checker
in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal
from tests.browser.test_notifications_journey import log_in
from tests.support.proposals import add_proposer

pytestmark = pytest.mark.browser

FIRST, SECOND, THIRD = (
    "Bussen skal køre hver time.",
    "Billetten skal koste 10 kr.",
    "Kommunen betaler resten.",
)


@pytest.fixture
def two_proposers(app, make_proposal, make_user):
    made = make_proposal(
        lc.DRAFT, title="Bedre busser på landet", body="\n\n".join((FIRST, SECOND, THIRD))
    )
    second = make_user("member", name="Bent Berg")
    with app.app_context():
        add_proposer(made.id, second.id)
    return made, made.author, second


def stored(app, proposal_id: int) -> tuple[str, str, int]:
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        return proposal.title, proposal.body, proposal.revision


def tabs(browser, live_server, people, *, lang="da", javascript=False):
    opened = []
    for person in people:
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        tab = context.new_page()
        if lang == "en":
            tab.goto("/")
            tab.get_by_role("button", name="English").click()
        log_in(tab, person)
        opened.append(tab)
    return opened


def save(tab) -> None:
    tab.locator("form.stacked-form button[type=submit]").click()


def test_two_proposers_write_at_once_and_lose_nothing(browser, live_server, app, two_proposers):
    made, anna, bent = two_proposers
    annas, bents = tabs(browser, live_server, (anna, bent))
    edit = f"/proposals/{made.id}/edit"

    # Different fields: Anna the text, Bent the title, from the same form.
    annas.goto(edit)
    bents.goto(edit)
    annas.get_by_label("Forslagets tekst").fill(
        "\n\n".join((FIRST, SECOND, THIRD, "Også om søndagen."))
    )
    save(annas)
    expect(annas.get_by_role("status")).to_contain_text("Dine ændringer er gemt")
    bents.get_by_label("Titel", exact=True).fill("Bussen til alle landsbyer")
    save(bents)
    expect(bents.get_by_role("status")).to_contain_text("både deres og dine ændringer er bevaret")
    title, body, _ = stored(app, made.id)
    assert title == "Bussen til alle landsbyer" and "Også om søndagen." in body

    # Different paragraphs of the text.
    annas.goto(edit)
    bents.goto(edit)
    annas.get_by_label("Forslagets tekst").fill(
        "\n\n".join(("Bussen skal køre hver halve time.", SECOND, THIRD, "Også om søndagen."))
    )
    save(annas)
    bents.get_by_label("Forslagets tekst").fill(
        "\n\n".join((FIRST, SECOND, "Regionen betaler resten.", "Også om søndagen."))
    )
    save(bents)
    expect(bents.get_by_role("status")).to_contain_text("bevaret")
    _, body, _ = stored(app, made.id)
    assert "hver halve time" in body and "Regionen betaler" in body

    # The same sentence: refused, Anna's change shown, Bent's words kept in the form.
    annas.goto(edit)
    bents.goto(edit)
    current = annas.get_by_label("Forslagets tekst").input_value()
    annas.get_by_label("Forslagets tekst").fill(current.replace("koste 10 kr.", "være gratis."))
    save(annas)
    bents.get_by_label("Forslagets tekst").fill(current.replace("koste 10 kr.", "koste 5 kr."))
    save(bents)
    alert = bents.get_by_role("alert")
    expect(alert).to_contain_text("Ikke gemt: en anden har ændret det samme sted")
    expect(alert.locator("ins").filter(has_text="gratis")).to_have_count(1)
    expect(alert.locator("del").filter(has_text="koste")).to_have_count(1)
    expect(alert.locator("ins").filter(has_text="5 kr.")).to_have_count(0)
    expect(bents.get_by_label("Forslagets tekst")).to_have_value(
        current.replace("koste 10 kr.", "koste 5 kr.").replace("\r\n", "\n")
    )
    _, body, revision = stored(app, made.id)
    assert "gratis" in body and "5 kr." not in body
    save(bents)  # having seen Anna's change, Bent keeps his
    expect(bents.get_by_role("status")).to_contain_text("Dine ændringer er gemt")
    _, body, after = stored(app, made.id)
    assert "5 kr." in body and after == revision + 1

    # Every save is in the draft's history, with who made it, to read again.
    annas.goto(f"/proposals/{made.id}/versions")
    saves = annas.get_by_role("table", name="Alle gemninger")
    expect(saves.get_by_role("row")).to_have_count(after + 2)  # a header, then 0 … after
    expect(saves).to_contain_text("Bent Berg")
    annas.get_by_role("link", name=f"Gemning {after - 1}").click()
    expect(annas.locator("pre.source").filter(has_text="være gratis")).to_have_count(1)
    for tab in (annas, bents):
        tab.context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_conflict_page_and_the_history_are_accessible_and_valid(
    browser, live_server, app, two_proposers, assert_accessible, assert_valid_html, lang
):
    made, anna, bent = two_proposers
    annas, bents = tabs(browser, live_server, (anna, bent), lang=lang, javascript=True)
    edit = f"/proposals/{made.id}/edit"
    annas.goto(edit)
    bents.goto(edit)
    body = "#body"
    annas.locator(body).fill("\n\n".join((FIRST, "Billetten skal være gratis.", THIRD)))
    save(annas)
    bents.locator(body).fill("\n\n".join((FIRST, "Billetten skal koste 5 kr.", THIRD)))
    save(bents)
    expect(bents.locator(".conflict")).to_be_visible()

    def check(tab, name: str) -> None:
        assert tab.locator("html").get_attribute("lang") == lang, name
        assert_accessible(tab, f"{name} ({lang})")
        assert_valid_html(tab.content(), f"{name} ({lang})")

    check(bents, "the conflict page")
    annas.goto(f"/proposals/{made.id}/versions")
    check(annas, "versions with the draft's saves")
    annas.goto(f"/proposals/{made.id}/saves/1")
    check(annas, "a save of the draft")
    for tab in (annas, bents):
        tab.context.close()
