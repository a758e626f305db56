"""Notifications' share of a person's data download and of erasing an account: what they
follow and what they were told, all of it theirs alone. See app.core.personal_data."""

from __future__ import annotations

from sqlalchemy import Select, select

from app.core.personal_data import DELETE, by_id, rules, section
from app.notifications.items import item_of, item_query
from app.notifications.models import Notification, ProposalFollow, TopicFollow
from app.proposals.models import Topic
from app.proposals.privacy import on_proposal, titled


def _proposal_follows(user_id: int) -> Select:
    return on_proposal(ProposalFollow, ProposalFollow.following, ProposalFollow.created_at)(user_id)


def _topic_follows(user_id: int) -> Select:
    return (
        select(
            TopicFollow.id, TopicFollow.topic_id, Topic.name.label("topic"), TopicFollow.created_at
        )
        .join(Topic, Topic.id == TopicFollow.topic_id)
        .where(TopicFollow.user_id == user_id)
        .order_by(TopicFollow.id)
    )


def _notifications(user_id: int) -> Select:
    return (
        item_query()
        .add_columns(Notification.email.label("email"))
        .where(Notification.user_id == user_id)
        .order_by(Notification.id)
    )


def _notification(row) -> dict:
    """A notification in the words the person's list shows, and what it is made of."""
    item = item_of(row)
    return {
        "id": item.id,
        "kind": item.kind,
        "text": item.headline,
        "proposal_id": item.proposal_id,
        "comment_id": item.comment_id,
        "count": item.count,
        "email": row.email,
        "created_at": item.created_at,
        "read_at": item.read_at,
    }


section(("follows", "proposals"), _proposal_follows, by_id("proposal_follows", "user_id"), titled)
section(("follows", "topics"), _topic_follows, by_id("topic_follows", "user_id"))
section(("notifications",), _notifications, by_id("notifications", "user_id"), item=_notification)
rules(
    {
        ("proposal_follows", "user_id"): DELETE,
        ("topic_follows", "user_id"): DELETE,
        ("notifications", "user_id"): DELETE,
    }
)
