"""Routes for amendments: file one on a proposal in hearing, read one, edit and withdraw it
(its author), back it and take the backing back (members), decide it (a proposer), and
state a stance on a minority amendment in the catalogue; the section on the proposal's
page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.amendments import queries, services
from app.amendments.forms import AmendmentForm, DecisionForm
from app.amendments.labels import (
    AMENDMENT_STATE_LABELS,
    AMENDMENT_VERDICT_LABELS,
    refusal_message,
)
from app.amendments.models import Amendment
from app.core import editing, errors, forms
from app.core.database import utcnow
from app.core.diffing import Budget
from app.core.extensions import db
from app.core.urls import see_other
from app.proposals import chart, pages, reading
from app.proposals import lifecycle as lc
from app.proposals import services as proposal_services
from app.proposals.diff import word_diff
from app.proposals.labels import CONTENT_LABELS, STANCE_LABELS

bp = Blueprint("amendments", __name__)
errors.refusal_words(refusal_message)


@bp.record_once
def _labels(state) -> None:
    state.app.jinja_env.globals.update(
        amendment_verdict_labels=AMENDMENT_VERDICT_LABELS,
        amendment_state_labels=AMENDMENT_STATE_LABELS,
        amendment_fields=_field_names,
    )


def _field_names(amendment: Amendment) -> str:
    """The names of the fields an amendment changes, in the reader's language."""
    return ", ".join(str(CONTENT_LABELS[name]) for name in amendment.fields)


@pages.detail_part
def _section(proposal, viewer, args) -> dict:
    """The proposal's page lists its amendments (section "Ændringsforslag")."""
    # Whether the viewer may file one: asked only where one may be filed.
    is_proposer = (
        proposal.state in lc.AMENDING_STATES
        and viewer is not None
        and viewer.is_member
        and proposal_services.is_proposer(viewer, proposal)
    )
    return {
        "amendments": queries.of_proposal(proposal, viewer, viewer_is_proposer=is_proposer),
        "viewer_proposes": is_proposer,
    }


def _at(amendment: Amendment) -> str:
    return url_for("amendments.show", amendment_id=amendment.id)


def _amendment_and_proposal(amendment_id: int, *, action: bool = False):
    """The amendment and its proposal, if the user may see the proposal; 404 otherwise."""
    amendment = queries.one(amendment_id)
    if amendment is None:
        abort(404)
    now = utcnow()
    if action:
        proposal = reading.load_for_action(amendment.proposal_id, current_user, now)
    else:
        proposal = reading.load_proposal(amendment.proposal_id, current_user, now).proposal
    errors.back_after_refusal("amendments.show", amendment_id=amendment_id)
    return amendment, proposal


def _hearing_form(proposal, form: AmendmentForm) -> None:
    for name, value in services.hearing_text(proposal).items():
        getattr(form, name).data = value


@bp.route("/proposals/<int:proposal_id>/amendments/new", methods=["GET", "POST"])
@login_required
def new(proposal_id: int):
    """File an amendment: the hearing version's words, changed, and why."""
    now = utcnow()
    proposal = reading.load_for_action(proposal_id, current_user, now)
    lc.check_file_amendment(
        proposal.state,
        is_member=current_user.is_member,
        is_proposer=proposal_services.is_proposer(current_user, proposal),
        has_open=services.has_open(current_user, proposal),
    )
    form = AmendmentForm()
    if request.method == "GET":
        _hearing_form(proposal, form)
    if form.validate_on_submit():
        amendment = services.file(
            current_user, proposal, form.text(), form.justification.data, now=now
        )
        db.session.commit()
        flash(
            _("Your amendment has been filed. The proposers decide on it after the hearing."),
            "success",
        )
        return see_other(_at(amendment))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "amendments/form.html", form=form, proposal=proposal, amendment=None
    ), status


@bp.get("/amendments/<int:amendment_id>")
def show(amendment_id: int):
    """One amendment: its diff, justification, backing and decision."""
    amendment, proposal = _amendment_and_proposal(amendment_id)
    viewer = current_user if current_user.is_authenticated else None
    backed, stance = queries.viewer_rows(amendment, viewer)
    may_decide = (
        amendment.state == lc.OPEN
        and proposal.state in lc.DECIDING_STATES
        and proposal_services.acts_as_proposer(viewer, proposal)
    )
    return render_template(
        "amendments/show.html",
        amendment=amendment,
        proposal=proposal,
        backed=backed,
        stance=stance,
        stance_labels=STANCE_LABELS,
        chart=chart.stance_chart(services.stance_history(amendment))
        if amendment.minority
        else None,
        may_decide=may_decide,
        deciding=_decision_form(amendment, proposal) if may_decide else None,
    )


def _decision_form(amendment: Amendment, proposal, form: DecisionForm | None = None):
    """The proposer's form: the text as adopting would make it (where the amendment meets
    another change, the proposal's text), to change before adopting with changes."""
    form = form or DecisionForm(formdata=None)
    merge = services.merged_text(amendment, proposal)
    text = {**{name: getattr(proposal, name) for name in lc.AMENDABLE_FIELDS}, **merge.values}
    for name, value in text.items():
        getattr(form, name).data = value
    form.show_revision(proposal.revision)
    return {"form": form, "conflicts": [_label(name) for name in merge.conflicts]}


@bp.route("/amendments/<int:amendment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(amendment_id: int):
    """Its author changes the amendment while the hearing lasts."""
    amendment, proposal = _amendment_and_proposal(amendment_id)
    lc.check_edit_amendment(
        proposal.state, amendment.state, is_author=amendment.author_id == current_user.id
    )
    form = AmendmentForm(obj=amendment)
    if request.method == "GET":
        form.show_revision(amendment.revision)
    their_change = []
    if form.validate_on_submit():
        try:
            saved = services.edit(
                current_user,
                amendment,
                proposal,
                form.text(),
                form.justification.data,
                base_revision=form.based_on(),
                now=utcnow(),
            )
        except editing.Conflict as conflict:
            db.session.rollback()
            saved = conflict.saved
            for name, value in saved.to_send_again.items():
                getattr(form, name).data = value
            form.show_revision(saved.revision)
            budget = Budget()
            their_change = [
                (_label(name), word_diff(saved.base[name], saved.theirs[name], budget))
                for name in saved.conflicts
            ]
            page = render_template(
                "amendments/form.html",
                form=form,
                proposal=proposal,
                amendment=amendment,
                their_change=their_change,
            )
            return page, 409
        db.session.commit()
        flash(_("Your amendment has been saved."), "success")
        if saved.merged:
            flash(_("It was saved from another window meanwhile: both changes are kept."), "info")
        return see_other(_at(amendment))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "amendments/form.html", form=form, proposal=proposal, amendment=amendment
    ), status


def _label(name: str) -> str:
    return str(CONTENT_LABELS.get(name) or _("Justification"))


@bp.post("/amendments/<int:amendment_id>/withdraw")
@login_required
def withdraw(amendment_id: int):
    amendment, _proposal = _amendment_and_proposal(amendment_id, action=True)
    services.withdraw(current_user, amendment, now=utcnow())
    db.session.commit()
    flash(_("Your amendment has been withdrawn."), "success")
    return see_other(_at(amendment))


@bp.post("/amendments/<int:amendment_id>/<any(back, unback):action>")
@login_required
def back(amendment_id: int, action: str):
    """Back an amendment, or take the backing back."""
    amendment, proposal = _amendment_and_proposal(amendment_id, action=True)
    verb = services.back if action == "back" else services.unback
    changed = verb(current_user, amendment, proposal, now=utcnow())
    db.session.commit()
    if changed:
        flash(
            _("You back the amendment.")
            if action == "back"
            else _("You no longer back the amendment."),
            "success",
        )
    return see_other(_at(amendment))


@bp.post("/amendments/<int:amendment_id>/decide")
@login_required
def decide(amendment_id: int):
    """A proposer decides: adopted (merged into the text), adopted with changes (the text
    as the proposer edited it), not adopted or lapsed as moot (with a reason)."""
    amendment, proposal = _amendment_and_proposal(amendment_id, action=True)
    form = DecisionForm()
    if not form.validate():
        return forms.refused(form, back=_at(amendment))
    now = utcnow()
    try:
        version = services.decide(
            current_user,
            amendment,
            proposal,
            form.verdict.data,
            form.reason.data or "",
            edited=form.edited(request.form),
            base_revision=form.based_on(),
            now=now,
        )
    except services.Collision as collision:
        db.session.rollback()
        return _collision_page(amendment, proposal, form, collision), 409
    except editing.Conflict as conflict:
        db.session.rollback()
        return _conflict_page(amendment, proposal, form, conflict.saved), 409
    db.session.commit()
    flash(
        _("The amendment is adopted: saved as version %(number)s.", number=version.number)
        if version
        else _("Your decision has been saved."),
        "success",
    )
    return see_other(_at(amendment))


def _collision_page(amendment, proposal, form: DecisionForm, collision: services.Collision):
    """409: the amendment changes a paragraph the proposers (or an earlier amendment)
    changed too. Nothing was saved: the form holds the text with the amendment merged in
    wherever it fits and the current text where it collides, to finish by hand."""
    budget = Budget()
    changes = [
        (
            _label(name),
            word_diff(collision.hearing[name], collision.current[name], budget),
            word_diff(collision.hearing[name], getattr(amendment, name), budget),
        )
        for name in collision.conflicts
    ]
    form.verdict.data = form.verdict.data or lc.ADOPTED
    return _to_finish(amendment, proposal, form, changes, collision.proposed, collision.revision)


def _conflict_page(amendment, proposal, form: DecisionForm, saved: editing.Saved):
    """409: another proposer saved the same passage while this one decided: as the text's
    own conflict page, with the proposer's text kept."""
    budget = Budget()
    changes = [
        (
            _label(name),
            word_diff(saved.base[name], saved.theirs[name], budget),
            None,
        )
        for name in saved.conflicts
        if name in lc.AMENDABLE_FIELDS
    ]
    return _to_finish(amendment, proposal, form, changes, saved.to_send_again, saved.revision)


def _to_finish(amendment, proposal, form: DecisionForm, changes, text: dict, revision: int):
    """The page where the proposer finishes the text by hand: `text` in the form, based on
    `revision`, with `changes` (label, a change since the hearing, the amendment's) above."""
    for name, value in text.items():
        if name in lc.AMENDABLE_FIELDS:
            getattr(form, name).data = value
    form.show_revision(revision)
    return render_template(
        "amendments/collision.html",
        amendment=amendment,
        proposal=proposal,
        form=form,
        changes=changes,
    )


@bp.post("/amendments/<int:amendment_id>/stance")
@login_required
def stance(amendment_id: int):
    """Where a member stands on a minority amendment in the catalogue (empty: no stance)."""
    amendment, proposal = _amendment_and_proposal(amendment_id, action=True)
    value = (request.form.get("stance") or "").strip()
    services.set_stance(current_user, amendment, proposal, value, now=utcnow())
    db.session.commit()
    flash(_("Your stance has been saved."), "success")
    return see_other(_at(amendment))
