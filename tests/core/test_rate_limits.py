"""Rate limits (app/core/ratelimits.py): each limited action refuses the request after its limit
with a 429 page in the user's language and saves nothing; who counts as one client is
chosen so that members behind one address never lock each other out; the counters live in
memory by default and in Redis when RATELIMIT_STORAGE_URI says so."""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.accounts import services as accounts
from app.accounts.models import User
from app.comments.models import Comment, Flag
from app.core.database import utcnow
from app.core.extensions import db
from app.core.ratelimits import LIMITS
from app.proposals import lifecycle as lc
from app.proposals.models import Support
from tests.support import count_rows as count
from tests.support import require, send_queued_mail
from tests.support.forms import csrf_token, login, text_of
from tests.support.proposals import force

HALL = "203.0.113.10"  # a congress hall's network, as the server sees it

def _largest_count() -> int:
    """The most requests any limit lets through in its window (100 registrations an hour)."""
    rates = [limit.rate for limits in LIMITS.values() for limit in limits]
    return max(int(n) for rate in rates for n in re.findall(r"(\d+) per", rate))


# More members than any limit counts: were they counted together by their address, some
# would be refused.
HALL_SIZE = _largest_count() + 20
ELSEWHERE = "198.51.100.20"
REDIS_URL = "redis://127.0.0.1:6379/0"
RETRY_DANISH = "Du kan prøve igen om"


@pytest.fixture
def app(make_app):
    """Limits on, in memory, and a threshold a hall full of members cannot reach."""
    return make_app(RATELIMIT_ENABLED=True, SUPPORT_THRESHOLD=10_000)


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def primed_client(app, address: str) -> tuple:
    """A client whose session already holds a CSRF token, as if it had loaded a form, and
    that token: a hall of people costs no page renders before their first POST."""
    client = client_at(app, address)
    raw = secrets.token_hex(20)
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    return client, URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def assert_limited(response, lang: str = "da") -> None:
    assert response.status_code == 429, response.status_code
    page = text_of(response)
    if lang == "da":
        assert "<h1>For mange forespørgsler</h1>" in page
        assert RETRY_DANISH in page
    else:
        assert "<h1>Too many requests</h1>" in page
        assert "You can try again in" in page
    assert int(response.headers["Retry-After"]) > 0


def failed_login(client, token: str, email: str):
    return client.post(
        "/login", data={"csrf_token": token, "email": email, "password": "wrong password 1"}
    )


# --- logging in ------------------------------------------------------------------------------


def test_login_counts_failures_per_address_and_account(app, make_user):
    target = make_user(email="target@example.org")
    attacker = client_at(app, HALL)
    token = csrf_token(attacker, "/login")
    for _ in range(10):
        assert failed_login(attacker, token, target.email).status_code == 422
    assert_limited(failed_login(attacker, token, target.email))
    # Even the right password waits: a guesser must not learn when it has found it.
    right = {"csrf_token": token, "email": target.email, "password": target.password}
    assert_limited(attacker.post("/login", data=right))
    # Another account from the same address, and the same account from elsewhere, go on.
    assert failed_login(attacker, token, "someone.else@example.org").status_code == 422
    elsewhere = client_at(app, ELSEWHERE)
    login(elsewhere, target)


def test_login_failures_count_per_address_across_accounts(app, make_user):
    """One address trying a password on account after account is stopped: 30 failures a
    minute, whichever the accounts, and then even a right password waits. Another address
    goes on."""
    member = make_user("member")
    attacker = client_at(app, HALL)
    token = csrf_token(attacker, "/login")
    for n in range(30):
        assert failed_login(attacker, token, f"account{n}@example.org").status_code == 422
    assert_limited(failed_login(attacker, token, "account30@example.org"))
    right = {"csrf_token": token, "email": member.email, "password": member.password}
    assert_limited(attacker.post("/login", data=right))
    login(client_at(app, ELSEWHERE), member)


def test_successful_logins_do_not_count(app, make_user):
    member = make_user("member")
    for _ in range(15):
        client = client_at(app, HALL)
        login(client, member)


def test_the_limit_page_speaks_english_when_asked(app):
    client = client_at(app, HALL)
    client.post("/language", data={"lang": "en"})
    token = csrf_token(client, "/login")
    for _ in range(10):
        failed_login(client, token, "x@example.org")
    response = failed_login(client, token, "x@example.org")
    assert_limited(response, "en")
    assert '<a href="/login">Back to the form</a>' in text_of(response)


def test_a_congress_hall_full_of_members_is_never_locked_out(app, make_proposal):
    """A hall full of members on one network (more than any limit counts) log in and
    support, while someone on the same network hammers one account's password until they
    are refused: no member is refused."""
    with app.app_context():
        members = [
            accounts.create_user(
                email=f"delegate{n}@example.org",
                name=f"Delegeret {n}",
                password="delegate password",
                roles={"member"},
                now=utcnow(),
            )
            for n in range(HALL_SIZE)
        ]
        db.session.commit()
        emails = [m.email for m in members]
    proposal = make_proposal(lc.SUPPORT)

    attacker = client_at(app, HALL)
    attacker_token = csrf_token(attacker, "/login")
    refused = 0
    for n, email in enumerate(emails):
        if n % 10 == 0:  # the guesser keeps going all the while
            for _ in range(3):
                guess = failed_login(attacker, attacker_token, "chair@example.org")
                refused += guess.status_code == 429
        client, token = primed_client(app, HALL)
        response = client.post(
            "/login", data={"csrf_token": token, "email": email, "password": "delegate password"}
        )
        assert response.status_code == 303, (email, response.status_code)
        response = client.post(f"/proposals/{proposal.id}/support", data={"csrf_token": token})
        assert response.status_code == 303, (email, response.status_code)
    assert refused, "the guesser was never refused"
    assert_limited(failed_login(attacker, attacker_token, "chair@example.org"))
    assert count(app, Support, proposal_id=proposal.id) == HALL_SIZE


# --- registration and password reset ---------------------------------------------------------


def test_registration_counts_per_address(app):
    client = client_at(app, HALL)
    token = csrf_token(client, "/register")
    for n in range(10):
        response = client.post(
            "/register",
            data={
                "csrf_token": token,
                "name": f"Ny {n}",
                "email": f"new{n}@example.org",
                "password": "a good long password",
            },
        )
        assert response.status_code == 303
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        token = csrf_token(client, "/register")
    data = {
        "csrf_token": token,
        "name": "En for meget",
        "email": "one.too.many@example.org",
        "password": "a good long password",
    }
    assert_limited(client.post("/register", data=data))
    assert count(app, User, email=data["email"]) == 0
    other = client_at(app, ELSEWHERE)
    response = other.post("/register", data={**data, "csrf_token": csrf_token(other, "/register")})
    assert response.status_code == 303


def test_reset_requests_count_per_account(app, make_user, mailbox):
    member = make_user("member")
    client = client_at(app, HALL)
    token = csrf_token(client, "/password/reset")
    for _ in range(5):
        response = client.post("/password/reset", data={"csrf_token": token, "email": member.email})
        assert response.status_code == 303
    assert_limited(
        client.post("/password/reset", data={"csrf_token": token, "email": member.email})
    )
    send_queued_mail(app)
    assert len(mailbox.bodies_to(member.email)) == 5
    # A neighbour on the same network asks for their own link.
    neighbour = make_user("member")
    response = client.post("/password/reset", data={"csrf_token": token, "email": neighbour.email})
    assert response.status_code == 303
    # From elsewhere the account gets five more, then its mailbox is protected outright.
    elsewhere = client_at(app, ELSEWHERE)
    token = csrf_token(elsewhere, "/password/reset")
    for _ in range(5):
        elsewhere.post("/password/reset", data={"csrf_token": token, "email": member.email})
    third = client_at(app, "192.0.2.30")
    assert_limited(
        third.post(
            "/password/reset",
            data={"csrf_token": csrf_token(third, "/password/reset"), "email": member.email},
        )
    )
    send_queued_mail(app)
    assert len(mailbox.bodies_to(member.email)) == 10


def test_reset_requests_count_per_address_across_accounts(app, make_user, mailbox):
    """One address asking for links to address after address (to mail-bomb them, or to
    time the answers) is stopped within a minute; a neighbour elsewhere goes on."""
    members = [make_user("member") for _ in range(11)]
    client = client_at(app, HALL)
    token = csrf_token(client, "/password/reset")
    for member in members[:10]:
        response = client.post("/password/reset", data={"csrf_token": token, "email": member.email})
        assert response.status_code == 303
    assert_limited(
        client.post("/password/reset", data={"csrf_token": token, "email": members[10].email})
    )
    assert_limited(
        client.post("/password/reset", data={"csrf_token": token, "email": "nobody@example.org"})
    )
    elsewhere = client_at(app, ELSEWHERE)
    response = elsewhere.post(
        "/password/reset",
        data={"csrf_token": csrf_token(elsewhere, "/password/reset"), "email": members[10].email},
    )
    assert response.status_code == 303
    send_queued_mail(app)
    assert sorted(m["To"] for m in mailbox.messages) == sorted(m.email for m in members)


def test_a_reset_link_takes_ten_tries(app, make_user):
    make_user(email="forgetful@example.org")
    with app.app_context():
        _, link_token = accounts.issue_reset_token(
            "forgetful@example.org", now=utcnow(), valid_for=app.config["PASSWORD_RESET_VALID_FOR"]
        )
        db.session.commit()
    client = client_at(app, HALL)
    path = f"/password/reset/{link_token}"
    token = csrf_token(client, path)
    for _ in range(10):
        assert client.post(path, data={"csrf_token": token, "password": "short"}).status_code == 422
    assert_limited(client.post(path, data={"csrf_token": token, "password": "a good new password"}))


# --- actions of signed-in people ----------------------------------------------------------------


def test_comments_count_per_account_and_a_refused_one_is_not_saved(app, make_user, make_proposal):
    proposal = make_proposal(lc.HEARING)
    writer, neighbour = client_at(app, HALL), client_at(app, HALL)
    login(writer, make_user())
    login(neighbour, make_user())
    token = csrf_token(writer)
    path = f"/proposals/{proposal.id}/comments"
    for n in range(10):
        response = writer.post(path, data={"csrf_token": token, "body": f"Høringssvar {n}"})
        assert response.status_code == 303
    response = writer.post(path, data={"csrf_token": token, "body": "Det ellevte svar"})
    assert_limited(response)
    assert f'href="/proposals/{proposal.id}"' in text_of(response)
    assert count(app, Comment, proposal_id=proposal.id) == 10
    response = neighbour.post(
        path, data={"csrf_token": csrf_token(neighbour), "body": "Naboens svar"}
    )
    assert response.status_code == 303


def test_flags_count_per_account(app, make_user, make_proposal):
    proposal = make_proposal(lc.HEARING)
    author = client_at(app, HALL)
    login(author, make_user())
    author.post(
        f"/proposals/{proposal.id}/comments",
        data={"csrf_token": csrf_token(author), "body": "En kommentar"},
    )
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    flagger = client_at(app, HALL)
    login(flagger, make_user())
    token = csrf_token(flagger)
    for n in range(20):
        response = flagger.post(
            f"/comments/{comment_id}/flag", data={"csrf_token": token, "reason": f"Grund {n}"}
        )
        assert response.status_code == 303
    assert_limited(
        flagger.post(f"/comments/{comment_id}/flag", data={"csrf_token": token, "reason": "Igen"})
    )
    assert count(app, Flag) == 1  # flagging again changes nothing


def test_support_and_stance_count_per_account(app, make_user, make_proposal):
    seeking = make_proposal(lc.SUPPORT)
    eager, calm = client_at(app, HALL), client_at(app, HALL)
    login(eager, make_user("member"))
    login(calm, make_user("member"))
    token = csrf_token(eager)
    for n in range(30):
        action = "support" if n % 2 == 0 else "unsupport"
        response = eager.post(f"/proposals/{seeking.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 303
    assert_limited(eager.post(f"/proposals/{seeking.id}/support", data={"csrf_token": token}))
    assert count(app, Support, proposal_id=seeking.id) == 0
    response = calm.post(f"/proposals/{seeking.id}/support", data={"csrf_token": csrf_token(calm)})
    assert response.status_code == 303

    force(app, seeking.id, state=lc.CATALOGUE)
    token = csrf_token(calm)
    for n in range(30):
        stance = ("for", "against", "abstain")[n % 3]
        response = calm.post(
            f"/proposals/{seeking.id}/stance", data={"csrf_token": token, "stance": stance}
        )
        assert response.status_code == 303
    assert_limited(
        calm.post(f"/proposals/{seeking.id}/stance", data={"csrf_token": token, "stance": "for"})
    )


def test_reading_is_not_limited(app):
    client = client_at(app, HALL)
    for _ in range(40):
        assert client.get("/proposals").status_code == 200


def test_limits_can_be_turned_off(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    client = client_at(app, HALL)
    token = csrf_token(client, "/login")
    for _ in range(15):
        assert failed_login(client, token, "x@example.org").status_code == 422


# --- where the counters live ---------------------------------------------------------------------


def redis_or_skip():
    try:
        import redis

        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        connection.ping()
    except Exception:  # noqa: BLE001 (any failure means: no Redis here)
        connection = None
    require(connection is not None, f"Redis at {REDIS_URL}")
    return connection


@pytest.fixture
def redis_prefix():
    connection = redis_or_skip()
    prefix = f"forslag-test-{uuid.uuid4().hex}"
    yield connection, prefix
    keys = connection.keys(f"*{prefix}*")
    if keys:
        connection.delete(*keys)


def test_redis_counters_are_shared_by_every_process(make_app, redis_prefix):
    """Two apps stand for two gunicorn workers: with Redis, they count together."""
    connection, prefix = redis_prefix
    settings = dict(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix
    )
    first, second = make_app(**settings), make_app(**settings)
    clients = [client_at(first, HALL), client_at(second, HALL)]
    tokens = [csrf_token(c, "/login") for c in clients]
    for n in range(10):
        response = failed_login(clients[n % 2], tokens[n % 2], "shared@example.org")
        assert response.status_code == 422
    assert_limited(failed_login(clients[0], tokens[0], "shared@example.org"))
    assert_limited(failed_login(clients[1], tokens[1], "shared@example.org"))
    assert connection.keys(f"*{prefix}*"), "nothing was counted in Redis"


def test_memory_counters_are_per_process(make_app):
    first, second = (make_app(RATELIMIT_ENABLED=True) for _ in range(2))
    clients = [client_at(first, HALL), client_at(second, HALL)]
    tokens = [csrf_token(c, "/login") for c in clients]
    for _ in range(10):
        assert failed_login(clients[0], tokens[0], "apart@example.org").status_code == 422
    assert_limited(failed_login(clients[0], tokens[0], "apart@example.org"))
    assert failed_login(clients[1], tokens[1], "apart@example.org").status_code == 422


def test_an_unreachable_redis_falls_back_to_memory(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0",  # nothing listens on the discard port
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    )
    client = client_at(app, HALL)
    token = csrf_token(client, "/login")
    statuses = [failed_login(client, token, "outage@example.org").status_code for _ in range(11)]
    assert 500 not in statuses
    assert statuses[-1] == 429, statuses


def test_the_storage_comes_from_the_environment(tmp_path):
    from app.core import config

    settings = config.from_environment({"RATELIMIT_STORAGE_URI": REDIS_URL}, tmp_path)
    assert settings["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert config.from_environment({}, tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"
    assert (
        config.from_environment({"FORSLAG_RATE_LIMITS": "off"}, tmp_path)["RATELIMIT_ENABLED"]
        is False
    )
    with pytest.raises(config.ConfigError):
        config.from_environment({"FORSLAG_RATE_LIMITS": "maybe"}, tmp_path)


@pytest.mark.live
def test_gunicorn_workers_share_the_counters_in_redis(
    base_config, migrated, redis_prefix, tmp_path
):
    """Through gunicorn with four workers, the limits on Redis count exactly: "10 per
    minute" refuses the eleventh failed login of one account from one address, "30 per
    minute" the thirty-first failure across accounts (each attempt on a new connection, and
    so on any worker), and "10 per minute" the eleventh of fourteen reset requests sent at
    the same moment, which several workers answer side by side. (In memory, each worker
    would count on its own, and let up to four times as many through.)"""
    from tests.plugins.live import live_env
    from tests.support.http import Browserless
    from tests.support.live import start_gunicorn

    _, prefix = redis_prefix
    env = live_env(base_config, RATELIMIT_STORAGE_URI=REDIS_URL, FORSLAG_RATE_LIMITS="on")
    env["RATELIMIT_KEY_PREFIX"] = prefix
    # The server writes (the reset requests), and is stopped at the end: on SQLite it gets
    # a copy of the session's database (`migrated`: with its tables) and a queue of its
    # own, so that this process's connections to them never see it go.
    database = make_url(base_config["SQLALCHEMY_DATABASE_URI"])
    if database.get_backend_name() == "sqlite":
        copy = tmp_path / "forslag.db"
        with sqlite3.connect(database.database) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        env["DATABASE_URL"] = f"sqlite:///{copy}"
    env["FORSLAG_QUEUE_URL"] = f"sqlite:///{tmp_path / 'queue.db'}"
    server = start_gunicorn(env, tmp_path / "gunicorn.log", workers=4, access_log=True)

    def attempt(path: str, data: dict) -> int:
        client = Browserless(server.url)  # a new connection, and so any worker, each time
        status, _page = client.post(path, data, token=client.token(path))
        return status

    def failed_login(email: str) -> int:
        return attempt("/login", {"email": email, "password": "wrong password 1"})

    def at_once(requests: list) -> list[int]:
        """Each (client, path, data, token) sent on its own thread, all at one moment."""
        start = threading.Barrier(len(requests))

        def send(client, path, data, token):
            start.wait()
            return client.post(path, data, token=token)[0]

        with ThreadPoolExecutor(len(requests)) as pool:
            return list(pool.map(lambda request: send(*request), requests))

    try:
        one_account = [failed_login("hammered@example.org") for _ in range(11)]
        assert one_account == [422] * 10 + [429], one_account
        # The ten above count across accounts too (the refused eleventh does not).
        across = [failed_login(f"account{n}@example.org") for n in range(21)]
        assert across == [422] * 20 + [429], across
        resets = []
        for n in range(14):
            client = Browserless(server.url)
            path = "/password/reset"
            resets.append((client, path, {"email": f"person{n}@example.org"}, client.token(path)))
        statuses = at_once(resets)
        assert sorted(statuses) == [303] * 10 + [429] * 4, statuses
        answered_by = set(re.findall(r'^<(\d+)> "POST /password/reset', server.log(), re.M))
        assert len(answered_by) > 1, f"one worker answered every request: {server.log()}"
    finally:
        server.stop()
