"""The outbox and its delivery: nothing lost when the mail server goes away in the middle
of a run, nothing sent twice when two workers run at once, waits that grow while the
server is down, a refused address given up, and a secret not kept once it is sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.cli.worker import wake
from app.core.database import utcnow
from app.core.extensions import db
from app.core.outbox import OutgoingMail, queue_message
from app.notifications import delivery, fanout
from app.proposals import lifecycle as lc
from tests.plugins.live import live_env
from tests.support import ROOT
from tests.support.smtp import SMTPServer


@pytest.fixture
def smtp():
    """A mail server of the test's own, which it may stop and start again."""
    server = SMTPServer().start()
    yield server
    server.stop()


def queue_mails(app, count: int, *, now=None, domain="example.org") -> None:
    with app.app_context():
        for n in range(count):
            queue_message(
                to=f"person{n}@{domain}",
                subject=f"Besked {n}",
                text=f"Hej nummer {n}.",
                user_id=None,
                now=now or utcnow(),
            )
        db.session.commit()


def outbox(app) -> list[OutgoingMail]:
    with app.app_context():
        rows = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()
        db.session.expunge_all()
        return list(rows)


def subjects(server) -> Counter:
    return Counter(message["Subject"] for message in server.messages)


def test_stopping_the_mail_server_mid_run_loses_nothing_and_doubles_nothing(make_app, smtp):
    app = make_app(MAIL_URL=smtp.url)
    now = utcnow()
    queue_mails(app, 60, now=now)
    smtp.hold_after(25)  # the 26th message hangs: the server dies while receiving it
    reports = []

    def run():
        with app.app_context():
            reports.append(delivery.deliver(now))

    worker = threading.Thread(target=run)
    worker.start()
    assert smtp.collector.holding.wait(20), "the run never reached the 26th message"
    smtp.stop()
    worker.join(30)
    assert not worker.is_alive()
    (report,) = reports
    assert (report.sent, report.deferred, report.failed) == (25, 35, 0)
    assert len(smtp.messages) == 25
    rows = outbox(app)
    assert sum(row.sent_at is not None for row in rows) == 25
    waiting = [row for row in rows if row.sent_at is None]
    assert all(row.attempts == 1 and row.next_attempt_at > now for row in waiting)

    smtp.start()
    with app.app_context():
        assert delivery.deliver(now).sent == 0, "nothing is tried again before its wait is over"
        assert delivery.deliver(now + timedelta(seconds=2)).sent == 35
    assert subjects(smtp) == Counter({f"Besked {n}": 1 for n in range(60)})
    assert all(row.sent_at is not None for row in outbox(app))


def test_the_wait_doubles_while_the_server_is_down(make_app):
    from tests.support import free_port

    app = make_app(MAIL_URL=f"smtp://127.0.0.1:{free_port()}")
    now = utcnow()
    queue_mails(app, 1, now=now)
    waits = []
    clock = now
    with app.app_context():
        for _ in range(4):
            assert delivery.deliver(clock).deferred == 1
            (row,) = outbox(app)
            waits.append(row.next_attempt_at - clock)
            clock = row.next_attempt_at
    assert waits == [timedelta(seconds=s) for s in (1, 2, 4, 8)]
    assert "mail server" in row.last_error


def test_a_refused_address_is_given_up_and_the_batch_goes_on(make_app, smtp):
    app = make_app(MAIL_URL=smtp.url)
    queue_mails(app, 1, domain="refused.example")
    queue_mails(app, 3)
    with app.app_context():
        report = delivery.deliver()
    assert (report.sent, report.failed, report.deferred) == (3, 1, 0)
    refused = outbox(app)[0]
    assert refused.failed_at is not None and refused.sent_at is None
    assert "550" in refused.last_error
    with app.app_context():
        assert delivery.deliver(utcnow() + timedelta(days=1)).failed == 0, "never tried again"


def test_one_connection_per_batch(make_app, smtp):
    app = make_app(MAIL_URL=smtp.url)
    queue_mails(app, 150)
    with app.app_context():
        assert delivery.deliver(batch=100).sent == 150
    assert len(smtp.messages) == 150
    assert len(smtp.sessions) == 2


def test_a_sent_message_keeps_no_text(make_app, smtp):
    """A password reset link is a secret: the outbox forgets it once the server has it."""
    app = make_app(MAIL_URL=smtp.url)
    queue_mails(app, 1)
    assert outbox(app)[0].body_text == "Hej nummer 0."
    with app.app_context():
        delivery.deliver()
    (row,) = outbox(app)
    assert row.sent_at is not None and row.body_text == "" and row.body_html == ""


def test_a_worker_that_dies_holding_mail_leaves_it_to_another(make_app, smtp):
    app = make_app(MAIL_URL=smtp.url)
    now = utcnow()
    queue_mails(app, 5, now=now)
    with app.app_context():
        claimed = delivery._claim(now, 100, None, "a worker that then died")
        assert len(claimed) == 5
        assert delivery.deliver(now).sent == 0, "claimed by another"
        later = now + delivery.CLAIM_FOR + timedelta(seconds=1)
        assert delivery.deliver(later).sent == 5
    assert len(smtp.messages) == 5


# --- two workers at once ------------------------------------------------------------------


def start_worker(base_config, smtp_url: str, log_path):
    env = {
        **os.environ,
        **live_env(base_config, MAIL_URL=smtp_url),
        "FORSLAG_PUBLIC_URL": "http://localhost",
    }
    log = open(log_path, "wb")  # noqa: SIM115 (handed to the process)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.live
def test_two_workers_at_once_send_every_message_exactly_once(app, base_config, smtp, tmp_path):
    """Two worker processes on the real queue (Redis with PostgreSQL, the SQLite file with
    SQLite), woken again and again while 600 mails go out: each arrives once."""
    workers = [start_worker(base_config, smtp.url, tmp_path / f"worker{n}.log") for n in (1, 2)]
    try:
        time.sleep(1.5)  # both consumers are up and waiting
        queue_mails(app, 600)
        deadline = time.monotonic() + 90
        while len(smtp.messages) < 600 and time.monotonic() < deadline:
            with app.test_request_context():
                wake()
            time.sleep(0.05)
            for process in workers:
                assert process.poll() is None, (tmp_path / "worker1.log").read_text()
    finally:
        for process in workers:
            process.send_signal(signal.SIGINT)
        for process in workers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
    logs = "\n".join((tmp_path / f"worker{n}.log").read_text() for n in (1, 2))
    assert len(smtp.messages) == 600, logs[-3000:]
    assert subjects(smtp) == Counter({f"Besked {n}": 1 for n in range(600)})
    rows = outbox(app)
    assert all(row.sent_at is not None for row in rows)
    senders = {row.claimed_by.rsplit(":", 1)[0] for row in rows}
    assert len(senders) == 2, f"both workers sent: {senders}"
    with app.app_context():
        waiting = select(func.count()).where(OutgoingMail.sent_at.is_(None))
        assert db.session.scalar(waiting) == 0


def test_mail_made_before_an_unsubscribe_is_not_sent_after_it(app, make_user, make_proposal, smtp):
    """A digest made at seven, the person unsubscribes at five past, the worker comes at
    ten past: nothing goes out."""
    from tests.notifications.helpers import set_email, tell
    from tests.support.forms import client_for, post

    app.config["MAIL_URL"] = smtp.url
    made = make_proposal(lc.HEARING)
    set_email(app, made.author, "instant")
    post(client_for(app, make_user()), f"/proposals/{made.id}/comments", {"body": "Ja!"})
    with app.app_context():
        fanout.process_events(utcnow())
    set_email(app, made.author, "off")
    assert tell(app).mail.failed == 1
    assert smtp.messages == []
    (row,) = outbox(app)
    assert row.failed_at is not None and "turned email off" in row.last_error


def test_old_mail_records_are_forgotten_and_never_mailed_again(app, make_user, make_proposal, smtp):
    from tests.notifications.helpers import notifications_of, work

    app.config["MAIL_URL"] = smtp.url
    made = make_proposal(lc.HEARING)
    post_comment = client_for_member(app, make_user())
    post_comment(made.id)
    work(app)
    (notification,) = notifications_of(app, made.author)
    assert notification.email == "digest"
    tomorrow = utcnow() + timedelta(days=1, hours=8)
    work(app, tomorrow)
    assert len(smtp.to(made.author.email)) == 1
    assert [row.user_id for row in outbox(app)].count(made.author.id) == 1
    later = tomorrow + delivery.KEEP_SENT + timedelta(days=1)
    work(app, later)
    assert not [
        row for row in outbox(app) if row.sent_at and row.sent_at < later - delivery.KEEP_SENT
    ]
    notification = notifications_of(app, made.author)[0]  # (the hearing has ended since)
    assert (notification.kind, notification.email, notification.mail_id) == (
        "comment",
        "none",
        None,
    )
    work(app, later + timedelta(days=1))
    mailed = [m["Subject"] for m in smtp.to(made.author.email)]
    assert sum(s.startswith("1 nyt høringssvar") for s in mailed) == 1, mailed


def client_for_member(app, account):
    from tests.support.forms import client_for, post

    client = client_for(app, account)
    return lambda proposal_id: post(client, f"/proposals/{proposal_id}/comments", {"body": "Ja"})
