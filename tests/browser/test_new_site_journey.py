"""A brand-new site in Chromium, with no demo: the first secretariat account, made on the
command line, logs in, follows "Set up your site" (names the organisation, creates a topic,
makes a member), and that member writes and saves the first proposal. Every page on the
way that is new passes axe and the Nu HTML Checker in Danish and in English."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.extensions import db
from app.core.organisation import SiteSettings
from app.proposals.models import Proposal

pytestmark = pytest.mark.browser

PASSWORD = "et langt og godt kodeord"


def users_create(app, email: str, name: str, role: str) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            email,
            "--name",
            name,
            "--password",
            PASSWORD,
            "--role",
            role,
        ]
    )
    assert result.exit_code == 0, result.output


def log_in(browser, live_server, email: str):
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.on("dialog", lambda d: pytest.fail(f"dialog opened: {d.message}"))
    tab.goto("/login")
    tab.get_by_label("E-mail").fill(email)
    tab.get_by_label("Adgangskode").fill(PASSWORD)
    tab.get_by_role("button", name="Log ind").click()
    expect(tab.get_by_role("status").first).to_be_visible()
    return context, tab


def test_a_new_site_is_set_up_and_gets_its_first_proposal(
    app, browser, live_server, assert_accessible, assert_valid_html
):
    checked = []

    def check(tab, where):
        """In English, then back in Danish: axe and the HTML checker both times."""
        for lang in ("en", "da"):
            tab.get_by_role("button", name="English" if lang == "en" else "Dansk").click()
            expect(tab.locator("html")).to_have_attribute("lang", lang)
            assert_accessible(tab, f"{where} ({lang})")
            assert_valid_html(tab.content(), f"{where} ({lang})")
        checked.append(where)

    users_create(app, "sekretariat@kommune.example", "Birgitte Lund", "member,secretariat")
    users_create(app, "ole@kommune.example", "Ole Madsen", "citizen")
    staff_context, staff = log_in(browser, live_server, "sekretariat@kommune.example")
    expect(staff.locator("a.brand")).to_have_text("Forslag")

    # The first thing the secretariat sees: what to set up.
    staff.get_by_role("link", name="Sekretariat").click()
    setup = staff.locator("section.set-up")
    expect(setup.get_by_role("heading")).to_have_text("Sæt jeres side op")
    expect(setup.get_by_role("listitem")).to_have_count(3)
    check(staff, "dashboard with the set-up list")

    # A member cannot write a proposal yet, and is told why, without a form.
    member_context, member = log_in(browser, live_server, "ole@kommune.example")
    # (Ole is a citizen until the secretariat makes him a member, below.)

    setup.get_by_role("link", name="Giv organisationen et navn").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Indstillinger")
    check(staff, "settings")
    staff.get_by_label("Organisationens navn").fill("Borgerforslag Silkeborg Kommune")
    staff.get_by_label("Kontaktadresse (e-mail)").fill("borgerforslag@kommune.example")
    staff.get_by_label("Retningslinjer for forslag").fill(
        "Et borgerforslag skal handle om noget, kommunen bestemmer over.\n\n"
        "# Sprog\n\nSkriv sagligt og uden personangreb."
    )
    staff.get_by_label("Privatlivserklæring").fill(
        "Silkeborg Kommune gemmer dit navn og din e-mailadresse."
    )
    staff.get_by_role("button", name="Gem indstillingerne").click()
    expect(staff.get_by_role("status").first).to_contain_text("Indstillingerne er gemt")
    expect(staff.locator("a.brand")).to_have_text("Borgerforslag Silkeborg Kommune")
    expect(staff).to_have_title("Indstillinger · Borgerforslag Silkeborg Kommune")

    # A refused save: nothing is kept, the form says what is wrong in the page's language.
    # (The refusal answers a POST: it is sent again after switching the language.)
    for lang, email_label, save, message in [
        ("da", "Kontaktadresse (e-mail)", "Gem indstillingerne", "Skriv en e-mailadresse"),
        ("en", "Contact email", "Save the settings", "Enter an email address"),
    ]:
        if lang == "en":
            staff.get_by_role("button", name="English").click()
        staff.get_by_label(email_label).fill("ikke en adresse")
        staff.get_by_role("button", name=save).click()
        expect(staff.get_by_role("alert")).to_contain_text(message)
        assert_accessible(staff, f"settings refused ({lang})")
        assert_valid_html(staff.content(), f"settings refused ({lang})")
    staff.get_by_role("button", name="Dansk").click()
    checked.append("settings refused")

    for path, heading, text in [
        ("/privacy", "Privatlivserklæring", "Silkeborg Kommune gemmer dit navn"),
        ("/guidelines", "Retningslinjer for forslag", "Skriv sagligt og uden personangreb"),
    ]:
        staff.goto(path)
        expect(staff.get_by_role("heading", level=1)).to_have_text(heading)
        expect(staff.locator("main")).to_contain_text(text)
        expect(staff.locator("main")).to_contain_text("borgerforslag@kommune.example")
        check(staff, path)

    staff.goto("/secretariat")
    expect(setup.get_by_role("listitem")).to_have_count(2)

    # The member-to-be, before there is a topic or a membership: make him a member first.
    setup.get_by_role("link", name="Tilføj medlemmer").click()
    staff.get_by_label("Navn eller e-mail").fill("ole@")
    staff.get_by_role("button", name="Find").click()
    row = staff.locator("table.members-table tbody tr", has_text="Ole Madsen")
    row.locator("form:has(input[name=role][value=member]) button").click()
    expect(staff.get_by_role("status").first).to_contain_text("Ole Madsen")

    member.goto("/proposals/new")
    expect(member.locator("main")).to_contain_text("Sekretariatet skal først oprette emner")
    expect(member.locator("main form")).to_have_count(0)
    expect(member.locator("main textarea, main select")).to_have_count(0)
    check(member, "proposal form without topics")

    staff.goto("/secretariat")
    expect(setup.get_by_role("listitem")).to_have_count(1)
    setup.get_by_role("link", name="Opret emner").click()
    staff.get_by_label("Nyt emne").fill("Trafik og veje")
    staff.get_by_role("button", name="Opret").click()
    expect(staff.locator("table")).to_contain_text("Trafik og veje")
    staff.goto("/secretariat")
    expect(staff.locator("section.set-up")).to_have_count(0)
    check(staff, "dashboard when set up")

    # The first proposal.
    member.goto("/")
    expect(member.locator("a.brand")).to_have_text("Borgerforslag Silkeborg Kommune")
    member.get_by_role("link", name="Skriv et forslag").first.click()
    member.locator("[name=title]").fill("Cykelsti langs Vestergade")
    member.locator("[name=summary]").fill(
        "En sikker cykelsti langs hele Vestergade, så børn kan cykle til skole."
    )
    member.locator("[name=topic]").select_option(label="Trafik og veje")
    member.locator("[name=body]").fill("## Forslaget\n\nKommunen anlægger en cykelsti.")
    member.get_by_role("button", name="Gem kladde").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Cykelsti langs Vestergade")
    expect(member).to_have_title("Cykelsti langs Vestergade · Borgerforslag Silkeborg Kommune")

    with app.app_context():
        assert db.session.get(SiteSettings, 1).name == "Borgerforslag Silkeborg Kommune"
        (proposal,) = db.session.scalars(select(Proposal)).all()
        assert proposal.title == "Cykelsti langs Vestergade"
    assert len(checked) == 7
    member_context.close()
    staff_context.close()
