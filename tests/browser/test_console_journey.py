"""The secretariat in Chromium: imports three members from a CSV with one bad row, fixes
it, imports; opens a hearing and hides a reported comment from the console. Every console
page passes axe and the Nu HTML Checker in Danish and in English."""

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from app.comments import services as comments
from app.core.database import utcnow
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal
from tests.support.http import sign_in

pytestmark = pytest.mark.browser

CSV = (
    "email;name;role\nanna@example.org;Anna Holm;member\nikke-en-adresse;Bo Berg;member\n"
    "carl@example.org;Carl Dahl;secretariat\n"
)


@pytest.fixture
def staff_tab(browser, live_server, app, secretary):
    """A tab signed in as the secretariat (with the cookie the login form gives)."""
    context = browser.new_context(base_url=live_server.url)
    sign_in(context, app, secretary, live_server.url)
    tab = context.new_page()
    tab.on("dialog", lambda d: pytest.fail(f"dialog opened: {d.message}"))
    tab.goto("/")
    yield tab
    context.close()


def test_console_journey(
    staff_tab, app, make_proposal, make_user, tmp_path, assert_accessible, assert_valid_html
):
    tab = staff_tab
    checked = []

    def check(where):
        for lang in ("en", "da"):
            tab.get_by_role("button", name="English" if lang == "en" else "Dansk").click()
            assert_accessible(tab, f"{where} ({lang})")
            assert_valid_html(tab.content(), f"{where} ({lang})")
        checked.append(where)

    submitted = make_proposal(lc.SUBMITTED, title="Et sundhedshus i hver kommune")
    hearing = make_proposal(lc.HEARING, title="Bedre busser på landet")
    writer, reporter = make_user(name="Grov Skribent"), make_user()
    with app.app_context():
        proposal = db.session.get(Proposal, hearing.id)
        comment = comments.add_comment(
            db.session.get(User, writer.id),
            proposal,
            "Køb billige busbilletter hos mig!",
            now=utcnow(),
        )
        comments.flag_comment(db.session.get(User, reporter.id), comment, "Reklame", now=utcnow())
        db.session.commit()

    tab.get_by_role("link", name="Sekretariat").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Sekretariat")
    check("queues")

    tab.get_by_role("link", name="Medlemmer").click()
    check("members")

    def check_preview(where, text):
        """A preview is the answer to a POST: check it, then send it again in English."""
        for lang in ("da", "en"):
            if lang == "en":
                tab.get_by_role("button", name="English").click()
                tab.locator("#register-text").fill(text)
                tab.locator("button[name=action][value=preview]").click()
            assert_accessible(tab, f"{where} ({lang})")
            assert_valid_html(tab.content(), f"{where} ({lang})")
        tab.get_by_role("button", name="Dansk").click()
        tab.locator("#register-text").fill(text)
        tab.locator("button[name=action][value=preview]").click()
        checked.append(where)

    register = tmp_path / "medlemmer.csv"
    register.write_text(CSV, encoding="utf-8")
    tab.get_by_label("CSV-fil").set_input_files(str(register))
    tab.get_by_role("button", name="Forhåndsvis importen").click()
    expect(tab.get_by_role("alert")).to_contain_text("Linje 3")
    check_preview("import with a bad row", CSV)
    expect(tab.get_by_role("alert")).to_contain_text("Linje 3: not an email address")
    rows = tab.get_by_label("Rækkerne")
    fixed = rows.input_value().replace("ikke-en-adresse", "bo@example.org")
    rows.fill(fixed)
    tab.get_by_role("button", name="Forhåndsvis igen").click()
    expect(tab.locator("p.lead")).to_have_text("3 rækker er klar til import.")
    check_preview("import preview", fixed)
    tab.get_by_role("button", name="Importér 3 rækker").click()
    expect(tab.get_by_role("status").first).to_contain_text("Importerede 3 rækker")
    tab.get_by_label("Navn eller e-mail").fill("carl@")
    tab.get_by_role("button", name="Find").click()
    expect(tab.locator("table.members-table tbody tr")).to_have_count(1)
    expect(tab.locator("table.members-table")).to_contain_text("sekretariat")

    tab.get_by_role("link", name="Køer").click()
    queue = tab.locator("li", has_text="Et sundhedshus i hver kommune")
    queue.get_by_role("button", name="Åbn høringen").click()
    expect(tab.get_by_role("status").first).to_contain_text("Forslaget er nu: I høring")
    expect(tab).to_have_url(f"{tab.url.split('/secretariat')[0]}/secretariat")
    expect(tab.locator("#submitted-title")).to_contain_text("(0)")

    reported = tab.locator("li", has_text="Køb billige busbilletter")
    reported.get_by_text("Skjul", exact=True).click()
    reported.get_by_label("Hvorfor den skjules").fill("Kommerciel reklame")
    reported.get_by_role("button", name="Skjul kommentaren").click()
    expect(tab.get_by_role("status").first).to_contain_text("Kommentaren er skjult")
    expect(tab.locator("#flagged-title + p")).to_have_text("Intet venter.")

    tab.get_by_role("link", name="Emner").click()
    tab.get_by_label("Nyt emne").fill("Kultur")
    tab.get_by_role("button", name="Opret").click()
    expect(tab.locator("table")).to_contain_text("Kultur")
    check("topics")

    tab.get_by_role("link", name="Revisionslog").click()
    log = tab.locator("table.audit-log")
    expect(log).to_contain_text("Importerede medlemsregistret")
    expect(log).to_contain_text("Skjulte en kommentar")
    expect(log).to_contain_text("Kommerciel reklame")
    expect(log).to_contain_text("Oprettede et emne")
    check("audit log")
    with app.app_context():
        assert db.session.get(Proposal, submitted.id).state == lc.HEARING
    assert len(checked) == 6
