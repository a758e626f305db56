"""Pages for staying informed: the notifications list, the email settings, the one-click
unsubscribe link from every mail, and following proposals and topics."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select, update
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from app.accounts.mails import user_of_token
from app.accounts.models import EMAIL_SETTINGS
from app.core.database import utcnow
from app.core.extensions import csrf, db
from app.core.forms import Form
from app.core.text import whole_number
from app.core.urls import back_to, local_target, see_other
from app.notifications import follows
from app.notifications.items import Item, item_of, item_query
from app.notifications.models import Notification
from app.proposals import lifecycle as lc
from app.proposals import reading
from app.proposals.models import Topic

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 25

EMAIL_LABELS = {
    "instant": _l("Instant: an email for each notification, as it happens"),
    "daily": _l("Daily: one email a day with everything new"),
    "weekly": _l("Weekly: one email a week with everything new"),
    "off": _l("Off: no email; the notifications are here on the site"),
}


# --- the list ------------------------------------------------------------------------------


@dataclass
class NotificationPage:
    items: list[Item]
    total: int
    page: int
    pages: int


@bp.get("/notifications")
@login_required
def index():
    """List your notifications, newest first."""
    page = whole_number(request.args.get("page", "1"), maximum=100_000)
    if page is None:
        abort(400, description=_("The page number must be a whole number from 1."))
    mine = Notification.user_id == current_user.id
    total = db.session.scalar(select(func.count()).select_from(Notification).where(mine))
    rows = db.session.execute(
        item_query()
        .where(mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "notifications/list.html",
        result=NotificationPage([item_of(row) for row in rows], total, page, pages),
    )


@bp.post("/notifications/read")
@login_required
def read():
    """Mark one notification read (field `id`), or all of them."""
    mine = Notification.user_id == current_user.id
    unread = Notification.read_at.is_(None)
    raw_id = request.form.get("id", "").strip()
    if raw_id:
        notification_id = whole_number(raw_id)
        if notification_id is None or not db.session.scalar(
            select(Notification.id).where(mine, Notification.id == notification_id)
        ):
            abort(404, description=_("You have no notification with that number."))
        which = [mine, unread, Notification.id == notification_id]
    else:
        which = [mine, unread]
    db.session.execute(
        update(Notification)
        .where(*which)
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if not raw_id:
        flash(_("All your notifications are marked as read."), "success")
    return see_other(local_target(request.form.get("next")) or url_for("notifications.index"))


# --- email settings ---------------------------------------------------------------------------


class SettingsForm(Form):
    email = RadioField(
        _l("Email about your notifications"),
        validate_choice=False,
        validators=[AnyOf(EMAIL_SETTINGS, message=_l("Choose how you want to be emailed."))],
    )
    new_hearings = BooleanField(_l("Tell me of every new hearing, whatever its topic"))
    seeking_support = BooleanField(
        _l("Tell me of every proposal that starts seeking support (members)")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email.choices = [SelectChoice(value, EMAIL_LABELS[value]) for value in EMAIL_SETTINGS]


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings():
    """Choose how, and about what, you are emailed."""
    form = SettingsForm(
        data={
            "email": current_user.email_setting,
            "new_hearings": current_user.notify_new_hearings,
            "seeking_support": current_user.notify_seeking_support,
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        current_user.email_setting = form.email.data
        current_user.notify_new_hearings = form.new_hearings.data
        # Only members back proposals; for anyone else the box is not there.
        current_user.notify_seeking_support = bool(
            current_user.is_member and form.seeking_support.data
        )
        db.session.commit()
        flash(_("Your email settings have been saved."), "success")
        return see_other(url_for("notifications.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "notifications/settings.html",
        form=form,
        topics=follows.topics_with_follows(current_user),
    ), status


# --- unsubscribe, from a mail, without logging in ------------------------------------------------


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail programs post here with no form (RFC 8058)
def unsubscribe(token: str):
    """Turn all email off from the link in a mail: a button, or a mail program's one click."""
    user = user_of_token(token)
    if user is None:
        abort(
            404,
            description=_(
                "This unsubscribe link is not valid. Log in to change your email settings."
            ),
        )
    if request.method == "POST":
        user.email_setting = "off"
        db.session.commit()
        if request.form.get("List-Unsubscribe") != "One-Click":
            return see_other(url_for("notifications.unsubscribe", token=token))
    # The link is the person's own: not kept by the page cache, nor by anyone's proxy.
    return (
        render_template("notifications/unsubscribe.html", token=token, user=user),
        200,
        {"Cache-Control": "no-store"},
    )


# --- following ------------------------------------------------------------------------------------


@bp.post("/proposals/<int:proposal_id>/<any(follow, unfollow):action>")
@login_required
def follow(proposal_id: int, action: str):
    """Follow a proposal, or stop following it (both idempotent)."""
    proposal = reading.load_proposal(proposal_id, current_user, utcnow()).proposal
    follows.set_following(current_user, proposal, action == "follow", now=utcnow())
    db.session.commit()
    flash(
        _("You follow the proposal. You will be told when something happens to it.")
        if action == "follow"
        else _("You no longer follow the proposal."),
        "success",
    )
    return see_other(
        local_target(request.form.get("next"))
        or url_for("proposals.detail", proposal_id=proposal.id)
    )


@bp.post("/topics/<int:topic_id>/<any(follow, unfollow):action>")
@login_required
def follow_topic(topic_id: int, action: str):
    """Follow a topic (its proposals as they open a hearing), or stop (both idempotent)."""
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404, description=_("There is no such topic."))
    if action == "follow":
        if topic.retired:
            raise lc.WrongState("topic_retired")
        follows.follow_topic(current_user, topic, now=utcnow())
        message = _("You follow %(topic)s: you will be told of its new hearings.", topic=topic.name)
    else:
        follows.unfollow_topic(current_user, topic)
        message = _("You no longer follow %(topic)s.", topic=topic.name)
    db.session.commit()
    flash(message, "success")
    # Back to the page the button was on (the list of the topic, or the settings).
    return back_to(url_for("proposals.index", topic=topic.id))
