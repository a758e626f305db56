"""Sending the outbox: claim a batch, send it over one connection, stamp each mail sent the
moment the server accepted it, and try again later, waiting longer each time, while the
server is down.

A mail is claimed by one worker at a time (a guarded UPDATE; on PostgreSQL it skips rows
another worker is claiming), so two workers never send the same mail. A mail the server
accepted is stamped in its own commit before the next is sent: only a crash between the
server's "250" and that commit can send one twice, and its Message-ID stays the same, so
the receiving side can tell.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import aliased

from app.core.database import utcnow
from app.core.extensions import db
from app.core.mail import Mailer, MailError, MailRefused, ServerUnavailable
from app.core.outbox import OutgoingMail
from app.notifications import mails
from app.notifications.models import EMAIL_NONE, Notification

log = logging.getLogger(__name__)

BATCH = 100
CLAIM_FOR = timedelta(minutes=10)
LONGEST_WAIT = timedelta(hours=1)
# How long the record of a sent mail is kept (who was mailed what, when, by which worker).
KEEP_SENT = timedelta(days=90)
NOTHING_TO_SEND = (
    "not sent: its notifications are gone, its person turned email off, "
    "or no account has its address"
)
HOST = socket.gethostname()


@dataclass
class Report:
    sent: int = 0
    failed: int = 0  # refused for good
    deferred: int = 0  # to be tried again later


def _due(now: datetime, limit: int):
    """Mail waiting to be sent now that nobody holds, in the order it became due."""
    candidate = aliased(OutgoingMail)
    return (
        select(candidate.id)
        .where(
            candidate.sent_at.is_(None),
            candidate.failed_at.is_(None),
            candidate.next_attempt_at <= now,
            or_(candidate.claimed_until.is_(None), candidate.claimed_until < now),
        )
        .order_by(candidate.next_attempt_at, candidate.id)
        .limit(limit)
    ), candidate


def more_than_a_batch_due(now: datetime) -> bool:
    """Whether a second sender would have work of its own (read from the index of waiting
    mail, a batch and one row at most)."""
    due, _ = _due(now, BATCH + 1)
    return len(db.session.scalars(due).all()) > BATCH


def _claim(now: datetime, limit: int, ids: list[int] | None, claim: str) -> list[int]:
    due, candidate = _due(now, limit)
    if ids is not None:
        due = due.where(candidate.id.in_(ids))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = db.session.scalars(
        update(OutgoingMail)
        .where(OutgoingMail.id.in_(due.scalar_subquery()))
        .values(claimed_by=claim, claimed_until=now + CLAIM_FOR)
        .returning(OutgoingMail.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(claimed)


def _mine(mail_id: int, claim: str):
    """An UPDATE of one mail this call claimed; if the claim expired and another worker took
    the mail, it changes nothing. (Found by its primary key alone: a condition on sent_at
    would let PostgreSQL choose the partial index of waiting mail and read all of it.)"""
    return (
        update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.claimed_by == claim)
        .execution_options(synchronize_session=False)
    )


def _finish(mail: OutgoingMail, claim: str, **values) -> None:
    """Close one attempt at a mail in its own commit. `claimed_by` stays: the record of
    which worker sent it. A message's text may hold a secret (a reset link): it is not kept
    once the mail is sent or given up."""
    db.session.execute(
        _mine(mail.id, claim).values(
            attempts=OutgoingMail.attempts + 1,
            claimed_until=None,
            body_text="",
            body_html="",
            **values,
        )
    )
    db.session.commit()


def _mark_sent(mail: OutgoingMail, claim: str, now: datetime) -> None:
    _finish(mail, claim, sent_at=now, last_error="")


def _mark_failed(mail: OutgoingMail, claim: str, error: Exception, now: datetime) -> None:
    _finish(mail, claim, failed_at=now, last_error=str(error)[:1000])


def _defer(
    mail_ids: list[int], attempts: dict[int, int], claim: str, error: Exception, now: datetime
) -> None:
    """Give the mails back, to be tried after a wait that doubles with each failure."""
    first = current_app.config["MAIL_RETRY_AFTER"]
    for mail_id in mail_ids:
        wait = min(first * 2 ** min(attempts.get(mail_id, 0), 16), LONGEST_WAIT)
        db.session.execute(
            _mine(mail_id, claim).values(
                next_attempt_at=now + wait,
                attempts=OutgoingMail.attempts + 1,
                claimed_by=None,
                claimed_until=None,
                last_error=str(error)[:1000],
            )
        )
    db.session.commit()


def deliver(
    now: datetime | None = None, *, ids: list[int] | None = None, batch: int = BATCH
) -> Report:
    """Send what is due, a batch at a time over one connection each, until nothing is due
    (or, with `ids`, those mails only). `now` is the clock (tests set it)."""
    report = Report()
    while True:
        # Which machine and process claimed the mail (a forked worker has its own pid).
        claim = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        claimed = _claim(now or utcnow(), batch, ids, claim)
        if not claimed:
            return report
        rows = db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.id.in_(claimed))
            .order_by(OutgoingMail.id)
            .execution_options(populate_existing=True)  # as the claim left them, not as seen
        ).all()
        attempts = {row.id: row.attempts for row in rows}
        messages = mails.compose(rows)
        pending = list(rows)
        try:
            with Mailer() as mailer:
                while pending:
                    row = pending[0]
                    try:
                        if row.id not in messages:
                            raise MailRefused(NOTHING_TO_SEND)
                        mailer.send(messages[row.id])
                    except MailRefused as error:
                        log.warning("mail %s refused for good: %s", row.id, error)
                        _mark_failed(row, claim, error, now or utcnow())
                        report.failed += 1
                    except ServerUnavailable:
                        raise
                    except MailError as error:
                        _defer([row.id], attempts, claim, error, now or utcnow())
                        report.deferred += 1
                    except Exception as error:  # a fault of ours: this mail waits, the rest go
                        log.exception("mail %s could not be sent", row.id)
                        _defer([row.id], attempts, claim, error, now or utcnow())
                        report.deferred += 1
                    else:
                        _mark_sent(row, claim, now or utcnow())
                        report.sent += 1
                    pending.pop(0)
        except ServerUnavailable as error:
            log.warning("mail server unavailable; %d mails wait: %s", len(pending), error)
            db.session.rollback()
            _defer([row.id for row in pending], attempts, claim, error, now or utcnow())
            report.deferred += len(pending)
            return report


def forget_old_mail(now: datetime, *, limit: int = 10_000) -> int:
    """Delete the records of mail sent or given up on more than KEEP_SENT ago, a bounded
    number at a time. Their notifications keep no link to them, and are marked as mailed so
    that no digest takes them up again. In the caller's transaction."""
    ids = [
        mail_id
        for ended in (OutgoingMail.sent_at, OutgoingMail.failed_at)  # each read from its index
        for mail_id in db.session.scalars(
            select(OutgoingMail.id).where(ended < now - KEEP_SENT).limit(limit)
        )
    ]
    if not ids:
        return 0
    db.session.execute(
        update(Notification)
        .where(Notification.mail_id.in_(ids))
        .values(email=EMAIL_NONE, mail_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(OutgoingMail)
        .where(OutgoingMail.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return len(ids)
