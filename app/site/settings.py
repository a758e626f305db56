"""The organisation's settings as the secretariat writes them (the form) and what a
brand-new site still lacks (the first-run list). The settings themselves are
app.core.organisation."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from app.accounts.models import User
from app.core import editing, organisation
from app.core.editing import BasedOnRevision
from app.core.extensions import db
from app.core.forms import Form, email_address, strip
from app.core.organisation import FIELDS, MAX_MARKDOWN, MAX_NAME
from app.proposals.models import Topic

# --- the first run --------------------------------------------------------------------------


@dataclass(frozen=True)
class SetUp:
    """What a brand-new site still lacks; each step done stays done."""

    named: bool
    has_topics: bool
    has_members: bool

    @property
    def done(self) -> bool:
        return self.named and self.has_topics and self.has_members


def set_up() -> SetUp:
    """In one query (and the settings this request has read anyway)."""
    topics = exists().where(Topic.retired.is_(False))
    # A member who is not also the secretariat: someone the site was set up for.
    members = exists().where(User.is_member.is_(True), User.is_secretariat.is_(False))
    has_topics, has_members = db.session.execute(select(topics, members)).one()
    return SetUp(bool(organisation.current().name), bool(has_topics), bool(has_members))


# --- the form -------------------------------------------------------------------------------


def _email_or_empty(form, field) -> None:
    if field.data:
        email_address(form, field)


# The introduction, the guidelines and the privacy notice hold the same length of Markdown.
_AT_MOST_MARKDOWN = Length(
    max=MAX_MARKDOWN, message=_l("Write at most %(max)d characters.", max=MAX_MARKDOWN)
)


class SettingsForm(BasedOnRevision, Form):
    name = StringField(
        _l("Organisation name"),
        filters=[strip],
        validators=[
            Length(max=MAX_NAME, message=_l("Write at most %(max)d characters.", max=MAX_NAME))
        ],
    )
    introduction = TextAreaField(
        _l("Introduction on the front page"),
        validators=[_AT_MOST_MARKDOWN],
    )
    contact_email = StringField(
        _l("Contact email"),
        filters=[strip],
        validators=[
            _email_or_empty,
            Length(max=254, message=_l("Write at most %(max)d characters.", max=254)),
        ],
    )
    guidelines = TextAreaField(
        _l("Guidelines for proposals"),
        validators=[_AT_MOST_MARKDOWN],
    )
    privacy = TextAreaField(
        _l("Privacy notice"),
        validators=[_AT_MOST_MARKDOWN],
    )

    def values(self, sent) -> dict[str, str]:
        """The settings the request sent: one it left out is not emptied but kept."""
        return {name: editing.plain_lines(self[name].data or "") for name in FIELDS if name in sent}
