"""Forms for registering, logging in and resetting a password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.accounts.services import MAX_NAME_LENGTH, MIN_PASSWORD_LENGTH
from app.forms import Form, email_address, strip

# Long enough for any passphrase, short enough that hashing it costs nothing.
MAX_PASSWORD_LENGTH = 1000

_required = DataRequired(message=_l("This field is required."))


def _password_field(label):
    return PasswordField(
        label,
        validators=[
            _required,
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l(
                    "The password must be between %(min)d and %(max)d characters.",
                    min=MIN_PASSWORD_LENGTH,
                    max=MAX_PASSWORD_LENGTH,
                ),
            ),
        ],
    )


def _email_field():
    return EmailField(
        _l("Email"),
        filters=[strip],
        validators=[
            _required,
            Length(max=254, message=_l("An email address has at most 254 characters.")),
            email_address,
        ],
    )


class RegisterForm(Form):
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            _required,
            Length(
                max=MAX_NAME_LENGTH,
                message=_l("The name can be at most %(max)d characters.", max=MAX_NAME_LENGTH),
            ),
        ],
    )
    email = _email_field()
    password = _password_field(_l("Password"))


class LoginForm(Form):
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[_required, Length(max=254, message=_l("Wrong email or password."))],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            _required,
            Length(max=MAX_PASSWORD_LENGTH, message=_l("Wrong email or password.")),
        ],
    )
    next = HiddenField()


class ResetRequestForm(Form):
    email = _email_field()


class ResetPasswordForm(Form):
    password = _password_field(_l("New password"))
