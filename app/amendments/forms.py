"""Forms for filing and editing an amendment, and for deciding one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.amendments.services import MAX_JUSTIFICATION, MAX_MARKDOWN, MAX_REASON, MAX_SUMMARY
from app.core.editing import BasedOnRevision
from app.core.forms import Form, strip
from app.proposals.labels import CONTENT_LABELS
from app.proposals.lifecycle import AMENDMENT_VERDICTS

_required = DataRequired(message=_l("This field is required."))


def _at_most(n: int) -> Length:
    return Length(max=n, message=_l("Write at most %(max)d characters.", max=n))


class AmendmentForm(BasedOnRevision, Form):
    """The hearing version's words, as the member would have them, and why."""

    summary = TextAreaField(
        CONTENT_LABELS["summary"], filters=[strip], validators=[_required, _at_most(MAX_SUMMARY)]
    )
    body = TextAreaField(CONTENT_LABELS["body"], validators=[_required, _at_most(MAX_MARKDOWN)])
    drawbacks = TextAreaField(
        CONTENT_LABELS["drawbacks"], validators=[Optional(), _at_most(MAX_MARKDOWN)]
    )
    justification = TextAreaField(
        _l("Justification"), validators=[_required, _at_most(MAX_JUSTIFICATION)]
    )

    def text(self) -> dict[str, str]:
        return {
            "summary": self.summary.data or "",
            "body": self.body.data or "",
            "drawbacks": self.drawbacks.data or "",
        }


class DecisionForm(BasedOnRevision, Form):
    """A proposer's decision; the fields only when the proposer changed the merged text."""

    verdict = StringField(
        _l("Decision"),
        filters=[strip],
        validators=[
            _required,
            AnyOf(
                AMENDMENT_VERDICTS,
                message=_l("Choose adopted, adopted with changes, not adopted or lapsed as moot."),
            ),
        ],
    )
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[_at_most(MAX_REASON)])
    summary = TextAreaField(
        CONTENT_LABELS["summary"], filters=[strip], validators=[Optional(), _at_most(MAX_SUMMARY)]
    )
    body = TextAreaField(CONTENT_LABELS["body"], validators=[Optional(), _at_most(MAX_MARKDOWN)])
    drawbacks = TextAreaField(
        CONTENT_LABELS["drawbacks"], validators=[Optional(), _at_most(MAX_MARKDOWN)]
    )

    def edited(self, sent) -> dict[str, str] | None:
        """The text the proposer sent (`sent`: the names in the request), if any: fields
        left out keep the proposal's."""
        text = {
            name: getattr(self, name).data or ""
            for name in ("summary", "body", "drawbacks")
            if name in sent
        }
        return text or None
