"""A crash in the middle of a crowd of supports, on SQLite or PostgreSQL: gunicorn's master
and workers are SIGKILLed at the same instant, then started again on the same database.
Every support that was acknowledged is still there, once; the counter equals the rows; the
database is sound and the restarted server takes the supports that were lost on the way."""

from __future__ import annotations

import http.client
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from queue import Empty, SimpleQueue

import flask_migrate
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app import create_app
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal, Support
from tests.plugins.live import live_env
from tests.proposals.test_concurrency_live import logged_in_clients
from tests.support.live import start_gunicorn

pytestmark = pytest.mark.live

MEMBERS = 200
THRESHOLD = 1000  # never reached: every support only counts
CLIENT_THREADS = 12
KILL_AFTER = MEMBERS // 3  # acknowledged supports


@pytest.fixture
def app(base_config, empty_database):
    """The app on a database of this test's own, migrated; make_user and make_proposal build
    on it. A crashed server must leave nothing behind in the session's database."""
    url = empty_database("crash")
    app = create_app(
        {**base_config, "SQLALCHEMY_DATABASE_URI": url, "SUPPORT_THRESHOLD": THRESHOLD}
    )
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def servers(app, base_config, tmp_path):
    """Start gunicorn on the test's database, as many times as the test asks; stop them all."""
    started = []

    def start():
        env = live_env(base_config, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
        log = tmp_path / f"gunicorn-{len(started) + 1}.txt"
        started.append(start_gunicorn(env, log, workers=2, own_process_group=True))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def in_parallel(function, items, threads=CLIENT_THREADS):
    """`function` applied to each item from a few threads; the results in the items' order."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(function, items))


def log_in_all(server, accounts):
    """Log every member in, a few threads each with its share; return (client, token) pairs
    in the order of `accounts`. Any page's form token will do: the login form's page is the
    cheapest one that has one."""
    size = -(-len(accounts) // CLIENT_THREADS)
    shares = [accounts[i : i + size] for i in range(0, len(accounts), size)]
    made = in_parallel(lambda share: logged_in_clients(server, share, "/login"), shares)
    return [pair for share in made for pair in share]


def acknowledged(status: int, body: str, path: str) -> bool:
    """A support was taken when the answer sends the browser back to the proposal."""
    return status == 303 and f"{path}#support" in body


def database_state(app, proposal_id: int) -> tuple[list[int], int]:
    """The supporters' user ids (one entry per row) and the proposal's stored counter."""
    with app.app_context():
        rows = db.session.scalars(
            select(Support.user_id).where(Support.proposal_id == proposal_id)
        ).all()
        counter = db.session.get(Proposal, proposal_id).support_count
        db.session.remove()
        db.engine.dispose()
    return rows, counter


def assert_no_duplicate_supports(app) -> None:
    with app.app_context():
        doubled = db.session.execute(
            select(Support.proposal_id, Support.user_id, func.count())
            .group_by(Support.proposal_id, Support.user_id)
            .having(func.count() > 1)
        ).all()
        db.session.remove()
        db.engine.dispose()
    assert doubled == []


def assert_sqlite_file_sound(url: str) -> None:
    """SQLite's own checks of the file, as the crash left it (this connection recovers the
    write-ahead log, as the next server would)."""
    if not url.startswith("sqlite"):
        return
    connection = sqlite3.connect(make_url(url).database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()


def test_a_crash_mid_load_loses_no_acknowledged_support(app, servers, make_proposal, make_user):
    made = make_proposal(lc.SUPPORT)
    path = f"/proposals/{made.id}"
    with app.app_context():
        accounts = [make_user("member") for _ in range(MEMBERS)]
    server = servers()
    members = [
        (account.id, client, token)
        for account, (client, token) in zip(accounts, log_in_all(server, accounts), strict=True)
    ]

    # The load: each member supports once; the server is killed once a third were taken.
    waiting: SimpleQueue = SimpleQueue()
    for member in members:
        waiting.put(member)
    acked: list[int] = []  # user ids whose support got its 303
    failed: list[tuple[int, str]] = []  # (user id, what the client saw)
    other: list[tuple[int, int]] = []  # (user id, status) of any other answer
    lock = threading.Lock()
    enough = threading.Event()
    killed = threading.Event()

    def support_while_up():
        while not killed.is_set():
            try:
                user_id, client, token = waiting.get_nowait()
            except Empty:
                return
            try:
                status, body = client.post(f"{path}/support", token=token)
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    failed.append((user_id, repr(error)))
                continue
            with lock:
                if acknowledged(status, body, path):
                    acked.append(user_id)
                    if len(acked) >= KILL_AFTER:
                        enough.set()
                else:
                    other.append((user_id, status))

    threads = [threading.Thread(target=support_while_up) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    reached = enough.wait(timeout=30)
    killed.set()  # before the kill: a request sent after it would only be refused
    server.kill()
    for thread in threads:
        thread.join(timeout=30)
    assert reached, (len(acked), failed[:5], other[:5], server.log()[-3000:])
    assert not any(thread.is_alive() for thread in threads)

    assert other == [], other[:10]
    # The crash really came in the middle: a third of the supports were taken before it (the
    # wait above), requests failed because of it, and members were still waiting to support.
    assert failed, "no request failed because of the kill"
    assert len(acked) + len(failed) < MEMBERS

    # The database as the crash left it: nothing acknowledged lost, nothing doubled, nothing
    # from a member who never asked, and the counter equal to the rows.
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert_sqlite_file_sound(url)
    rows, counter = database_state(app, made.id)
    assert len(rows) == len(set(rows))
    assert_no_duplicate_supports(app)
    assert set(acked) <= set(rows), sorted(set(acked) - set(rows))
    assert set(rows) <= set(acked) | {user_id for user_id, _ in failed}
    assert counter == len(rows)

    # The server comes back on the same database; everyone not acknowledged supports now.
    server = servers()
    for _, client, _ in members:
        client.base = server.url
    status, page = members[0][1].get(path)
    assert status == 200 and f"{len(rows)} af {THRESHOLD}" in page

    def support_again(member):
        user_id, client, token = member
        return user_id, client.post(f"{path}/support", token=token)

    late = [member for member in members if member[0] not in set(acked)]
    answers = in_parallel(support_again, late)
    refused = [
        (user_id, status)
        for user_id, (status, body) in answers
        if not acknowledged(status, body, path)
    ]
    assert refused == [], (refused[:10], server.log()[-3000:])

    rows, counter = database_state(app, made.id)
    assert sorted(rows) == sorted(account.id for account in accounts)
    assert counter == MEMBERS
    assert_no_duplicate_supports(app)
    status, page = members[0][1].get(path)
    assert status == 200 and f"{MEMBERS} af {THRESHOLD}" in page
    server.stop()
    assert_sqlite_file_sound(url)
