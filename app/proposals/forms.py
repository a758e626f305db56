"""Forms for writing a proposal, moving it along, inviting co-proposers and outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.core.editing import BasedOnRevision
from app.core.forms import Form, email_address, strip
from app.proposals import queries
from app.proposals.labels import CONTENT_LABELS

MAX_MARKDOWN = 50_000
LOCAL_TIME = ZoneInfo("Europe/Copenhagen")

_required = DataRequired(message=_l("This field is required."))


def _length(min_: int = -1, max_: int = -1):
    if min_ > 0:
        message = _l("Write between %(min)d and %(max)d characters.", min=min_, max=max_)
    else:
        message = _l("Write at most %(max)d characters.", max=max_)
    return Length(min=min_, max=max_, message=message)


class TopicField(SelectField):
    """The topics the secretariat keeps; a client may also send a topic's name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=str, validate_choice=False, **kwargs)

    def pre_validate(self, form) -> None:
        topic = queries.find_topic(self.data, include_retired=False)
        if topic is None and not (
            form.current_topic_id and str(form.current_topic_id) == self.data
        ):
            raise ValidationError(_l("Choose one of the topics."))


class ProposalForm(BasedOnRevision, Form):
    title = StringField(
        CONTENT_LABELS["title"], filters=[strip], validators=[_required, _length(5, 160)]
    )
    summary = TextAreaField(
        CONTENT_LABELS["summary"], filters=[strip], validators=[_required, _length(20, 400)]
    )
    body = TextAreaField(CONTENT_LABELS["body"], validators=[_required, _length(max_=MAX_MARKDOWN)])
    drawbacks = TextAreaField(
        CONTENT_LABELS["drawbacks"], validators=[Optional(), _length(max_=MAX_MARKDOWN)]
    )
    # Sent as `process`; the attribute has another name because Form.process is a method.
    development = TextAreaField(
        CONTENT_LABELS["process"],
        name="process",
        validators=[Optional(), _length(max_=MAX_MARKDOWN)],
    )
    materials = TextAreaField(
        CONTENT_LABELS["materials"],
        validators=[Optional(), _length(max_=MAX_MARKDOWN)],
    )
    organisations = TextAreaField(
        CONTENT_LABELS["organisations"], validators=[Optional(), _length(max_=5_000)]
    )
    topic = TopicField(CONTENT_LABELS["topic"], validators=[_required])

    def __init__(self, *args, current_topic_id: int | None = None, **kwargs):
        obj = kwargs.get("obj")
        if obj is not None:
            kwargs.setdefault("development", obj.process)
        super().__init__(*args, **kwargs)
        self.current_topic_id = current_topic_id
        self.topic.choices = [SelectChoice("", _l("Choose a topic"))] + [
            SelectChoice(str(t.id), t.name)
            for t in queries.topics()
            if not t.retired or t.id == current_topic_id
        ]

    def topic_id(self) -> int:
        return queries.find_topic(self.topic.data).id

    def validate_organisations(self, field) -> None:
        if any(len(line) > 200 for line in (field.data or "").splitlines()):
            raise ValidationError(
                _l("Write one organisation per line, at most 200 characters each.")
            )

    def validate_body(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_l("This field is required."))


def parse_moment(text: str) -> datetime:
    """An ISO 8601 time; without a zone it is read as Danish local time (a form's input)."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TIME)
    # Pages show it in Danish time: 9999-12-31T23:30+00:00 has none (OverflowError).
    moment.astimezone(LOCAL_TIME)
    return moment.astimezone(UTC)


class TransitionForm(Form):
    to = StringField(filters=[strip], validators=[_required, Length(max=20)])
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[_length(max_=2_000)])
    ends_at = StringField(_l("The hearing ends"), filters=[strip], validators=[Length(max=40)])

    def validate_ends_at(self, field) -> None:
        if field.data:
            try:
                parse_moment(field.data)
            except (ValueError, OverflowError):
                raise ValidationError(
                    _l("Give a date and time such as 2026-03-01T12:00.")
                ) from None

    def ends_at_moment(self) -> datetime | None:
        return parse_moment(self.ends_at.data) if self.ends_at.data else None


class InviteForm(Form):
    email = EmailField(
        _l("The member's email"),
        filters=[strip],
        validators=[_required, Length(max=254), email_address],
    )


class OutcomeForm(Form):
    date = DateField(
        _l("Date"),
        validators=[DataRequired(message=_l("Give a date such as 2026-04-01."))],
        default=date.today,
    )
    text = TextAreaField(
        _l("What happened"), filters=[strip], validators=[_required, _length(max_=10_000)]
    )
