"""Pages for registering, logging in and out, and resetting a password."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.accounts import services
from app.accounts.forms import LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm
from app.database import utcnow
from app.extensions import db
from app.i18n import LANGUAGES, select_locale
from app.notifications import delivery, messages
from app.urls import local_target, see_other

bp = Blueprint("accounts", __name__)


def _form_page(template: str, form, **context):
    """Render a form page: 200 on first view, 422 when a submission was refused."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a citizen account and log in."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                now=utcnow(),
                language=select_locale(),
            )
            db.session.commit()
        except (services.EmailTaken, IntegrityError):
            # IntegrityError: the same address registered by a request running alongside.
            db.session.rollback()
            form.email.errors.append(
                _("An account with this email already exists. Log in or reset your password.")
            )
        else:
            login_user(user)
            flash(_("Welcome, %(name)s. Your account has been created.", name=user.name), "success")
            return see_other(url_for("main.index"))
    return _form_page("accounts/register.html", form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password."""
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            remember_language(user)
            flash(_("You are logged in as %(name)s.", name=user.name), "success")
            return see_other(local_target(form.next.data) or url_for("main.index"))
        form.form_errors.append(_("Wrong email or password."))
    return _form_page("accounts/login.html", form)


@bp.post("/logout")
def logout():
    """Log out."""
    if current_user.is_authenticated:
        logout_user()
        flash(_("You are logged out."), "success")
    return see_other(url_for("main.index"))


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a link to set a new password."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        now = utcnow()
        issued = services.issue_reset_token(
            form.email.data, now=now, valid_for=current_app.config["PASSWORD_RESET_VALID_FOR"]
        )
        mail = messages.password_reset(*issued, now=now) if issued is not None else None
        db.session.commit()
        if mail is not None:
            delivery.send_now([mail])
        # The same answer whether or not the address has an account.
        flash(
            _(
                "If an account uses %(email)s, we have sent it a link to choose a new "
                "password. The link works once and expires in an hour.",
                email=form.email.data,
            ),
            "info",
        )
        return see_other(url_for("accounts.login"))
    return _form_page("accounts/reset_request.html", form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with the link from the email."""
    if services.usable_reset_token(token, now=utcnow()) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = services.reset_password(token, form.password.data, now=utcnow())
        db.session.commit()
        login_user(user)
        remember_language(user)
        flash(_("Your password has been changed and you are logged in."), "success")
        return see_other(url_for("main.index"))
    return _form_page("accounts/reset_password.html", form)


def remember_language(user) -> None:
    """A language chosen before logging in is the person's latest choice; without one, the
    session takes the language they chose last time."""
    chosen = session.get("lang")
    if chosen in LANGUAGES and chosen != user.language:
        user.language = chosen
        db.session.commit()
    elif chosen not in LANGUAGES and user.language in LANGUAGES:
        session["lang"] = user.language


def unauthorized():
    """Flask-Login's answer to a visitor: a page asks them to log in; an action is refused."""
    if request.method in ("GET", "HEAD"):
        flash(_("Log in to see this page."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    abort(403, description=_("Log in to do this."))
