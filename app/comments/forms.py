"""Forms for writing comments and for giving a reason (flags, hiding, restoring)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.comments.services import MAX_COMMENT, MAX_REASON
from app.forms import Form, strip

_required = DataRequired(message=_l("This field is required."))


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment"),
        validators=[
            _required,
            Length(
                max=MAX_COMMENT, message=_l("Write at most %(max)d characters.", max=MAX_COMMENT)
            ),
        ],
    )
    parent_id = IntegerField(
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
    )

    def validate_body(self, field) -> None:
        if not (field.data or "").strip():
            from wtforms import ValidationError

            raise ValidationError(_l("This field is required."))


class ReasonForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        validators=[
            _required,
            Length(max=MAX_REASON, message=_l("Write at most %(max)d characters.", max=MAX_REASON)),
        ],
    )
