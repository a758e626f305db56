"""Amendments' share of a person's data download and of erasing an account: the amendments
they wrote (which stay, as the record of a decision, under "Deleted user"), those they
backed and their stances on minority amendments (which stay as counts, linked to no one),
and the decisions they made as a proposer. See app.core.personal_data."""

from __future__ import annotations

from sqlalchemy import Select, select

from app.amendments.models import Amendment, AmendmentBacking, AmendmentStance
from app.core.personal_data import NULL, by_id, own, rules, section


def _amendments(user_id: int) -> Select:
    return (
        select(
            Amendment.id,
            Amendment.proposal_id,
            Amendment.number,
            Amendment.version,
            Amendment.changed.label("fields"),
            Amendment.summary,
            Amendment.body,
            Amendment.drawbacks,
            Amendment.justification,
            Amendment.state,
            Amendment.verdict,
            Amendment.reason,
            Amendment.created_at,
            Amendment.decided_at,
        )
        .where(Amendment.author_id == user_id)
        .order_by(Amendment.id)
    )


def _decisions(user_id: int) -> Select:
    return own(
        Amendment,
        "decided_by_id",
        Amendment.proposal_id,
        Amendment.number,
        Amendment.verdict,
        Amendment.reason,
        Amendment.decided_at,
    )(user_id)


def _backing(user_id: int) -> Select:
    return own(
        AmendmentBacking, "user_id", AmendmentBacking.amendment_id, AmendmentBacking.created_at
    )(user_id)


def _stances(user_id: int) -> Select:
    return own(
        AmendmentStance,
        "user_id",
        AmendmentStance.amendment_id,
        AmendmentStance.value,
        AmendmentStance.updated_at,
    )(user_id)


section(("amendments",), _amendments, by_id("amendments", "author_id"))
section(("amendment_decisions",), _decisions, by_id("amendments", "decided_by_id"))
section(("amendment_backing",), _backing, by_id("amendment_backings", "user_id"))
section(("amendment_stances",), _stances, by_id("amendment_stances", "user_id"))
rules(
    {
        ("amendments", "author_id"): NULL,
        ("amendments", "decided_by_id"): NULL,
        # Backing and stances stay as counts on the amendment, linked to no one.
        ("amendment_backings", "user_id"): NULL,
        ("amendment_stances", "user_id"): NULL,
    }
)
