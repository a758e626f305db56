"""What the worker does, as plain functions of `now`, gathered from the packages that do it:
the lifecycle tick, expired registrations, deadline reminders, the fan-out of events,
digests and delivery, and the PDFs no request may spend the time to lay out. The queue's
tasks and `flask worker --burst` call these; tests call them with their own clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from app.accounts.services import forget_expired_registrations
from app.catalogue import files as catalogue_files
from app.comments import memo_pdfs
from app.core import pdf_files
from app.core.extensions import db
from app.notifications import delivery, digests, fanout
from app.notifications.reminders import remind_deadlines
from app.proposals import services


@dataclass
class Summary:
    transitions: int = 0
    reminders: int = 0
    events: int = 0
    digests: int = 0
    mail: delivery.Report = field(default_factory=delivery.Report)

    def __str__(self) -> str:
        return (
            f"{self.transitions} transition(s), {self.reminders} reminder(s), "
            f"{self.events} event(s) fanned out, {self.digests} digest(s) made, "
            f"{self.mail.sent} mail(s) sent, {self.mail.deferred} to retry, "
            f"{self.mail.failed} refused"
        )


def tell(now: datetime) -> Summary:
    """Fan out what happened and send what is due: the work a change wakes the worker for."""
    summary = Summary(events=fanout.process_events(now))
    summary.mail = delivery.deliver(now)
    return summary


def run_all(now: datetime, *, another_sender: Callable[[], None] | None = None) -> Summary:
    """Everything due now, in order: what the worker does every minute, and `--burst`.
    With more than a batch of mail to send (the morning's digests), `another_sender` is
    asked to send beside this one: the worker wakes another of its processes."""
    transitions = len(services.apply_due(now))
    forget_expired_registrations(now, current_app.config["ACCOUNT_CONFIRM_VALID_FOR"])
    db.session.commit()
    reminders = remind_deadlines(now)
    db.session.commit()
    summary = Summary(transitions=transitions, reminders=reminders)
    summary.events = fanout.process_events(now)
    summary.digests = digests.make_digests(now)
    delivery.forget_old_mail(now)
    db.session.commit()
    if another_sender is not None and delivery.more_than_a_batch_due(now):
        another_sender()
    db.session.rollback()
    summary.mail = delivery.deliver(now)
    return summary


@dataclass
class Printed:
    made: list[str] = field(default_factory=list)
    unchanged: int = 0
    busy: bool = False  # another process was making them

    def __str__(self) -> str:
        if self.busy:
            return "PDFs: another process is making them"
        return f"{len(self.made)} PDF(s) made, {self.unchanged} unchanged"


def make_pdfs(now: datetime) -> Printed:
    """Make again the catalogue's PDFs and the long hearing memos' whose content changed
    (app.catalogue.files, app.comments.memo_pdfs), or leave them to the process making them
    now. The worker runs it after the minute's mail (it may take a minute, which the mail
    must not wait for), and `--burst` after `run_all`."""
    with pdf_files.making() as ours:
        if not ours:
            return Printed(busy=True)
        if services.apply_due(now):  # a proposal whose deadline passed enters the catalogue
            db.session.commit()
        catalogue = catalogue_files.make_all(now)
        printed = Printed(catalogue.made, catalogue.unchanged)
        printed.made += memo_pdfs.make_all(now)
        db.session.rollback()
        return printed
