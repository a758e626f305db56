"""The lifecycle table, walked cell by cell: every (from, to, actor) combination.

The expected table is written out here from PRODUCT.md on purpose, not read from the
module under test.
"""

from datetime import UTC, datetime, timedelta

import pytest

from app.proposals import lifecycle as lc
from app.proposals.lifecycle import Facts, Policy

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
POLICY = Policy(min_proposers=2, support_threshold=50)
P, S, Y = "proposer", "secretariat", "system"

# (from, to): (who may, reason required)
EXPECTED = {
    ("draft", "submitted"): ({P}, False),
    ("submitted", "draft"): ({S}, True),
    ("submitted", "hearing"): ({S}, False),
    ("submitted", "rejected"): ({S}, True),
    ("hearing", "revision"): ({Y, S}, False),
    ("revision", "support"): ({P}, False),
    ("support", "catalogue"): ({Y}, False),
    ("support", "lapsed"): ({Y}, False),
    ("lapsed", "revision"): ({S}, True),
    ("catalogue", "retired"): ({S}, True),
    ("draft", "withdrawn"): ({P, S}, False),
    ("submitted", "withdrawn"): ({P, S}, False),
    ("hearing", "withdrawn"): ({P, S}, False),
    ("revision", "withdrawn"): ({P, S}, False),
    ("support", "withdrawn"): ({P, S}, False),
}
ACTORS = [P, S, Y]


def favourable(source: str, target: str) -> Facts:
    """Facts under which the table's condition for source → target holds."""
    past, future = NOW - timedelta(seconds=1), NOW + timedelta(days=1)
    if (source, target) == ("support", "lapsed"):
        return Facts(source, support_deadline=past, support_count=10, support_threshold=50)
    return Facts(
        source,
        accepted_proposers=2,
        content_complete=True,
        hearing_ends_at=past,
        support_deadline=future,
        support_count=50,
        support_threshold=50,
    )


CELLS = [(s, t, a) for s in lc.STATES for t in lc.STATES for a in ACTORS]


@pytest.mark.parametrize(("source", "target", "actor"), CELLS)
def test_every_cell_of_the_table(source, target, actor):
    expected = EXPECTED.get((source, target))
    facts = favourable(source, target)
    if expected is None:
        with pytest.raises(lc.WrongState):
            lc.check(facts, target, {actor}, NOW, POLICY, reason="because")
    elif actor not in expected[0]:
        with pytest.raises(lc.NotAllowed):
            lc.check(facts, target, {actor}, NOW, POLICY, reason="because")
    else:
        rule = lc.check(facts, target, {actor}, NOW, POLICY, reason="because")
        assert (rule.source, rule.target) == (source, target)


def test_the_module_table_has_exactly_the_expected_rows():
    assert {key: (set(r.actors), r.reason_required) for key, r in lc.TRANSITIONS.items()} == {
        key: (who, reason) for key, (who, reason) in EXPECTED.items()
    }


@pytest.mark.parametrize(("source", "target"), [k for k, v in EXPECTED.items() if v[1]])
@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reason_required(source, target, reason):
    actor = next(iter(EXPECTED[(source, target)][0]))
    with pytest.raises(lc.ReasonRequired):
        lc.check(favourable(source, target), target, {actor}, NOW, POLICY, reason=reason)


@pytest.mark.parametrize(("source", "target"), [k for k, v in EXPECTED.items() if not v[1]])
def test_reason_optional(source, target):
    actor = next(iter(EXPECTED[(source, target)][0]))
    lc.check(favourable(source, target), target, {actor}, NOW, POLICY, reason="")


def test_submit_needs_min_proposers_and_complete_content():
    with pytest.raises(lc.ConditionNotMet) as refused:
        lc.check(Facts("draft", accepted_proposers=1), "submitted", {P}, NOW, POLICY)
    assert refused.value.key == "too_few_proposers"
    assert refused.value.details == {"have": 1, "need": 2}
    with pytest.raises(lc.ConditionNotMet, match="content_incomplete"):
        lc.check(
            Facts("draft", accepted_proposers=2, content_complete=False),
            "submitted",
            {P},
            NOW,
            POLICY,
        )
    lc.check(Facts("draft", accepted_proposers=2), "submitted", {P}, NOW, POLICY)


def test_hearing_end_must_be_in_the_future():
    with pytest.raises(lc.ConditionNotMet, match="hearing_end_in_past"):
        lc.check(Facts("submitted"), "hearing", {S}, NOW, POLICY, ends_at=NOW)
    lc.check(Facts("submitted"), "hearing", {S}, NOW, POLICY, ends_at=NOW + timedelta(hours=1))
    assert lc.hearing_end(NOW, POLICY) == NOW + timedelta(days=14)
    assert lc.hearing_end(NOW, POLICY, NOW + timedelta(hours=2)) == NOW + timedelta(hours=2)


def test_system_ends_the_hearing_only_when_its_time_is_up_but_the_secretariat_may_early():
    running = Facts("hearing", hearing_ends_at=NOW + timedelta(minutes=1))
    with pytest.raises(lc.ConditionNotMet, match="hearing_not_ended"):
        lc.check(running, "revision", {Y}, NOW, POLICY)
    lc.check(running, "revision", {S}, NOW, POLICY)
    lc.check(running, "revision", {Y}, NOW + timedelta(minutes=1), POLICY)


def test_catalogue_only_at_threshold_before_the_deadline():
    deadline = NOW + timedelta(days=1)
    short = Facts("support", support_deadline=deadline, support_count=49, support_threshold=50)
    full = Facts("support", support_deadline=deadline, support_count=50, support_threshold=50)
    with pytest.raises(lc.ConditionNotMet, match="threshold_not_reached"):
        lc.check(short, "catalogue", {Y}, NOW, POLICY)
    lc.check(full, "catalogue", {Y}, NOW, POLICY)
    with pytest.raises(lc.ConditionNotMet, match="deadline_passed"):
        lc.check(full, "catalogue", {Y}, deadline, POLICY)


def test_lapse_only_after_the_deadline_below_the_threshold():
    facts = Facts("support", support_deadline=NOW, support_count=3, support_threshold=50)
    with pytest.raises(lc.ConditionNotMet, match="deadline_not_passed"):
        lc.check(facts, "lapsed", {Y}, NOW - timedelta(seconds=1), POLICY)
    lc.check(facts, "lapsed", {Y}, NOW, POLICY)
    reached = Facts("support", support_deadline=NOW, support_count=50, support_threshold=50)
    with pytest.raises(lc.ConditionNotMet, match="threshold_reached"):
        lc.check(reached, "lapsed", {Y}, NOW, POLICY)
    assert lc.due(reached, NOW) is None


@pytest.mark.parametrize(
    ("facts", "at", "expected"),
    [
        (Facts("hearing", hearing_ends_at=NOW), NOW - timedelta(seconds=1), None),
        (Facts("hearing", hearing_ends_at=NOW), NOW, "revision"),
        (Facts("support", support_deadline=NOW), NOW, "lapsed"),
        (Facts("support", support_deadline=NOW), NOW - timedelta(microseconds=1), None),
        (Facts("revision", hearing_ends_at=NOW - timedelta(days=3)), NOW, None),
        (Facts("catalogue", support_deadline=NOW - timedelta(days=3)), NOW, None),
    ],
)
def test_due(facts, at, expected):
    assert lc.due(facts, at) == expected


def test_buttons_come_from_the_same_table():
    targets = lambda facts, actors: sorted(r.target for r in lc.allowed(facts, actors, NOW, POLICY))  # noqa: E731
    submitted = Facts("submitted", accepted_proposers=2)
    assert targets(submitted, {P}) == ["withdrawn"]
    assert targets(submitted, {S}) == ["draft", "hearing", "rejected", "withdrawn"]
    assert targets(Facts("draft", accepted_proposers=1), {P}) == ["withdrawn"]
    assert targets(Facts("draft", accepted_proposers=2), {P}) == ["submitted", "withdrawn"]
    assert targets(Facts("hearing", hearing_ends_at=NOW + timedelta(days=1)), {S}) == [
        "revision",
        "withdrawn",
    ]
    assert targets(Facts("support", support_deadline=NOW + timedelta(days=1)), {S}) == ["withdrawn"]
    assert targets(Facts("catalogue"), {P}) == []
    assert targets(Facts("catalogue"), {P, S}) == ["retired"]
    assert targets(Facts("withdrawn"), {P, S}) == []


@pytest.mark.parametrize("heard", [False, True])
@pytest.mark.parametrize("state", lc.STATES)
def test_visibility(state, heard):
    # Withdrawn before its hearing (from draft or submitted), a proposal stays private.
    private = state in ("draft", "submitted") or (state == "withdrawn" and not heard)
    assert lc.is_public(state, heard=heard) is (not private)
    assert lc.may_see(
        state, heard=heard, is_proposer=False, is_invited=False, is_secretariat=False
    ) is (not private)
    assert lc.may_see(state, heard=heard, is_proposer=True, is_invited=False, is_secretariat=False)
    assert lc.may_see(state, heard=heard, is_proposer=False, is_invited=True, is_secretariat=False)
    assert lc.may_see(state, heard=heard, is_proposer=False, is_invited=False, is_secretariat=True)


@pytest.mark.parametrize("state", lc.STATES)
def test_editing_only_in_draft_and_revision_by_proposers(state):
    assert lc.may_edit(state, is_proposer=True) is (state in ("draft", "revision"))
    assert not lc.may_edit(state, is_proposer=False)
