"""Every link that leaves the site is made on FORSLAG_PUBLIC_URL, never on what a request
claims about where it is: a forged Host gets a 400, and where a host is let through (no
public address set), the mail's links still point at the public address."""

from __future__ import annotations

import functools
import re

import pytest

from app.proposals import lifecycle as lc
from tests.notifications.helpers import set_email, tell
from tests.support.forms import client_for, csrf_token, post, text_of
from tests.support.smtp import text_of as text_of_mail

PUBLIC = "https://forslag.example.dk"
FORGED = "evil.example.com"


@pytest.fixture
def site(make_app, mailbox):
    """The app told its address, answering as that host."""
    app = make_app(PUBLIC_URL=PUBLIC)
    return app


def on_host(client, host: str):
    """Make every request of `client` name `host` (Werkzeug takes it from the base URL)."""
    client.open = functools.partial(client.open, base_url=f"http://{host}")
    return client


def at(app, account=None, host: str = "forslag.example.dk"):
    client = on_host(app.test_client(), host)
    if account is not None:
        token = csrf_token(client, "/login")
        response = client.post(
            "/login",
            data={"csrf_token": token, "email": account.email, "password": account.password},
        )
        assert response.status_code == 303
    return client


def test_a_reset_asked_for_with_a_forged_host_is_refused_and_sends_nothing(
    site, make_user, mailbox
):
    victim = make_user()
    client = at(site)
    token = csrf_token(client, "/password/reset")
    response = client.post(
        "/password/reset",
        data={"csrf_token": token, "email": victim.email},
        headers={"Host": FORGED},
    )
    assert response.status_code == 400
    assert mailbox.messages == []


@pytest.mark.parametrize(
    "headers",
    [{"Host": FORGED}, {"Host": f"{FORGED}:443"}, {"Host": "forslag.example.dk.evil.example.com"}],
)
def test_every_page_refuses_another_host(site, headers):
    for path in ("/", "/proposals", "/api/v1/proposals", "/feeds/proposals.atom", "/login"):
        assert at(site).get(path, headers=headers).status_code == 400, (path, headers)


def test_the_reset_mail_links_to_the_public_address(site, make_user, mailbox):
    victim = make_user()
    client = at(site)
    token = csrf_token(client, "/password/reset")
    client.post("/password/reset", data={"csrf_token": token, "email": victim.email})
    tell(site)  # the worker writes the mail, with no request to take a host from
    (message,) = mailbox.messages
    links = re.findall(r"https?://\S+", text_of_mail(message))
    assert links and all(link.startswith(f"{PUBLIC}/") for link in links), links
    assert any(link.startswith(f"{PUBLIC}/password/reset/") for link in links)


def test_where_any_host_is_answered_the_mail_still_links_to_the_public_address(
    make_app, make_user, mailbox
):
    """Without TRUSTED_HOSTS (a site behind a proxy that rewrites Host, say), a forged Host
    and X-Forwarded-Host reach the app, and the mail's links are still on the public URL."""
    app = make_app(PUBLIC_URL=PUBLIC, TRUSTED_HOSTS=[], TRUSTED_PROXIES=1)
    victim = make_user()
    client = on_host(app.test_client(), FORGED)
    token = csrf_token(client, "/password/reset")
    response = client.post(
        "/password/reset",
        data={"csrf_token": token, "email": victim.email},
        headers={"X-Forwarded-Host": FORGED, "X-Forwarded-Proto": "http"},
    )
    assert response.status_code == 303
    tell(app)
    (message,) = mailbox.messages
    text = text_of_mail(message)
    assert FORGED not in text and FORGED not in message.get("List-Unsubscribe", "")
    assert re.search(rf"{re.escape(PUBLIC)}/password/reset/\S+", text)


def test_the_invitation_mail_links_to_the_public_address(site, make_user, make_proposal, mailbox):
    made = make_proposal(lc.DRAFT)
    invitee = make_user("member")
    set_email(site, invitee, "instant")
    client = at(site, made.author)
    token = csrf_token(client, f"/proposals/{made.id}")
    response = client.post(
        f"/proposals/{made.id}/proposers", data={"csrf_token": token, "email": invitee.email}
    )
    assert response.status_code == 303
    tell(site)
    (message,) = mailbox.to(invitee.email)
    assert f"{PUBLIC}/proposals/{made.id}" in text_of_mail(message)
    assert message["List-Unsubscribe"].startswith(f"<{PUBLIC}/unsubscribe/")


def test_the_api_and_the_feed_link_to_the_public_address(site, make_proposal):
    made = make_proposal(lc.HEARING)
    client = at(site)
    item = client.get("/api/v1/proposals").json["items"][0]
    assert item["url"] == f"{PUBLIC}/proposals/{made.id}"
    assert client.get(f"/api/v1/proposals/{made.id}").status_code == 200
    assert client.get("/api/v1/openapi.json").json["servers"] == [{"url": PUBLIC}]
    feed = text_of(client.get("/feeds/proposals.atom"))
    links = re.findall(r'href="([^"]+)"', feed) + re.findall(r"<id>([^<]+)</id>", feed)
    assert links and all(link.startswith(f"{PUBLIC}/") for link in links), links


def test_without_a_public_address_the_default_is_used_and_hosts_are_not_checked(
    make_app, make_proposal
):
    from app.core import config

    app = make_app(PUBLIC_URL=config.DEFAULT_PUBLIC_URL, PUBLIC_URL_GIVEN=False)
    app.config["TRUSTED_HOSTS"] = None
    made = make_proposal(lc.HEARING)
    client = on_host(client_for(app), FORGED)
    item = client.get("/api/v1/proposals").json["items"][0]
    assert item["url"] == f"http://127.0.0.1:5000/proposals/{made.id}"


@pytest.mark.parametrize(
    "value", ["forslag.example.dk", "ftp://forslag.example.dk", "https://", "https://x/?a=1"]
)
def test_a_public_address_that_is_not_one_is_refused(value):
    from app.core.config import ConfigError, public_url

    with pytest.raises(ConfigError):
        public_url(value)


def test_the_public_address_may_have_a_path(make_app, make_user, mailbox):
    app = make_app(PUBLIC_URL="https://example.dk/forslag/")
    assert app.config["PUBLIC_URL"] == "https://example.dk/forslag"
    person = make_user()
    client = on_host(app.test_client(), "example.dk")
    post(client, "/password/reset", {"email": person.email})
    tell(app)
    (message,) = mailbox.messages
    assert "https://example.dk/forslag/password/reset/" in text_of_mail(message)
