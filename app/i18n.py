"""Languages: which one a request is served in, and the labels of domain words.

Message ids are English; Danish is the default language and its catalogue is complete.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask, has_request_context, session
from flask_babel import format_date, format_datetime, format_timedelta, get_locale
from flask_babel import lazy_gettext as _l

from app.database import utcnow

LANGUAGES = {"da": "Dansk", "en": "English"}
DEFAULT_LANGUAGE = "da"

ROLE_LABELS = {
    "citizen": _l("citizen"),
    "member": _l("member"),
    "secretariat": _l("secretariat"),
}


def select_locale() -> str:
    """The language chosen with POST /language, else Danish (and Danish outside a request:
    mail says in which language it is written, with force_locale)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


_MOMENT_FORMATS = {"da": "d. MMMM y 'kl.' HH:mm", "en": "d MMMM y, HH:mm"}
_DAY_FORMATS = {"da": "d. MMMM y", "en": "d MMMM y"}


def moment(value: datetime | None) -> str:
    """A point in time as people here read it: Danish local time, in the page's language."""
    if value is None:
        return ""
    return format_datetime(value, _MOMENT_FORMATS.get(str(get_locale()), _MOMENT_FORMATS["en"]))


def day(value: date | None) -> str:
    if value is None:
        return ""
    return format_date(value, _DAY_FORMATS.get(str(get_locale()), _DAY_FORMATS["en"]))


def time_left(deadline: datetime | None, now: datetime | None = None) -> str:
    """ "3 dage" until `deadline` (nothing when it has passed)."""
    if deadline is None:
        return ""
    remaining = deadline - (now or utcnow())
    if remaining.total_seconds() <= 0:
        return ""
    return format_timedelta(remaining, threshold=1.1)


def iso(value: datetime | date | None) -> str:
    """ISO 8601, and for times in UTC with a Z: for <time datetime> and the API."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return value.isoformat()


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(moment=moment, day=day, time_left=time_left, iso=iso)

    @app.context_processor
    def _language_context():
        current = str(get_locale() or DEFAULT_LANGUAGE)
        return {
            "languages": LANGUAGES,
            "current_language": current,
            "role_labels": ROLE_LABELS,
        }
