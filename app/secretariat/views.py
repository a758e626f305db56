"""The secretariat console: /secretariat and its pages. Nobody else reaches any of it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.accounts import member_register
from app.accounts import services as accounts
from app.accounts.models import User
from app.core import editing, organisation
from app.core.database import utcnow
from app.core.extensions import db
from app.core.i18n import ROLE_LABELS
from app.core.text import whole_number, without_forbidden_characters
from app.core.urls import see_other
from app.proposals import lifecycle as lc
from app.proposals import reading
from app.proposals import services as proposal_services
from app.proposals.forms import LOCAL_TIME
from app.proposals.models import Topic
from app.secretariat import queries, services
from app.site import settings as site_settings

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")


AUDIT_LABELS = {
    "transition": _l("Moved a proposal"),
    "outcome": _l("Recorded an outcome"),
    "hide": _l("Hid a comment"),
    "restore": _l("Restored a comment"),
    "grant_member": _l("Made a member"),
    "revoke_member": _l("Removed a membership"),
    "grant_secretariat": _l("Gave the secretariat role"),
    "revoke_secretariat": _l("Took the secretariat role"),
    "import": _l("Imported the member register"),
    "topic_create": _l("Created a topic"),
    "topic_rename": _l("Renamed a topic"),
    "topic_retire": _l("Retired a topic"),
    "topic_reinstate": _l("Reinstated a topic"),
    "delete_account": _l("Deleted their own account"),
    "settings": _l("Changed the site's settings"),
    # A proposer, not the secretariat: kept here as the record of the hearing memo.
    "answer": _l("Answered a hearing response"),
}


@bp.record_once
def _globals(state) -> None:
    state.app.jinja_env.globals["audit_labels"] = AUDIT_LABELS
    # The member register of a national party is 5–6 MB: a body limit of its own.
    member_register.raise_upload_limit(state.app, "secretariat.members")


@bp.before_request
def _secretariat_only():
    if not (current_user.is_authenticated and current_user.is_secretariat):
        abort(403, description=_("Only the secretariat may do this."))


def _page_number() -> int:
    page = whole_number(request.args.get("page", "1"), maximum=100_000)
    if page is None:
        abort(400, description=_("The page number must be a whole number from 1."))
    return page


@bp.get("")
def dashboard():
    """Show the queues: what waits for the secretariat now."""
    now = utcnow()
    reading.all_current(now)
    return render_template(
        "secretariat/dashboard.html",
        board=queries.dashboard(now),
        setup=site_settings.set_up(),
        now=now,
        hearing_default=(now + proposal_services.policy().hearing_window)
        .astimezone(LOCAL_TIME)
        .strftime("%Y-%m-%dT%H:%M"),
        today=now.astimezone(LOCAL_TIME).date(),
    )


@bp.route("/members", methods=["GET", "POST"])
def members():
    """Find people, grant and revoke roles, and import the member register."""
    if request.method == "POST":
        action = request.form.get("action", "")
        if action in ("grant", "revoke"):
            return _change_role(action == "grant")
        if action in ("preview", "import"):
            return _import(action)
        abort(400, description=_("Choose what to do."))
    q = without_forbidden_characters(request.args.get("q", "")).strip()[:200]
    return render_template(
        "secretariat/members.html", result=queries.members(q, _page_number()), q=q
    )


def _change_role(granted: bool):
    user_id = whole_number(request.form.get("user_id", ""))
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        raise lc.Invalid("no_such_user")
    role = request.form.get("role", "")
    if accounts.change_role(current_user, user, role, granted=granted, now=utcnow()):
        db.session.commit()
        flash(
            _(
                "%(name)s: the roles are now %(roles)s.",
                name=user.name,
                roles=", ".join(str(_role_label(r)) for r in user.highest_roles),
            ),
            "success",
        )
    return see_other(url_for("secretariat.members", q=request.form.get("q") or None))


def _role_label(role: str):
    return ROLE_LABELS[role]


def _import(action: str):
    """Preview or import the member register: a large uploaded file is kept in the instance
    folder under a token between the preview and the import (100,000 rows never travel
    back through the page); a small one, or rows pasted in the form, travel in the form."""
    upload = request.files.get("register")
    token = request.form.get("upload", "")
    text = request.form.get("csv", "")
    if upload and upload.filename:
        # A small file is shown in the form for correcting, as pasted rows are.
        try:
            text = member_register.small_upload_text(upload.stream)
        except UnicodeDecodeError:
            return render_template("secretariat/import.html", not_utf8=True), 422
        token = (
            "" if text is not None else member_register.keep_upload(current_user.id, upload.stream)
        )
    if token:
        path = (
            member_register.claim_upload if action == "import" else member_register.kept_upload
        )(current_user.id, token)
        if path is None:
            return render_template("secretariat/import.html", gone=True), 422
        try:
            parsed = member_register.parse_file(path)
        except UnicodeDecodeError:
            member_register.forget_upload(path)
            return render_template("secretariat/import.html", not_utf8=True), 422
        text = None
    else:
        path = None
        parsed = member_register.parse_member_register(text)
    if not parsed.rows and not parsed.problems:
        member_register.forget_upload(path)
        return render_template("secretariat/import.html", text=text, empty=True), 422
    if action == "preview" or parsed.problems:
        if parsed.problems:
            # Nothing of it can be imported: the corrected file comes as a new upload.
            member_register.forget_upload(path)
            token = None
        return render_template(
            "secretariat/import.html",
            text=text,
            token=token,
            summary=member_register.preview(parsed),
        ), (422 if parsed.problems else 200)
    try:
        report = services.import_register(current_user, parsed, now=utcnow())
        db.session.commit()
    except IntegrityError:
        # Someone registered, or imported, one of these addresses in the meantime.
        db.session.rollback()
        member_register.forget_upload(path)
        return render_template("secretariat/import.html", changed=True), 409
    member_register.forget_upload(path)
    flash(
        _(
            "Imported %(rows)s rows: %(created)s new accounts, %(updated)s existing accounts "
            "given their roles.",
            rows=len(parsed.rows),
            created=len(report.created),
            updated=len(report.updated),
        ),
        "success",
    )
    return see_other(url_for("secretariat.members"))


@bp.route("/topics", methods=["GET", "POST"])
def topics():
    """Create, rename and retire topics."""
    if request.method == "POST":
        now = utcnow()
        action = request.form.get("action", "")
        if action == "create":
            topic = services.create_topic(current_user, request.form.get("name", ""), now=now)
        else:
            topic_id = whole_number(request.form.get("topic_id", ""))
            topic = db.session.get(Topic, topic_id) if topic_id else None
            if topic is None:
                raise lc.Invalid("no_such_topic")
            if action == "rename":
                try:
                    services.rename_topic(
                        current_user,
                        topic,
                        request.form.get("name", ""),
                        now=now,
                        base_revision=_base_revision(),
                    )
                except editing.Conflict as conflict:
                    db.session.rollback()
                    return _topic_conflict(topic, conflict.saved)
            elif action in ("retire", "reinstate"):
                services.set_topic_retired(current_user, topic, action == "retire", now=now)
            else:
                abort(400, description=_("Choose what to do."))
        db.session.commit()
        flash(_("The topic %(name)s has been saved.", name=topic.name), "success")
        return see_other(url_for("secretariat.topics"))
    return render_template("secretariat/topics.html", topics=queries.topics_with_counts())


def _base_revision() -> int | None:
    """The revision a rename form showed; absent means as it is now, and anything else is
    a form tampered with."""
    try:
        return editing.revision_from(request.form.get("base_revision"))
    except ValueError:
        abort(400, description=str(editing.BAD_BASE))


def _topic_conflict(topic: Topic, saved):
    """409: the topic was renamed by someone else since the page was shown. Nothing was
    saved; the page shows their name and keeps this person's in the form."""
    db.session.refresh(topic)
    conflict = {
        "topic_id": topic.id,
        "base": saved.base.get("name", ""),
        "theirs": saved.theirs["name"],
        "mine": request.form.get("name", ""),
    }
    page = render_template(
        "secretariat/topics.html", topics=queries.topics_with_counts(), conflict=conflict
    )
    return page, 409


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The organisation's name, front-page introduction, contact, guidelines and privacy."""
    row = db.session.get(organisation.SiteSettings, 1)
    form = site_settings.SettingsForm(obj=row)
    if request.method == "GET":
        form.show_revision(row.revision if row else 0)
    if form.validate_on_submit():
        values = form.values(request.form)
        if not values:
            abort(400, description=_("Send at least one of the settings."))
        try:
            changed = organisation.save(
                current_user, values, now=utcnow(), base_revision=form.based_on()
            )
        except editing.Conflict as conflict:
            db.session.rollback()
            return _settings_conflict(form, conflict.saved)
        db.session.commit()
        organisation.forget()
        flash(
            _("The settings have been saved.") if changed else _("Nothing was changed."),
            "success",
        )
        return see_other(url_for("secretariat.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("secretariat/settings.html", form=form), status


def _settings_conflict(form, saved):
    """409: another secretary changed the same field since the page was shown. Nothing was
    saved; the form keeps this person's text there and the other changes elsewhere."""
    for name, value in saved.to_send_again.items():
        form[name].data = value
    form.show_revision(saved.revision)
    theirs = [(form[name].label.text, saved.theirs.get(name) or "") for name in saved.conflicts]
    return render_template("secretariat/settings.html", form=form, theirs=theirs), 409


@bp.get("/log")
def log():
    """Every action of the secretariat: who, what, when and why."""
    return render_template("secretariat/log.html", result=queries.log(_page_number()))
