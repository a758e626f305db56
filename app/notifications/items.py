"""A notification as people read it, in the list and in mail: what happened, in words of
the reader's language, and where to go to see it.

One query reads the rows, with their event, proposal and actor; the words are made here,
per kind, so the list and the mail always say the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from app.accounts.models import User, deleted_user
from app.amendments.labels import AMENDMENT_VERDICT_LABELS
from app.core.i18n import day, moment
from app.core.outbox import Event
from app.notifications.models import Notification
from app.proposals.labels import VERDICT_LABELS
from app.proposals.models import Proposal, seen_by


@dataclass
class Item:
    id: int
    kind: str
    count: int
    created_at: datetime
    read_at: datetime | None
    proposal_id: int | None
    title: str
    comment_id: int | None
    from_version: int | None
    final_version: int | None
    actor: str | None
    data: dict
    # Whether the reader may still see the proposal: if not, nothing names it.
    seen: bool = True

    @property
    def actor_name(self) -> str:
        """Who acted: "Deleted user" once their account is gone."""
        return self.actor if self.actor is not None else deleted_user()

    @property
    def unread(self) -> bool:
        return self.read_at is None

    @property
    def lost(self) -> bool:
        """About a proposal the reader can no longer see (an invitation declined, a role
        taken away): its title, its page and what happened to it are not theirs to read."""
        return self.proposal_id is not None and not self.seen

    @property
    def proposal_title(self) -> str:
        return _("a proposal you no longer have access to") if self.lost else self.title

    @property
    def target(self) -> tuple[str, dict]:
        """Where the notification leads: an endpoint and its values."""
        if self.lost:
            return "notifications.index", {}
        to_proposal = {"proposal_id": self.proposal_id}
        if self.kind == "changed_since_comment" and self.changed_since_comment:
            return "proposals.diff", {
                **to_proposal,
                "from": self.from_version,
                "to": self.final_version,
            }
        if self.kind in ("reply", "comment_hidden", "answered") or (
            self.kind == "comment" and self.count == 1
        ):
            # The comment's own address finds its page, however the discussion grows.
            return "comments.show", {"comment_id": self.comment_id}
        if self.kind == "comment":
            return "proposals.detail", {**to_proposal, "_anchor": "comments"}
        amendment_id = self.data.get("amendment_id")
        one = self.kind == "amendment_decided" or (self.kind == "amendment" and self.count == 1)
        if one and amendment_id:
            return "amendments.show", {"amendment_id": amendment_id}
        if self.kind in ("amendment", "amendment_decided"):
            return "proposals.detail", {**to_proposal, "_anchor": "amendments"}
        if self.kind == "hearing_ended":
            return "proposals.detail", {**to_proposal, "input": "hearing", "_anchor": "comments"}
        if self.kind == "outcome":
            return "proposals.detail", {**to_proposal, "_anchor": "outcomes-title"}
        if self.kind in ("support_started", "deadline_near"):
            return "proposals.detail", {**to_proposal, "_anchor": "support"}
        if self.kind == "flagged":
            return "secretariat.dashboard", {"_anchor": "flagged-title"}
        return "proposals.detail", to_proposal

    @property
    def changed_since_comment(self) -> bool:
        """Whether the text changed between the version commented on and the final one."""
        return bool(
            self.from_version and self.final_version and self.from_version != self.final_version
        )

    @cached_property  # an Item is read in one language: the list's, or its mail's
    def headline(self) -> str:
        return _headline(self)

    @property
    def detail(self) -> str:
        """A line of the person's own words that came with it (a reason, an outcome)."""
        if self.kind in ("outcome", "answered"):
            return self.data.get("text", "")
        return self.data.get("reason", "")


def _when(value: str | None) -> str:
    return moment(datetime.fromisoformat(value)) if value else ""


def _headline(item: Item) -> str:  # one branch per kind, like the table
    kind, title, data = item.kind, item.title, item.data
    if item.lost:
        return _("News of a proposal you no longer have access to.")
    if kind == "invited":
        return _(
            "%(name)s invited you to co-propose “%(title)s”.", name=item.actor_name, title=title
        )
    if kind == "sent_back":
        return _("“%(title)s” was sent back to the proposers for changes.", title=title)
    if kind == "rejected":
        return _("“%(title)s” was rejected by the secretariat.", title=title)
    if kind == "hearing_opened":
        return _(
            "A hearing has opened on “%(title)s”. Give your input until %(end)s.",
            title=title,
            end=_when(data.get("hearing_ends_at")),
        )
    if kind == "comment":
        if data.get("written_in") == "hearing":
            return ngettext(
                "%(num)d new hearing response on “%(title)s”.",
                "%(num)d new hearing responses on “%(title)s”.",
                item.count,
                title=title,
            )
        return ngettext(
            "%(num)d new comment on “%(title)s”.",
            "%(num)d new comments on “%(title)s”.",
            item.count,
            title=title,
        )
    if kind == "reply":
        return _(
            "%(name)s replied to your comment on “%(title)s”.", name=item.actor_name, title=title
        )
    if kind == "comment_hidden":
        return _("The secretariat hid your comment on “%(title)s”.", title=title)
    if kind == "answered":
        verdict = VERDICT_LABELS.get(data.get("verdict", ""), "")
        return _(
            "The proposers of “%(title)s” answered your hearing response: %(verdict)s.",
            title=title,
            verdict=verdict,
        )
    if kind == "amendment":
        return ngettext(
            "%(num)d new amendment to “%(title)s”.",
            "%(num)d new amendments to “%(title)s”.",
            item.count,
            title=title,
        )
    if kind == "amendment_decided":
        return _(
            "The proposers of “%(title)s” decided amendment %(number)s: %(verdict)s.",
            title=title,
            number=data.get("number", ""),
            verdict=AMENDMENT_VERDICT_LABELS.get(data.get("verdict", ""), ""),
        )
    if kind == "hearing_ended" and not data.get("hearing_responses"):
        return _("The hearing on “%(title)s” has ended. No hearing responses came in.", title=title)
    if kind == "hearing_ended":
        return ngettext(
            "The hearing on “%(title)s” has ended: %(num)d hearing response to go through.",
            "The hearing on “%(title)s” has ended: %(num)d hearing responses to go through.",
            data.get("hearing_responses", 0),
            title=title,
        )
    if kind == "support_started":
        seeks = _(
            "“%(title)s” now seeks the backing of %(threshold)s members until %(deadline)s.",
            title=title,
            threshold=data.get("threshold"),
            deadline=_when(data.get("deadline")),
        )
        minority = data.get("minority_amendments")
        if not minority:
            return seeks
        return " ".join(
            [
                seeks,
                ngettext(
                    "%(num)d minority amendment goes with it.",
                    "%(num)d minority amendments go with it.",
                    minority,
                ),
            ]
        )
    if kind == "changed_since_comment":
        if item.changed_since_comment:
            return _(
                "“%(title)s”, which you commented on, now seeks support. See what changed "
                "since you commented (version %(old)s to %(new)s).",
                title=title,
                old=item.from_version,
                new=item.final_version,
            )
        return _(
            "“%(title)s”, which you commented on, now seeks support. Its text has not "
            "changed since you commented.",
            title=title,
        )
    if kind == "deadline_near":
        return _(
            "“%(title)s” has %(count)s of the %(threshold)s supporters it needs, and its "
            "deadline is %(deadline)s.",
            title=title,
            count=data.get("count"),
            threshold=data.get("threshold"),
            deadline=_when(data.get("deadline")),
        )
    if kind == "entered_catalogue":
        return _(
            "“%(title)s” got the backing it needed and entered the political catalogue.",
            title=title,
        )
    if kind == "lapsed":
        return _(
            "“%(title)s” did not get the backing it needed before its deadline and has lapsed.",
            title=title,
        )
    if kind == "outcome":
        on = data.get("date")
        return _(
            "An outcome was recorded for “%(title)s” (%(date)s).",
            title=title,
            date=day(date.fromisoformat(on)) if on else "",
        )
    if kind == "retired":
        return _("“%(title)s” was retired from the political catalogue.", title=title)
    if kind == "submitted":
        return _("“%(title)s” was submitted and waits for the secretariat.", title=title)
    if kind == "flagged":
        return _("A comment on “%(title)s” was reported.", title=title)
    raise ValueError(f"no words for notifications of kind {kind!r}")


def item_query() -> Select:
    """The columns an Item is made of; the caller adds WHERE and ORDER."""
    actor, reader = aliased(User), aliased(User)
    return (
        select(
            Notification.id,
            Notification.kind,
            Notification.count,
            Notification.created_at,
            Notification.read_at,
            Notification.proposal_id,
            Proposal.title,
            Notification.comment_id,
            Notification.from_version,
            Proposal.final_version,
            actor.name,
            Event.data,
            Notification.mail_id,
            seen_by(Notification.user_id, reader.is_secretariat).label("seen"),
        )
        .join(Event, Event.id == Notification.event_id)
        .join(reader, reader.id == Notification.user_id)
        .outerjoin(Proposal, Proposal.id == Notification.proposal_id)
        .outerjoin(actor, actor.id == Event.actor_id)
    )


def item_of(row) -> Item:
    return Item(
        id=row.id,
        kind=row.kind,
        count=row.count,
        created_at=row.created_at,
        read_at=row.read_at,
        proposal_id=row.proposal_id,
        title=row.title or "",
        comment_id=row.comment_id,
        from_version=row.from_version,
        final_version=row.final_version,
        actor=row.name,
        data=row.data or {},
        seen=bool(row.seen),
    )
