"""The secretariat's own operations: topics and the member register, each written to the
audit log. The caller commits once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import User
from app.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Topic
from app.secretariat import models as audit
from app.text import has_forbidden_characters


def _require_secretariat(actor: User) -> None:
    if not actor.is_secretariat:
        raise lc.NotAllowed("not_secretariat")


def _topic_name(name: str, *, except_id: int | None = None) -> str:
    name = (name or "").strip()
    if not 2 <= len(name) <= 80 or has_forbidden_characters(name):
        raise lc.Invalid("topic_name")
    clash = select(Topic.id).where(func.lower(Topic.name) == name.lower())
    if except_id is not None:
        clash = clash.where(Topic.id != except_id)
    if db.session.scalar(clash) is not None:
        raise lc.Invalid("topic_exists", name=name)
    return name


def create_topic(actor: User, name: str, *, now: datetime) -> Topic:
    _require_secretariat(actor)
    topic = Topic(name=_topic_name(name))
    db.session.add(topic)
    audit.record(actor, "topic_create", subject=topic.name, now=now)
    db.session.flush()
    return topic


def rename_topic(actor: User, topic: Topic, name: str, *, now: datetime) -> None:
    _require_secretariat(actor)
    old = topic.name
    topic.name = _topic_name(name, except_id=topic.id)
    audit.record(actor, "topic_rename", subject=f"{old} → {topic.name}", now=now)
    db.session.flush()


def set_topic_retired(actor: User, topic: Topic, retired: bool, *, now: datetime) -> None:
    """A retired topic stays on its proposals but is offered for no new one."""
    _require_secretariat(actor)
    if topic.retired == retired:
        return
    topic.retired = retired
    audit.record(
        actor, "topic_retire" if retired else "topic_reinstate", subject=topic.name, now=now
    )
    db.session.flush()


def import_register(
    actor: User, parsed: accounts.ParsedRegister, *, now: datetime
) -> accounts.ImportReport:
    _require_secretariat(actor)
    report = accounts.import_members(parsed.rows, now=now)
    audit.record(
        actor,
        "import",
        subject=f"{len(report.created)} new, {len(report.updated)} existing",
        now=now,
    )
    return report
