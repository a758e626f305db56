"""`flask db backup` and `flask db restore` on the database under test (SQLite, or PostgreSQL
with TEST_DATABASE_URL): through the real command line while gunicorn serves and writes,
and the files and situations in which they must refuse and change nothing."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import flask_migrate
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.accounts import services as accounts
from app.accounts.models import User
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalLike, Topic
from tests.plugins.database import TEST_DATABASE_URL
from tests.plugins.live import live_env
from tests.support import ROOT
from tests.support.http import Browserless
from tests.support.live import start_gunicorn
from tests.support.proposals import CONTENT, PATHS

PASSWORD = "correct horse battery"


# --- helpers -------------------------------------------------------------------------------


def migrated_app(base_config: dict, url: str):
    """An app of its own on `url`, migrated to the newest schema."""
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def add_user(app, email: str, *roles: str) -> int:
    with app.app_context():
        user = accounts.create_user(
            email=email,
            name=email.split("@")[0],
            password=PASSWORD,
            roles=set(roles),
            now=datetime.now(UTC),
        )
        db.session.commit()
        return user.id


def add_proposal(app, author_id: int, secretary_id: int, state: str, title: str) -> int:
    """A proposal walked to `state` the way tests/support/proposals.py's factory walks it."""
    now = datetime.now(UTC)
    with app.app_context():
        topic = db.session.scalar(select(Topic).limit(1))
        if topic is None:
            topic = Topic(name="Landdistrikter")
            db.session.add(topic)
            db.session.flush()
        author = db.session.get(User, author_id)
        content = proposals.Content(topic_id=topic.id, **{**CONTENT, "title": title})
        proposal = proposals.create(author, content, now=now)
        for target, who in PATHS[state]:
            actor = author if who == "author" else db.session.get(User, secretary_id)
            proposals.transition(actor, proposal, target, reason="Fordi.", now=now)
        db.session.commit()
        return proposal.id


def all_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: the database's whole content."""
    with app.app_context():
        rows = {
            table.name: [
                tuple(row)
                for row in db.session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }
        rows["alembic_version"] = db.session.execute(
            text("SELECT version_num FROM alembic_version")
        ).all()
        db.session.remove()
    return rows


def likes_of(app, proposal_id: int) -> tuple[frozenset[int], int]:
    """Who likes the proposal (the rows), and its like counter."""
    with app.app_context():
        users = db.session.scalars(
            select(ProposalLike.user_id).where(ProposalLike.proposal_id == proposal_id)
        ).all()
        counter = db.session.get(Proposal, proposal_id).like_count
        db.session.remove()
    return frozenset(users), counter


def cli_env(base_config: dict, url: str) -> dict[str, str]:
    return {**os.environ, **live_env(base_config, DATABASE_URL=url)}


def flask_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def api_likes(client: Browserless, proposal_id: int) -> int:
    status, body = client.get(f"/api/v1/proposals/{proposal_id}")
    assert status == 200, body
    return json.loads(body)["likes"]


class Liker(threading.Thread):
    """Likes and unlikes the proposal through HTTP, one account after another, without
    pause. One request at a time, so the likes after each request form a single history:
    a consistent backup holds one of its states."""

    def __init__(self, members: list, proposal_id: int, liked: frozenset[int]) -> None:
        super().__init__(daemon=True)
        self.members = members  # (user id, logged-in client, its CSRF token)
        self.proposal_id = proposal_id
        self.history = [liked]
        self.errors: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        liked = set(self.history[0])
        turn = 0
        while not self.halt.is_set():
            user_id, client, token = self.members[turn % len(self.members)]
            action = "unlike" if user_id in liked else "like"
            status, body = client.post(f"/proposals/{self.proposal_id}/{action}", token=token)
            if status != 303:
                self.errors.append(f"{action} by {user_id}: {status} {body[:300]}")
                return
            liked ^= {user_id}
            self.history.append(frozenset(liked))
            turn += 1
            # Leave the CPU to the command under test: it starts a Python process.
            self.halt.wait(0.05)

    def done(self) -> int:
        """How many requests have been answered so far."""
        return len(self.history) - 1

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=30)
        assert not self.is_alive() and not self.errors, self.errors


class Reader(threading.Thread):
    """Reads a page and the API without pause, recording every status it gets."""

    def __init__(self, base: str, proposal_id: int) -> None:
        super().__init__(daemon=True)
        self.client = Browserless(base)
        self.paths = ["/", f"/api/v1/proposals/{proposal_id}", f"/proposals/{proposal_id}"]
        self.statuses: list[int] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            for path in self.paths:
                self.statuses.append(self.client.get(path)[0])
            self.halt.wait(0.05)

    def stop(self) -> list[int]:
        self.halt.set()
        self.join(timeout=30)
        return self.statuses


# --- the round trip while the app serves ---------------------------------------------------


@pytest.mark.live
def test_backup_while_serving_and_restore_under_the_running_server(
    base_config, empty_database, tmp_path
):
    url = empty_database("backup")
    app = migrated_app(base_config, url)
    secretary = add_user(app, "karen@example.org", "member", "secretariat")
    author = add_user(app, "anne@example.org", "member")
    likers = [add_user(app, f"liker{n}@example.org") for n in range(6)]
    proposal = add_proposal(app, author, secretary, lc.HEARING, "Bedre busser på landet")
    env = cli_env(base_config, url)
    server = start_gunicorn(
        live_env(base_config, DATABASE_URL=url, FORSLAG_RATE_LIMITS="off"),
        tmp_path / "gunicorn.log",
        workers=2,
    )
    try:
        members = []
        for n, user_id in enumerate(likers):
            client = Browserless(server.url)
            client.login(SimpleNamespace(email=f"liker{n}@example.org", password=PASSWORD))
            members.append((user_id, client, client.token()))
        anonymous = Browserless(server.url)

        # The backup runs while every request likes or unlikes the proposal.
        liker = Liker(members, proposal, likes_of(app, proposal)[0])
        liker.start()
        while liker.done() < 3:
            time.sleep(0.01)
        answered_before = liker.done()
        backup = tmp_path / "forslag.backup"
        result = flask_cli(env, "backup", str(backup))
        answered_after = liker.done()
        liker.stop()
        assert result.returncode == 0, result.stderr
        assert f"to {backup} ({backup.stat().st_size} bytes)" in result.stdout
        assert answered_after > answered_before, "no write was answered during the backup"
        at_backup_end = all_rows(app)

        # Change what the backup holds: likes taken back, an account and a proposal added.
        for _, client, token in members:
            assert client.post(f"/proposals/{proposal}/unlike", token=token)[0] == 303
        newcomer = Browserless(server.url)
        status, _ = newcomer.post(
            "/register",
            {"name": "Ny Person", "email": "ny@example.org", "password": PASSWORD},
            token=newcomer.token("/register"),
        )
        assert status == 303
        later = add_proposal(app, author, secretary, lc.HEARING, "Et forslag efter backuppen")
        assert api_likes(anonymous, proposal) == 0
        assert anonymous.get(f"/api/v1/proposals/{later}")[0] == 200

        # The restore runs while the server keeps answering readers.
        reader = Reader(server.url, proposal)
        reader.start()
        result = flask_cli(env, "restore", "--yes", str(backup))
        statuses = reader.stop()
        assert result.returncode == 0, result.stderr
        assert f"Restored {backup} into" in result.stdout
        assert statuses, "no page was read while the restore ran"
        if make_url(url).get_backend_name() == "sqlite":
            assert "PRAGMA integrity_check: ok" in result.stdout
            assert set(statuses) == {200}, statuses
        else:
            # A request holding a table that the restore is about to drop may be the one
            # PostgreSQL fails to break their deadlock (see app/cli/backup.py): it is told the
            # site is busy for a moment (503), never given a 500.
            assert set(statuses) <= {200, 503}, statuses

        # Exactly the backup's content: one state of the like history from the time the
        # backup ran, its counter equal to its rows, and everything else as it was then.
        liked, counter = likes_of(app, proposal)
        assert liked in liker.history[answered_before : answered_after + 2]
        assert counter == len(liked) == api_likes(anonymous, proposal)
        restored = all_rows(app)
        like_count = [c.name for c in Proposal.__table__.columns].index("like_count")
        for rows in (restored, at_backup_end):
            rows["proposals"] = [r[:like_count] + r[like_count + 1 :] for r in rows["proposals"]]
            rows["proposal_likes"] = None
        assert restored == at_backup_end
        assert anonymous.get(f"/api/v1/proposals/{later}")[0] == 404
        status, _ = newcomer.post(
            "/login",
            {"email": "ny@example.org", "password": PASSWORD},
            token=newcomer.token("/login"),
        )
        assert status != 303  # the account made after the backup is gone

        # And the server goes on writing: likes and a new account.
        user_id, client, token = members[0]
        action = "unlike" if user_id in liked else "like"
        assert client.post(f"/proposals/{proposal}/{action}", token=token)[0] == 303
        assert api_likes(anonymous, proposal) == len(liked ^ {user_id})
        status, _ = newcomer.post(
            "/register",
            {"name": "Ny Person", "email": "ny@example.org", "password": PASSWORD},
            token=newcomer.token("/register"),
        )
        assert status == 303
        assert likes_of(app, proposal)[1] == len(liked ^ {user_id})
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()


# --- what they refuse ----------------------------------------------------------------------

IS_SQLITE = not TEST_DATABASE_URL


def run_db(app, *args: str, answer: str | None = None):
    """`flask db …` in this process: the same commands, without a Python start-up each."""
    return app.test_cli_runner().invoke(args=["db", *args], input=answer)


@pytest.fixture(scope="module")
def quiet_app(base_config, empty_database, tmp_path_factory):
    """An app on a migrated database of its own (no server), and a backup of it taken
    before one more account was added, so a restore of it would visibly change the data."""
    app = migrated_app(base_config, empty_database("backup_quiet"))
    add_user(app, "karen@example.org", "member", "secretariat")
    backup = tmp_path_factory.mktemp("backups") / "forslag.backup"
    result = run_db(app, "backup", str(backup))
    assert result.exit_code == 0, result.output
    add_user(app, "after@example.org")
    app.config["TEST_BACKUP"] = backup
    yield app
    with app.app_context():
        db.engine.dispose()


def not_a_backup(kind: str, directory, backup) -> str:
    path = directory / f"{kind}.backup"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(b"Dette er ikke en backup.\n" * 200)
    elif kind == "postgres_header":
        path.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01" + bytes(range(256)) * 16)
    elif kind == "sqlite_of_another_app":
        with sqlite3.connect(path) as other:
            other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        other.close()
    elif kind == "cut_off":  # as when the disk filled up while it was copied
        path.write_bytes(backup.read_bytes()[:-100])
    return str(path)


@pytest.mark.parametrize(
    "kind",
    ["missing", "empty", "garbage", "postgres_header", "sqlite_of_another_app", "cut_off"],
)
def test_restore_refuses_what_is_not_a_whole_backup_and_changes_nothing(quiet_app, tmp_path, kind):
    before = all_rows(quiet_app)
    file = not_a_backup(kind, tmp_path, quiet_app.config["TEST_BACKUP"])
    result = run_db(quiet_app, "restore", "--yes", file)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: {file} ") or (
        # A PostgreSQL dump without its end is only found out part way through the
        # restore, inside the one transaction that pg_restore then rolls back.
        kind == "cut_off" and result.output.startswith("Error: pg_restore failed")
    ), result.output
    assert "nothing was changed" in result.output or kind == "missing", result.output
    assert all_rows(quiet_app) == before


def test_restore_asks_before_it_replaces_all_data(quiet_app):
    before = all_rows(quiet_app)
    backup = quiet_app.config["TEST_BACKUP"]
    result = run_db(quiet_app, "restore", str(backup), answer="n\n")
    assert result.exit_code == 1
    assert "Replace ALL data in" in result.output and "Aborted" in result.output
    assert all_rows(quiet_app) == before


def test_backup_replaces_an_existing_file_only_when_forced(quiet_app, tmp_path):
    file = tmp_path / "existing.backup"
    file.write_bytes(b"keep me")
    result = run_db(quiet_app, "backup", str(file))
    assert result.exit_code == 1
    assert "already exists: pass --force" in result.output
    assert file.read_bytes() == b"keep me"

    at_backup = all_rows(quiet_app)
    result = run_db(quiet_app, "backup", "--force", str(file))
    assert result.exit_code == 0, result.output
    assert f"to {file} ({file.stat().st_size} bytes)" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["existing.backup"]  # no partial file left

    add_user(quiet_app, "third@example.org")
    assert all_rows(quiet_app) != at_backup
    result = run_db(quiet_app, "restore", "--yes", str(file))
    assert result.exit_code == 0, result.output
    assert all_rows(quiet_app) == at_backup


def test_the_password_reaches_the_postgres_tools_through_the_environment_only():
    from app.cli.backup import _libpq

    url = make_url("postgresql+psycopg://forslag:s3cret@db.internal:5433/forslag?sslmode=require")
    dsn, environment = _libpq(url)
    assert dsn == "postgresql://forslag@db.internal:5433/forslag?sslmode=require"
    assert environment["PGPASSWORD"] == "s3cret"


@pytest.mark.skipif(not IS_SQLITE, reason="the live file is a SQLite matter")
def test_backup_never_writes_over_the_live_database(quiet_app):
    live = make_url(quiet_app.config["SQLALCHEMY_DATABASE_URI"]).database
    before = all_rows(quiet_app)
    for args in (["backup", "--force", live], ["restore", "--yes", live]):
        result = run_db(quiet_app, *args)
        assert result.exit_code == 1 and "is the live database itself" in result.output
    assert all_rows(quiet_app) == before


@pytest.mark.skipif(not IS_SQLITE, reason="the lock file is how SQLite's writers take turns")
def test_restore_takes_its_turn_through_the_app_writers_lock_file(quiet_app, tmp_path):
    backup = tmp_path / "now.backup"
    assert run_db(quiet_app, "backup", str(backup)).exit_code == 0
    at_backup = all_rows(quiet_app)
    add_user(quiet_app, "fourth@example.org")
    live = make_url(quiet_app.config["SQLALCHEMY_DATABASE_URI"]).database
    outcome = []
    restore = threading.Thread(
        target=lambda: outcome.append(run_db(quiet_app, "restore", "--yes", str(backup)))
    )
    with open(f"{live}-writer.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # as a writer of the app does first
        restore.start()
        restore.join(timeout=0.5)
        assert restore.is_alive() and not outcome
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    restore.join(timeout=30)
    assert outcome and outcome[0].exit_code == 0, outcome
    assert all_rows(quiet_app) == at_backup


@pytest.mark.skipif(IS_SQLITE, reason="pg_dump and pg_restore are PostgreSQL's")
def test_without_the_postgres_tools_nothing_is_written_or_changed(quiet_app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    before = all_rows(quiet_app)
    result = run_db(quiet_app, "backup", str(tmp_path / "new.backup"))
    assert result.exit_code == 1 and "pg_dump is not installed" in result.output
    assert list(tmp_path.iterdir()) == []
    result = run_db(quiet_app, "restore", "--yes", str(quiet_app.config["TEST_BACKUP"]))
    assert result.exit_code == 1 and "pg_restore is not installed" in result.output
    assert all_rows(quiet_app) == before
