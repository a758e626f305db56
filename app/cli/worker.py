"""The worker: Huey's consumer runs what `app.cli.jobs` does, woken by the changes
that need it and every minute by its own clock. Every minute, once the mail is out, it also
makes the PDFs whose content changed (which may take a minute: meanwhile its other process
answers the wake-ups, and the next minute's run leaves the PDFs to the process making them).

The queue is a SQLite file in the instance folder by default and Redis in production
(FORSLAG_QUEUE_URL). It carries only wake-ups: what is to be done lives in the database
(events, outgoing mail), so a queue that is lost or down loses nothing; the minute's run
finds the work anyway.

    flask --app wsgi worker           run until stopped (Ctrl-C, SIGTERM)
    flask --app wsgi worker --burst   do everything due now, then exit
"""

from __future__ import annotations

import logging
import os

import click
from flask import Flask, current_app, has_request_context
from flask.cli import with_appcontext
from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event

from app.cli import jobs
from app.core.database import utcnow
from app.core.extensions import db
from app.core.outbox import WAKE_WORKER

log = logging.getLogger(__name__)


def make_queue(app: Flask) -> Huey:
    """The app's queue with its two tasks: `tell` (woken by a change) and `every_minute`."""
    url, name = app.config["QUEUE_URL"], app.config["QUEUE_NAME"]
    if url.startswith("sqlite:///"):
        queue = SqliteHuey(name=name, filename=url.removeprefix("sqlite:///"), results=False)
    else:
        queue = RedisHuey(name=name, url=url, results=False)

    @queue.task(name="tell")
    def tell() -> None:
        with app.app_context():
            jobs.tell(utcnow())

    @queue.periodic_task(crontab(minute="*"), name="every_minute")
    def every_minute() -> None:
        with app.app_context():
            # A second sender, when much is due, is another of this worker's processes woken.
            summary = jobs.run_all(utcnow(), another_sender=tell)
            log.info("every minute: %s", summary)
            # After the mail, which must not wait for them.
            log.info("%s", jobs.make_pdfs(utcnow()))

    parent = os.getpid()

    @queue.on_startup()
    def own_connections() -> None:
        # A worker forked from the consumer opens its own database connections.
        if os.getpid() != parent:
            with app.app_context():
                db.engine.dispose(close=False)

    queue.forslag_tell, queue.forslag_every_minute = tell, every_minute
    return queue


def wake() -> None:
    """Ask the worker to fan out and send now. A queue that cannot be reached costs the
    request nothing: the minute's run does the same work."""
    try:
        current_app.extensions["queue"].forslag_tell()
    except Exception:  # Redis down, a locked file: the work is in the database anyway
        log.warning("could not wake the worker; its next minute will do it", exc_info=True)


def _after_commit(session) -> None:
    if session.info.pop(WAKE_WORKER, False) and has_request_context():
        wake()


def _after_rollback(session, _previous_transaction) -> None:
    session.info.pop(WAKE_WORKER, None)


def init_app(app: Flask) -> None:
    app.extensions["queue"] = make_queue(app)
    app.cli.add_command(worker_command)
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_soft_rollback", _after_rollback)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Do everything due now, then exit.")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    help="Tasks run at the same time, each in a process of its own.",
)
@click.option("--threads", is_flag=True, help="Run them in threads of one process instead.")
@with_appcontext
def worker_command(burst: bool, workers: int, threads: bool) -> None:
    """Deliver notifications and mail, make digests, remind, tick the lifecycle and make
    the catalogue's PDFs."""
    queue: Huey = current_app.extensions["queue"]
    if burst:
        # The wake-ups waiting are all answered by the one pass below; the pass needs only
        # the database, so a queue that cannot be reached does not stop it.
        try:
            queue.storage.flush_queue()
        except Exception as error:
            click.echo(f"The queue could not be reached ({error}); going on without it.", err=True)
        click.echo(str(jobs.run_all(utcnow())))
        click.echo(str(jobs.make_pdfs(utcnow())))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # WeasyPrint tells each step of each document it lays out: hundreds of lines a catalogue.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    kind = "thread" if threads else "process"
    kinds = "threads" if threads else "processes"
    click.echo(f"Worker on {current_app.config['QUEUE_URL']} ({workers} {kinds}). Ctrl-C stops.")
    # Whatever waited while no worker ran goes out now, not at the next minute (a new
    # site's first catalogue is made then: its page asks to come back in a minute).
    queue.forslag_tell()
    # Processes: sending mail is mostly Python (templates, MIME), which threads of one
    # process take turns at; two processes send nearly twice as much.
    consumer = queue.create_consumer(
        workers=workers, worker_type=kind, periodic=True, max_delay=1.0
    )
    consumer.run()
