"""The secretariat's own operations: topics and the member register, each written to the
audit log. The caller commits once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.accounts import member_register
from app.accounts.models import User
from app.core import audit, editing
from app.core.extensions import db
from app.core.text import has_forbidden_characters
from app.proposals import lifecycle as lc
from app.proposals.models import Topic


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


# A topic's name is shared text: two renames from the same page never pass each other by.
TOPIC_TEXT = editing.Subject(kind="topic", model=Topic, fields=("name",))


def create_topic(actor: User, name: str, *, now: datetime) -> Topic:
    _require_secretariat(actor)
    topic = Topic(name=_topic_name(name), revision=0)
    db.session.add(topic)
    audit.record(actor, "topic_create", subject=topic.name, now=now)
    db.session.flush()
    editing.record(TOPIC_TEXT, topic.id, 0, {"name": topic.name}, actor.id, now)
    return topic


def rename_topic(
    actor: User, topic: Topic, name: str, *, now: datetime, base_revision: int | None = None
) -> None:
    """Rename as the page showed it at `base_revision` (None: as it is now); if someone
    renamed it since, `editing.Conflict` and nothing changes."""
    _require_secretariat(actor)
    old = topic.name
    saved = editing.save(
        TOPIC_TEXT,
        topic.id,
        topic.revision if base_revision is None else base_revision,
        {"name": _topic_name(name, except_id=topic.id)},
        author_id=actor.id,
        now=now,
    )
    if not saved.ok:
        raise editing.Conflict(saved)
    db.session.refresh(topic)
    if topic.name != old:
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
    actor: User, parsed: member_register.ParsedRegister, *, now: datetime
) -> member_register.ImportReport:
    _require_secretariat(actor)
    report = member_register.import_members(parsed.rows, now=now)
    audit.record(
        actor,
        "import",
        subject=f"{len(report.created)} new, {len(report.updated)} existing",
        now=now,
    )
    return report
