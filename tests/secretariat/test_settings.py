"""/secretariat/settings: who may open and save it, what it refuses, how two secretaries'
saves meet, and the audit log."""

import re

import pytest
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.editing import Save
from app.core.extensions import db
from app.core.organisation import SiteSettings
from tests.support.forms import client_for, csrf_token, text_of

PATH = "/secretariat/settings"
FILLED = {
    "name": "Fremtidspartiet",
    "introduction": "Velkommen til **Fremtidspartiets** forslag.",
    "contact_email": "sekretariat@fremtidspartiet.dk",
    "guidelines": "## Hvad et forslag skal\n\nForslag skal holde sig til partiets værdier.",
    "privacy": "Vi gemmer dit navn og din e-mailadresse.",
}


@pytest.fixture
def staff(app, secretary):
    return client_for(app, secretary)


def stored(app) -> dict | None:
    with app.app_context():
        row = db.session.get(SiteSettings, 1)
        if row is None:
            return None
        return {c.name: getattr(row, c.name) for c in SiteSettings.__table__.columns}


def audit(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (e.action, e.subject)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def revision_on(html: str) -> str:
    return re.search(r'name="base_revision"[^>]*value="([^"]*)"', html).group(1)


def send(client, data: dict, *, revision: str | None = None):
    token = csrf_token(client, PATH)
    form = {"csrf_token": token, **data}
    if revision is not None:
        form["base_revision"] = revision
    return client.post(PATH, data=form)


@pytest.mark.parametrize(
    ("roles", "get", "post"),
    [
        (None, 403, 403),  # the console answers visitors as it answers everyone else
        ((), 403, 403),
        (("member",), 403, 403),
        (("member", "secretariat"), 200, 303),
    ],
    ids=["visitor", "citizen", "member", "secretariat"],
)
def test_only_the_secretariat_opens_and_saves_the_settings(app, make_user, roles, get, post):
    client = client_for(app, None if roles is None else make_user(*roles))
    assert client.get(PATH).status_code == get
    token = csrf_token(client)
    response = client.post(PATH, data={"csrf_token": token, **FILLED})
    assert response.status_code == post
    if post == 303:
        assert response.headers["Location"] == PATH
        assert stored(app)["name"] == "Fremtidspartiet"
    else:
        assert stored(app) is None


def test_a_save_renders_the_markdown_and_is_audited(app, staff, secretary):
    page = text_of(staff.get(PATH))
    assert 'name="name"' in page and 'name="privacy"' in page
    assert revision_on(page) == "0"
    response = send(staff, FILLED, revision="0")
    assert response.status_code == 303
    assert "Indstillingerne er gemt" in text_of(staff.get(PATH))
    row = stored(app)
    assert row["revision"] == 1
    assert row["introduction_html"] == (
        "<p>Velkommen til <strong>Fremtidspartiets</strong> forslag.</p>"
    )
    assert "<h3>Hvad et forslag skal</h3>" in row["guidelines_html"]
    assert row["privacy_html"] == "<p>Vi gemmer dit navn og din e-mailadresse.</p>"
    assert row["updated_at"] is not None
    assert audit(app) == [("settings", "name, introduction, contact_email, guidelines, privacy")]
    with app.app_context():
        kept = db.session.scalars(select(Save).where(Save.subject == "settings")).all()
        assert [s.revision for s in kept] == [0, 1]
        assert kept[1].values["name"] == "Fremtidspartiet"
        assert kept[1].author_id == secretary.id
    log = text_of(staff.get("/secretariat/log"))
    assert "Ændrede sidens indstillinger" in log

    # Saving the same again changes nothing, and the log says nothing more.
    assert send(staff, FILLED).status_code == 303
    assert "Intet blev ændret" in text_of(staff.get(PATH))
    assert stored(app)["revision"] == 1
    assert len(audit(app)) == 1


def test_the_form_shows_what_is_saved(app, staff):
    send(staff, FILLED)
    page = text_of(staff.get(PATH))
    assert 'value="Fremtidspartiet"' in page
    assert "Vi gemmer dit navn og din e-mailadresse.</textarea>" in page
    assert revision_on(page) == "1"


def test_emptying_the_name_brings_back_the_default(app, staff):
    send(staff, FILLED)
    assert "<title>Indstillinger · Fremtidspartiet</title>" in text_of(staff.get(PATH))
    assert send(staff, {**FILLED, "name": "   "}).status_code == 303
    assert stored(app)["name"] == ""
    assert "<title>Indstillinger · Forslag</title>" in text_of(staff.get(PATH))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_email", "ikke en adresse", "Skriv en e-mailadresse"),
        ("contact_email", "a@b", "Skriv en e-mailadresse"),
        ("name", "F" * 101, "Skriv højst 100 tegn"),
        ("name", "Fremtids\x00partiet", "tegn, der ikke er tilladt"),
        ("privacy", "Vi gemmer\x07 alt.", "tegn, der ikke er tilladt"),
        ("introduction", "x" * 50_001, "Skriv højst 50000 tegn"),
        ("base_revision", "nul", "Åbn den igen"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(app, staff, field, value, message):
    response = send(staff, {**FILLED, field: value})
    assert response.status_code == 422
    page = text_of(response)
    assert 'class="error-summary"' in page
    assert message in page, page[page.find("error-summary") :][:600]
    assert 'aria-invalid="true"' in page or field == "base_revision"
    assert stored(app) is None
    assert audit(app) == []


def test_messages_come_in_english_too(app, staff):
    staff.post("/language", data={"lang": "en"})
    response = send(staff, {**FILLED, "contact_email": "nope"})
    assert response.status_code == 422
    assert "Enter an email address like name@example.org." in text_of(response)


def test_a_wrong_csrf_token_saves_nothing(app, staff):
    response = staff.post(PATH, data={"csrf_token": "forfalsket", **FILLED})
    assert response.status_code == 400
    response = staff.post(PATH, data=FILLED)
    assert response.status_code == 400
    assert stored(app) is None
    assert audit(app) == []


def test_two_secretaries_changing_different_settings_both_keep_theirs(app, staff, make_user):
    other = client_for(app, make_user("member", "secretariat"))
    send(staff, FILLED)
    revision = revision_on(text_of(staff.get(PATH)))
    assert revision == revision_on(text_of(other.get(PATH)))
    assert (
        send(staff, {**FILLED, "name": "Fremtidspartiet Aarhus"}, revision=revision).status_code
        == 303
    )
    changed_privacy = {**FILLED, "privacy": "Vi gemmer kun det nødvendige."}
    assert send(other, changed_privacy, revision=revision).status_code == 303
    row = stored(app)
    assert row["name"] == "Fremtidspartiet Aarhus"
    assert row["privacy"] == "Vi gemmer kun det nødvendige."
    assert row["privacy_html"] == "<p>Vi gemmer kun det nødvendige.</p>"
    assert row["revision"] == 3
    assert [a for a, _ in audit(app)] == ["settings"] * 3


def test_two_secretaries_changing_the_same_setting_is_a_conflict(app, staff, make_user):
    other = client_for(app, make_user("member", "secretariat"))
    send(staff, FILLED)
    revision = revision_on(text_of(staff.get(PATH)))
    assert (
        send(staff, {**FILLED, "name": "Fremtidspartiet Aarhus"}, revision=revision).status_code
        == 303
    )
    mine = {**FILLED, "name": "Fremtidspartiet Odense", "privacy": "Ny tekst om privatliv."}
    response = send(other, mine, revision=revision)
    assert response.status_code == 409
    page = text_of(response)
    assert "Ikke gemt: en anden har ændret de samme indstillinger" in page
    assert 'value="Fremtidspartiet Odense"' in page  # what they typed is kept
    assert "Fremtidspartiet Aarhus" in page  # and what the other saved is shown
    assert revision_on(page) == str(int(revision) + 1)
    row = stored(app)
    assert row["name"] == "Fremtidspartiet Aarhus"
    assert row["privacy"] == FILLED["privacy"]  # nothing of the refused save
    assert len(audit(app)) == 2
    # Sent again from the conflict page, it wins.
    again = send(other, mine, revision=revision_on(page))
    assert again.status_code == 303
    assert stored(app)["name"] == "Fremtidspartiet Odense"


def test_a_setting_left_out_of_the_request_is_kept(app, staff):
    send(staff, FILLED)
    response = send(staff, {"name": "Fremtidspartiet Aarhus"})
    assert response.status_code == 303
    row = stored(app)
    assert row["name"] == "Fremtidspartiet Aarhus"
    assert row["privacy"] == FILLED["privacy"]
    assert row["privacy_html"] == "<p>Vi gemmer dit navn og din e-mailadresse.</p>"
    assert audit(app)[-1] == ("settings", "name")


def test_a_request_with_no_setting_is_refused(app, staff):
    assert send(staff, {"action": "none"}).status_code == 400
    assert stored(app) is None
