"""Recording what happened, in the caller's transaction: the outbox the worker reads.

The domains call `record` next to the change itself, so an event exists exactly when the
change does; nobody is told anything here (that is the worker's fan-out).
"""

from __future__ import annotations

from datetime import datetime

from app.core.extensions import db
from app.core.sql import insert_if_absent
from app.notifications.models import Event
from app.notifications.rules import RULES, TRANSITION_EVENTS

# Set on the session when it holds work for the worker; after commit the worker is woken.
WAKE_WORKER = "wake_worker"


def record(
    kind: str,
    *,
    now: datetime,
    proposal_id: int | None = None,
    comment_id: int | None = None,
    actor_id: int | None = None,
    subject_id: int | None = None,
    data: dict | None = None,
    key: str | None = None,
) -> bool:
    """Write one event. With a `key`, an event with the same key is written only once;
    False when it already was."""
    if kind not in RULES:
        raise ValueError(f"no rule says who is told of {kind!r}")
    values = dict(
        kind=kind,
        proposal_id=proposal_id,
        comment_id=comment_id,
        actor_id=actor_id,
        subject_id=subject_id,
        data=data or {},
        created_at=now,
    )
    if key is not None:
        if not insert_if_absent(Event, key=key, **values):
            return False
    else:
        db.session.add(Event(**values))
    db.session.info[WAKE_WORKER] = True
    return True


def transition(
    proposal_id: int,
    source: str,
    target: str,
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
    data: dict | None = None,
) -> None:
    """The event a step of the lifecycle is, if it is one."""
    kind = TRANSITION_EVENTS.get((source, target))
    if kind is not None:
        record(
            kind,
            now=now,
            proposal_id=proposal_id,
            actor_id=actor_id,
            data={"reason": reason, **(data or {})},
        )
