"""Who may comment, like, support and state a stance, in every state: the rules as a
table, walked for each permission across all phases."""

from datetime import UTC, datetime, timedelta

import pytest

from app.proposals import lifecycle as lc
from app.proposals.lifecycle import Facts

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
COMMENTABLE = {"hearing", "revision", "support", "catalogue"}
LIKEABLE = {"hearing", "revision", "support", "catalogue", "lapsed"}


@pytest.mark.parametrize("state", lc.STATES)
def test_comment(state):
    with pytest.raises(lc.NotAllowed):
        lc.check_comment(state, logged_in=False)
    if state in COMMENTABLE:
        lc.check_comment(state, logged_in=True)
    else:
        with pytest.raises(lc.WrongState):
            lc.check_comment(state, logged_in=True)


@pytest.mark.parametrize("state", lc.STATES)
def test_like(state):
    with pytest.raises(lc.NotAllowed):
        lc.check_like(state, logged_in=False)
    if state in LIKEABLE:
        lc.check_like(state, logged_in=True)
    else:
        with pytest.raises(lc.WrongState):
            lc.check_like(state, logged_in=True)


def support_facts(state="support", *, deadline=LATER, count=0, threshold=50):
    return Facts(state, support_deadline=deadline, support_count=count, support_threshold=threshold)


@pytest.mark.parametrize("state", lc.STATES)
def test_support_only_in_the_support_state(state):
    facts = support_facts(state)
    if state == "support":
        lc.check_support(facts, NOW, is_member=True, is_proposer=False)
    else:
        with pytest.raises(lc.WrongState):
            lc.check_support(facts, NOW, is_member=True, is_proposer=False)


@pytest.mark.parametrize(
    ("is_member", "is_proposer"), [(False, False), (True, True), (False, True)]
)
def test_support_by_members_but_not_on_their_own_proposal(is_member, is_proposer):
    with pytest.raises(lc.NotAllowed) as refused:
        lc.check_support(support_facts(), NOW, is_member=is_member, is_proposer=is_proposer)
    assert refused.value.key == ("own_proposal" if is_member else "not_a_member")


def test_support_refused_at_the_deadline_even_before_any_tick():
    facts = support_facts(deadline=NOW)
    lc.check_support(facts, NOW - timedelta(microseconds=1), is_member=True, is_proposer=False)
    with pytest.raises(lc.WrongState, match="deadline_passed"):
        lc.check_support(facts, NOW, is_member=True, is_proposer=False)


def test_support_refused_once_the_threshold_is_reached():
    with pytest.raises(lc.WrongState, match="support_reached"):
        lc.check_support(support_facts("catalogue"), NOW, is_member=True, is_proposer=False)
    with pytest.raises(lc.WrongState, match="support_reached"):
        lc.check_support(support_facts(count=50), NOW, is_member=True, is_proposer=False)


@pytest.mark.parametrize("state", lc.STATES)
def test_unsupport_only_while_seeking_support(state):
    if state == "support":
        lc.check_unsupport(support_facts(state), NOW)
        with pytest.raises(lc.WrongState):
            lc.check_unsupport(support_facts(state, deadline=NOW), NOW)
    else:
        with pytest.raises(lc.WrongState):
            lc.check_unsupport(support_facts(state), NOW)


@pytest.mark.parametrize("state", lc.STATES)
@pytest.mark.parametrize("stance", ["for", "against", "abstain"])
def test_stance_only_in_the_catalogue_by_members(state, stance):
    if state == "catalogue":
        lc.check_stance(state, stance, is_member=True)
    else:
        with pytest.raises(lc.WrongState):
            lc.check_stance(state, stance, is_member=True)
    with pytest.raises(lc.NotAllowed):
        lc.check_stance("catalogue", stance, is_member=False)


@pytest.mark.parametrize("stance", ["", "yes", "FOR", "for ", None])
def test_unknown_stances(stance):
    with pytest.raises(lc.Invalid):
        lc.check_stance("catalogue", stance, is_member=True)
