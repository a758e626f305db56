"""Pages for proposals: the list, the detail page, writing, moving along, proposers,
outcomes, versions and their differences."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import editing, errors, forms
from app.core.database import utcnow
from app.core.diffing import Budget
from app.core.extensions import db
from app.core.text import whole_number
from app.core.urls import local_target, see_other
from app.proposals import chart, pages, participation, queries, reading, services
from app.proposals import diff as word_diff
from app.proposals import lifecycle as lc
from app.proposals.forms import (
    LOCAL_TIME,
    InviteForm,
    OutcomeForm,
    ProposalForm,
    TransitionForm,
)
from app.proposals.labels import (
    CONTENT_LABELS,
    STANCE_LABELS,
    STATE_EXPLANATIONS,
    STATE_LABELS,
    WITHDRAWN_UNHEARD,
    action_label,
    refusal_message,
)
from app.proposals.models import Topic
from app.proposals.similar import similar_to

bp = Blueprint("proposals", __name__)


@bp.record_once
def _labels(state) -> None:
    # Globals, not context: the macros that show badges are imported without context.
    state.app.jinja_env.globals.update(
        state_labels=STATE_LABELS,
        state_explanations=STATE_EXPLANATIONS,
        withdrawn_unheard=WITHDRAWN_UNHEARD,
        content_labels=CONTENT_LABELS,
        stance_labels=STANCE_LABELS,
    )


errors.refusal_words(refusal_message)


def form_refused(form, proposal_id: int):
    """A small form on the detail page was sent with bad input: say what, change nothing."""
    return forms.refused(form, back=url_for("proposals.detail", proposal_id=proposal_id))


def _done(proposal_id: int):
    """After an action: back to the page it was taken from (the console sends `next`), or
    to the proposal."""
    return see_other(
        local_target(request.form.get("next"))
        or url_for("proposals.detail", proposal_id=proposal_id)
    )


def _content(form: ProposalForm) -> services.Content:
    return services.Content(
        title=form.title.data,
        summary=form.summary.data,
        body=form.body.data,
        drawbacks=form.drawbacks.data or "",
        process=form.development.data or "",
        materials=form.materials.data or "",
        organisations=form.organisations.data or "",
        topic_id=form.topic_id(),
    )


# --- reading -----------------------------------------------------------------------------


@bp.get("/proposals")
def index():
    """List the proposals, filtered by state, topic and words, a page at a time."""
    try:
        filters = queries.list_filters(request.args)
    except queries.BadFilter as bad:
        abort(
            400,
            description=_("There is no state called %(state)s.", state=bad.value)
            if bad.key == "state"
            else _("Sort by relevance or by newest.")
            if bad.key == "sort"
            else _("The page number must be a whole number from 1."),
        )
    reading.all_current(utcnow())
    result = queries.list_proposals(filters, current_user)
    topics = queries.topics_for(current_user, include_retired=True)
    return render_template(
        "proposals/list.html",
        result=result,
        filters=filters,
        topics=[topic for topic, _added in topics],
        followed_topics={topic.id for topic, added in topics if added.get("followed")},
        states=[s for s in lc.STATES if s in lc.PUBLIC_STATES or current_user.is_authenticated],
        now=utcnow(),
    )


@bp.get("/proposals/<int:proposal_id>")
def detail(proposal_id: int):
    """Show a proposal: its status, text, proposers, outcomes and timeline."""
    now = utcnow()
    page = queries.load_detail(reading.load_proposal(proposal_id, current_user, now))
    proposal = page.proposal
    actors = services.capacities(current_user, proposal, proposer=page.viewer_acts_as_proposer)
    rules = lc.allowed(services.facts(proposal), actors, now, services.policy())
    viewer = current_user if current_user.is_authenticated else None
    parts = {}
    for part in pages.DETAIL_PARTS:  # the discussion (app.comments)
        parts.update(part(proposal, viewer, request.args))
    return render_template(
        "proposals/detail.html",
        **parts,
        page=page,
        proposal=proposal,
        mine=participation.viewer_state(viewer, proposal),
        chart=chart.stance_chart(participation.stance_history(proposal))
        if proposal.state in (lc.CATALOGUE, lc.RETIRED)
        else None,
        may_comment=proposal.state in lc.COMMENTABLE_STATES,
        may_like=proposal.state in lc.LIKEABLE_STATES,
        actions=[(rule, action_label(rule.source, rule.target)) for rule in rules],
        may_edit=lc.may_edit(proposal.state, is_proposer=page.viewer_acts_as_proposer),
        may_invite=lc.may_invite(proposal.state, is_proposer=page.viewer_acts_as_proposer),
        # While they write, the proposers see what others have proposed alike.
        similar=similar_to(proposal)
        if proposal.state == lc.DRAFT and page.viewer_is_proposer
        else [],
        may_answer=lc.may_answer(proposal.state, is_proposer=page.viewer_acts_as_proposer),
        may_see_memo=lc.may_see_memo(
            proposal.state,
            had_hearing=proposal.hearing_version is not None,
            is_proposer=page.viewer_is_proposer,
            is_secretariat=current_user.is_authenticated and current_user.is_secretariat,
        ),
        may_record_outcome=current_user.is_authenticated
        and current_user.is_secretariat
        and proposal.state == lc.CATALOGUE,
        hearing_default=(now + services.policy().hearing_window)
        .astimezone(LOCAL_TIME)
        .strftime("%Y-%m-%dT%H:%M"),
        today=now.astimezone(LOCAL_TIME).date(),
        now=now,
    )


@bp.get("/proposals/<int:proposal_id>/versions")
def versions(proposal_id: int):
    """List the numbered versions of a proposal."""
    page = reading.load_proposal(proposal_id, current_user, utcnow())
    return render_template(
        "proposals/versions.html",
        proposal=page.proposal,
        versions=queries.versions_of(page.proposal),
        saves=queries.saves_of(page.proposal) if page.viewer_sees_drafts else None,
    )


@bp.get("/proposals/<int:proposal_id>/saves/<int(min=0):revision>")
def saved(proposal_id: int, revision: int):
    """One save of the text as it was written, to read and copy from: the private history
    of those who may see the proposal as a draft."""
    page = reading.load_proposal(proposal_id, current_user, utcnow())
    save = queries.save_numbered(page.proposal, revision) if page.viewer_sees_drafts else None
    if save is None:
        abort(404)
    topic = db.session.get(Topic, save.values.get("topic_id") or 0)
    fields = [
        (CONTENT_LABELS[name], save.values.get(name) or "") for name in services.CONTENT_FIELDS
    ]
    return render_template(
        "proposals/saved.html",
        proposal=page.proposal,
        save=save,
        topic=topic,
        fields=fields,
        last=page.proposal.revision,
    )


@bp.get("/proposals/<int:proposal_id>/diff")
def diff(proposal_id: int):
    """Show what changed between two versions, word by word."""
    page = reading.load_proposal(proposal_id, current_user, utcnow())
    proposal = page.proposal
    numbers = [whole_number(request.args.get(name, "")) for name in ("from", "to")]
    if None in numbers:
        abort(400, description=_("Choose two versions by number, e.g. ?from=1&to=2."))
    old, new = (queries.version_numbered(proposal, n) for n in numbers)
    if old is None or new is None:
        abort(404, description=_("This proposal has no version with that number."))
    budget = Budget()  # one for the page, whatever the number of fields
    fields = [
        (CONTENT_LABELS[name], word_diff.word_diff(getattr(old, name), getattr(new, name), budget))
        for name in services.CONTENT_FIELDS
    ]
    return render_template(
        "proposals/diff.html",
        proposal=proposal,
        old=old,
        new=new,
        fields=fields,
        any_change=any(word_diff.changed(pieces) for _, pieces in fields),
    )


# --- writing -----------------------------------------------------------------------------


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def new():
    """Write a new proposal; it starts as a draft with you as its first proposer."""
    if not current_user.is_member:
        abort(403, description=_("Only members can write proposals."))
    form = ProposalForm()
    if not any(choice.value for choice in form.topic.choices):
        # A brand-new site: no topic to choose, so no form that could be sent (409 to a POST).
        page = render_template("proposals/form.html", form=None, proposal=None, no_topics=True)
        return page, 409 if request.method == "POST" else 200
    if form.validate_on_submit():
        proposal = services.create(current_user, _content(form), now=utcnow())
        db.session.commit()
        flash(_("Your draft has been saved. Invite co-proposers, then submit it."), "success")
        return see_other(url_for("proposals.detail", proposal_id=proposal.id))
    status = 422 if request.method == "POST" else 200
    return render_template("proposals/form.html", form=form, proposal=None), status


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    """Edit a proposal's content while it is a draft or being developed."""
    page = reading.load_proposal(proposal_id, current_user, utcnow())
    proposal = page.proposal
    if not page.viewer_acts_as_proposer:
        raise lc.NotAllowed("not_a_proposer")
    if not lc.may_edit(proposal.state, is_proposer=True):
        raise lc.WrongState("not_editable")
    form = ProposalForm(obj=proposal, current_topic_id=proposal.topic_id)
    if request.method == "GET":
        form.topic.data = str(proposal.topic_id)
        form.show_revision(proposal.revision)
    if form.validate_on_submit():
        base = form.based_on()
        try:
            version = services.edit(
                current_user, proposal, _content(form), base_revision=base, now=utcnow()
            )
        except editing.Conflict as conflict:
            db.session.rollback()
            return _conflict(form, proposal, conflict.saved)
        db.session.commit()
        if base is not None and proposal.revision > base + 1:
            flash(
                _(
                    "Someone else saved this proposal while you wrote: "
                    "their changes and yours are both kept."
                ),
                "info",
            )
        flash(
            _("Saved as version %(number)s.", number=version.number)
            if version
            else _("Your changes have been saved."),
            "success",
        )
        return see_other(url_for("proposals.detail", proposal_id=proposal.id))
    status = 422 if request.method == "POST" else 200
    return render_template("proposals/form.html", form=form, proposal=proposal), status


# The form's field for each part of the content (`process` is sent as such, see the form).
_FORM_FIELD = {"process": "development", "topic_id": "topic"}


def _conflict(form: ProposalForm, proposal, saved: editing.Saved):
    """409: someone saved a change to the same passage since this form was opened. Nothing
    was saved; the form holds this person's text where it conflicts and the others' changes
    everywhere else, based on the revision saved now, ready to be sent again."""
    db.session.refresh(proposal)
    for name, value in saved.to_send_again.items():
        getattr(form, _FORM_FIELD.get(name, name)).data = (
            str(value) if name == "topic_id" else value
        )
    form.show_revision(saved.revision)

    def shown(values: dict, name: str) -> str:
        if name != "topic_id":
            return values.get(name) or ""
        topic = db.session.get(Topic, values.get(name) or 0)
        return topic.name if topic else ""

    def label(name: str) -> str:
        return CONTENT_LABELS["topic" if name == "topic_id" else name]

    budget = Budget()
    their_change = [
        (
            label(name),
            word_diff.word_diff(shown(saved.base, name), shown(saved.theirs, name), budget),
        )
        for name in saved.conflicts
    ]
    also_taken = [
        label(name)
        for name in saved.theirs
        if name not in saved.conflicts and saved.base.get(name) != saved.theirs[name]
    ]
    page = render_template(
        "proposals/form.html",
        form=form,
        proposal=proposal,
        their_change=their_change,
        also_taken=also_taken,
    )
    return page, 409


@bp.post("/proposals/<int:proposal_id>/transition")
@login_required
def transition(proposal_id: int):
    """Move the proposal to another state, as the lifecycle table allows."""
    now = utcnow()
    proposal = reading.load_for_action(proposal_id, current_user, now)
    form = TransitionForm()
    if not form.validate():
        return form_refused(form, proposal_id)
    event = services.transition(
        current_user,
        proposal,
        form.to.data,
        reason=form.reason.data or "",
        ends_at=form.ends_at_moment(),
        now=now,
    )
    db.session.commit()
    flash(_("The proposal is now: %(state)s.", state=STATE_LABELS[event.to_state]), "success")
    return _done(proposal.id)


@bp.post("/proposals/<int:proposal_id>/proposers")
@login_required
def invite(proposal_id: int):
    """Invite a member to become a co-proposer."""
    now = utcnow()
    proposal = reading.load_for_action(proposal_id, current_user, now)
    form = InviteForm()
    if not form.validate():
        return form_refused(form, proposal_id)
    # The invitee is told as every notification is: in the app, and by mail as their
    # email setting says (app.notifications.rules).
    invitation = services.invite(current_user, proposal, form.email.data, now=now)
    db.session.commit()
    flash(_("%(name)s has been invited as co-proposer.", name=invitation.user.name), "success")
    return see_other(url_for("proposals.detail", proposal_id=proposal.id))


@bp.post("/proposals/<int:proposal_id>/invitation/<any(accept, decline):answer>")
@login_required
def answer(proposal_id: int, answer: str):
    """Accept or decline an invitation to be a co-proposer."""
    now = utcnow()
    proposal = reading.load_for_action(proposal_id, current_user, now)
    proposer = services.answer_invitation(
        current_user, proposal, accept=answer == "accept", now=now
    )
    db.session.commit()
    if proposer is not None:
        flash(_("You are now proposer number %(n)s.", n=proposer.position), "success")
        return see_other(url_for("proposals.detail", proposal_id=proposal.id))
    flash(_("You have declined the invitation."), "info")
    if lc.may_see(
        proposal.state,
        heard=proposal.hearing_ends_at is not None,
        is_proposer=False,
        is_invited=False,
        is_secretariat=current_user.is_secretariat,
    ):
        return see_other(url_for("proposals.detail", proposal_id=proposal.id))
    return see_other(url_for("main.index"))


@bp.post("/proposals/<int:proposal_id>/outcomes")
@login_required
def outcomes(proposal_id: int):
    """Record a dated outcome of the political treatment."""
    now = utcnow()
    proposal = reading.load_for_action(proposal_id, current_user, now)
    if not current_user.is_secretariat:
        raise lc.NotAllowed("not_secretariat")
    form = OutcomeForm()
    if not form.validate():
        return form_refused(form, proposal_id)
    services.add_outcome(current_user, proposal, on=form.date.data, text=form.text.data, now=now)
    db.session.commit()
    flash(_("The outcome has been recorded."), "success")
    return _done(proposal.id)


# --- participation -----------------------------------------------------------------------


@bp.post("/proposals/<int:proposal_id>/<any(support, unsupport):action>")
@login_required
def support(proposal_id: int, action: str):
    """Back the proposal, or take the backing back (both idempotent)."""
    now = utcnow()
    proposal = reading.load_for_action(proposal_id, current_user, now)
    if action == "support":
        result = participation.add_support(current_user, proposal, now=now)
        db.session.commit()
        if result.entered_catalogue:
            flash(
                _(
                    "Thank you. With your support the proposal reached %(n)s supporters and "
                    "has entered the political catalogue.",
                    n=proposal.support_count,
                ),
                "success",
            )
        elif result.changed:
            flash(_("Thank you for your support."), "success")
    else:
        changed = participation.withdraw_support(current_user, proposal, now=now)
        db.session.commit()
        if changed:
            flash(_("Your support has been withdrawn."), "info")
    return see_other(url_for("proposals.detail", proposal_id=proposal.id, _anchor="support"))


@bp.post("/proposals/<int:proposal_id>/stance")
@login_required
def stance(proposal_id: int):
    """State where you stand: for, against or abstain."""
    now = utcnow()
    proposal = reading.load_for_action(proposal_id, current_user, now)
    value = (request.form.get("stance") or "").strip()
    if participation.set_stance(current_user, proposal, value, now=now):
        db.session.commit()
        flash(
            _("Your stance has been recorded: %(stance)s.", stance=STANCE_LABELS[value]), "success"
        )
    return see_other(url_for("proposals.detail", proposal_id=proposal.id, _anchor="stances"))


@bp.post("/proposals/<int:proposal_id>/<any(like, unlike):action>")
@login_required
def like(proposal_id: int, action: str):
    """Like the proposal, or take the like back (both idempotent)."""
    now = utcnow()
    proposal = reading.load_for_action(proposal_id, current_user, now)
    verb = participation.like if action == "like" else participation.unlike
    verb(current_user, proposal, now=now)
    db.session.commit()
    return see_other(url_for("proposals.detail", proposal_id=proposal.id))
