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
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.accounts import services
from app.accounts.forms import LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm
from app.database import utcnow
from app.extensions import db
from app.mail import MailError, send_mail
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
        issued = services.issue_reset_token(
            form.email.data,
            now=utcnow(),
            valid_for=current_app.config["PASSWORD_RESET_VALID_FOR"],
        )
        db.session.commit()
        if issued is not None:
            user, token = issued
            _send_reset_mail(user, token)
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


def _send_reset_mail(user, token: str) -> None:
    body = render_template(
        "mail/password_reset.txt",
        user=user,
        link=url_for("accounts.reset_password", token=token, _external=True),
    )
    try:
        send_mail(user.email, _("Choose a new password for Forslag"), body)
    except MailError:
        current_app.logger.exception("password reset mail not sent")


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
        flash(_("Your password has been changed and you are logged in."), "success")
        return see_other(url_for("main.index"))
    return _form_page("accounts/reset_password.html", form)


def unauthorized():
    """Flask-Login's answer to a visitor: a page asks them to log in; an action is refused."""
    if request.method in ("GET", "HEAD"):
        flash(_("Log in to see this page."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    abort(403, description=_("Log in to do this."))
