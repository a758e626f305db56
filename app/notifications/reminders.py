"""Reminders that a timer finds: a proposal still short of its threshold three days before
its support deadline. Each is an event (app.core.outbox), written once per deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.core import outbox
from app.core.extensions import db
from app.core.i18n import iso
from app.notifications.rules import DEADLINE_REMINDER
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal


def remind_deadlines(now: datetime) -> int:
    """Proposals still short of their threshold three days before the deadline remind their
    proposers and followers, once per deadline. In the caller's transaction."""
    due = db.session.execute(
        select(
            Proposal.id,
            Proposal.support_count,
            Proposal.support_threshold,
            Proposal.support_deadline,
        ).where(
            Proposal.state == lc.SUPPORT,
            Proposal.support_deadline > now,
            Proposal.support_deadline <= now + DEADLINE_REMINDER,
            Proposal.support_count < Proposal.support_threshold,
        )
    ).all()
    made = 0
    for row in due:
        made += outbox.record(
            "deadline_near",
            now=now,
            proposal_id=row.id,
            data={
                "count": row.support_count,
                "threshold": row.support_threshold,
                "deadline": iso(row.support_deadline),
            },
            key=f"deadline_near:{row.id}:{iso(row.support_deadline)}",
        )
    return made
