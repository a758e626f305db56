"""The base form every form of the app derives from, and shared field helpers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField, ValidationError

from app.core.errors import render_error
from app.core.text import has_forbidden_characters, is_email_address


def strip(value):
    """Field filter: trim surrounding white space from text."""
    return value.strip() if isinstance(value, str) else value


def _one_line_field(field) -> bool:
    """A field a browser sends on one line (a name, a title, an address): a line break in
    it was typed by no one, and would break a mail's header it ends up in."""
    return isinstance(field, StringField) and not isinstance(field, TextAreaField)


class Form(FlaskForm):
    """A form that refuses control characters in every text field, and line breaks in
    those on one line."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if not isinstance(field.data, str):
                continue
            if has_forbidden_characters(field.data) or (
                _one_line_field(field) and ("\n" in field.data or "\r" in field.data)
            ):
                field.errors = [
                    *field.errors,
                    _l("This field contains characters that are not allowed."),
                ]
                valid = False
        return valid


def refused(form, *, back: str | None = None):
    """A small form (on a page of other things) sent with bad input: a 422 page saying what,
    with a link `back`; nothing changed."""
    messages = [
        f"{field.label.text}: {error}" if field.label.text else str(error)
        for field in form
        for error in field.errors
    ]
    return render_error(422, " ".join(messages), back=back)


def email_address(_form, field) -> None:
    """Validator: something that can receive mail, in a plain address form."""
    if not is_email_address(field.data or ""):
        raise ValidationError(_l("Enter an email address like name@example.org."))


def field_attrs(field, *, hint: bool = False, **extra) -> dict:
    """HTML attributes that tie a field to its hint and errors for assistive technology."""
    described_by = [f"{field.id}-hint"] if hint else []
    attrs = {key.replace("_", "-"): value for key, value in extra.items() if value is not None}
    if field.errors:
        described_by.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return attrs


def init_app(app) -> None:
    app.jinja_env.globals["field_attrs"] = field_attrs
