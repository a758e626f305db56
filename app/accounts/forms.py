"""Forms for registering, logging in, resetting a password and the account page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.accounts.services import MAX_NAME_LENGTH, MIN_PASSWORD_LENGTH
from app.core.forms import Form, email_address, strip
from app.core.i18n import LANGUAGES

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


def _name_field():
    return StringField(
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


class RegisterForm(Form):
    name = _name_field()
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


class ConfirmForm(Form):
    """The button behind a link from a mail: following the link (a GET, which mail
    scanners do too) only shows it."""


def _current_password_field(label, message, **kwargs):
    """A password the person has already: checked against the account, never against the
    rules for a new one."""
    return PasswordField(
        label,
        validators=[_required, Length(max=MAX_PASSWORD_LENGTH, message=message)],
        **kwargs,
    )


_NOT_REGISTRATION_PASSWORD = _l("That is not the password you chose when you registered.")
_NOT_CURRENT_PASSWORD = _l("That is not your current password.")


class ConfirmRegistrationForm(Form):
    """Confirming a registration takes the password chosen with it: the link alone proves
    only that the address is the reader's, not that the registration was theirs."""

    password = _current_password_field(
        _l("The password you chose when you registered"), _NOT_REGISTRATION_PASSWORD
    )


# --- the account page: one form per thing to change, each saying which it is ------------


class NameForm(Form):
    name = _name_field()


class EmailForm(Form):
    email = EmailField(
        _l("New email address"),
        filters=[strip],
        validators=[
            _required,
            Length(max=254, message=_l("An email address has at most 254 characters.")),
            email_address,
        ],
    )
    # Its own id: the password form on the same page has a `current_password` too.
    current_password = _current_password_field(
        _l("Current password"), _NOT_CURRENT_PASSWORD, id="email-current-password"
    )


class PasswordForm(Form):
    current_password = _current_password_field(_l("Current password"), _NOT_CURRENT_PASSWORD)
    password = _password_field(_l("New password"))


class AccountLanguageForm(Form):
    lang = RadioField(
        _l("Language of pages and email"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        validate_choice=False,
        validators=[_required],
    )

    def validate_lang(self, field) -> None:
        if field.data not in LANGUAGES:
            raise ValidationError(_l("Choose one of the languages: da (Dansk) or en (English)."))
