"""A person's own data: downloading everything stored about them, and deleting the account.

The download is app.privacy.export's document, streamed; the deletion is
app.privacy.erasure's, in one transaction.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    render_template,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from app.accounts.forms import MAX_PASSWORD_LENGTH
from app.accounts.models import person_name
from app.core.database import utcnow
from app.core.extensions import db
from app.core.forms import Form
from app.core.urls import see_other
from app.privacy import erasure, export

bp = Blueprint("account_data", __name__)

# "Deleted user" wherever a person's name is shown: one helper for every template.
bp.add_app_template_global(person_name, "person_name")


class DeleteAccountForm(Form):
    # Its own id: the account page also has password fields.
    password = PasswordField(
        _l("Your password"),
        id="delete-password",
        validators=[
            DataRequired(message=_l("Enter your password to delete your account.")),
            Length(max=MAX_PASSWORD_LENGTH, message=_l("That is not your password.")),
        ],
    )


@bp.app_template_global()
def delete_account_form() -> DeleteAccountForm:
    """An empty deletion form, for the account page's section."""
    return DeleteAccountForm(formdata=None)


@bp.get("/account/data")
@login_required
def download():
    """Download everything stored about me as one JSON file."""
    now = utcnow()
    user = current_user._get_current_object()
    response = Response(
        stream_with_context(export.chunks(user, now=now)),
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="forslag-data-{now.date().isoformat()}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(form: DeleteAccountForm, status: int):
    return render_template("accounts/delete.html", form=form), status


@bp.post("/account/delete")
@login_required
def delete():
    """Delete my account with my password."""
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _refused(form, 422)
    user = current_user._get_current_object()
    if not erasure.password_matches(user, form.password.data):
        form.password.errors.append(_("That is not your password. Nothing has been deleted."))
        return _refused(form, 422)
    last_staff = _(
        "You are the only secretariat account, so the site would have nobody to run it. "
        "Give another account the secretariat role first, then delete yours."
    )
    if erasure.is_last_secretariat(user):
        form.form_errors.append(last_staff)
        return _refused(form, 409)
    try:
        erasure.erase(user, now=utcnow())
        db.session.commit()
    except erasure.LastSecretariat:
        db.session.rollback()
        form.form_errors.append(last_staff)
        return _refused(form, 409)
    logout_user()
    flash(_("Your account has been deleted, and everything stored about you with it."), "success")
    return see_other(url_for("main.index"))
