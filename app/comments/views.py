"""Routes for comments: write, reply, like, flag, delete, hide and restore, each answering
with a 303 back to the comment on its page of the proposal; and a comment's own address,
which finds that page however long the discussion has grown."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.comments import queries as comment_queries
from app.comments import services
from app.comments.forms import CommentForm, ReasonForm
from app.comments.models import Comment
from app.database import utcnow
from app.extensions import db
from app.proposals import queries
from app.proposals.views import form_refused
from app.urls import local_target, see_other

bp = Blueprint("comments", __name__)


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
    proposal = queries.load_proposal(comment.proposal_id, current_user, utcnow()).proposal
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
    proposal = queries.load_for_action(proposal_id, current_user, now)
    form = CommentForm()
    if not form.validate():
        return form_refused(form, proposal_id)
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
        return form_refused(form, proposal.id)
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
        from app.proposals import lifecycle as lc

        raise lc.NotAllowed("not_secretariat")
    form = ReasonForm()
    if not form.validate():
        return form_refused(form, proposal.id)
    verb = services.hide_comment if action == "hide" else services.restore_comment
    verb(current_user, comment, proposal, form.reason.data, now=utcnow())
    db.session.commit()
    flash(
        _("The comment is hidden.") if action == "hide" else _("The comment is shown again."),
        "success",
    )
    next_page = local_target(request.form.get("next"))
    return see_other(next_page) if next_page else _back(comment)
