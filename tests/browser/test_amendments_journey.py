"""In Chromium, JavaScript off: a member files an amendment from the hearing version and two
members back it; after the hearing a proposer adopts one amendment, rejects another with a
reason and moves the proposal to support; in the catalogue a member states a stance on a
minority amendment. Every new page, in both languages, has no axe violations and no Nu HTML
Checker errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from app.accounts.models import User
from app.amendments.models import Amendment
from app.core.database import utcnow
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services
from app.proposals.models import Proposal
from tests.support.amendments import P1, P2, P3
from tests.support.http import sign_in

pytestmark = pytest.mark.browser


def _tab(browser, live_server, app, account, lang="da", *, script=False):
    """A tab signed in as `account`; without JavaScript unless `script` (axe runs in the
    page, so the accessibility checks need it)."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=script)
    if account is not None:
        sign_in(context, app, account, live_server.url)
    tab = context.new_page()
    tab.goto("/")
    if lang == "en":
        tab.get_by_role("button", name="English").click()
    return context, tab


def end_hearing(app, made, secretary) -> None:
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        services.transition(db.session.get(User, secretary.id), proposal, lc.REVISION, now=utcnow())
        db.session.commit()


def test_file_back_decide_and_take_a_stance(
    browser, live_server, app, heard, amend, make_user, secretary
):
    made = heard()
    filer = make_user("member", name="Ulla Ændring")
    context, tab = _tab(browser, live_server, app, filer)

    # 1. A member files an amendment from the hearing version; two members back it.
    tab.goto(f"/proposals/{made.id}")
    tab.get_by_role("link", name="Foreslå en ændring").click()
    expect(tab.get_by_label("Forslagets tekst")).to_have_value(f"{P1}\n\n{P2}\n\n{P3}")
    tab.get_by_label("Forslagets tekst").fill(
        f"{P1}\n\nAndet afsnit: busserne kører fra klokken fem.\n\n{P3}"
    )
    tab.get_by_label("Begrundelse").fill("Skifteholdene begynder klokken seks.")
    tab.get_by_role("button", name="Stil ændringsforslaget").click()
    expect(tab.get_by_role("status")).to_contain_text("Dit ændringsforslag er stillet")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Ændringsforslag 1")
    expect(tab.locator("ins")).to_contain_text("fem.")
    amendment_url = tab.url
    context.close()
    for name in ("Bent Bakker", "Bodil Bakker"):
        context, tab = _tab(browser, live_server, app, make_user("member", name=name))
        tab.goto(amendment_url)
        tab.get_by_role("button", name="Bak op om ændringsforslaget").click()
        expect(tab.get_by_role("status")).to_contain_text("Du bakker op om ændringsforslaget")
        context.close()
    rejected = amend(made, drawbacks="Det koster det dobbelte.")

    # 2. A proposer adopts the first and rejects the second with a reason.
    end_hearing(app, made, secretary)
    context, tab = _tab(browser, live_server, app, made.author)
    tab.goto(amendment_url)
    expect(tab.get_by_text("2 medlemmer bakker op")).to_be_visible()
    tab.get_by_label("Vedtaget", exact=True).check()
    tab.get_by_role("button", name="Gem beslutningen").click()
    expect(tab.get_by_role("status")).to_contain_text("Ændringsforslaget er vedtaget")
    tab.goto(f"/amendments/{rejected}")
    tab.get_by_label("Ikke vedtaget", exact=True).check()
    tab.locator("#decision-reason").fill("Det har kommunen ikke råd til.")
    tab.get_by_role("button", name="Gem beslutningen").click()
    expect(tab.get_by_role("status")).to_contain_text("Jeres beslutning er gemt")

    # 3. The memo and the proposal's page show both decisions; the proposal moves to support.
    tab.goto(f"/proposals/{made.id}/hearing-memo")
    memo = tab.locator("#amendments")
    expect(memo).to_contain_text("Ændringsforslag 1")
    expect(memo).to_contain_text("Ændringsforslag 2")
    expect(memo.locator("table")).to_contain_text("Vedtaget")
    expect(memo).to_contain_text("Det har kommunen ikke råd til.")
    tab.goto(f"/proposals/{made.id}")
    section = tab.locator("#amendments")
    expect(section).to_contain_text("Vedtaget 1")
    expect(section).to_contain_text("Ikke vedtaget 1")
    expect(section).to_contain_text("Det har kommunen ikke råd til.")
    expect(tab.locator(".proposal-body, article")).to_contain_text("klokken fem")
    tab.get_by_role("button", name="Send til opbakning").click()
    expect(tab.get_by_role("status")).to_be_visible()
    with app.app_context():
        assert db.session.get(Proposal, made.id).state == lc.SUPPORT
    context.close()

    # 4. In the catalogue a member states a stance on the minority amendment.
    with app.app_context():
        db.session.execute(update(Amendment).where(Amendment.id == rejected).values(minority=True))
        db.session.execute(
            update(Proposal).where(Proposal.id == made.id).values(state=lc.CATALOGUE)
        )
        db.session.commit()
    context, tab = _tab(browser, live_server, app, make_user("member"))
    tab.goto(f"/amendments/{rejected}")
    tab.get_by_label("Imod", exact=True).check()
    tab.get_by_role("button", name="Gem min stillingtagen").click()
    expect(tab.get_by_role("status")).to_contain_text("Din holdning er gemt")
    expect(tab.locator("#amendment-stance-counts")).to_contain_text("1 (100 %)")
    expect(tab.locator("#stances svg[role=img]")).to_be_visible()  # the chart, drawn by the server
    context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_amendment_pages_are_accessible_and_valid(
    browser,
    live_server,
    app,
    heard,
    amend,
    make_user,
    secretary,
    assert_accessible,
    assert_valid_html,
    lang,
):
    made = heard()
    backed = amend(made, body=f"{P1}\n\nAndet afsnit: busserne kører fra klokken fem.\n\n{P3}")
    other = amend(made, drawbacks="Det koster mere.")
    checked = []

    def check(tab, name: str) -> None:
        assert tab.locator("html").get_attribute("lang") == lang, name
        assert_accessible(tab, f"{name} ({lang})")
        assert_valid_html(tab.content(), f"{name} ({lang})")
        checked.append(name)

    context, tab = _tab(browser, live_server, app, make_user("member"), lang, script=True)
    tab.goto(f"/proposals/{made.id}/amendments/new")
    check(tab, "the form to file an amendment")
    tab.get_by_role(
        "button", name=re.compile("^(Stil ændringsforslaget|File the amendment)$")
    ).click()
    check(tab, "the form refused (nothing changed)")
    tab.goto(f"/amendments/{backed}")
    check(tab, "an amendment, a member's view")
    tab.goto(f"/proposals/{made.id}")
    check(tab, "the proposal's page with its amendments")
    context.close()

    end_hearing(app, made, secretary)
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        author = db.session.get(User, made.author.id)
        content = services.Content(
            title=proposal.title,
            summary=proposal.summary,
            body=f"{P1}\n\nAndet afsnit: busserne kører fra klokken syv.\n\n{P3}",
            topic_id=proposal.topic_id,
            drawbacks=proposal.drawbacks,
        )
        services.edit(author, proposal, content, now=utcnow())
        db.session.commit()
    context, tab = _tab(browser, live_server, app, made.author, lang, script=True)
    tab.goto(f"/amendments/{backed}")
    check(tab, "an amendment, the proposer's view with the decision forms")
    tab.locator("input[name=verdict][value=adopted]").first.check()
    tab.locator("form[action$=decide] button[type=submit]").first.click()
    check(tab, "the collision page")
    tab.goto(f"/amendments/{other}")
    tab.locator("input[name=verdict][value=obsolete]").check()
    tab.locator("#decision-reason").fill("Overhalet.")
    tab.locator("form[action$=decide] button[type=submit]").first.click()
    check(tab, "a decided amendment")
    tab.goto(f"/proposals/{made.id}/hearing-memo")
    check(tab, "the hearing memo with its amendments")
    context.close()

    # In the catalogue: the minority amendment under its proposal, and its page with the
    # stance form and the chart.
    with app.app_context():
        db.session.execute(
            update(Amendment)
            .where(Amendment.id == other)
            .values(verdict=lc.NOT_ADOPTED, reason="Overhalet.", minority=True)
        )
        db.session.execute(
            update(Proposal)
            .where(Proposal.id == made.id)
            .values(state=lc.CATALOGUE, support_threshold=50, support_count=50)
        )
        db.session.commit()
    context, tab = _tab(browser, live_server, app, make_user("member"), lang, script=True)
    tab.goto(f"/amendments/{other}")
    tab.locator("input[name=stance][value=for]").check()
    tab.locator("form[action$=stance] button[type=submit]").click()
    expect(tab.locator("#stances svg[role=img]")).to_be_visible()
    check(tab, "a minority amendment with its stances and chart")
    tab.goto("/catalogue")
    expect(tab.locator(".minority-amendments")).to_be_visible()
    check(tab, "the catalogue with a minority amendment")
    context.close()
    assert len(checked) == 10
