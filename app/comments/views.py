"""Routes for comments: write, reply, like, flag, delete, hide and restore, each answering
with a 303 back to the comment on its page of the proposal; a comment's own address,
which finds that page however long the discussion has grown; and the hearing memo, where
the proposers answer the hearing responses."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.comments import answers, memo_pdfs, services
from app.comments import queries as comment_queries
from app.comments.forms import AnswerForm, CommentForm, ReasonForm
from app.comments.models import Comment
from app.core import editing, forms, pdf_files
from app.core.database import utcnow
from app.core.extensions import db
from app.core.i18n import select_locale
from app.core.pdf import pdf_response
from app.core.urls import local_target, see_other
from app.proposals import lifecycle as lc
from app.proposals import pages, queries, reading
from app.proposals.diff import word_diff
from app.proposals.labels import VERDICT_LABELS

bp = Blueprint("comments", __name__)

# What is wrong with a discussion argument in the URL of a proposal (a 400).
DISCUSSION_ARGUMENTS = {
    "order": _l("Comments can be ordered by newest, oldest or liked."),
    "comments": _l("The number of threads a page must be a whole number from 1 to 100."),
    "page": _l("The page number must be a whole number from 1."),
    "thread": _l("There is no such comment thread."),
}


@pages.detail_part
def _discussion(proposal, viewer, args) -> dict:
    """A proposal's page shows a page of its discussion, as its arguments ask."""
    try:
        view = comment_queries.view_from(args)
    except comment_queries.BadView as bad:
        abort(400, description=DISCUSSION_ARGUMENTS[bad.key])
    discussion = comment_queries.discussion(proposal, viewer, view)
    if view.thread is not None and not discussion.threads:
        abort(404, description=DISCUSSION_ARGUMENTS["thread"])
    return {"discussion": discussion}


@bp.record_once
def _labels(state) -> None:
    state.app.jinja_env.globals.update(
        verdict_labels=VERDICT_LABELS, answer_entry=answers.timeline_entry
    )


def _place(comment: Comment) -> str:
    """The address of the page of the proposal that shows `comment`."""
    return url_for(
        "proposals.detail",
        proposal_id=comment.proposal_id,
        **comment_queries.place_of(comment).args(),
        _anchor=f"comment-{comment.id}",
    )


def _back(comment: Comment):
    return see_other(_place(comment))


def _comment_and_proposal(comment_id: int):
    """The comment and its proposal, if the user may see the proposal; 404 otherwise."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    proposal = reading.load_proposal(comment.proposal_id, current_user, utcnow()).proposal
    return comment, proposal


@bp.get("/comments/<int:comment_id>")
def show(comment_id: int):
    """A link to one comment that stays good: it leads to the page that shows it."""
    comment, _proposal = _comment_and_proposal(comment_id)
    return see_other(_place(comment))


@bp.post("/proposals/<int:proposal_id>/comments")
@login_required
def add(proposal_id: int):
    """Write a comment, or reply to one."""
    now = utcnow()
    proposal = reading.load_for_action(proposal_id, current_user, now)
    form = CommentForm()
    if not form.validate():
        return forms.refused(form, back=url_for("proposals.detail", proposal_id=proposal_id))
    comment = services.add_comment(
        current_user, proposal, form.body.data, parent_id=form.parent_id.data, now=now
    )
    db.session.commit()
    flash(_("Your comment has been published."), "success")
    return _back(comment)


@bp.post("/comments/<int:comment_id>/<any(like, unlike):action>")
@login_required
def like(comment_id: int, action: str):
    """Like a comment, or take the like back."""
    comment, proposal = _comment_and_proposal(comment_id)
    verb = services.like_comment if action == "like" else services.unlike_comment
    verb(current_user, comment, proposal, now=utcnow())
    db.session.commit()
    return _back(comment)


@bp.post("/comments/<int:comment_id>/flag")
@login_required
def flag(comment_id: int):
    """Report a comment to the secretariat."""
    comment, proposal = _comment_and_proposal(comment_id)
    form = ReasonForm()
    if not form.validate():
        return forms.refused(form, back=url_for("proposals.detail", proposal_id=proposal.id))
    services.flag_comment(current_user, comment, form.reason.data, now=utcnow())
    db.session.commit()
    flash(_("Thank you. The secretariat will look at the comment."), "success")
    return _back(comment)


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete(comment_id: int):
    """Delete your own comment; a placeholder keeps the thread together."""
    comment, proposal = _comment_and_proposal(comment_id)
    services.delete_comment(current_user, comment, proposal, now=utcnow())
    db.session.commit()
    flash(_("Your comment has been deleted."), "success")
    return _back(comment)


@bp.post("/comments/<int:comment_id>/<any(hide, restore):action>")
@login_required
def moderate(comment_id: int, action: str):
    """Hide a comment, or restore it, with a reason (the secretariat)."""
    comment, proposal = _comment_and_proposal(comment_id)
    if not current_user.is_secretariat:
        raise lc.NotAllowed("not_secretariat")
    form = ReasonForm()
    if not form.validate():
        return forms.refused(form, back=url_for("proposals.detail", proposal_id=proposal.id))
    verb = services.hide_comment if action == "hide" else services.restore_comment
    verb(current_user, comment, proposal, form.reason.data, now=utcnow())
    db.session.commit()
    flash(
        _("The comment is hidden.") if action == "hide" else _("The comment is shown again."),
        "success",
    )
    next_page = local_target(request.form.get("next"))
    return see_other(next_page) if next_page else _back(comment)


# --- the hearing memo --------------------------------------------------------------------


def _memo_page(proposal_id: int) -> queries.ProposalPage:
    """The proposal whose memo is asked for; 404 where the memo is not to be seen."""
    page = reading.load_proposal(proposal_id, current_user, utcnow())
    proposal = page.proposal
    if not lc.may_see_memo(
        proposal.state,
        had_hearing=proposal.hearing_version is not None,
        is_proposer=page.viewer_is_proposer,
        is_secretariat=current_user.is_authenticated and current_user.is_secretariat,
    ):
        abort(404)
    return page


@bp.get("/proposals/<int:proposal_id>/hearing-memo")
def memo(proposal_id: int):
    """The hearing memo: every hearing response in order, with the proposers' answer."""
    page = _memo_page(proposal_id)
    proposal = page.proposal
    return render_template(
        "comments/memo.html",
        proposal=proposal,
        memo=answers.memo(proposal),
        may_answer=lc.may_answer(proposal.state, is_proposer=page.viewer_acts_as_proposer),
        memo_pdf="comments.memo_pdf",
    )


@bp.get("/proposals/<int:proposal_id>/hearing-memo.pdf")
def memo_pdf(proposal_id: int):
    """The hearing memo as a PDF: the same rows as the page, for print and for the record.
    A long memo is the file the worker made (app.comments.memo_pdfs), a short one made here."""
    proposal = _memo_page(proposal_id).proposal
    memo = answers.memo(proposal)
    # While the hearing runs, only its proposers and the secretariat may read it.
    private = proposal.state not in lc.MEMO_STATES
    filename = f"hearing-memo-{proposal.id}.pdf"
    if memo_pdfs.is_long(memo):
        name = memo_pdfs.file_name(proposal.id, select_locale())
        served = pdf_files.serve(name, filename=filename, private=private)
        if served is not None:
            return served
        pdf_files.wish(name)
        return pdf_files.being_made(
            _("The hearing memo is being made right now. Try again in a minute."),
            url_for("comments.memo", proposal_id=proposal.id),
            _("Back to the hearing memo"),
        )
    return pdf_response(
        lambda: memo_pdfs.html(memo, utcnow()),
        key=memo_pdfs.key(memo),
        templates=memo_pdfs.TEMPLATES,
        filename=filename,
        private=private,
    )


@bp.post("/comments/<int:comment_id>/answer")
@login_required
def answer(comment_id: int):
    """Answer a hearing response with a verdict and a short text, or change the answer
    (the proposers, while the proposal is being developed after the hearing)."""
    now = utcnow()
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    page = reading.load_proposal(comment.proposal_id, current_user, now)
    proposal = page.proposal
    is_proposer = page.viewer_acts_as_proposer
    # Who and when before what: a wrong role or state is said before a bad field.
    lc.check_answer(
        proposal.state,
        is_proposer=is_proposer,
        is_hearing_response=answers.is_hearing_response(comment),
    )
    form = AnswerForm()
    if not form.validate():
        return forms.refused(form, back=url_for("proposals.detail", proposal_id=proposal.id))
    try:
        answered = answers.answer(
            current_user,
            comment,
            proposal,
            form.verdict.data,
            form.text.data or "",
            is_proposer=is_proposer,
            base_revision=form.based_on(),
            now=now,
        )
    except editing.Conflict as conflict:
        db.session.rollback()
        return _answer_conflict(form, comment, proposal, conflict.saved)
    db.session.commit()
    if answered.merged:
        flash(
            _(
                "Another proposer changed this answer while you wrote: "
                "their changes and yours are both kept."
            ),
            "info",
        )
    flash(_("Your answer has been saved."), "success")
    next_page = local_target(request.form.get("next"))
    return see_other(next_page) if next_page else _back(comment)


def _answer_conflict(form: AnswerForm, comment: Comment, proposal, saved: editing.Saved):
    """409: another proposer changed the same answer since this form was opened. Nothing
    was saved; the form holds this person's answer, based on the revision saved now."""
    for name, value in saved.to_send_again.items():
        getattr(form, name).data = value

    def shown(values: dict, name: str) -> str:
        value = values.get(name) or ""
        return str(VERDICT_LABELS.get(value, value)) if name == "verdict" else value

    labels = {"verdict": _("Verdict"), "text": _("Answer")}
    form.show_revision(saved.revision)
    page = render_template(
        "comments/answer_conflict.html",
        form=form,
        comment=comment,
        proposal=proposal,
        their_change=[
            (labels[name], word_diff(shown(saved.base, name), shown(saved.theirs, name)))
            for name in saved.conflicts
        ],
        next_page=local_target(request.form.get("next")) or "",
    )
    return page, 409
