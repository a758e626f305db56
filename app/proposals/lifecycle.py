"""Every rule of a proposal's lifecycle, as data and one check function.

Standard library only, and `now` is always passed in, so the rules can be tested as a
table and the same table decides what the server allows and which buttons a page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# The refusals this module raises (standard library only, as this module).
from app.core.refusals import (  # noqa: F401 (lifecycle's names for them: lc.NotAllowed)
    ConditionNotMet,
    Invalid,
    NotAllowed,
    ReasonRequired,
    Refusal,
    TooMany,
    WrongState,
)

DRAFT = "draft"
SUBMITTED = "submitted"
HEARING = "hearing"
REVISION = "revision"
SUPPORT = "support"
CATALOGUE = "catalogue"
WITHDRAWN = "withdrawn"
REJECTED = "rejected"
LAPSED = "lapsed"
RETIRED = "retired"

STATES = (
    DRAFT,
    SUBMITTED,
    HEARING,
    REVISION,
    SUPPORT,
    CATALOGUE,
    WITHDRAWN,
    REJECTED,
    LAPSED,
    RETIRED,
)

# Seen only by proposers, invited members and the secretariat.
PRIVATE_STATES = frozenset({DRAFT, SUBMITTED})
# States a proposal can be public in. One is public in them once it has been heard: a
# proposal withdrawn before its hearing (from draft or submitted) stays private (`is_public`).
PUBLIC_STATES = frozenset(STATES) - PRIVATE_STATES
# Proposers change the content only here.
EDITABLE_STATES = frozenset({DRAFT, REVISION})
# Co-proposers can be invited while the text can still change.
INVITING_STATES = EDITABLE_STATES
# People discuss the proposal here; other public states are read-only.
COMMENTABLE_STATES = frozenset({HEARING, REVISION, SUPPORT, CATALOGUE})
# Where nothing more happens.
TERMINAL_STATES = frozenset({WITHDRAWN, REJECTED, RETIRED})

# Who acts. A person can act in several capacities at once (a proposer on the secretariat).
PROPOSER = "proposer"
SECRETARIAT = "secretariat"
SYSTEM = "system"


@dataclass(frozen=True)
class Rule:
    """One row of the transition table."""

    source: str
    target: str
    actors: frozenset[str]
    reason_required: bool = False


def _rule(source: str, target: str, *actors: str, reason_required: bool = False) -> Rule:
    return Rule(source, target, frozenset(actors), reason_required)


TRANSITIONS: dict[tuple[str, str], Rule] = {
    (rule.source, rule.target): rule
    for rule in [
        _rule(DRAFT, SUBMITTED, PROPOSER),
        _rule(SUBMITTED, DRAFT, SECRETARIAT, reason_required=True),
        _rule(SUBMITTED, HEARING, SECRETARIAT),
        _rule(SUBMITTED, REJECTED, SECRETARIAT, reason_required=True),
        _rule(HEARING, REVISION, SYSTEM, SECRETARIAT),
        _rule(REVISION, SUPPORT, PROPOSER),
        _rule(SUPPORT, CATALOGUE, SYSTEM),
        _rule(SUPPORT, LAPSED, SYSTEM),
        _rule(LAPSED, REVISION, SECRETARIAT, reason_required=True),
        _rule(CATALOGUE, RETIRED, SECRETARIAT, reason_required=True),
        *(
            _rule(state, WITHDRAWN, PROPOSER, SECRETARIAT)
            for state in (DRAFT, SUBMITTED, HEARING, REVISION, SUPPORT)
        ),
    ]
}


@dataclass(frozen=True)
class Policy:
    """The organisation's settings that the rules depend on."""

    min_proposers: int = 1
    hearing_window: timedelta = timedelta(days=14)
    support_window: timedelta = timedelta(days=30)
    support_threshold: int = 50


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one proposal."""

    state: str
    accepted_proposers: int = 1
    content_complete: bool = True
    hearing_ends_at: datetime | None = None
    support_deadline: datetime | None = None
    support_count: int = 0
    support_threshold: int | None = None
    # The numbers of the amendments still undecided (known in revision, where it matters).
    undecided_amendments: tuple[int, ...] = ()


def rule_for(source: str, target: str) -> Rule | None:
    return TRANSITIONS.get((source, target))


def check(
    facts: Facts,
    target: str,
    actors: frozenset[str] | set[str],
    now: datetime,
    policy: Policy,
    reason: str = "",
    *,
    ends_at: datetime | None = None,
) -> Rule:
    """Return the rule that lets `actors` move the proposal to `target` now, or raise.

    Raises WrongState when no such transition exists from the current state,
    NotAllowed when none of the actors may take it, ReasonRequired when a reason is
    missing, and ConditionNotMet when the table's condition does not hold.
    """
    rule = rule_for(facts.state, target)
    if rule is None:
        raise WrongState("no_transition", source=facts.state, target=target)
    if not rule.actors & set(actors):
        raise NotAllowed("wrong_actor", source=facts.state, target=target)
    if rule.reason_required and not (reason or "").strip():
        raise ReasonRequired("reason_required", target=target)
    _check_condition(rule, facts, set(actors), now, policy, ends_at)
    return rule


def _check_condition(rule, facts, actors, now, policy, ends_at) -> None:
    key = (rule.source, rule.target)
    if key == (DRAFT, SUBMITTED):
        if not facts.content_complete:
            raise ConditionNotMet("content_incomplete")
        if facts.accepted_proposers < policy.min_proposers:
            raise ConditionNotMet(
                "too_few_proposers", have=facts.accepted_proposers, need=policy.min_proposers
            )
    elif key == (SUBMITTED, HEARING):
        if ends_at is not None and ends_at <= now:
            raise ConditionNotMet("hearing_end_in_past")
    elif key == (REVISION, SUPPORT):
        if facts.undecided_amendments:
            raise ConditionNotMet(
                "amendments_undecided",
                numbers=", ".join(str(n) for n in facts.undecided_amendments),
            )
    elif key == (HEARING, REVISION):
        # The secretariat may end a hearing early; the system only when its time is up.
        if SECRETARIAT not in actors and not _passed(facts.hearing_ends_at, now):
            raise ConditionNotMet("hearing_not_ended")
    elif key == (SUPPORT, CATALOGUE):
        if _passed(facts.support_deadline, now):
            raise ConditionNotMet("deadline_passed")
        if not _reached(facts):
            raise ConditionNotMet("threshold_not_reached")
    elif key == (SUPPORT, LAPSED):
        if not _passed(facts.support_deadline, now):
            raise ConditionNotMet("deadline_not_passed")
        if _reached(facts):
            raise ConditionNotMet("threshold_reached")


def _reached(facts: Facts) -> bool:
    return facts.support_threshold is not None and facts.support_count >= facts.support_threshold


def _passed(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment <= now


def allowed(
    facts: Facts, actors: frozenset[str] | set[str], now: datetime, policy: Policy
) -> list[Rule]:
    """The transitions these actors can take by hand now (reasons aside): the buttons."""
    result = []
    for (source, _target), rule in TRANSITIONS.items():
        if source != facts.state or rule.actors == {SYSTEM}:
            continue
        try:
            check(facts, rule.target, actors, now, policy, reason="given")
        except Refusal:
            continue
        result.append(rule)
    return result


def due(facts: Facts, now: datetime) -> str | None:
    """The timed transition that is due now, if any: the target state."""
    if facts.state == HEARING and _passed(facts.hearing_ends_at, now):
        return REVISION
    if facts.state == SUPPORT and _passed(facts.support_deadline, now) and not _reached(facts):
        return LAPSED
    return None


def hearing_end(now: datetime, policy: Policy, ends_at: datetime | None = None) -> datetime:
    return ends_at if ends_at is not None else now + policy.hearing_window


def support_deadline(now: datetime, policy: Policy) -> datetime:
    return now + policy.support_window


def is_public(state: str, *, heard: bool) -> bool:
    """Whether everyone may see a proposal in `state`; `heard`: it has been in hearing (the
    only way into the public states but a rejection). Withdrawing a draft or a submitted
    proposal publishes nothing its proposers never made public."""
    return state in PUBLIC_STATES and (state != WITHDRAWN or heard)


def may_see(
    state: str, *, heard: bool, is_proposer: bool, is_invited: bool, is_secretariat: bool
) -> bool:
    return is_public(state, heard=heard) or is_proposer or is_invited or is_secretariat


def may_edit(state: str, *, is_proposer: bool) -> bool:
    return is_proposer and state in EDITABLE_STATES


def may_invite(state: str, *, is_proposer: bool) -> bool:
    return is_proposer and state in INVITING_STATES


# --- against floods: drafts and invitations one person starts in a day ---------------------

# A day is the last 24 hours. Twenty drafts is more than anyone writes; thirty invitations
# fill a proposer list three times. Someone who declined is not asked again for a month.
DAY = timedelta(days=1)
DRAFTS_PER_DAY = 20
INVITATIONS_PER_DAY = 30
REINVITE_AFTER = timedelta(days=30)


def check_new_draft(drafts_in_a_day: int) -> None:
    """`drafts_in_a_day`: the proposals the person started in the last DAY."""
    if drafts_in_a_day >= DRAFTS_PER_DAY:
        raise TooMany("too_many_drafts", limit=DRAFTS_PER_DAY)


def check_invitation(
    invitations_in_a_day: int, declined_at: datetime | None, now: datetime, *, invitee: str
) -> None:
    """`invitations_in_a_day`: those the inviter sent in the last DAY; `declined_at`: when
    the invitee (`invitee`, their name) last declined an invitation to this proposal."""
    if invitations_in_a_day >= INVITATIONS_PER_DAY:
        raise TooMany("too_many_invitations", limit=INVITATIONS_PER_DAY)
    if declined_at is not None and now < declined_at + REINVITE_AFTER:
        raise ConditionNotMet("declined_recently", name=invitee, again=declined_at + REINVITE_AFTER)


# --- the hearing memo: the proposers' answers to the hearing responses ------------------

# Where a proposal that had a hearing shows its memo to everyone: the hearing is over.
MEMO_STATES = frozenset({REVISION, SUPPORT, CATALOGUE, LAPSED, RETIRED, WITHDRAWN})
# The proposers answer while they develop the text in the light of the hearing.
ANSWERING_STATES = frozenset({REVISION})
VERDICTS = ("adopted", "partly", "not_adopted", "noted")


def may_see_memo(state: str, *, had_hearing: bool, is_proposer: bool, is_secretariat: bool) -> bool:
    """The memo is public once the hearing is over; while it runs, its proposers and the
    secretariat can follow the responses coming in. A proposal never heard has none."""
    if not had_hearing:
        return False
    return state in MEMO_STATES or (state == HEARING and (is_proposer or is_secretariat))


def may_answer(state: str, *, is_proposer: bool) -> bool:
    return is_proposer and state in ANSWERING_STATES


def check_answer(state: str, *, is_proposer: bool, is_hearing_response: bool) -> None:
    """Proposers answer each hearing response (a top-level comment written in the hearing)
    while the proposal is in revision; answering again replaces the answer."""
    if not is_proposer:
        raise NotAllowed("not_a_proposer")
    if state not in ANSWERING_STATES:
        raise WrongState("answers_in_revision", source=state)
    if not is_hearing_response:
        raise WrongState("not_a_hearing_response")


def check_verdict(verdict: str) -> None:
    if verdict not in VERDICTS:
        raise Invalid("unknown_verdict")


# --- participation: who may comment, like, support and state a stance, and when ---------

STANCES = ("for", "against", "abstain")
# Likes need a proposal that is public and still alive.
LIKEABLE_STATES = PUBLIC_STATES - TERMINAL_STATES


def check_comment(state: str, *, logged_in: bool) -> None:
    """Anyone with an account comments (and replies, and likes comments) while the
    proposal is discussed; terminal and lapsed proposals are read-only."""
    if not logged_in:
        raise NotAllowed("login_required")
    if state not in COMMENTABLE_STATES:
        raise WrongState("not_commentable", source=state)


def check_like(state: str, *, logged_in: bool) -> None:
    if not logged_in:
        raise NotAllowed("login_required")
    if state not in LIKEABLE_STATES:
        raise WrongState("not_likeable", source=state)


def check_support(facts: Facts, now: datetime, *, is_member: bool, is_proposer: bool) -> None:
    """Members back a proposal seeking support before its deadline, but not their own."""
    if not is_member:
        raise NotAllowed("not_a_member")
    if is_proposer:
        raise NotAllowed("own_proposal")
    if facts.state == CATALOGUE:
        raise WrongState("support_reached")
    if facts.state != SUPPORT:
        raise WrongState("not_seeking_support", source=facts.state)
    if _passed(facts.support_deadline, now):
        raise WrongState("deadline_passed")
    if _reached(facts):
        raise WrongState("support_reached")


def check_unsupport(facts: Facts, now: datetime) -> None:
    """A support can be withdrawn while the proposal still seeks support."""
    if facts.state != SUPPORT or _passed(facts.support_deadline, now):
        raise WrongState("support_closed")


def check_stance(state: str, stance: str, *, is_member: bool) -> None:
    """Members state for, against or abstain on catalogue proposals, and change it freely."""
    if stance not in STANCES:
        raise Invalid("unknown_stance", stance=stance)
    if not is_member:
        raise NotAllowed("not_a_member")
    if state != CATALOGUE:
        raise WrongState("not_in_catalogue", source=state)


# --- amendments: members' new wording, the proposers' decisions ------------------------

# An amendment is filed and edited while the hearing lasts, backed in hearing and revision,
# and decided by a proposer in revision; it is open until withdrawn or decided.
AMENDING_STATES = frozenset({HEARING})
BACKING_STATES = frozenset({HEARING, REVISION})
DECIDING_STATES = frozenset({REVISION})
OPEN, DECIDED = "open", "decided"
AMENDMENT_STATES = (OPEN, WITHDRAWN, DECIDED)
ADOPTED, ADOPTED_MODIFIED, NOT_ADOPTED, OBSOLETE = (
    "adopted",
    "adopted_modified",
    "not_adopted",
    "obsolete",
)
AMENDMENT_VERDICTS = (ADOPTED, ADOPTED_MODIFIED, NOT_ADOPTED, OBSOLETE)
# Verdicts that change the proposal's text, and those that must say why they do not.
ADOPTING = frozenset({ADOPTED, ADOPTED_MODIFIED})
REASONED = frozenset({NOT_ADOPTED, OBSOLETE})
# The fields of the hearing version an amendment may change.
AMENDABLE_FIELDS = ("summary", "body", "drawbacks")


def check_file_amendment(state: str, *, is_member: bool, is_proposer: bool, has_open: bool):
    """A member who is not a proposer files an amendment while the hearing lasts, one open
    amendment to a proposal at a time."""
    if not is_member:
        raise NotAllowed("not_a_member")
    if is_proposer:
        raise NotAllowed("amend_own_proposal")
    if state not in AMENDING_STATES:
        raise WrongState("amendments_in_hearing", source=state)
    if has_open:
        raise ConditionNotMet("amendment_open")


def check_amendment_changes(changed_fields) -> None:
    if not changed_fields:
        raise Invalid("amendment_unchanged")


def check_edit_amendment(state: str, amendment_state: str, *, is_author: bool) -> None:
    """Its author edits it while the hearing lasts and it is open."""
    if not is_author:
        raise NotAllowed("not_amendment_author")
    if amendment_state != OPEN:
        raise WrongState("amendment_closed")
    if state not in AMENDING_STATES:
        raise WrongState("amendments_in_hearing", source=state)


def check_withdraw_amendment(amendment_state: str, *, is_author: bool) -> None:
    """Its author withdraws it until it is decided."""
    if not is_author:
        raise NotAllowed("not_amendment_author")
    if amendment_state != OPEN:
        raise WrongState("amendment_closed")


def check_back_amendment(state: str, amendment_state: str, *, is_member: bool, is_author: bool):
    """Members other than its author back an open amendment (and take it back) in hearing
    and revision."""
    if not is_member:
        raise NotAllowed("not_a_member")
    if is_author:
        raise NotAllowed("back_own_amendment")
    if amendment_state != OPEN:
        raise WrongState("amendment_closed")
    if state not in BACKING_STATES:
        raise WrongState("backing_closed", source=state)


def check_decide(
    state: str, amendment_state: str, verdict: str, reason: str, *, is_proposer: bool
) -> None:
    """A proposer decides each open amendment while the proposal is developed after the
    hearing; a verdict that keeps the text as it is gives its reason."""
    if not is_proposer:
        raise NotAllowed("not_a_proposer")
    if verdict not in AMENDMENT_VERDICTS:
        raise Invalid("unknown_amendment_verdict")
    if amendment_state != OPEN:
        raise WrongState("amendment_closed")
    if state not in DECIDING_STATES:
        raise WrongState("decide_in_revision", source=state)
    if verdict in REASONED and not (reason or "").strip():
        raise ReasonRequired("amendment_reason_required")


def is_minority(verdict: str | None, backers: int, threshold: int) -> bool:
    """A not-adopted amendment backed by at least `threshold` members when its proposal
    moves to support goes with the proposal as a minority amendment."""
    return verdict == NOT_ADOPTED and backers >= threshold


def check_amendment_stance(state: str, stance: str, *, is_member: bool, minority: bool):
    """Members state a stance on a minority amendment as on its proposal in the catalogue."""
    check_stance(state, stance, is_member=is_member)
    if not minority:
        raise WrongState("not_minority")
