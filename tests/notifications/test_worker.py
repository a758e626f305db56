"""The worker on its real queue: a change wakes it through the queue (Redis in the
PostgreSQL run, the SQLite file otherwise), its consumer delivers; `worker --burst` does
everything due and exits; a queue that cannot be reached costs a request nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from app.cli import jobs
from app.cli.worker import make_queue
from app.core import outbox
from app.core.database import utcnow
from app.core.extensions import db
from app.core.outbox import OutgoingMail
from app.notifications import delivery
from app.proposals import lifecycle as lc
from tests.notifications.helpers import kinds_of, set_email
from tests.plugins.database import TEST_DATABASE_URL
from tests.plugins.live import live_env
from tests.support.forms import client_for, post

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_queue_is_redis_with_postgresql_and_sqlite_otherwise(app):
    queue = app.extensions["queue"]
    assert isinstance(queue, RedisHuey if TEST_DATABASE_URL else SqliteHuey)


def test_a_comment_wakes_the_consumer_and_the_proposer_is_mailed(
    app, make_user, make_proposal, mailbox
):
    made = make_proposal(lc.HEARING)
    set_email(app, made.author, "instant")
    queue = app.extensions["queue"]
    queue.storage.flush_queue()
    response = post(client_for(app, make_user()), f"/proposals/{made.id}/comments", {"body": "Ja!"})
    assert response.status_code == 303
    assert queue.pending_count() == 1, "the commit woke the worker"
    consumer = queue.create_consumer(workers=1, periodic=False, initial_delay=0.05, max_delay=0.2)
    consumer.start()
    try:
        assert wait_for(lambda: mailbox.to(made.author.email)), "no mail to the proposer"
    finally:
        consumer.stop(graceful=True)
    assert queue.pending_count() == 0
    assert kinds_of(app, made.author) == ["comment"]


def test_the_minute_task_is_due_every_minute(app):
    queue = app.extensions["queue"]
    for minute in (0, 1, 37):
        moment = utcnow().replace(minute=minute, second=0, microsecond=0, tzinfo=None)
        assert [task.name for task in queue.read_periodic(moment)] == ["every_minute"]


def test_burst_does_everything_due_and_exits(app, make_user, make_proposal, mailbox):
    made = make_proposal(lc.HEARING)
    set_email(app, made.author, "instant")
    post(client_for(app, make_user()), f"/proposals/{made.id}/comments", {"body": "Ja!"})
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    # submitted, hearing opened, the comment; one mail: the proposer wants comments at once
    assert "3 event(s) fanned out" in result.output and "1 mail(s) sent" in result.output
    assert len(mailbox.to(made.author.email)) == 1
    assert app.extensions["queue"].pending_count() == 0


def test_a_queue_that_cannot_be_reached_costs_the_request_nothing(
    make_app, make_user, make_proposal, mailbox
):
    app = make_app(QUEUE_URL="redis://127.0.0.1:1/0")
    made = make_proposal(lc.HEARING)
    set_email(app, made.author, "instant")
    client = client_for(app, make_user())
    response = post(client, f"/proposals/{made.id}/comments", {"body": "Ja!"})
    assert response.status_code == 303
    # The minute's run finds the work in the database all the same.
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert "1 mail(s) sent" in result.output, result.output
    assert len(mailbox.to(made.author.email)) == 1


def test_queue_settings(make_app, tmp_path):
    app = make_app(QUEUE_URL=f"sqlite:///{tmp_path / 'q.db'}", QUEUE_NAME="et-andet-sted")
    queue = make_queue(app)
    assert isinstance(queue, SqliteHuey) and queue.name == "et-andet-sted"
    assert (tmp_path / "q.db").exists() or queue.storage.filename == str(tmp_path / "q.db")


def _queue_mail(app, count: int) -> list[str]:
    with app.app_context():
        now = utcnow()
        addresses = [f"modtager{i}@example.org" for i in range(count)]
        for address in addresses:
            outbox.queue_message(
                to=address, subject="Hej", text="Et brev.", user_id=None, now=now
            )
        db.session.commit()
    return addresses


def test_the_minute_asks_for_a_second_sender_only_when_more_than_a_batch_waits(app, mailbox):
    asked = []
    _queue_mail(app, delivery.BATCH)
    with app.app_context():
        summary = jobs.run_all(utcnow(), another_sender=lambda: asked.append(1))
    assert summary.mail.sent == delivery.BATCH and asked == []

    _queue_mail(app, delivery.BATCH + 1)
    with app.app_context():
        summary = jobs.run_all(utcnow(), another_sender=lambda: asked.append(1))
    assert summary.mail.sent == delivery.BATCH + 1 and asked == [1]


def test_the_worker_sends_a_morning_of_mail_from_two_processes_each_mail_once(
    app, base_config, mailbox
):
    addresses = _queue_mail(app, 3 * delivery.BATCH + 1)
    queue = app.extensions["queue"]
    queue.storage.flush_queue()
    queue.forslag_every_minute()  # as the clock enqueues it; the worker wakes itself too
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", "2"],
        cwd=ROOT,
        env={**os.environ, **live_env(base_config)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        arrived_all = wait_for(lambda: len(mailbox.messages) >= len(addresses), 60)
        time.sleep(0.5)  # anything sent twice would have arrived by now
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0]
    assert arrived_all, output
    assert Counter(message["To"] for message in mailbox.messages) == Counter(addresses)
    with app.app_context():
        claims = db.session.scalars(select(OutgoingMail.claimed_by)).all()
    senders = {claim.rsplit(":", 1)[0] for claim in claims}
    assert len(senders) == 2, f"both processes sent: {senders}"
