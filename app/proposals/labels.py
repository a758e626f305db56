"""Words for the lifecycle in the user's language: state names, what each stage means,
transition buttons and why a request was refused. Kept here so lifecycle.py stays free
of Flask."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.core.i18n import moment
from app.proposals import lifecycle as lc

STATE_LABELS = {
    lc.DRAFT: _l("Draft"),
    lc.SUBMITTED: _l("Submitted"),
    lc.HEARING: _l("In hearing"),
    lc.REVISION: _l("Being developed after the hearing"),
    lc.SUPPORT: _l("Seeking support"),
    lc.CATALOGUE: _l("Political catalogue (ongoing validation)"),
    lc.WITHDRAWN: _l("Withdrawn"),
    lc.REJECTED: _l("Rejected"),
    lc.LAPSED: _l("Lapsed"),
    lc.RETIRED: _l("Retired from the catalogue"),
}

CONTENT_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "body": _l("The proposal's text"),
    "drawbacks": _l("Potential drawbacks"),
    "process": _l("How the proposal was developed"),
    "materials": _l("Materials and people drawn into the process"),
    "organisations": _l("Who has been involved"),
    "topic": _l("Topic"),
    "proposers": _l("Proposers"),
}

STANCE_LABELS = {
    "for": _l("For"),
    "against": _l("Against"),
    "abstain": _l("Abstain"),
}

# What the stage means and what happens next, in plain words, for the status block.
STATE_EXPLANATIONS = {
    lc.DRAFT: _l(
        "The proposers are writing the proposal. Only they, invited members and the "
        "secretariat can see it. When it is ready, a proposer submits it."
    ),
    lc.SUBMITTED: _l(
        "The secretariat is reviewing the proposal. It will open a hearing, send "
        "it back for changes, or reject it with a reason."
    ),
    lc.HEARING: _l(
        "Everyone can read the proposal and give input until the hearing ends. "
        "Then the proposers develop it further."
    ),
    lc.REVISION: _l(
        "The hearing has ended. The proposers are developing the proposal in the "
        "light of the input; comments are still open. Then they put it forward "
        "for support."
    ),
    lc.SUPPORT: _l(
        "The proposal seeks backing from %(threshold)s members in all. If it gets "
        "that backing within the deadline, it enters the political catalogue."
    ),
    lc.CATALOGUE: _l(
        "The proposal is in the political catalogue, under ongoing validation: "
        "every member can state their position."
    ),
    lc.WITHDRAWN: _l(
        "The proposal has been withdrawn. It stays here so that its history can be read."
    ),
    lc.REJECTED: _l("The secretariat rejected the proposal. The reason is in the timeline."),
    lc.LAPSED: _l(
        "The proposal did not get enough backing before the deadline. The "
        "secretariat can reopen it."
    ),
    lc.RETIRED: _l("The proposal has left the political catalogue. The reason is in the timeline."),
}
# Withdrawn before its hearing: it was never public, and is not now.
WITHDRAWN_UNHEARD = _l(
    "The proposal was withdrawn before it was ever public, and stays private: only its "
    "proposers, those invited and the secretariat see it."
)

# The button that takes a proposal to each state.
ACTION_LABELS = {
    lc.SUBMITTED: _l("Submit to the secretariat"),
    lc.DRAFT: _l("Send back for changes"),
    lc.HEARING: _l("Open the hearing"),
    lc.REJECTED: _l("Reject"),
    lc.REVISION: _l("End the hearing"),
    lc.SUPPORT: _l("Put forward for support"),
    lc.WITHDRAWN: _l("Withdraw the proposal"),
    lc.RETIRED: _l("Retire from the catalogue"),
}
REOPEN_LABEL = _l("Reopen the proposal")

# The proposers' verdict on a hearing response, in the hearing memo.
VERDICT_LABELS = {
    "adopted": _l("Adopted"),
    "partly": _l("Partly adopted"),
    "not_adopted": _l("Not adopted"),
    "noted": _l("Noted"),
}

REFUSALS = {
    "no_transition": _l("A proposal that is “%(source)s” cannot become “%(target)s”."),
    "wrong_actor": _l("You may not move this proposal from “%(source)s” to “%(target)s”."),
    "reason_required": _l("Give a reason: it is shown on the public timeline."),
    "content_incomplete": _l("Fill in the required fields before submitting."),
    "too_few_proposers": _l(
        "The proposal needs at least %(need)s proposers who have accepted; it has %(have)s."
    ),
    "hearing_end_in_past": _l("The hearing must end in the future."),
    "hearing_not_ended": _l("The hearing has not ended yet."),
    "deadline_passed": _l("The deadline for support has passed."),
    "deadline_not_passed": _l("The deadline for support has not passed yet."),
    "threshold_not_reached": _l("The proposal has not reached its threshold."),
    "threshold_reached": _l("The proposal has reached its threshold."),
    "changed_meanwhile": _l(
        "The proposal changed while you were acting. Reload the page to see where it stands now."
    ),
    "not_editable": _l(
        "The proposal can only be edited as a draft or while it is being "
        "developed after the hearing."
    ),
    "not_a_proposer": _l("Only the proposal's proposers may do this."),
    "not_a_member": _l("Only members may do this."),
    "not_secretariat": _l("Only the secretariat may do this."),
    "invitee_not_member": _l("There is no member with the email address %(email)s."),
    "already_proposer": _l("%(name)s is already a proposer."),
    "already_invited": _l("%(name)s has already been invited."),
    "not_inviting": _l(
        "Co-proposers can only be invited while the proposal is a draft or being "
        "developed after the hearing."
    ),
    "no_invitation": _l("You have no open invitation to this proposal."),
    "too_many_drafts": _l(
        "You have started %(limit)s proposals in the last 24 hours, as many as one person may. "
        "Try again tomorrow."
    ),
    "too_many_invitations": _l(
        "You have sent %(limit)s invitations in the last 24 hours, as many as one person may. "
        "Try again tomorrow."
    ),
    "declined_recently": _l(
        "%(name)s declined an invitation to this proposal less than 30 days ago. You can "
        "invite them again from %(again)s."
    ),
    "outcomes_in_catalogue": _l("Outcomes are recorded on proposals in the political catalogue."),
    "unknown_state": _l("There is no state called %(target)s."),
    "login_required": _l("Log in to do this."),
    "not_commentable": _l(
        "A proposal that is “%(source)s” is read-only: it takes no comments or likes."
    ),
    "not_likeable": _l("A proposal that is “%(source)s” can no longer be liked."),
    "own_proposal": _l(
        "Proposers cannot support their own proposal: they are its authors already."
    ),
    "support_reached": _l(
        "The proposal has already reached its threshold and entered the "
        "political catalogue, so it takes no more support."
    ),
    "not_seeking_support": _l("A proposal that is “%(source)s” is not seeking support."),
    "support_closed": _l("Support can only be withdrawn while the proposal is seeking support."),
    "unknown_stance": _l("Choose for, against or abstain."),
    "not_in_catalogue": _l(
        "Stances are stated on proposals in the political catalogue; this one is “%(source)s”."
    ),
    "comment_length": _l("Write a comment of at most %(max)s characters."),
    "no_such_comment": _l("The comment you answer does not exist on this proposal."),
    "reply_to_reply": _l("Answer the comment at the top of the thread: replies have no replies."),
    "comment_not_shown": _l("The comment has been deleted or hidden."),
    "not_the_author": _l("Only its author can delete a comment."),
    "reason_length": _l("Write a reason of at most %(max)s characters."),
    "already_hidden": _l("The comment is already hidden."),
    "unknown_role": _l("There is no role called %(role)s."),
    "own_secretariat_role": _l(
        "You cannot take away your own secretariat role; ask another member of the secretariat."
    ),
    "last_secretariat": _l(
        "This is the last member of the secretariat: grant the role to someone else first."
    ),
    "topic_name": _l("A topic's name has 2 to 80 characters."),
    "topic_exists": _l("There is already a topic called %(name)s."),
    "no_such_user": _l("There is no such account."),
    "no_such_topic": _l("There is no such topic."),
    "not_hidden": _l("The comment is not hidden."),
    "topic_retired": _l("The topic is retired: no new proposals come on it to follow."),
    "answers_in_revision": _l(
        "Hearing responses are answered while the proposal is being developed after the "
        "hearing; this one is “%(source)s”."
    ),
    "not_a_hearing_response": _l(
        "Only hearing responses are answered: comments written at the top of the discussion "
        "during the hearing."
    ),
    "unknown_verdict": _l("Choose adopted, partly adopted, not adopted or noted."),
    "answer_length": _l("Write an answer of at most %(max)s characters."),
}


def refusal_message(refusal: lc.Refusal) -> str | None:
    """The user's-language sentence for a refusal from the lifecycle or the services; None
    for one that is not theirs (app.core.errors asks each package's words in turn)."""
    template = REFUSALS.get(refusal.key)
    if template is None:
        return None
    details = dict(refusal.details)
    for key in ("source", "target"):
        if details.get(key) in STATE_LABELS:
            details[key] = STATE_LABELS[details[key]]
    for key, value in details.items():
        if isinstance(value, datetime):
            details[key] = moment(value)
    return str(template) % details if details else str(template)


def action_label(source: str, target: str) -> str:
    if (source, target) == (lc.LAPSED, lc.REVISION):
        return str(REOPEN_LABEL)
    return str(ACTION_LABELS[target])
