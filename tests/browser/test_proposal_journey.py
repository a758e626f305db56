"""A member writes a proposal, invites a second member who accepts, submits it; the
secretariat opens the hearing and later ends it; the text is revised and the difference
shown. Then XSS vectors in every field run no script in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.notifications.helpers import set_email
from tests.support import send_queued_mail
from tests.support.xss import VECTORS

pytestmark = pytest.mark.browser


def logged_in(browser, live_server, account):
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.goto("/login")
    tab.get_by_label("E-mail").fill(account.email)
    tab.get_by_label("Adgangskode").fill(account.password)
    tab.get_by_role("button", name="Log ind").click()
    expect(tab.get_by_role("status")).to_contain_text("Du er logget ind")
    return tab


def test_write_invite_submit_hear_revise(
    page, browser, app, live_server, make_user, secretary, topic, assert_accessible, mailbox
):
    author = make_user("member", name="Mette Nørgaard")
    co = make_user("member", name="Jens Kristensen")
    set_email(app, co, "instant")  # the invitation is mailed at once, not in a digest

    page.goto("/login")
    page.get_by_label("E-mail").fill(author.email)
    page.get_by_label("Adgangskode").fill(author.password)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("link", name="Se alle forslag").click()
    page.get_by_role("link", name="Skriv et forslag").click()
    page.get_by_label("Titel").fill("Gratis frugt i alle folkeskoler")
    page.get_by_label("Resumé").fill("Alle elever skal have et stykke frugt hver skoledag.")
    page.get_by_label("Emne").select_option(label="Landdistrikter")
    page.get_by_label("Forslagets tekst").fill("Staten betaler **et stykke frugt** om dagen.")
    page.get_by_label("Potentielle ulemper").fill("Det koster 300 mio. kr. om året.")
    page.get_by_role("button", name="Gem kladde").click()
    expect(page.get_by_role("status")).to_contain_text("Din kladde er gemt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gratis frugt i alle folkeskoler")
    expect(page.locator(".markdown strong")).to_have_text("et stykke frugt")
    proposal_url = page.url

    page.get_by_label("Invitér en medforslagsstiller").fill(co.email)
    page.get_by_role("button", name="Invitér", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Jens Kristensen er inviteret")
    send_queued_mail(app, public_url=live_server.url)
    assert any(proposal_url in body for body in mailbox.bodies_to(co.email))

    co_tab = logged_in(browser, live_server, co)
    co_tab.goto(proposal_url)
    co_tab.get_by_role("button", name="Tag imod").click()
    expect(co_tab.get_by_role("status")).to_contain_text("forslagsstiller nummer 2")
    expect(co_tab.locator("ol.proposers li")).to_have_text(["Mette Nørgaard", "Jens Kristensen"])

    page.reload()
    page.get_by_role("button", name="Indsend til sekretariatet").click()
    expect(page.get_by_role("status")).to_contain_text("Forslaget er nu: Indsendt")

    staff = logged_in(browser, live_server, secretary)
    staff.goto(proposal_url)
    assert_accessible(staff, "submitted proposal with the secretariat's forms")
    staff.get_by_role("button", name="Åbn høringen").click()
    expect(staff.get_by_role("status")).to_contain_text("Forslaget er nu: I høring")
    expect(staff.locator(".status-block")).to_contain_text("Høringen slutter")

    staff.get_by_role("button", name="Afslut høringen").click()
    expect(staff.get_by_role("status")).to_contain_text("Under udvikling efter høring")

    page.reload()
    page.get_by_role("link", name="Redigér forslaget").click()
    page.get_by_label("Forslagets tekst").fill("Staten betaler **to stykker frugt** om dagen.")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Gemt som version 2")
    page.get_by_role("link", name="Hvad er ændret efter høringen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ændringer fra version 1 til version 2"
    )
    # Neighbouring words that both changed are shown as one change.
    expect(page.locator("del").first).to_have_text("[fjernet: **et stykke]")
    expect(page.locator("ins").first).to_have_text("[tilføjet: **to stykker]")
    expect(page.locator(".diff")).to_contain_text("stykke")
    assert_accessible(page, "diff")
    page.get_by_role("link", name="Alle versioner").click()
    expect(page.locator("table.versions tbody tr")).to_have_count(2)

    timeline = page.goto(proposal_url) and page.locator("ol.timeline li")
    expect(timeline).to_have_count(4)
    expect(timeline.nth(2)).to_contain_text("af Karen Holm")
    for tab in (co_tab, staff):
        tab.context.close()


def test_xss_vectors_run_no_script(page, make_proposal, live_server):
    """The page fixture fails the test if a dialog opens or a script error is logged."""
    made = []
    for i in range(0, len(VECTORS), 4):
        chunk = VECTORS[i : i + 4]
        text = "\n\n".join(chunk)
        made.append(
            make_proposal(
                "hearing",
                title=f"XSS {i} {chunk[0]}"[:160],
                summary=f"Resumé med {chunk[0]}"[:400],
                body=text,
                drawbacks=text,
                process=text,
                materials=text,
                organisations="\n".join(v[:200] for v in chunk),
            )
        )
    page.goto("/proposals")
    for proposal in made:
        page.goto(f"/proposals/{proposal.id}")
        assert page.evaluate("typeof window.__xss") == "undefined"
        page.hover("h1")
        page.mouse.move(5, 300)
    assert re.search(r"XSS 0", page.goto("/proposals").text())
