"""What members and citizens do on a proposal: like it, support it, state a stance.

Counters on the proposal row change in the same transaction as the rows they count,
through guarded UPDATEs, so they stay equal to the rows under any concurrency, and the
step into the catalogue happens exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.core.extensions import db
from app.core.sql import bump, insert_if_absent, upsert
from app.proposals import lifecycle as lc
from app.proposals import pages, services
from app.proposals.models import Proposal, ProposalLike, Proposer, Stance, StanceDay, Support

LOCAL_TIME = ZoneInfo("Europe/Copenhagen")


def _bump(proposal: Proposal, **deltas: int) -> tuple:
    return bump(Proposal, proposal.id, proposal, **deltas)


# --- likes ---------------------------------------------------------------------------------


def like(user: User, proposal: Proposal, *, now: datetime) -> bool:
    """Like once; liking again changes nothing. True when something changed."""
    lc.check_like(proposal.state, logged_in=user.is_authenticated)
    if not insert_if_absent(ProposalLike, proposal_id=proposal.id, user_id=user.id, created_at=now):
        return False
    _bump(proposal, like_count=1)
    return True


def unlike(user: User, proposal: Proposal, *, now: datetime) -> bool:
    lc.check_like(proposal.state, logged_in=user.is_authenticated)
    deleted = db.session.execute(
        delete(ProposalLike).where(
            ProposalLike.proposal_id == proposal.id, ProposalLike.user_id == user.id
        )
    ).rowcount
    if not deleted:
        return False
    _bump(proposal, like_count=-1)
    return True


# --- support -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportResult:
    changed: bool
    entered_catalogue: bool = False


def _has_supported(user: User, proposal: Proposal) -> bool:
    found = select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    return db.session.scalar(found) is not None


def add_support(user: User, proposal: Proposal, *, now: datetime) -> SupportResult:
    """Back the proposal. The support that reaches the threshold moves it into the
    catalogue in the same transaction; every support after that is refused.

    Supporting twice changes nothing and is no error. The rules are read first; then the
    unique (proposal, member) row decides, and the counter is bumped, or the row goes.
    Whether the member is one of the proposers is asked by the guarded UPDATE itself, not
    by a query of its own: a proposer's support is refused when that UPDATE finds nothing."""

    def refuse_with_every_fact() -> None:
        lc.check_support(
            services.facts(proposal),
            now,
            is_member=user.is_member,
            is_proposer=services.is_proposer(user, proposal),
        )

    try:
        lc.check_support(services.facts(proposal), now, is_member=user.is_member, is_proposer=False)
    except lc.Refusal:
        if _has_supported(user, proposal):
            return SupportResult(changed=False)
        refuse_with_every_fact()
        raise
    if not insert_if_absent(Support, proposal_id=proposal.id, user_id=user.id, created_at=now):
        return SupportResult(changed=False)
    # The guarded UPDATE counts only while the count is below the threshold; the write
    # lock (the row on PostgreSQL, the database on SQLite) is held until commit.
    table = Proposal.__table__.c
    proposers = Proposer.__table__.c
    row = db.session.execute(
        update(Proposal.__table__)
        .where(
            table.id == proposal.id,
            table.state == lc.SUPPORT,
            table.support_deadline > now,
            table.support_count < table.support_threshold,
            ~exists().where(proposers.proposal_id == proposal.id, proposers.user_id == user.id),
        )
        .values(support_count=table.support_count + 1)
        .returning(table.support_count, table.support_threshold)
    ).first()
    if row is None:
        db.session.rollback()
        db.session.refresh(proposal)
        refuse_with_every_fact()
        raise lc.WrongState("changed_meanwhile")
    set_committed_value(proposal, "support_count", row.support_count)
    if row.support_count < row.support_threshold:
        return SupportResult(changed=True)
    lc.check(services.facts(proposal), lc.CATALOGUE, {lc.SYSTEM}, now, services.policy())
    services._move(proposal, lc.CATALOGUE, actor=None, reason="", now=now)
    return SupportResult(changed=True, entered_catalogue=True)


def withdraw_support(user: User, proposal: Proposal, *, now: datetime) -> bool:
    """Take a support back while the proposal still seeks support."""
    lc.check_unsupport(services.facts(proposal), now)
    supported = (
        select(Support.id)
        .where(Support.proposal_id == proposal.id, Support.user_id == user.id)
        .exists()
    )
    row = db.session.execute(
        update(Proposal)
        .where(
            Proposal.id == proposal.id,
            Proposal.state == lc.SUPPORT,
            Proposal.support_deadline > now,
            supported,
        )
        .values(support_count=Proposal.support_count - 1)
        .returning(Proposal.support_count)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        db.session.refresh(proposal)
        lc.check_unsupport(services.facts(proposal), now)
        return False  # there was no support to take back
    db.session.execute(
        delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    )
    set_committed_value(proposal, "support_count", row.support_count)
    return True


# --- stances -------------------------------------------------------------------------------


def set_stance(user: User, proposal: Proposal, value: str, *, now: datetime) -> bool:
    """State or change where the member stands. True when something changed."""
    lc.check_stance(proposal.state, value, is_member=user.is_member)
    if not change_stance(Stance, "proposal_id", proposal, user.id, value, now=now):
        return False
    upsert(
        StanceDay,
        ["proposal_id", "day"],
        proposal_id=proposal.id,
        day=now.astimezone(LOCAL_TIME).date(),
        stance_for=proposal.stance_for,
        stance_against=proposal.stance_against,
        stance_abstain=proposal.stance_abstain,
    )
    return True


def change_stance(stance_model, key: str, counted, user_id: int, value: str, *, now) -> bool:
    """Where one member stands on `counted` (a proposal, or a minority amendment: a row with
    stance counters), its stance a row of `stance_model` whose column `key` names it:
    stated, changed or, with an empty `value`, removed, and the counters moved in the same
    transaction, each change exactly once whoever acts at the same moment. True when
    something changed. The caller checks the rules first."""
    counted_model = type(counted)
    owner = getattr(stance_model, key)
    current = db.session.scalar(
        select(stance_model).where(owner == counted.id, stance_model.user_id == user_id)
    )
    if current is None:
        if not value or not insert_if_absent(
            stance_model, **{key: counted.id}, user_id=user_id, value=value, updated_at=now
        ):
            return False  # nothing to remove; or the same member at the same moment
        bump(counted_model, counted.id, counted, **{f"stance_{value}": 1})
        return True
    if current.value == value:
        return False
    same = (stance_model.id == current.id, stance_model.value == current.value)
    if not value:
        statement = delete(stance_model).where(*same)
    else:
        statement = (
            update(stance_model)
            .where(*same)
            .values(value=value, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    if not db.session.execute(statement).rowcount:
        return False
    moved = {f"stance_{current.value}": -1, **({f"stance_{value}": 1} if value else {})}
    bump(counted_model, counted.id, counted, **moved)
    return True


def viewer_state(user, proposal: Proposal) -> dict:
    """What this viewer has done on the proposal, and what the packages above add
    (pages.VIEWER_COLUMNS: whether they follow it), in one query."""
    added = list(pages.VIEWER_COLUMNS)
    if user is None or not user.is_authenticated:
        return {"liked": False, "supported": False, "stance": None, **dict.fromkeys(added, False)}
    liked = (
        select(ProposalLike.id)
        .where(ProposalLike.proposal_id == proposal.id, ProposalLike.user_id == user.id)
        .exists()
    )
    supported = (
        select(Support.id)
        .where(Support.proposal_id == proposal.id, Support.user_id == user.id)
        .exists()
    )
    stance = (
        select(Stance.value)
        .where(Stance.proposal_id == proposal.id, Stance.user_id == user.id)
        .scalar_subquery()
    )
    columns = [pages.VIEWER_COLUMNS[name](user.id, proposal.id) for name in added]
    row = db.session.execute(select(liked, supported, stance, *columns)).one()
    return {
        "liked": bool(row[0]),
        "supported": bool(row[1]),
        "stance": row[2],
        **{name: bool(value) for name, value in zip(added, row[3:], strict=True)},
    }


def stance_history(proposal: Proposal) -> list[StanceDay]:
    return db.session.scalars(
        select(StanceDay).where(StanceDay.proposal_id == proposal.id).order_by(StanceDay.day)
    ).all()
