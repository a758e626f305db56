"""Following proposals and topics by choice. Each verb is one statement that the unique
(thing, person) row decides, so pressing the button twice, or from two tabs at the same
instant, leaves one row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select

from app.accounts.models import User
from app.core.extensions import db
from app.core.sql import insert_if_absent, upsert
from app.notifications import audiences
from app.notifications.models import ProposalFollow, TopicFollow
from app.proposals import pages
from app.proposals.models import Proposal, Topic


def set_following(user: User, proposal: Proposal, following: bool, *, now: datetime) -> None:
    """Follow the proposal, or stop following it, whatever taking part in it would say."""
    upsert(
        ProposalFollow,
        ["proposal_id", "user_id"],
        proposal_id=proposal.id,
        user_id=user.id,
        following=following,
        created_at=now,
    )


def follow_topic(user: User, topic: Topic, *, now: datetime) -> bool:
    return insert_if_absent(TopicFollow, topic_id=topic.id, user_id=user.id, created_at=now)


def unfollow_topic(user: User, topic: Topic) -> bool:
    return bool(
        db.session.execute(
            delete(TopicFollow).where(
                TopicFollow.topic_id == topic.id, TopicFollow.user_id == user.id
            )
        ).rowcount
    )


def topics_with_follows(user, *, include_retired: bool = False) -> list[tuple[Topic, bool]]:
    """The topics, each with whether `user` follows it: one query."""
    query = select(Topic).order_by(Topic.name)
    if not include_retired:
        query = query.where(Topic.retired.is_(False))
    if user is None or not user.is_authenticated:
        return [(topic, False) for topic in db.session.scalars(query)]
    followed = exists().where(TopicFollow.topic_id == Topic.id, TopicFollow.user_id == user.id)
    return [(row[0], bool(row[1])) for row in db.session.execute(query.add_columns(followed))]


# What the proposals' pages show of following: on a proposal, whether the viewer follows it;
# in the list's topic filter, which topics they follow (app.proposals.pages).
pages.viewer_column("following")(audiences.following)


@pages.topic_column("followed")
def _followed(user_id: int):
    return exists().where(TopicFollow.topic_id == Topic.id, TopicFollow.user_id == user_id)
