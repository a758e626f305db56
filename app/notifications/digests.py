"""Digests: once a day (or a week) everything that waited for a person becomes one mail.

A digest is due at 07:00 Danish time (weekly ones on Mondays), and takes the notifications
made before that moment. Each run is a few set-based statements whatever the number of
people; a digest is one row per person and batch, so a repeated run (two workers, a
restart) makes none twice, and a run that was missed is made up by the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import literal, select, update
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.core.extensions import db
from app.core.outbox import OutgoingMail
from app.core.sql import insert_statement
from app.notifications.models import EMAIL_DIGEST, EMAIL_NONE, Notification

LOCAL_TIME = ZoneInfo("Europe/Copenhagen")
DIGEST_AT = time(7, 0)


@dataclass(frozen=True)
class Batch:
    key: str  # "daily:2026-11-30", "weekly:2026-W49"
    cutoff: datetime  # notifications made before this go in
    settings: tuple[str, ...]  # whose batch it is, by email setting


def due_batches(now: datetime) -> list[Batch]:
    """The newest daily and weekly batch whose time has come."""
    local = now.astimezone(LOCAL_TIME)
    daily = datetime.combine(local.date(), DIGEST_AT, LOCAL_TIME)
    if local < daily:
        daily -= timedelta(days=1)
    weekly = daily - timedelta(days=daily.weekday())
    iso_year, iso_week, _ = weekly.date().isocalendar()
    return [
        # Instant mail is for what people act on; what is only ever in a digest (reports
        # for the secretariat) reaches those with instant mail in the daily digest.
        Batch(f"daily:{daily.date().isoformat()}", daily, ("daily", "instant")),
        Batch(f"weekly:{iso_year}-W{iso_week:02d}", weekly, ("weekly",)),
    ]


def _waiting(row, cutoff: datetime):
    return (row.email == EMAIL_DIGEST, row.mail_id.is_(None), row.created_at < cutoff)


def make_digests(now: datetime) -> int:
    """Make every digest that is due, in the caller's transaction. Returns how many."""
    # Those who turned email off since: their notifications stay in the app only.
    db.session.execute(
        update(Notification)
        .where(
            Notification.email == EMAIL_DIGEST,
            Notification.mail_id.is_(None),
            Notification.user_id.in_(select(User.id).where(User.email_setting == "off")),
        )
        .values(email=EMAIL_NONE)
        .execution_options(synchronize_session=False)
    )
    made = 0
    for batch in due_batches(now):
        waiting = aliased(Notification)
        people = select(
            User.id,
            User.email,
            literal(OutgoingMail.NOTIFICATIONS),
            literal(batch.key),
            literal(now, OutgoingMail.created_at.type),
            literal(now, OutgoingMail.next_attempt_at.type),
        ).where(
            User.email_setting.in_(batch.settings),
            User.id.in_(select(waiting.user_id).where(*_waiting(waiting, batch.cutoff))),
        )
        made += len(
            db.session.execute(
                insert_statement(OutgoingMail)
                .from_select(
                    ["user_id", "to_address", "kind", "batch_key", "created_at", "next_attempt_at"],
                    people,
                )
                .on_conflict_do_nothing()
                .returning(OutgoingMail.id)
            ).all()
        )
        # Into the batch's mail, while no worker has taken it yet: UPDATE … FROM, a join
        # the planner sees whole (as a subquery per row, PostgreSQL took minutes when the
        # mail rows were new and its statistics did not know them yet).
        db.session.execute(
            update(Notification)
            .where(
                *_waiting(Notification, batch.cutoff),
                OutgoingMail.user_id == Notification.user_id,
                OutgoingMail.batch_key == batch.key,
                OutgoingMail.sent_at.is_(None),
                OutgoingMail.claimed_by.is_(None),
            )
            .values(mail_id=OutgoingMail.id)
            .execution_options(synchronize_session=False)
        )
    return made
