"""The pages of staying informed: the list and its unread count in every page's header,
marking read, the email settings, following proposals and topics, and the unsubscribe
link that works without logging in."""

from __future__ import annotations

import re
import threading

import pytest
from itsdangerous import URLSafeSerializer

from app.accounts.mails import unsubscribe_token
from app.accounts.models import User
from app.core.extensions import db
from app.notifications.models import Notification, ProposalFollow, TopicFollow
from app.proposals import lifecycle as lc
from tests.notifications.helpers import kinds_of, notifications_of, set_email, work
from tests.support import count_rows as count
from tests.support.forms import client_for, csrf_token, post, post_form, text_of
from tests.support.http import Browserless


def chosen(html: str) -> list[str]:
    """The values of the checked radio buttons named email."""
    inputs = re.findall(r'<input[^>]*name="email"[^>]*>', html)
    return [re.search(r'value="([^"]*)"', i)[1] for i in inputs if " checked" in i]


def unread_badge(html: str) -> str | None:
    match = re.search(r'class="count-badge">(\d+)<', html)
    return match and match[1]


@pytest.fixture
def told(app, make_user, make_proposal, topic):
    """A member told of three hearings that opened on a topic they follow."""
    member = make_user("member", name="Aisha Rahimi")
    post(client_for(app, member), f"/topics/{topic}/follow")
    made = [make_proposal(lc.HEARING) for _ in range(3)]
    work(app)
    assert kinds_of(app, member) == ["hearing_opened"] * 3
    return member, made


def test_the_list_newest_first_with_the_unread_count_in_every_header(app, told):
    member, made = told
    client = client_for(app, member)
    page = text_of(client.get("/notifications"))
    ids = [int(n) for n in re.findall(r'href="/proposals/(\d+)">', page)]
    assert ids == [m.id for m in reversed(made)], "newest first"
    assert page.count("Ulæst") >= 3
    for path in ("/", "/proposals", f"/proposals/{made[0].id}", "/account/notifications"):
        assert unread_badge(text_of(client.get(path))) == "3", path


def test_mark_one_and_then_all_read(app, told, make_user):
    member, _ = told
    client = client_for(app, member)
    first = notifications_of(app, member)[0]
    response = post(client, "/notifications/read", {"id": str(first.id)})
    assert response.status_code == 303
    assert [n.read_at is not None for n in notifications_of(app, member)] == [True, False, False]
    assert unread_badge(text_of(client.get("/"))) == "2"
    assert post(client, "/notifications/read").status_code == 303
    assert all(n.read_at for n in notifications_of(app, member))
    assert unread_badge(text_of(client.get("/notifications"))) is None


def test_nobody_marks_anothers_notification(app, told, make_user):
    member, _ = told
    stranger = client_for(app, make_user())
    theirs = notifications_of(app, member)[0]
    for value in (str(theirs.id), "0", "-1", "abc", "99999999999999999999"):
        response = post(stranger, "/notifications/read", {"id": value})
        assert response.status_code == 404, value
        assert '<html lang="da">' in text_of(response)
    assert all(n.read_at is None for n in notifications_of(app, member))


def test_a_visitor_is_sent_to_log_in(client):
    assert client.get("/notifications").status_code == 302
    assert client.get("/account/notifications").status_code == 302


def test_the_list_is_paginated(app, make_user, make_proposal, topic):
    member = make_user("member")
    post(client_for(app, member), f"/topics/{topic}/follow")
    for _ in range(27):
        make_proposal(lc.HEARING)
    work(app)
    client = client_for(app, member)
    first, second = (
        text_of(client.get("/notifications")),
        text_of(client.get("/notifications?page=2")),
    )
    assert (
        first.count('<li class="notification') == 25
        and second.count('<li class="notification') == 2
    )
    assert 'rel="next"' in first
    assert client.get("/notifications?page=x").status_code == 400


def test_the_header_count_costs_no_query(app, told, count_queries):
    """The unread count comes with the signed-in person's own row: the page runs as many
    queries for someone with notifications as for someone without."""
    member, made = told
    client = client_for(app, member)
    with count_queries() as statements:
        assert client.get("/proposals").status_code == 200
    assert len(statements) <= 6  # 5, and the organisation's settings (app.site)
    assert not [s for s in statements if "notifications" in s and "users" not in s]


# --- settings ---------------------------------------------------------------------------------


def test_the_email_settings_are_saved(app, make_user):
    member = make_user("member")
    client = client_for(app, member)
    page = text_of(client.get("/account/notifications"))
    assert chosen(page) == ["daily"], "daily is the default"
    response = post_form(
        client,
        "/account/notifications",
        {"email": "weekly", "new_hearings": "y", "seeking_support": "y"},
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.get(User, member.id)
        assert (user.email_setting, user.notify_new_hearings, user.notify_seeking_support) == (
            "weekly",
            True,
            True,
        )
    assert chosen(text_of(client.get("/account/notifications"))) == ["weekly"]


@pytest.mark.parametrize("value", ["", "hourly", "OFF", "instant\x00"])
def test_a_wrong_email_setting_is_refused_and_changes_nothing(app, make_user, value):
    member = make_user("member")
    client = client_for(app, member)
    response = post_form(client, "/account/notifications", {"email": value})
    assert response.status_code == 422
    assert "Vælg hvordan du vil have mails" in text_of(response)
    with app.app_context():
        assert db.session.get(User, member.id).email_setting == "daily"


def test_only_members_choose_every_proposal_seeking_support(app, make_user):
    citizen = make_user()
    client = client_for(app, citizen)
    assert 'name="seeking_support"' not in text_of(client.get("/account/notifications"))
    post_form(client, "/account/notifications", {"email": "daily", "seeking_support": "y"})
    with app.app_context():
        assert db.session.get(User, citizen.id).notify_seeking_support is False


# --- following ----------------------------------------------------------------------------------


def test_follow_and_unfollow_a_proposal(app, make_user, make_proposal):
    made = make_proposal(lc.HEARING)
    member = make_user("member")
    client = client_for(app, member)
    page = f"/proposals/{made.id}"
    assert "Følg forslaget" in text_of(client.get(page))
    for _ in range(2):  # idempotent
        assert post(client, f"{page}/follow").status_code == 303
    assert count(app, ProposalFollow, user_id=member.id) == 1
    assert "Stop med at følge" in text_of(client.get(page))
    assert post(client, f"{page}/unfollow").status_code == 303
    assert post(client, f"{page}/unfollow").status_code == 303
    assert "Følg forslaget" in text_of(client.get(page))


def test_taking_part_follows_and_an_unfollow_is_respected(app, make_user, make_proposal):
    made = make_proposal(lc.HEARING)
    citizen = make_user()
    client = client_for(app, citizen)
    page = f"/proposals/{made.id}"
    post(client, f"{page}/comments", {"body": "Et godt forslag."})
    assert "Stop med at følge" in text_of(client.get(page)), "a commenter follows"
    post(client, f"{page}/unfollow")
    assert "Følg forslaget" in text_of(client.get(page))
    post(client, f"{page}/comments", {"body": "Og en kommentar mere."})
    assert "Følg forslaget" in text_of(client.get(page)), "their choice stands"


def test_a_private_proposal_cannot_be_followed_by_those_who_cannot_see_it(
    app, make_user, make_proposal
):
    draft = make_proposal(lc.DRAFT)
    client = client_for(app, make_user("member"))
    assert post(client, f"/proposals/{draft.id}/follow").status_code == 404
    assert post(client, "/proposals/999999/follow").status_code == 404
    assert count(app, ProposalFollow) == 0


def test_follow_a_topic_from_the_list_and_the_settings(app, make_user, topic):
    member = make_user("member")
    client = client_for(app, member)
    listed = text_of(client.get(f"/proposals?topic={topic}"))
    assert "Følg Landdistrikter" in listed
    token = csrf_token(client, "/account/notifications")
    response = client.post(
        f"/topics/{topic}/follow",
        data={"csrf_token": token},
        headers={"Referer": "http://localhost/account/notifications"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/notifications", "back where it was pressed"
    post(client, f"/topics/{topic}/follow")
    assert count(app, TopicFollow, user_id=member.id) == 1
    assert "Stop med at følge Landdistrikter" in text_of(client.get(f"/proposals?topic={topic}"))
    assert "Du følger det." in text_of(client.get("/account/notifications"))
    post(client, f"/topics/{topic}/unfollow")
    assert count(app, TopicFollow, user_id=member.id) == 0
    assert post(client, "/topics/424242/follow").status_code == 404


@pytest.mark.live
def test_following_at_the_same_instant_leaves_one_row(app, live_server, make_user, make_proposal):
    """Twenty clicks from one member at the same moment: one follow, no error."""
    made = make_proposal(lc.HEARING)
    member = make_user("member")
    browser = Browserless(live_server.url)
    browser.login(member)
    token = browser.token(f"/proposals/{made.id}")
    barrier, answers = threading.Barrier(20), []

    def click():
        barrier.wait()
        answers.append(browser.post(f"/proposals/{made.id}/follow", token=token)[0])

    threads = [threading.Thread(target=click) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [303] * 20
    assert count(app, ProposalFollow, user_id=member.id) == 1


# --- unsubscribe --------------------------------------------------------------------------------


def token_for(app, account) -> str:
    with app.app_context():
        return unsubscribe_token(db.session.get(User, account.id))


def email_setting(app, account) -> str:
    with app.app_context():
        return db.session.get(User, account.id).email_setting


def test_unsubscribe_by_get_then_button(app, client, make_user):
    person = make_user()
    link = f"/unsubscribe/{token_for(app, person)}"
    page = client.get(link)
    assert page.status_code == 200 and "Slå mails fra" in text_of(page)
    assert email_setting(app, person) == "daily", "a GET changes nothing"
    assert person.email not in text_of(page), "the page names no address"
    response = client.post(link)
    assert response.status_code == 303 and response.headers["Location"] == link
    assert email_setting(app, person) == "off"
    assert "Mails om notifikationer er slået fra" in text_of(client.get(link))


def test_one_click_unsubscribe(app, client, make_user):
    person = make_user()
    set_email(app, person, "instant")
    response = client.post(
        f"/unsubscribe/{token_for(app, person)}", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert email_setting(app, person) == "off"


def test_a_tampered_or_foreign_token_gets_a_4xx_and_changes_nothing(app, client, make_user):
    person, other = make_user(), make_user()
    good = token_for(app, person)
    payload, signature = good.rsplit(".", 1)
    forged = [
        good[:-2] + ("AA" if good[-2:] != "AA" else "BB"),
        f"{token_for(app, other).rsplit('.', 1)[0]}.{signature}",
        URLSafeSerializer(app.config["SECRET_KEY"], salt="something else").dumps([person.id, 0]),
        URLSafeSerializer("another key", salt="forslag.unsubscribe").dumps([person.id, 0]),
        "not-a-token",
        "",
    ]
    for token in forged:
        for response in (
            client.get(f"/unsubscribe/{token}"),
            client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}),
        ):
            assert 400 <= response.status_code < 500, token
    assert email_setting(app, person) == email_setting(app, other) == "daily"


def test_a_token_names_no_address_and_outlives_nothing(app, client, make_user):
    """The token carries an id, not an email, and dies with the account."""
    import base64
    import json

    person = make_user(email="hemmelig@example.org")
    token = token_for(app, person)
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert "hemmelig" not in decoded.decode() and json.loads(decoded)[0] == person.id
    with app.app_context():
        db.session.delete(db.session.get(User, person.id))
        db.session.commit()
    assert client.get(f"/unsubscribe/{token}").status_code == 404


@pytest.mark.live
def test_curl_one_click_turns_email_off(app, live_server, make_user):
    import subprocess

    person = make_user()
    link = f"{live_server.url}/unsubscribe/{token_for(app, person)}"
    result = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            "-d",
            "List-Unsubscribe=One-Click",
            link,
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.stdout == "200", result.stderr
    assert email_setting(app, person) == "off"


def test_notification_rows_are_the_users_own(app, told):
    member, _ = told
    assert count(app, Notification, user_id=member.id) == 3


# --- language -------------------------------------------------------------------------------


def language_of(app, account) -> str:
    with app.app_context():
        return db.session.get(User, account.id).language


def test_mail_is_written_in_the_language_the_person_last_chose(
    app, make_user, make_proposal, mailbox
):
    from tests.notifications.helpers import tell
    from tests.support.forms import login

    made = make_proposal(lc.HEARING)
    set_email(app, made.author, "instant")
    client_for(app, made.author).post("/language", data={"lang": "en"})
    assert language_of(app, made.author) == "en"
    post(client_for(app, make_user()), f"/proposals/{made.id}/comments", {"body": "Ja!"})
    tell(app)
    (mail,) = mailbox.to(made.author.email)
    assert mail["Subject"].startswith("1 new hearing response on")

    fresh = app.test_client()  # logging in elsewhere takes the stored language along
    login(fresh, made.author)
    assert '<html lang="en">' in text_of(fresh.get("/"))
    danish = app.test_client()  # a choice made before logging in is the newest one
    danish.post("/language", data={"lang": "da"})
    login(danish, made.author)
    assert language_of(app, made.author) == "da"


def test_the_refused_settings_page_is_valid_html(app, make_user, assert_valid_html):
    client = client_for(app, make_user("member"))
    for lang in ("da", "en"):
        client.post("/language", data={"lang": lang})
        response = post_form(client, "/account/notifications", {"email": "hourly"})
        assert response.status_code == 422
        assert f'<html lang="{lang}">' in text_of(response)
        assert_valid_html(text_of(response), f"refused email settings ({lang})")


def test_the_list_runs_the_same_queries_for_3_or_60_notifications(
    app, make_user, make_proposal, topic, count_queries
):
    member = make_user("member")
    client = client_for(app, member)
    post(client, f"/topics/{topic}/follow")
    counts = []
    for more in (3, 57):
        for _ in range(more):
            make_proposal(lc.HEARING)
        work(app)
        with count_queries() as statements:
            assert client.get("/notifications").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 4, counts  # 3, and the organisation's settings
