"""Pages for registering, logging in and out, resetting a password, and the account page."""

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
from flask_babel import force_locale, format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.accounts import mails, services
from app.accounts.forms import (
    AccountLanguageForm,
    ConfirmForm,
    ConfirmRegistrationForm,
    EmailForm,
    LoginForm,
    NameForm,
    PasswordForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from app.accounts.models import AccountToken
from app.core.database import utcnow
from app.core.extensions import db
from app.core.i18n import LANGUAGES, select_locale
from app.core.urls import local_target, see_other

bp = Blueprint("accounts", __name__)


def _form_page(template: str, form, **context):
    """Render a form page: 200 on first view, 422 when a submission was refused."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Register: the same answer whether or not the address has an account."""
    form = RegisterForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            done = services.register(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                now=now,
                language=select_locale(),
                valid_for=current_app.config["ACCOUNT_CONFIRM_VALID_FOR"],
                reset_valid_for=current_app.config["PASSWORD_RESET_VALID_FOR"],
            )
            if done.new:
                mails.confirm_registration(done.user, done.token, now=now)
            else:
                mails.registration_of_known_address(done.user, done.token, now=now)
            db.session.commit()
        except IntegrityError:
            # The same address registered by a request running alongside: that one mails.
            db.session.rollback()
        flash(
            _(
                "We have sent an email to %(email)s. Open the link in it to finish "
                "creating your account.",
                email=form.email.data,
            ),
            "info",
        )
        return see_other(url_for("accounts.register_sent"))
    return _form_page("accounts/register.html", form)


@bp.get("/register/sent")
def register_sent():
    """Tell the person to look in their mailbox."""
    return render_template(
        "accounts/register_sent.html",
        valid_for=format_timedelta(current_app.config["ACCOUNT_CONFIRM_VALID_FOR"], threshold=1.1),
    )


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_registration(token: str):
    """Confirm a new account with the link from the email and its password, and log in."""
    now = utcnow()
    if services.usable_account_token(token, AccountToken.CONFIRM, now=now) is None:
        return render_template("accounts/link_invalid.html"), 404
    form = ConfirmRegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.confirm_registration(token, form.password.data, now=now)
        except services.WrongPassword:
            form.password.errors.append(
                _(
                    "That is not the password you chose when you registered. If you did not "
                    "register, or have forgotten the password, register again with this "
                    "address: that replaces the registration."
                )
            )
            return _form_page("accounts/confirm_registration.html", form)
        db.session.commit()
        login_user(user)
        remember_language(user)
        flash(
            _("Your account is confirmed. Welcome, %(name)s.", name=user.name),
            "success",
        )
        return see_other(url_for("main.index"))
    return _form_page("accounts/confirm_registration.html", form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password."""
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and user.confirmed_at is None:
            # Told only to someone who knows the password.
            form.form_errors.append(
                _(
                    "This account is not confirmed yet. Open the link in the email we sent "
                    "when you registered; if it has expired, register again."
                )
            )
        elif user is not None:
            login_user(user)
            remember_language(user)
            flash(_("You are logged in as %(name)s.", name=user.name), "success")
            return see_other(local_target(form.next.data) or url_for("main.index"))
        form.form_errors.append(_("Wrong email or password."))
    return _form_page("accounts/login.html", form)


@bp.post("/logout")
def logout():
    """Log out, here and on every other device: the session ends on the server, so a copy
    of its cookie signs nobody in."""
    if current_user.is_authenticated:
        services.end_sessions(current_user._get_current_object())
        db.session.commit()
        logout_user()
        flash(
            " ".join((_("You are logged out."), _("Your other devices are logged out too."))),
            "success",
        )
    return see_other(url_for("main.index"))


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a link to set a new password."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        # The same work, and the same answer, whether or not the address has an account:
        # the worker looks it up.
        mails.password_reset(form.email.data, now=utcnow())
        db.session.commit()
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


# --- the account page ------------------------------------------------------------------------

# The forms of /account, by the value of their hidden `action` field.
ACCOUNT_FORMS = {
    "name": NameForm,
    "email": EmailForm,
    "password": PasswordForm,
    "language": AccountLanguageForm,
}


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Change my name, email address, password or language."""
    user = current_user._get_current_object()
    action = request.form.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in ACCOUNT_FORMS:
        abort(400, description=_("Choose one of the forms on the page."))
    forms = {
        "name": NameForm(formdata=None, name=user.name),
        "email": EmailForm(formdata=None),
        "password": PasswordForm(formdata=None),
        "language": AccountLanguageForm(formdata=None, lang=user.language),
    }
    if action is not None:
        form = forms[action] = ACCOUNT_FORMS[action]()
        if form.validate_on_submit():
            done = _ACCOUNT_ACTIONS[action](user, form)
            if done is not None:
                return done
    status = 422 if action is not None else 200
    return render_template("accounts/account.html", forms=forms, user=user), status


def _change_name(user, form):
    services.change_name(user, form.name.data)
    db.session.commit()
    flash(_("Your name has been changed."), "success")
    return see_other(url_for("accounts.account"))


def _change_email(user, form):
    now = utcnow()
    new_email = services.normalise_email(form.email.data)
    try:
        token = services.request_email_change(user, form.current_password.data, new_email, now=now)
    except services.WrongPassword:
        form.current_password.errors.append(_("That is not your current password."))
        return None
    except services.SameEmail:
        form.email.errors.append(_("That is already your email address."))
        return None
    mails.confirm_new_email(user, new_email, token, now=now)
    mails.email_change_requested(user, new_email, now=now)
    db.session.commit()
    flash(
        _(
            "We have sent a link to %(email)s. Your address changes when you open it, "
            "within 24 hours; until then it stays %(old)s.",
            email=new_email,
            old=user.email,
        ),
        "info",
    )
    return see_other(url_for("accounts.account"))


def _change_password(user, form):
    try:
        services.change_password(user, form.current_password.data, form.password.data, now=utcnow())
    except services.WrongPassword:
        form.current_password.errors.append(_("That is not your current password."))
        return None
    db.session.commit()
    # The new password ends every session, this one included: it starts again at once.
    login_user(user)
    flash(_("Your password has been changed. Everywhere else you are logged out."), "success")
    return see_other(url_for("accounts.account"))


def _change_language(user, form):
    user.language = session["lang"] = form.lang.data
    db.session.commit()
    with force_locale(form.lang.data):  # said in the language chosen
        flash(_("Your language has been changed."), "success")
    return see_other(url_for("accounts.account"))


_ACCOUNT_ACTIONS = {
    "name": _change_name,
    "email": _change_email,
    "password": _change_password,
    "language": _change_language,
}


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Move my account to a new email address with the link sent there."""
    now = utcnow()
    row = services.usable_account_token(token, AccountToken.EMAIL, now=now)
    if row is None:
        return render_template("accounts/link_invalid.html"), 404
    new_email = row.new_email
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = services.change_email(
                token,
                now=now,
                registration_valid_for=current_app.config["ACCOUNT_CONFIRM_VALID_FOR"],
            )
            db.session.commit()
        except (services.EmailTaken, IntegrityError):
            db.session.rollback()
            return render_template("accounts/email_taken.html", new_email=new_email), 409
        flash(_("Your email address is now %(email)s.", email=new_email), "success")
        signed_in_here = current_user.is_authenticated and current_user.id == user.id
        return see_other(url_for("accounts.account" if signed_in_here else "accounts.login"))
    return _form_page("accounts/confirm_email.html", form, new_email=new_email)


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
