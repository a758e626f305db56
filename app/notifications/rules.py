"""Who is told of what: the table of PRODUCT.md ("What is told to whom"), as data.

Each event kind lists whom it tells, in order; a person in two audiences is told once, by
the first. A new event is one row here, one label in `labels`, and a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.core import outbox

# Audiences, each a SQL select in `audiences`:
INVITEE = "invitee"  # the person the event names (Event.subject_id)
COMMENT_AUTHOR = "comment_author"  # the author of the event's comment
PARENT_AUTHOR = "parent_author"  # the author of the comment the event's comment replies to
PROPOSERS = "proposers"
FOLLOWERS = "followers"  # by choice, or by taking part (audiences.followers)
SUPPORTERS = "supporters"
STANCE_HOLDERS = "stance_holders"
COMMENTERS = "commenters"
TOPIC_FOLLOWERS = "topic_followers"
EVERY_HEARING = "every_hearing"  # who chose "every new hearing"
EVERY_SUPPORT = "every_support"  # members who chose "every proposal seeking support"
SECRETARIAT = "secretariat"
AMENDMENT_AUTHOR = "amendment_author"  # who filed the amendment the event names
AMENDMENT_BACKERS = "amendment_backers"  # who back it

# How the notification is mailed:
BY_SETTING = "by_setting"  # as the person's email setting says
DIGEST_ONLY = "digest_only"  # only ever in the daily (or weekly) digest


@dataclass(frozen=True)
class Tell:
    """Tell `audience` with a notification of `kind`."""

    audience: str
    kind: str
    mail: str = BY_SETTING
    # Comments to proposers: at most one notification per proposal in this window, which
    # counts the comments that came in it.
    batch: timedelta | None = None


HOUR = timedelta(hours=1)

RULES: dict[str, tuple[Tell, ...]] = {
    "invited": (Tell(INVITEE, "invited"),),
    "sent_back": (Tell(PROPOSERS, "sent_back"),),
    "rejected": (Tell(PROPOSERS, "rejected"),),
    "hearing_opened": (
        Tell(TOPIC_FOLLOWERS, "hearing_opened"),
        Tell(EVERY_HEARING, "hearing_opened"),
    ),
    "comment": (
        Tell(PARENT_AUTHOR, "reply"),
        Tell(PROPOSERS, "comment", batch=HOUR),
    ),
    "comment_hidden": (Tell(COMMENT_AUTHOR, "comment_hidden"),),
    "answered": (Tell(COMMENT_AUTHOR, "answered"),),
    # Amendments: a new one to the proposers, batched as comments; a decision to its author
    # and its backers. (Minority amendments are named in the support mail.)
    "amendment": (Tell(PROPOSERS, "amendment", batch=HOUR),),
    "amendment_decided": (
        Tell(AMENDMENT_AUTHOR, "amendment_decided"),
        Tell(AMENDMENT_BACKERS, "amendment_decided"),
    ),
    "hearing_ended": (Tell(PROPOSERS, "hearing_ended"),),
    "support_started": (
        Tell(COMMENTERS, "changed_since_comment"),
        Tell(FOLLOWERS, "support_started"),
        Tell(EVERY_SUPPORT, "support_started"),
    ),
    "deadline_near": (
        Tell(PROPOSERS, "deadline_near"),
        Tell(FOLLOWERS, "deadline_near"),
    ),
    "entered_catalogue": (
        Tell(PROPOSERS, "entered_catalogue"),
        Tell(SUPPORTERS, "entered_catalogue"),
        Tell(FOLLOWERS, "entered_catalogue"),
    ),
    "lapsed": (
        Tell(PROPOSERS, "lapsed"),
        Tell(SUPPORTERS, "lapsed"),
        Tell(FOLLOWERS, "lapsed"),
    ),
    "outcome": (
        Tell(PROPOSERS, "outcome"),
        Tell(SUPPORTERS, "outcome"),
        Tell(FOLLOWERS, "outcome"),
        Tell(STANCE_HOLDERS, "outcome"),
    ),
    "retired": (
        Tell(PROPOSERS, "retired"),
        Tell(SUPPORTERS, "retired"),
        Tell(FOLLOWERS, "retired"),
        Tell(STANCE_HOLDERS, "retired"),
    ),
    "submitted": (Tell(SECRETARIAT, "submitted", mail=DIGEST_ONLY),),
    "flagged": (Tell(SECRETARIAT, "flagged", mail=DIGEST_ONLY),),
}

# The lifecycle's steps that are events, by (from, to); the rest tell nobody.
TRANSITION_EVENTS: dict[tuple[str, str], str] = {
    ("draft", "submitted"): "submitted",
    ("submitted", "draft"): "sent_back",
    ("submitted", "rejected"): "rejected",
    ("submitted", "hearing"): "hearing_opened",
    ("hearing", "revision"): "hearing_ended",
    ("revision", "support"): "support_started",
    ("support", "catalogue"): "entered_catalogue",
    ("support", "lapsed"): "lapsed",
    ("catalogue", "retired"): "retired",
}

# How long before the support deadline a proposal still short of its threshold reminds
# its proposers and followers.
DEADLINE_REMINDER = timedelta(days=3)

NOTIFICATION_KINDS = sorted({tell.kind for tells in RULES.values() for tell in tells})

# The outbox takes the events this table names, and knows which steps are events.
outbox.KINDS.update(RULES)
outbox.TRANSITION_KINDS.update(TRANSITION_EVENTS)
