"""Amendments' words in the user's language: verdicts, states and why a request was refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.proposals import lifecycle as lc
from app.proposals.labels import STATE_LABELS

AMENDMENT_VERDICT_LABELS = {
    lc.ADOPTED: _l("Adopted"),
    lc.ADOPTED_MODIFIED: _l("Adopted with changes"),
    lc.NOT_ADOPTED: _l("Not adopted"),
    lc.OBSOLETE: _l("Lapsed as moot"),
}
AMENDMENT_STATE_LABELS = {
    lc.OPEN: _l("Awaiting the proposers’ decision"),
    lc.WITHDRAWN: _l("Withdrawn by its author"),
    lc.DECIDED: _l("Decided"),
}

REFUSALS = {
    "amend_own_proposal": _l(
        "Proposers change their own proposal by editing it after the hearing, not by amendments."
    ),
    "amendments_in_hearing": _l(
        "Amendments are filed and changed while the proposal is in hearing; this one is "
        "“%(source)s”."
    ),
    "amendment_open": _l(
        "You already have an amendment to this proposal awaiting a decision: change that one, "
        "or withdraw it first."
    ),
    "amendment_unchanged": _l(
        "The amendment changes nothing: change the words of the summary, the text or the drawbacks."
    ),
    "not_amendment_author": _l("Only the amendment’s author may do this."),
    "amendment_closed": _l("The amendment has been withdrawn or decided already."),
    "back_own_amendment": _l("You cannot back your own amendment: you wrote it."),
    "backing_closed": _l(
        "Amendments are backed while the proposal is in hearing or being developed after it; "
        "this one is “%(source)s”."
    ),
    "decide_in_revision": _l(
        "Amendments are decided once the hearing is over, while the proposal is being "
        "developed; this one is “%(source)s”."
    ),
    "unknown_amendment_verdict": _l(
        "Choose adopted, adopted with changes, not adopted or lapsed as moot."
    ),
    "amendment_reason_required": _l(
        "Give a reason: the decision and why are shown with the amendment and in the hearing memo."
    ),
    "modified_text_required": _l(
        "Send the text as you changed it, to adopt the amendment with changes."
    ),
    "amendments_undecided": _l(
        "Decide every amendment before the proposal seeks support. Still undecided: "
        "amendment %(numbers)s."
    ),
    "not_minority": _l("Stances are stated on the minority amendments that go with a proposal."),
    "amendment_summary_length": _l("The summary needs 1 to %(max)s characters."),
    "amendment_body_length": _l(
        "The text needs at most %(max)s characters (and the proposal text at least one)."
    ),
    "justification_length": _l("Give a justification of at most %(max)s characters."),
}


def refusal_message(refusal: lc.Refusal) -> str | None:
    template = REFUSALS.get(refusal.key)
    if template is None:
        return None
    details = dict(refusal.details)
    if details.get("source") in STATE_LABELS:
        details["source"] = STATE_LABELS[details["source"]]
    return str(template) % details if details else str(template)
