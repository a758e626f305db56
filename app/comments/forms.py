"""Forms for writing comments, for giving a reason (flags, hiding, restoring), and for
the proposers' answers to hearing responses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField, TextAreaField, ValidationError
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from app.comments.answers import MAX_ANSWER
from app.comments.services import MAX_COMMENT, MAX_REASON
from app.core.editing import BasedOnRevision
from app.core.forms import Form, strip
from app.proposals.lifecycle import VERDICTS

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


class AnswerForm(BasedOnRevision, Form):
    """The proposers' answer to a hearing response: a verdict and a short text."""

    verdict = StringField(
        _l("Verdict"),
        filters=[strip],
        validators=[
            _required,
            AnyOf(VERDICTS, message=_l("Choose adopted, partly adopted, not adopted or noted.")),
        ],
    )
    text = TextAreaField(
        _l("Answer"),
        validators=[
            Length(max=MAX_ANSWER, message=_l("Write at most %(max)d characters.", max=MAX_ANSWER))
        ],
    )
