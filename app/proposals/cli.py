"""`flask lifecycle tick`: apply the timed transitions that are due, in bulk."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.accounts.services import forget_expired_registrations
from app.core.database import utcnow
from app.core.extensions import db
from app.proposals import services

lifecycle_cli = AppGroup("lifecycle", help="The proposal lifecycle.")


@lifecycle_cli.command("tick")
def tick_command() -> None:
    """Apply due timed transitions (ended hearings, passed support deadlines), and forget
    registrations nobody confirmed in time."""
    now = utcnow()
    events = services.apply_due(now)
    forgotten = forget_expired_registrations(now, current_app.config["ACCOUNT_CONFIRM_VALID_FOR"])
    db.session.commit()
    for event in events:
        click.echo(f"proposal {event.proposal_id}: {event.from_state} -> {event.to_state}")
    click.echo(f"{len(events)} transition(s) applied.")
    if forgotten:
        click.echo(f"{forgotten} unconfirmed registration(s) expired and deleted.")
