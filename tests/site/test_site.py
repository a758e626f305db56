"""The organisation's own site: its name on every page, in mail and feeds; the privacy notice
and guidelines; the first run's set-up list; the proposal form before there are topics."""

import re

import pytest
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal, Topic
from tests.support import send_queued_mail
from tests.support.forms import client_for, csrf_token, post, post_form, text_of
from tests.support.proposals import CONTENT
from tests.support.smtp import text_of as text_of_mail

SETTINGS = "/secretariat/settings"


def configure(app, secretary, **values):
    """Save the settings through the form, as the secretariat does."""
    client = client_for(app, secretary)
    data = {
        "name": "",
        "introduction": "",
        "contact_email": "",
        "guidelines": "",
        "privacy": "",
        **values,
    }
    response = post_form(client, SETTINGS, data)
    assert response.status_code == 303, text_of(response)
    return client


def form_of(html: str, marker: str) -> str:
    """The <form> that contains `marker`."""
    for form in re.findall(r"<form\b.*?</form>", html, re.S):
        if marker in form:
            return form
    raise AssertionError(f"no form with {marker}")


# --- the name ---------------------------------------------------------------------------------


def test_the_default_name_until_one_is_set(client):
    page = text_of(client.get("/"))
    assert "<title>Forside · Forslag</title>" in page
    assert '<a class="brand" href="/">Forslag</a>' in page


@pytest.mark.parametrize("who", ["visitor", "citizen", "member", "secretariat"])
def test_the_name_in_the_header_and_every_title(app, make_user, secretary, who):
    configure(app, secretary, name="Fremtidspartiet")
    roles = {"visitor": None, "citizen": (), "member": ("member",)}
    client = (
        client_for(app, secretary)
        if who == "secretariat"
        else client_for(app, None if roles[who] is None else make_user(*roles[who]))
    )
    for path in ["/", "/proposals", "/privacy", "/guidelines", "/login"]:
        page = text_of(client.get(path))
        assert re.search(r"<title>[^<]* · Fremtidspartiet</title>", page), path
        assert '<a class="brand" href="/">Fremtidspartiet</a>' in page, path
        assert " · Forslag</title>" not in page and 'class="brand" href="/">Forslag<' not in page
        assert "Fremtidspartiet: forslag skrevet i fællesskab" in page, path


def test_a_name_is_escaped(app, secretary, client):
    configure(app, secretary, name="<b>Partiet</b> & co")
    page = text_of(client.get("/"))
    assert "<title>Forside · &lt;b&gt;Partiet&lt;/b&gt; &amp; co</title>" in page
    assert "<b>Partiet</b>" not in page


def test_the_settings_are_read_once_per_page(app, secretary, make_user, count_queries):
    configure(app, secretary, name="Fremtidspartiet", privacy="Om dine data.")
    client = client_for(app, make_user("member"))
    for path in ["/", "/privacy", "/register", "/proposals"]:
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        reads = [s for s in statements if "site_settings" in s]
        assert len(reads) == 1, (path, reads)


def test_visitors_see_a_new_name_at_once_despite_the_page_cache(app, secretary, client):
    cache = app.extensions["page_cache"]
    cache.seconds = 60
    try:
        assert ">Forslag</a>" in text_of(client.get("/"))
        configure(app, secretary, name="Fremtidspartiet")
        assert ">Fremtidspartiet</a>" in text_of(client.get("/"))
    finally:
        cache.seconds = 0
        cache.clear()


def test_the_name_in_mail(app, secretary, make_user, client, mailbox):
    configure(app, secretary, name="Fremtidspartiet")
    user = make_user(name="Aisha Rahimi")
    assert post_form(client, "/password/reset", {"email": user.email}).status_code == 303
    send_queued_mail(app)
    (message,) = mailbox.messages
    assert message["Subject"] == "Vælg en ny adgangskode til Fremtidspartiet"
    assert message["From"].startswith("Fremtidspartiet <")
    body = text_of_mail(message).replace("\r\n", "\n")
    assert "din konto på Fremtidspartiet" in body
    assert "-- \nFremtidspartiet\n" in body
    assert "Forslag" not in body


def test_a_configured_sender_name_is_kept(app, secretary, make_user, client, mailbox):
    app.config["MAIL_FROM"] = "Sekretariatet <sekretariat@example.org>"
    configure(app, secretary, name="Fremtidspartiet")
    user = make_user()
    post_form(client, "/password/reset", {"email": user.email})
    send_queued_mail(app)
    (message,) = mailbox.messages
    assert message["From"] == "Sekretariatet <sekretariat@example.org>"


def test_the_name_in_the_feed(app, secretary, client):
    configure(app, secretary, name="Fremtidspartiet")
    feed = text_of(client.get("/feeds/proposals.atom"))
    assert "<title>Fremtidspartiet</title>" in feed
    assert "<title>Forslag" not in feed


def test_the_front_page_shows_the_introduction(app, secretary, client):
    configure(app, secretary, introduction="Her skriver **vi** politik sammen.")
    page = text_of(client.get("/"))
    assert "<p>Her skriver <strong>vi</strong> politik sammen.</p>" in page
    assert "Medlemmer skriver forslag sammen" not in page  # the default lead gives way


def test_markdown_is_sanitised_on_the_public_pages(app, secretary, client):
    configure(
        app,
        secretary,
        introduction="<script>alert(1)</script> Hej",
        privacy='<img src=x onerror="alert(1)"> Data',
        guidelines="[klik](javascript:alert(1))",
    )
    for path in ["/", "/privacy", "/guidelines"]:
        page = text_of(client.get(path))
        assert "<script>alert" not in page and "<img" not in page, path
        assert 'href="javascript' not in page, path


# --- /privacy and /guidelines -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "heading", "default"),
    [
        (
            "/privacy",
            "Privatlivserklæring",
            "Forslag har endnu ikke skrevet sin privatlivserklæring",
        ),
        (
            "/guidelines",
            "Retningslinjer for forslag",
            "Forslag har endnu ikke skrevet sine retningslinjer",
        ),
    ],
)
def test_the_notices_have_a_default_text(client, path, heading, default):
    response = client.get(path)
    assert response.status_code == 200
    page = text_of(response)
    assert f"<h1>{heading}</h1>" in page
    assert default in page
    assert "mailto:" not in page


def test_the_notices_show_what_the_secretariat_wrote(app, secretary, client):
    configure(
        app,
        secretary,
        name="Fremtidspartiet",
        contact_email="sekretariat@fremtidspartiet.dk",
        privacy="Vi gemmer **kun** det nødvendige.",
        guidelines="Forslag skal være *konkrete*.",
    )
    privacy = text_of(client.get("/privacy"))
    assert "<p>Vi gemmer <strong>kun</strong> det nødvendige.</p>" in privacy
    assert "endnu ikke skrevet" not in privacy
    assert '<a href="mailto:sekretariat@fremtidspartiet.dk">' in privacy
    guidelines = text_of(client.get("/guidelines"))
    assert "<p>Forslag skal være <em>konkrete</em>.</p>" in guidelines
    assert "Spørgsmål? Skriv til Fremtidspartiet på" in guidelines


def test_the_notices_in_english(client):
    client.post("/language", data={"lang": "en"})
    page = text_of(client.get("/privacy"))
    assert '<html lang="en">' in page
    assert "Forslag has not written its privacy notice here yet." in page


def test_every_page_links_the_notices(client):
    page = text_of(client.get("/proposals"))
    assert '<a href="/privacy">' in page and '<a href="/guidelines">' in page


def test_the_registration_form_links_the_privacy_notice(client):
    form = form_of(text_of(client.get("/register")), 'name="password"')
    assert '<a href="/privacy">privatlivserklæringen</a>' in form


def test_the_reject_forms_link_the_guidelines(app, secretary, make_proposal):
    made = make_proposal(lc.SUBMITTED)
    staff = client_for(app, secretary)
    detail = text_of(staff.get(f"/proposals/{made.id}"))
    assert '<a href="/guidelines">' in form_of(detail, 'name="to" value="rejected"')
    assert '<a href="/guidelines">' not in form_of(detail, 'name="to" value="hearing"')
    console = text_of(staff.get("/secretariat"))
    assert '<a href="/guidelines">' in form_of(console, 'name="to" value="rejected"')


# --- the first run ------------------------------------------------------------------------------


def set_up_list(html: str) -> list[str]:
    section = re.search(r'<section class="set-up".*?</section>', html, re.S)
    if section is None:
        return []
    return re.findall(r'<li><a href="([^"]+)">', section.group(0))


def test_the_set_up_list_until_each_step_is_done(app, secretary, make_user):
    staff = client_for(app, secretary)
    page = text_of(staff.get("/secretariat"))
    assert "Sæt jeres side op" in page
    assert set_up_list(page) == [
        "/secretariat/settings",
        "/secretariat/topics",
        "/secretariat/members",
    ]

    configure(app, secretary, name="Fremtidspartiet")
    assert set_up_list(text_of(staff.get("/secretariat"))) == [
        "/secretariat/topics",
        "/secretariat/members",
    ]

    post(staff, "/secretariat/topics", {"action": "create", "name": "Klima"})
    assert set_up_list(text_of(staff.get("/secretariat"))) == ["/secretariat/members"]

    # Another secretary is not a member the site was set up for; a citizen is not either.
    make_user("member", "secretariat")
    citizen = make_user()
    assert set_up_list(text_of(staff.get("/secretariat"))) == ["/secretariat/members"]
    post(
        staff,
        "/secretariat/members",
        {"action": "grant", "role": "member", "user_id": str(citizen.id)},
    )
    page = text_of(staff.get("/secretariat"))
    assert set_up_list(page) == []
    assert "Sæt jeres side op" not in page


def test_a_retired_topic_does_not_count(app, secretary):
    with app.app_context():
        db.session.add(Topic(name="Gammelt emne", retired=True))
        db.session.commit()
    staff = client_for(app, secretary)
    assert "/secretariat/topics" in set_up_list(text_of(staff.get("/secretariat")))


def test_the_set_up_list_in_english(app, secretary):
    staff = client_for(app, secretary)
    staff.post("/language", data={"lang": "en"})
    page = text_of(staff.get("/secretariat"))
    assert "Set up your site" in page and "Name the organisation" in page


# --- the proposal form before there are topics --------------------------------------------------


def test_no_topics_no_proposal_form(app, make_user):
    member = client_for(app, make_user("member"))
    response = member.get("/proposals/new")
    assert response.status_code == 200
    page = text_of(response)
    assert "Sekretariatet skal først oprette emner" in page
    assert 'name="title"' not in page and 'name="topic"' not in page
    assert "Gem kladde" not in page
    assert "/secretariat/topics" not in page  # a member cannot create them

    token = csrf_token(member)
    response = member.post(
        "/proposals/new", data={"csrf_token": token, **CONTENT, "topic": "Klima"}
    )
    assert response.status_code == 409
    assert "Sekretariatet skal først oprette emner" in text_of(response)
    with app.app_context():
        assert db.session.scalars(select(Proposal)).all() == []
        assert db.session.scalars(select(AuditEntry)).all() == []


def test_only_retired_topics_are_no_topics(app, make_user):
    with app.app_context():
        db.session.add(Topic(name="Gammelt emne", retired=True))
        db.session.commit()
    page = text_of(client_for(app, make_user("member")).get("/proposals/new"))
    assert "Sekretariatet skal først oprette emner" in page


def test_the_secretariat_is_sent_to_create_topics(app, secretary):
    page = text_of(client_for(app, secretary).get("/proposals/new"))
    assert '<a href="/secretariat/topics">' in page


def test_with_a_topic_the_form_is_back(app, make_user, topic):
    member = client_for(app, make_user("member"))
    page = text_of(member.get("/proposals/new"))
    assert 'name="title"' in page and "Sekretariatet skal først oprette emner" not in page
    token = csrf_token(member)
    response = member.post(
        "/proposals/new", data={"csrf_token": token, **CONTENT, "topic": str(topic)}
    )
    assert response.status_code == 303


# --- the demo -----------------------------------------------------------------------------------


def test_the_demo_names_its_organisation(app, client):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert '<a class="brand" href="/">Fremtidspartiet</a>' in text_of(client.get("/"))
    privacy = text_of(client.get("/privacy"))
    assert "Fremtidspartiet er dataansvarlig" in privacy and "<h2" in privacy
    assert "Sekretariatet kan afvise et forslag" in text_of(client.get("/guidelines"))
    with app.app_context():
        assert db.session.scalars(select(AuditEntry.action)).all().count("settings") == 1
